/*
 * row_copy - an owned copy of a csvrow, for the few rows read ahead while
 * the email column is being chosen.
 */
#ifndef LISTSCRUB_ROW_COPY_H
#define LISTSCRUB_ROW_COPY_H

#include "csv/csvread.h"

struct row_copy {
	struct csvrow row;	/* points into the storage below */
	char *raw;
	char **fields;
	size_t *lens;
	FILE *spool;		/* a truncated row's tail, in a tmpfile */
	int spool_err;		/* errno if spooling it failed */
	char *piece;		/* read-back buffer of row.tail */
};

/*
 * row_copy_set - copy src into s (s is overwritten, not freed). The tail
 * of a truncated row (csvread.h) is read now, while the reader is still
 * on it, into an anonymous temporary file, so memory does not grow with
 * the row; the copy's row.tail reads it back once. If the temporary file
 * cannot be made or written, row.tail fails with that errno when read.
 */
void row_copy_set(struct row_copy *s, const struct csvrow *src);
void row_copy_free(struct row_copy *s);

#endif
