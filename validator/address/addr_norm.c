/*
 * addr_norm - trim and unwrap a raw cell (see addr_norm.h). Pure span
 * arithmetic over the caller's bytes; no allocation, no failure.
 */
#include "address/addr_norm.h"

#include <stdbool.h>

#include "util/ascii.h"

static bool norm_isnbsp(const unsigned char *p);
static bool norm_phrasechar(unsigned char c);
static bool norm_phrase(const char *s, size_t len, size_t *lt);

/* norm_isnbsp - p points at the two bytes of U+00A0 in UTF-8. */
static bool
norm_isnbsp(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] == 0xa0;
}

/*
 * norm_phrasechar - may appear unquoted in a display name: RFC 5322 atext,
 * the obsolete '.', blanks, and any non-ASCII byte (names like "José").
 */
static bool
norm_phrasechar(unsigned char c)
{
	if (ascii_isalnum(c) || c >= 0x80)
		return true;
	switch (c) {
	case ' ': case '\t': case '.':
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '/': case '=': case '?':
	case '^': case '_': case '`': case '{': case '|': case '}':
	case '~':
		return true;
	default:
		return false;
	}
}

/*
 * norm_phrase - does s start with a display name (possibly empty) followed
 * by '<'? Sets *lt to the offset of that '<'. An '@', ',' or ';' outside
 * quotes means "not a name": such cells are left for the parser to reject
 * as several addresses rather than silently losing one of them.
 */
static bool
norm_phrase(const char *s, size_t len, size_t *lt)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '<') {
			*lt = i;
			return true;
		}
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				c = (unsigned char)s[i];
				if (c == '\\' && i + 1 < len)
					c = (unsigned char)s[++i];
				if ((c < 0x20 && c != '\t') || c == 0x7f)
					return false;
			}
			if (i == len)
				return false;	/* unterminated quote */
			i++;
			continue;
		}
		if (!norm_phrasechar(c))
			return false;
		i++;
	}
	return false;
}

void
addr_norm(const char *cell, size_t len, struct addr_norm *n)
{
	const unsigned char *u = (const unsigned char *)cell;
	size_t b = 0, e = len, lt;

	n->flags = 0;
	for (;;) {
		if (b < e && ascii_isspace(u[b]))
			b++;
		else if (e - b >= 2 && norm_isnbsp(u + b))
			b += 2;
		else
			break;
	}
	for (;;) {
		if (e > b && ascii_isspace(u[e - 1]))
			e--;
		else if (e - b >= 2 && norm_isnbsp(u + e - 2))
			e -= 2;
		else
			break;
	}
	if (b != 0 || e != len)
		n->flags |= ADDR_NORM_TRIMMED;
	n->trim_off = n->off = b;
	n->trim_len = n->len = e - b;
	if (n->len == 0)
		return;

	/* "<addr>" or "Name <addr>": the cell must end with the '>'. */
	if (cell[e - 1] == '>' && norm_phrase(cell + b, e - b - 1, &lt)) {
		n->off = b + lt + 1;
		n->len = e - 1 - n->off;
		n->flags |= ADDR_NORM_UNWRAPPED;
	}

	/* "mailto:addr?subject=..": the query is not part of the address. */
	if (n->len >= 7 && ascii_ncasecmp(cell + n->off, "mailto:", 7) == 0) {
		size_t i;

		n->off += 7;
		n->len -= 7;
		for (i = 0; i < n->len && cell[n->off + i] != '?'; i++)
			;
		n->len = i;
		n->flags |= ADDR_NORM_UNWRAPPED;
	}
}
