/*
 * encoding - the UTF-8 scan of every record, and --encoding's conversion
 * through iconv(3) (validator/README, "CSV facts").
 */
#include "csv/encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/interrupt.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#ifndef ENCODING_BLOCK
#define ENCODING_BLOCK	65536	/* input bytes read per iconv round */
#endif
#define ENCODING_OUT	(4 * ENCODING_BLOCK)	/* UTF-8 out per round */
#define ASCII_MASK	0x8080808080808080ULL

/* One conversion in progress. */
struct conv {
	iconv_t cd;
	FILE *in, *out;
	const char *name, *file;
	unsigned long line;	/* input line of the next output byte */
	bool cr;		/* the last output byte was a CR */
	char *ib, *ob;
};

static void encoding_lines(struct conv *c, const char *p, size_t n);
static int encoding_flush(struct conv *c, char *end, struct diag *d);
static bool encoding_is_utf8(const char *name);
static FILE *encoding_check(struct conv *c, struct diag *d);
static bool encoding_partial(const unsigned char *s, size_t n);

void
encoding_scan_init(struct encoding_scan *s)
{
	memset(s, 0, sizeof(*s));
}

void
encoding_scan_feed(struct encoding_scan *s, const char *p, size_t n,
    unsigned long line)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		uint64_t w;
		uint32_t cp;
		size_t k;

		/* the hot path: ASCII, two words at a time */
		while (n - i >= 16) {
			uint64_t w2;

			memcpy(&w, u + i, 8);
			memcpy(&w2, u + i + 8, 8);
			if ((w | w2) & ASCII_MASK)
				break;
			i += 16;
		}
		while (n - i >= 8) {
			memcpy(&w, u + i, 8);
			if (w & ASCII_MASK)
				break;
			i += 8;
		}
		while (i < n && u[i] < 0x80)
			if (++i % 8 == 0)
				break;	/* aligned again: back to words */
		if (i >= n || u[i] < 0x80)
			continue;
		if ((k = utf8_decode(u + i, n - i, &cp)) > 1) {
			s->utf8_multi++;
			i += k;
			continue;
		}
		/* not part of a valid sequence: count it, then go on */
		if (s->bad == 0) {
			unsigned long l = line;

			for (size_t j = 0; j < i; j++)
				if (u[j] == '\n' || (u[j] == '\r' &&
				    (j + 1 == n || u[j + 1] != '\n')))
					l++;
			s->first_line = l;
		}
		s->bad++;
		if (u[i] < 0xA0)
			s->bad_c1++;
		else
			s->bad_latin++;
		i++;
	}
}

bool
encoding_scan_utf8(const struct encoding_scan *s)
{
	return s->bad == 0;
}

const char *
encoding_guess(const struct encoding_scan *s)
{
	if (s->bad == 0)
		return NULL;
	return s->bad_c1 > 0 ? "windows-1252" : "iso-8859-1";
}

/* encoding_is_utf8 - "UTF-8", "utf8", ... (any case)? */
static bool
encoding_is_utf8(const char *name)
{
	size_t n = strlen(name);

	return (n == 5 && ascii_ncasecmp(name, "utf-8", 5) == 0) ||
	    (n == 4 && ascii_ncasecmp(name, "utf8", 4) == 0);
}

/*
 * encoding_lines - count the line ends in n converted bytes: LF, CRLF and
 * a bare CR each end one line, as csvread counts them.
 */
static void
encoding_lines(struct conv *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			c->line++;
		else if (p[i] == '\n' && !c->cr)
			c->line++;
		c->cr = p[i] == '\r';
	}
}

