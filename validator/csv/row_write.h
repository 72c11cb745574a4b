/*
 * row_write - one output row: the original cells (their raw bytes, except
 * cells the formula guard must neutralize), padding so the appended
 * columns line up under the header, then the appended verdict columns
 * the run chose (csv/columns).
 * A re-scrubbed file (the cleaned output of an earlier run) carries the
 * columns that run appended: row_write_own_columns finds them, and the
 * rows are written without them, so a second run appends one set, not two.
 */
#ifndef LISTSCRUB_ROW_WRITE_H
#define LISTSCRUB_ROW_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict/classify.h"
#include "csv/columns.h"
#include "csv/csvread.h"
#include "csv/csvwrite.h"

struct row_write_ctx {
	enum csvwrite_guard guard;	/* for the original cells */
	int delim;
	/*
	 * Cells before the appended columns: the widest row of the file,
	 * so that the appended columns start at the same place in every
	 * row (validator/README, "Spreadsheet outputs").
	 */
	size_t width;
	const char *checked_at;		/* UTC time the row was checked */
	/*
	 * The run's start, a string kept for the whole run: checked_at of a
	 * row judged now (not recalled from the store), for the memo.
	 */
	const char *run_at;
	const char *prefix;		/* "scrub_" */
	/*
	 * Per input column (nskip of them): true for a column an earlier run
	 * appended (row_write_own_columns), written neither in the header
	 * nor in the rows. width counts input columns, skipped ones
	 * included; padding counts the kept ones, so the appended columns
	 * still start at the same place in every row. NULL: none skipped.
	 */
	const bool *skip;
	size_t nskip;
	bool changes;		/* previous statuses are known */
	/* the appended columns, in order; NULL: all (columns.h) */
	const struct columns *cols;
	/*
	 * NULL, or the memo (row_write_memo_new) of the one thread that
	 * writes with this context: appended cells that come out the same
	 * as in an earlier row are copied, not made and scanned again.
	 */
	struct row_write_memo *memo;
};

struct row_write_memo;

/* row_write_memo_new, row_write_memo_free - a writing thread's memo. */
struct row_write_memo *row_write_memo_new(void);
void row_write_memo_free(struct row_write_memo *m);

/* What the pipeline learned about a row, as written in the new columns. */
struct row_write_cols {
	uint64_t row;
	const char *email;		/* normalized address or what was typed */
	size_t email_len;
	const struct verdict *v;
	const char *did_you_mean;	/* NULL or a full address */
	bool role, disposable, free_mail;
	const char *checked;		/* "syntax", "dns", "smtp" or "" */
	uint64_t duplicate_of;		/* 0 for none */
	const char *mx;			/* preferred mail host, or NULL */
	const char *provider;		/* mailbox provider's name, or NULL */
	const struct probe_result *smtp;	/* SMTP answer, or NULL */
	/* Only with ctx->changes: */
	const char *previous_status;	/* NULL or "": none */
	bool changed;			/* the status differs from it */
};

/*
 * row_write_header - the header row: original header without its skipped
 * cells, padding, then the appended names (prefix + name). A headerless
 * file (hdr NULL) gets column_1, column_2, ... for its kept columns.
 * *guarded tells whether a header cell had to be neutralized. -1 on a
 * write error (errno set).
 */
int row_write_header(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *hdr, bool *guarded);
/*
 * row_write_row - write row to w: its cells but the skipped ones, padding
 * up to the kept part of c->width, the appended cells (row_write_value). *guarded tells whether an
 * original cell had to be neutralized. A row longer than c->width keeps
 * its extra cells (but skipped ones), so its appended cells start further
 * right. A malformed row is one cell, its raw text; for a
 * truncated row (longer than max_record) the rest of its line is read
 * from row->tail and written as it comes, so the row is written whole.
 * -1 on a write error (the writer keeps it) or when the tail fails to
 * read (errno set either way).
 */
int row_write_row(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, const struct row_write_cols *cols, bool *guarded);

#define ROW_WRITE_SCRATCH 32

/*
 * row_write_value - the text of appended column id for the row k, in
 * scratch or static or k's storage; its length in *len. previous_status
 * and changed are empty when there is no previous status; booleans are
 * true/false, empty when the check did not apply. Also used for the
 * workbook, so both outputs say the same.
 */
const char *row_write_value(const struct row_write_ctx *c,
    const struct row_write_cols *k, enum column id,
    char scratch[ROW_WRITE_SCRATCH], size_t *len);

/*
 * row_write_kept - how many of the first n input columns are written
 * (those not skipped).
 */
size_t row_write_kept(const struct row_write_ctx *c, size_t n);

/*
 * row_write_own_columns - find the columns an earlier run appended in the
 * header hdr: every cell that is prefix followed by one of the appended
 * names (previous_status and changed included), compared after trimming
 * ASCII white space around the cell, ASCII letters case-insensitively
 * ("Scrub_Status " counts). skip must have room for hdr->nfields entries:
 * each is set, true for such a cell. Returns how many were marked. Sets
 * *status_col and *email_col (either may be NULL) to the 0-based column of
 * prefix + "status" and prefix + "email", the last one when a header has
 * several (each run appends after the earlier ones), or -1. An empty
 * prefix marks nothing: the bare names (email, status, row) are the
 * user's own columns as often as not. Cannot fail; a malformed header
 * (no fields) has no such column.
 */
size_t row_write_own_columns(const struct csvrow *hdr, const char *prefix,
    bool *skip, long *status_col, long *email_col);

#endif
