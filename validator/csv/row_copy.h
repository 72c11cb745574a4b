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
};

/* row_copy_set - copy src into s (s is overwritten, not freed). */
void row_copy_set(struct row_copy *s, const struct csvrow *src);
void row_copy_free(struct row_copy *s);

#endif
