/*
 * utf8 - UTF-8 as RFC 3629 defines it (shortest form, no surrogates,
 * nothing past U+10FFFF), and two ways of making foreign text safe:
 * for a cell or a JSON string (valid UTF-8, no control or bidi
 * characters) and for a terminal (every unsafe byte visible as an
 * escape). Text from the input file and from remote servers goes through
 * one of these before it is written or printed (validator/README,
 * "Conventions").
 */
#ifndef LISTSCRUB_UTF8_H
#define LISTSCRUB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "util/buf.h"

/*
 * utf8_decode - one character at s (n > 0 bytes left): its length (1-4)
 * and *cp, or 0 for an invalid, overlong, surrogate or out-of-range
 * sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * utf8_invisible - whether cp changes how text around it is shown
 * without being seen: C0 and C1 controls, DEL, the bidi embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069), the marks
 * U+200E, U+200F, U+061C, and the zero-width U+200B-U+200D, U+2060,
 * U+FEFF.
 */
bool utf8_invisible(uint32_t cp);

/*
 * utf8_clean - append s (n bytes) to out as valid UTF-8 without
 * invisible characters: an invalid byte becomes U+FFFD, an invisible
 * character is dropped, and at most max bytes are appended, cut on a
 * character boundary. Returns -1 only when out is full (buf ceiling).
 */
int utf8_clean(const char *s, size_t n, size_t max, struct buf *out);

/*
 * utf8_escape - append s (n bytes) to out for a terminal or a log line:
 * printable ASCII and visible UTF-8 as they are, a backslash as "\\",
 * other bytes as "\xNN" and invisible characters as "\u{XXXX}", so no
 * escape sequence can reach the terminal. Returns -1 when out is full.
 */
int utf8_escape(const char *s, size_t n, struct buf *out);

/*
 * utf8_json_str - s as a JSON string literal (RFC 8259 7) on f: made
 * valid UTF-8 first (utf8_clean: bad bytes become U+FFFD, control and
 * bidi characters go), so every JSON reader accepts it.
 */
void utf8_json_str(FILE *f, const char *s);

#endif
