/*
 * xlsxbook - the --xlsx output: one workbook written with libxlsxwriter
 * in constant-memory mode (rows are streamed to libxlsxwriter's temporary
 * files, so memory does not grow with the rows). Sheets: Summary (first;
 * filled at the end from the report), Cleaned, Rejected and, when the run
 * has a review file, Review. Every data cell is written as a string
 * (worksheet_write_string), never a number or a formula: leading zeros,
 * long ids and text that starts with = stay exactly as they were, so the
 * CSV formula guard is not needed here. Header row frozen, autofilter on
 * every data sheet, column widths from the cells seen, the status cell of
 * each row coloured by its action. A sheet that reaches Excel's 1,048,576
 * rows continues on a new sheet of the same kind ("Cleaned (2)"), the
 * header repeated. Named xlsxbook, not workbook: libxlsxwriter owns the
 * workbook_ and worksheet_ prefixes. (validator/README, "Spreadsheet
 * outputs")
 */
#ifndef LISTSCRUB_XLSXBOOK_H
#define LISTSCRUB_XLSXBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "verdict/verdict.h"
#include "report/report.h"

enum xlsxbook_sheet { XLSXBOOK_CLEANED, XLSXBOOK_REJECTED, XLSXBOOK_REVIEW,
	XLSXBOOK_LAST };

struct xlsxbook_opts {
	/*
	 * The file libxlsxwriter writes at xlsxbook_finish. The caller
	 * creates it (a temporary name beside the target, later renamed into
	 * place with the run's other outputs); its content is replaced.
	 */
	const char *path;
	const char *name;	/* the file in messages (NULL: path) */
	/* Directory for libxlsxwriter's own temporary files (NULL: its
	   default); xlsxbook_new fails when it is not a writable one. */
	const char *tmpdir;
	bool review;		/* add the Review sheet */
	/* the workbook's creation time (Unix s; --now), 0: the clock's */
	int64_t created;
	/*
	 * For tests only: rows per sheet, header included, before a sheet
	 * continues on the next ("Cleaned (2)"). 0 (or anything below 2 or
	 * above the limit): Excel's 1,048,576. The program never sets it.
	 */
	uint32_t max_rows;
};

struct xlsxbook;

/* xlsxbook_new - start a workbook; NULL with d (DIAG_OUTPUT) on failure. */
struct xlsxbook *xlsxbook_new(const struct xlsxbook_opts *o, struct diag *d);

/*
 * xlsxbook_header - the header row of every data sheet: n cells, the
 * input's columns (its header cells, or names the caller made up for a
 * headerless file), then the appended names. status_col is the index among the n of the appended status
 * column, or SIZE_MAX when it is not written (--columns). Called once,
 * before the first row. 0, or -1 with d (DIAG_INPUT for more than
 * 16,384 cells).
 */
int xlsxbook_header(struct xlsxbook *wb, const char *const *cell,
    const size_t *len, size_t n, size_t status_col, struct diag *d);

/*
 * xlsxbook_row - one data row on sheet s: n cells of len[i] bytes (not
 * NUL-terminated; n may differ from the header's). Cells that are not
 * valid UTF-8 are written with U+FFFD for each bad byte; C0 controls
 * other than tab and line ends are written as U+FFFD too (XML 1.0 cannot
 * hold them); a cell longer than Excel's 32,767 characters (UTF-16
 * units, as Excel counts) is cut to fit, ending with "…" (counted:
 * xlsxbook_cut_cells). Text that reads as an escape "_xHHHH_" gets its
 * "_" escaped, so it stays text. Empty cells are not written, except the
 * status cell (for its colour). A row wider than Excel's 16,384 columns
 * fails (-1, DIAG_INPUT, naming line, the input line of the row, for the
 * message). action colours the status cell. A row for the Review sheet
 * without opts.review, or before the header, is DIAG_INTERNAL.
 * 0, or -1 with d.
 */
int xlsxbook_row(struct xlsxbook *wb, enum xlsxbook_sheet s,
    const char *const *cell, const size_t *len, size_t n,
    enum verdict_action action, unsigned long line, struct diag *d);

/*
 * xlsxbook_cut_cells - data cells cut to Excel's limit, and the first
 * one's line (header cells are not counted). Ask before xlsxbook_finish.
 */
uint64_t xlsxbook_cut_cells(const struct xlsxbook *wb, unsigned long *line);
/*
 * xlsxbook_changed_cells - data cells with bytes replaced by U+FFFD (not
 * UTF-8, or controls), and the first one's line. Ask before
 * xlsxbook_finish.
 */
uint64_t xlsxbook_changed_cells(const struct xlsxbook *wb, unsigned long *line);

/*
 * xlsxbook_finish - fill the Summary sheet from rep (counts and
 * percentages by status, sub-status and action, the sender-side
 * problems, a native chart of the status breakdown; the counts and
 * shares there are numbers, for the chart; rep NULL: all counts 0),
 * set the autofilter and column widths, and write the file
 * (libxlsxwriter's workbook_close). Frees wb in every case. 0, or -1
 * with d (DIAG_OUTPUT).
 */
int xlsxbook_finish(struct xlsxbook *wb, const struct report *rep,
    struct diag *d);

/* xlsxbook_abort - free wb without writing anything more. NULL ok. */
void xlsxbook_abort(struct xlsxbook *wb);

#endif
