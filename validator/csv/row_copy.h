/*
 * rowsave - an owned copy of a csvrow, for the few rows read ahead while
 * the email column is being chosen.
 */
#ifndef LISTSCRUB_ROWSAVE_H
#define LISTSCRUB_ROWSAVE_H

#include "csv/csvread.h"

struct rowsave {
	struct csvrow row;	/* points into the storage below */
	char *raw;
	char **fields;
	size_t *lens;
};

/* rowsave_copy - copy src into s (s is overwritten, not freed). */
void rowsave_copy(struct rowsave *s, const struct csvrow *src);
void rowsave_free(struct rowsave *s);

#endif
