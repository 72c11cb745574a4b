#include "csv/row_copy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define ROW_COPY_PIECE	(64 * 1024)

static void row_copy_spool(struct row_copy *s, const struct csvrow *src);
static int row_copy_tail(void *arg, const char **p, size_t *n);

/* row_copy_spool - read src's tail into a temporary file, rewound. */
static void
row_copy_spool(struct row_copy *s, const struct csvrow *src)
{
	const char *p;
	size_t n;
	int rc;

	if ((s->spool = tmpfile()) == NULL) {
		s->spool_err = errno ? errno : EIO;
		return;
	}
	while ((rc = src->tail(src->tail_arg, &p, &n)) == 1)
		if (fwrite(p, 1, n, s->spool) != n) {
			s->spool_err = errno ? errno : EIO;
			return;
		}
	if (rc < 0)
		s->spool_err = errno ? errno : EIO;
	else if (fflush(s->spool) != 0 || fseek(s->spool, 0, SEEK_SET) != 0)
		s->spool_err = errno ? errno : EIO;
}

/* row_copy_tail - the spooled tail, a piece at a time (csvrow.tail). */
static int
row_copy_tail(void *arg, const char **p, size_t *n)
{
	struct row_copy *s = arg;

	if (s->spool_err != 0) {
		errno = s->spool_err;
		return -1;
	}
	if (s->piece == NULL)
		s->piece = xmalloc(ROW_COPY_PIECE);
	*p = s->piece;
	*n = fread(s->piece, 1, ROW_COPY_PIECE, s->spool);
	if (*n > 0)
		return 1;
	if (ferror(s->spool)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void
row_copy_set(struct row_copy *s, const struct csvrow *src)
{
	s->row = *src;
	s->spool = NULL;
	s->spool_err = 0;
	s->piece = NULL;
	/* raw first: reading the tail may move the bytes it points to */
	s->raw = xmemdup(src->raw, src->raw_len);
	s->fields = xreallocarray(NULL, src->nfields + 1, sizeof(*s->fields));
	s->lens = xreallocarray(NULL, src->nfields + 1, sizeof(*s->lens));
	for (size_t i = 0; i < src->nfields; i++) {
		s->fields[i] = xmemdup(src->field[i], src->field_len[i]);
		s->lens[i] = src->field_len[i];
	}
	s->row.raw = s->raw;
	s->row.field = (const char *const *)s->fields;
	s->row.field_len = s->lens;
	s->row.tail = NULL;
	s->row.tail_arg = NULL;
	if (src->tail != NULL) {
		row_copy_spool(s, src);
		s->row.tail = row_copy_tail;
		s->row.tail_arg = s;
	}
}

void
row_copy_free(struct row_copy *s)
{
	for (size_t i = 0; i < s->row.nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	free(s->lens);
	free(s->raw);
	if (s->spool != NULL)
		fclose(s->spool);
	free(s->piece);
	memset(s, 0, sizeof(*s));
}
