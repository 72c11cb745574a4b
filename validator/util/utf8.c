#include "util/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t v;
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		unsigned char d = s[i];

		if (d < lo || d > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (d & 0x3f);
	}
	*cp = v;
	return need + 1;
}

bool
utf8_invisible(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0x061c || cp == 0xfeff;
}

int
utf8_clean(const char *s, size_t n, size_t max, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, used = 0, k;
	uint32_t cp;

	while (i < n) {
		const char *p = s + i;

		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0) {
			p = "\xEF\xBF\xBD";	/* U+FFFD */
			i++;
			k = 3;
		} else {
			i += k;
			if (utf8_invisible(cp))
				continue;
		}
		if (used + k > max)
			break;
		if (buf_append(out, p, k) != 0)
			return -1;
		used += k;
	}
	return 0;
}

int
utf8_escape(const char *s, size_t n, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	char e[16];
	size_t i = 0, k;
	uint32_t cp;
	int rc = 0;

	while (i < n && rc == 0) {
		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0) {
			snprintf(e, sizeof(e), "\\x%02X", u[i]);
			rc = buf_addstr(out, e);
			i++;
			continue;
		}
		if (cp == '\\')
			rc = buf_addstr(out, "\\\\");
		else if (utf8_invisible(cp)) {
			(void)snprintf(e, sizeof(e), cp < 0x80 ? "\\x%02X" :
			    "\\u{%04X}", (unsigned)cp);
			rc = buf_addstr(out, e);
		} else
			rc = buf_append(out, s + i, k);
		i += k;
	}
	return rc;
}

void
utf8_json_str(FILE *f, const char *s)
{
	struct buf b;

	buf_init(&b, 4 * strlen(s) + 16);
	(void)utf8_clean(s, strlen(s), SIZE_MAX, &b);
	s = buf_str(&b);
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
	buf_free(&b);
}
