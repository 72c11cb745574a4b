/*
 * row_write - one output row: the original cells (their raw bytes, except
 * cells the formula guard must neutralize), padding so the appended
 * columns line up under the header, then the appended verdict columns.
 * The appended column names are defined here, once; new columns are only
 * ever added at the end.
 */
#ifndef LISTSCRUB_ROW_WRITE_H
#define LISTSCRUB_ROW_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict/classify.h"
#include "csv/csvread.h"
#include "csv/csvwrite.h"

struct row_write_ctx {
	enum csvwrite_guard guard;	/* for the original cells */
	int delim;
	size_t width;			/* cells before the appended columns */
	const char *checked_at;		/* UTC time of the run */
	const char *prefix;		/* "scrub_" */
};

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
	const struct probe_result *smtp;	/* SMTP answer, or NULL */
};

/* row_write_header - the header row: original header (or none) + names. */
int row_write_header(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *hdr, bool *guarded);
/*
 * row_write_row - write row to w. *guarded tells whether an original cell
 * had to be neutralized. A malformed row is one cell, its raw text; for a
 * truncated row (longer than max_record) the rest of its line is read
 * from row->tail and written as it comes, so the row is written whole.
 * -1 on a write error (the writer keeps it) or when the tail fails to
 * read (errno set either way).
 */
int row_write_row(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, const struct row_write_cols *cols, bool *guarded);

#endif