/* encoding_flush - write the converted bytes ob..end to the output. */
static int
encoding_flush(struct conv *c, char *end, struct diag *d)
{
	size_t n = (size_t)(end - c->ob);

	if (n == 0)
		return 0;
	encoding_lines(c, c->ob, n);
	if (fwrite(c->ob, 1, n, c->out) != n) {
		diag_set(d, DIAG_OUTPUT, "cannot write the UTF-8 copy of %s "
		    "to a temporary file: %s", c->file, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * encoding_check - --encoding utf-8: copy the input, checked. Not through
 * iconv: glibc's UTF-8 decoder takes sequences past U+10FFFF (F4 90 80
 * 80), which RFC 3629 forbids.
 */
static FILE *
encoding_check(struct conv *c, struct diag *d)
{
	const unsigned char *u;
	size_t have = 0, i = 0, got;
	uint32_t cp;
	bool ok = false;

	c->ib = c->ob = xmalloc(ENCODING_BLOCK);
	u = (const unsigned char *)c->ib;
	if ((c->out = tmpfile()) == NULL) {
		diag_set(d, DIAG_OUTPUT, "cannot create a temporary file for "
		    "the UTF-8 copy of %s: %s", c->file, strerror(errno));
		goto done;
	}
	do {
		if (interrupt_check("checking the input", d) != 0)
			goto done;
		got = fread(c->ib + have, 1, ENCODING_BLOCK - have, c->in);
		if (got == 0 && ferror(c->in)) {
			diag_set(d, DIAG_INPUT, "%s: read error: %s", c->file,
			    strerror(errno));
			goto done;
		}
		have += got;
		for (i = 0; i < have; i += u[i] < 0x80 ? 1 :
		    utf8_decode(u + i, have - i, &cp)) {
			if (u[i] < 0x80 || utf8_decode(u + i, have - i, &cp))
				continue;
			if (got > 0 && encoding_partial(u + i, have - i))
				break;	/* the next read completes it */
			if (encoding_flush(c, c->ib + i, d) != 0)
				goto done;
			if (encoding_partial(u + i, have - i))
				diag_set(d, DIAG_INPUT, "%s:%lu: the file ends "
				    "inside a character: byte 0x%02X is not "
				    "%s on its own", c->file, c->line, u[i],
				    c->name);
			else
				diag_set(d, DIAG_INPUT, "%s:%lu: byte 0x%02X "
				    "is not %s (the file is in another "
				    "encoding: name that one, or leave "
				    "--encoding out and the bytes pass "
				    "through unchanged)", c->file, c->line,
				    u[i], c->name);
			goto done;
		}
		if (encoding_flush(c, c->ib + i, d) != 0)
			goto done;
		memmove(c->ib, c->ib + i, have - i);
		have -= i;
	} while (got > 0);
	if (fflush(c->out) != 0 || fseek(c->out, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_OUTPUT, "cannot write the UTF-8 copy of %s "
		    "to a temporary file: %s", c->file, strerror(errno));
		goto done;
	}
	ok = true;
done:
	free(c->ib);
	if (!ok && c->out != NULL) {
		fclose(c->out);
		c->out = NULL;
	}
	return c->out;
}

/*
 * encoding_partial - s (n bytes) is the start of a valid UTF-8 sequence
 * that needs more bytes than n (RFC 3629 4: the second byte's range
 * depends on the first).
 */
static bool
encoding_partial(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return false;
	need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	if (n >= need)
		return false;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	for (size_t i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return false;
		lo = 0x80;
		hi = 0xBF;
	}
	return true;
}

FILE *
encoding_to_utf8(FILE *in, const char *name, const char *file,
    struct diag *d)
{
	struct conv c = { .in = in, .name = name, .file = file, .line = 1 };
	size_t have = 0;	/* unconverted bytes at ib */
	bool eof = false, ok = false;

	if (encoding_is_utf8(name))
		return encoding_check(&c, d);
	c.cd = iconv_open("UTF-8", name);
	if (c.cd == (iconv_t)-1) {
		if (errno == EINVAL)
			diag_set(d, DIAG_USAGE, "--encoding %s: not an encoding "
			    "this system can convert from; use a name such "
			    "as windows-1252, iso-8859-1, iso-8859-15 or "
			    "utf-16 (iconv -l lists them all)", name);
		else
			diag_set(d, DIAG_INTERNAL, "--encoding %s: %s", name,
			    strerror(errno));
		return NULL;
	}
	c.ib = xmalloc(ENCODING_BLOCK);
	c.ob = xmalloc(ENCODING_OUT);
	if ((c.out = tmpfile()) == NULL) {
		diag_set(d, DIAG_OUTPUT, "cannot create a temporary file for "
		    "the UTF-8 copy of %s: %s", file, strerror(errno));
		goto done;
	}
	for (;;) {
		char *ip = c.ib, *op = c.ob;
		size_t il, ol = ENCODING_OUT, r;

		if (interrupt_check("converting the input", d) != 0)
			goto done;
		if (!eof) {
			size_t got = fread(c.ib + have, 1,
			    ENCODING_BLOCK - have, in);

			have += got;
			if (got == 0 || have < ENCODING_BLOCK) {
				if (ferror(in)) {
					diag_set(d, DIAG_INPUT, "%s: read "
					    "error: %s", file, strerror(errno));
					goto done;
				}
				eof = feof(in) != 0 || got == 0;
			}
		}
		il = have;
		/* E2BIG: the output block is full, write it and go on */
		while ((r = iconv(c.cd, &ip, &il, &op, &ol)) == (size_t)-1 &&
		    errno == E2BIG) {
			if (encoding_flush(&c, op, d) != 0)
				goto done;
			op = c.ob;
			ol = ENCODING_OUT;
		}
		if (r == (size_t)-1 && errno == EILSEQ) {
			if (encoding_flush(&c, op, d) != 0)
				goto done;
			diag_set(d, DIAG_INPUT, "%s:%lu: byte 0x%02X is not %s "
			    "(the file is in another encoding: name that one, "
			    "or leave --encoding out and the bytes pass "
			    "through unchanged)", file, c.line,
			    (unsigned)(unsigned char)*ip, name);
			goto done;
		}
		/* EINVAL: a character split across blocks; its first bytes
		   wait at the front for the next read */
		if (r == (size_t)-1 && errno != EINVAL) {
			diag_set(d, DIAG_INTERNAL, "%s: converting from %s: %s",
			    file, name, strerror(errno));
			goto done;
		}
		if (encoding_flush(&c, op, d) != 0)
			goto done;
		memmove(c.ib, ip, il);
		have = il;
		if (eof)
			break;
	}
	if (have > 0) {
		diag_set(d, DIAG_INPUT, "%s:%lu: the file ends inside a "
		    "character: byte 0x%02X is not %s on its own", file,
		    c.line, (unsigned)(unsigned char)c.ib[0], name);
		goto done;
	}
	{
		/* the shift state's closing bytes (stateful encodings) */
		char *op = c.ob;
		size_t ol = ENCODING_OUT;

		if (iconv(c.cd, NULL, NULL, &op, &ol) == (size_t)-1) {
			diag_set(d, DIAG_INTERNAL, "%s: converting from %s: "
			    "%s", file, name, strerror(errno));
			goto done;
		}
		if (encoding_flush(&c, op, d) != 0)
			goto done;
	}
	if (fflush(c.out) != 0 || fseek(c.out, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_OUTPUT, "cannot write the UTF-8 copy of %s "
		    "to a temporary file: %s", file, strerror(errno));
		goto done;
	}
	ok = true;
done:
	iconv_close(c.cd);
	free(c.ib);
	free(c.ob);
	if (!ok && c.out != NULL) {
		fclose(c.out);
		c.out = NULL;
	}
	return c.out;
}
