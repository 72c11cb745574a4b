/*
 * ascii - locale-independent character classes for protocol data.
 * <ctype.h> depends on the locale and is undefined for negative chars.
 */
#ifndef LISTSCRUB_ASCII_H
#define LISTSCRUB_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool
ascii_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_isalpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_isalnum(unsigned char c)
{
	return ascii_isalpha(c) || ascii_isdigit(c);
}

static inline bool
ascii_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static inline unsigned char
ascii_tolower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ascii_trim - drop ASCII white space from both ends of s[0..*n-1]. */
static inline void
ascii_trim(const char **s, size_t *n)
{
	while (*n > 0 && ascii_isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
	while (*n > 0 && ascii_isspace((unsigned char)**s))
		(*s)++, (*n)--;
}

/*
 * ascii_lower - lower-case the ASCII letters of s[0..n-1] in place. Eight
 * bytes a step (ascii_lower8; every address of a list goes through here
 * twice): a byte whose low seven bits lie in 'A'..'Z' and whose top bit
 * is clear gets 0x20. Each byte's sums stay below 0x100, so none carries
 * into the next.
 */
static inline uint64_t
ascii_lower8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = ones * 0x80;
	uint64_t low = v & ~highs, upper;

	upper = ((low + ones * (0x80 - 'A')) ^
	    (low + ones * (0x80 - 'Z' - 1))) & ~v & highs;
	return v | upper >> 2;
}

static inline void
ascii_lower(char *s, size_t n)
{
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t v;

		memcpy(&v, s, 8);
		v = ascii_lower8(v);
		memcpy(s, &v, 8);
	}
	for (size_t i = 0; i < n; i++)
		s[i] = (char)ascii_tolower((unsigned char)s[i]);
}

/* ascii_casecmp - strcasecmp over ASCII letters only; n bytes of each. */
static inline int
ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int d = ascii_tolower((unsigned char)a[i]) -
		    ascii_tolower((unsigned char)b[i]);

		if (d != 0 || a[i] == '\0')
			return d;
	}
	return 0;
}

/* ascii_has - does s[0..n) contain needle, ASCII letters case-folded? */
static inline bool
ascii_has(const char *s, size_t n, const char *needle)
{
	size_t k = 0;

	while (needle[k] != '\0')
		k++;
	for (size_t i = 0; i + k <= n; i++)
		if (ascii_ncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

#endif
