/*
 * buf - growable byte buffer with a mandatory ceiling (curl's "toobig").
 * The bytes are always followed by a NUL so buf_str() is a C string, but
 * the content may itself hold NULs: use len.
 */
#ifndef LISTSCRUB_BUF_H
#define LISTSCRUB_BUF_H

#include <stddef.h>

struct buf {
	char *data;	/* NUL-terminated, NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;	/* appends that would pass this fail */
};

/* buf_init - empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* buf_append - add n bytes; 0, or -1 (buffer unchanged) past max. */
int buf_append(struct buf *b, const void *p, size_t n);
/* buf_addc - add one byte; 0 or -1 past max. */
int buf_addc(struct buf *b, char c);
/* buf_addstr - add a C string; 0 or -1 past max. */
int buf_addstr(struct buf *b, const char *s);
/* buf_reset - length 0, memory kept. */
void buf_reset(struct buf *b);
/* buf_str - the content as a C string ("" when empty). */
const char *buf_str(const struct buf *b);
/* buf_free - release memory; the buffer is empty afterwards. */
void buf_free(struct buf *b);

#endif
