/*
 * slurp.h - one helper the unit tests share: a whole file read into
 * memory, NUL-terminated (its length, when len is not NULL, in *len);
 * NULL when it cannot be opened. Aborts on out-of-memory.
 */
#ifndef LISTSCRUB_TESTS_SLURP_H
#define LISTSCRUB_TESTS_SLURP_H

#include <stdio.h>
#include <stdlib.h>

static inline char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			s = realloc(s, cap);
			if (s == NULL)
				abort();
		}
		got = fread(s + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

#endif
