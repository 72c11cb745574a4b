/*
 * workbook - the --xlsx output: one workbook written with libxlsxwriter
 * in constant-memory mode (rows are streamed to libxlsxwriter's temporary
 * files, so memory does not grow with the rows). Sheets: Summary (first;
 * filled at the end from the report), Cleaned, Rejected and, when the run
 * has a review file, Review. Every cell is written as a string
 * (worksheet_write_string), never a number or a formula: leading zeros,
 * long ids and text that starts with = stay exactly as they were, so the
 * CSV formula guard is not needed here. Header row frozen, autofilter on
 * every data sheet, column widths from the cells seen, the status cell of
 * each row coloured by its action. A sheet that reaches Excel's 1,048,576
 * rows continues on a new sheet of the same kind ("Cleaned (2)"), the
 * header repeated. (validator/README, "Spreadsheet outputs")
 */
#ifndef LISTSCRUB_WORKBOOK_H
#define LISTSCRUB_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "verdict/verdict.h"
#include "report/report.h"

enum workbook_sheet { WORKBOOK_CLEANED, WORKBOOK_REJECTED, WORKBOOK_REVIEW,
	WORKBOOK_LAST };

struct workbook_opts {
	/*
	 * The file libxlsxwriter writes at workbook_finish. The caller
	 * creates it (a temporary name beside the target, later renamed into
	 * place with the run's other outputs); its content is replaced.
	 */
	const char *path;
	/* Directory for libxlsxwriter's own temporary files (NULL: its
	   default). */
	const char *tmpdir;
	bool review;		/* add the Review sheet */
};

struct workbook;

/* workbook_new - start a workbook; NULL with d (DIAG_OUTPUT) on failure. */
struct workbook *workbook_new(const struct workbook_opts *o, struct diag *d);

/*
 * workbook_header - the header row of every data sheet: n cells, the
 * first norig of them the input's columns (its header cells, or names
 * the caller made up for a headerless file), the rest the appended
 * names. status_col is the index among the n of the appended status
 * column, or SIZE_MAX when it is not written (--columns). Called once,
 * before the first row. 0, or -1 with d.
 */
int workbook_header(struct workbook *wb, const char *const *cell,
    const size_t *len, size_t n, size_t norig, size_t status_col,
    struct diag *d);

/*
 * workbook_row - one data row on sheet s: n cells of len[i] bytes (not
 * NUL-terminated; n may differ from the header's). Cells that are not
 * valid UTF-8 are written with U+FFFD for each bad byte; C0 controls
 * other than tab and line ends are written as U+FFFD too (XML 1.0 cannot
 * hold them); a cell longer than Excel's 32,767 characters is cut to
 * fit, ending with "…" (counted: workbook_cut_cells). A row wider than
 * Excel's 16,384 columns fails (-1, DIAG_INPUT, naming line, the input
 * line of the row, for the message). action colours the status cell.
 * 0, or -1 with d.
 */
int workbook_row(struct workbook *wb, enum workbook_sheet s,
    const char *const *cell, const size_t *len, size_t n,
    enum verdict_action action, unsigned long line, struct diag *d);

/* workbook_cut_cells - cells cut to Excel's limit, and the first one's line. */
uint64_t workbook_cut_cells(const struct workbook *wb, unsigned long *line);
/* workbook_changed_cells - cells with bytes replaced by U+FFFD (not UTF-8, or controls). */
uint64_t workbook_changed_cells(const struct workbook *wb, unsigned long *line);

/*
 * workbook_finish - fill the Summary sheet from rep (counts and
 * percentages by status, sub-status and action, the sender-side
 * problems, a native chart of the status breakdown), set the autofilter
 * and column widths, and write the file (workbook_close). Frees wb in
 * every case. 0, or -1 with d (DIAG_OUTPUT).
 */
int workbook_finish(struct workbook *wb, const struct report *rep,
    struct diag *d);

/* workbook_abort - free wb without writing anything more. NULL ok. */
void workbook_abort(struct workbook *wb);

#endif
