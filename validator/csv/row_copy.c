#include "csv/row_copy.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
row_copy_set(struct row_copy *s, const struct csvrow *src)
{
	s->row = *src;
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
}

void
row_copy_free(struct row_copy *s)
{
	for (size_t i = 0; i < s->row.nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	free(s->lens);
	free(s->raw);
	memset(s, 0, sizeof(*s));
}
