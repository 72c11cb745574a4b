/*
 * outset - every file a run writes, as one set: the cleaned, rejected
 * and review files, the per-status files of --split, the --xlsx
 * workbook, the --summary file and the --report page. Each row is
 * written once to the file its action routes it to, and also to its
 * status's split file and its sheet of the workbook. All of them are
 * temporary files until outset_commit puts them in place together
 * (outputs.h), so a failed or interrupted run changes none.
 */
#ifndef LISTSCRUB_OUTSET_H
#define LISTSCRUB_OUTSET_H

#include <stdbool.h>

#include "csv/csvread.h"
#include "csv/row_write.h"
#include "options.h"
#include "report/report.h"
#include "util/diag.h"

/* Where the action sends a row (pipeline_route). */
enum outset_file { OUTSET_CLEANED, OUTSET_REJECTED, OUTSET_REVIEW };

struct outset;

/*
 * outset_check - before anything is read: every output named by o is a
 * file different from the input and from every other output (outputs.h);
 * --split's directory is made if it does not exist. 0, or -1 with d.
 */
int outset_check(const struct options *o, struct diag *d);

/*
 * outset_open - create every output (temporary names). The CSV files use
 * delim and eol, start with a UTF-8 BOM when bom is set, and with the
 * input's "sep=X" line when sep_line is set. NULL with d.
 */
struct outset *outset_open(const struct options *o, int delim,
    const char *eol, bool bom, bool sep_line, struct diag *d);

/*
 * outset_header - the header row of every file: hdr's cells, or, for a
 * file without one (hdr NULL), column_1, column_2, ... unless
 * --no-header-out (the CSV files then get no header; the workbook
 * always has one, for its filter). 0, or -1 with d.
 */
int outset_header(struct outset *s, const struct row_write_ctx *c,
    const struct csvrow *hdr, struct diag *d);

/*
 * outset_row - row k to its file f, to the split file of its status and
 * to its sheet. *guarded: an original cell was neutralized in the CSV
 * files. 0, or -1 with d naming the file that failed.
 */
int outset_row(struct outset *s, enum outset_file f,
    const struct row_write_ctx *c, const struct csvrow *row,
    const struct row_write_cols *k, bool *guarded, struct diag *d);

/*
 * outset_warnings - after the rows: one line on f for each thing the
 * workbook could not hold as it was (cells cut to Excel's limit, bytes
 * replaced); nothing when all went in.
 */
void outset_warnings(const struct outset *s, FILE *f);

/*
 * outset_commit - the summary, the report page and the workbook's
 * Summary sheet from rep, then every file put in place as one set. Frees
 * s in every case. 0, or -1 with d; no old file changed then.
 */
int outset_commit(struct outset *s, const struct report *rep,
    struct diag *d);

/* outset_abort - remove every temporary file and free s. NULL ok. */
void outset_abort(struct outset *s);

#endif
