/*
 * encoding - what character encoding the input's bytes are in, and
 * turning a file into UTF-8 (validator/README, "CSV facts").
 *
 * Without --encoding the bytes pass through unchanged; the scan only
 * notices input that is not UTF-8 so the run can say so once, at file
 * level, naming the likely encoding. With --encoding NAME the whole
 * input is converted to UTF-8 (iconv from the C library) before it is
 * read, so the checks and every output see UTF-8.
 */
#ifndef LISTSCRUB_ENCODING_H
#define LISTSCRUB_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"

/* What the scan saw so far; zero it (or encoding_scan_init) to start. */
struct encoding_scan {
	uint64_t bad;		/* bytes not part of a valid UTF-8 sequence */
	uint64_t bad_c1;	/* ... of them in 0x80-0x9F */
	uint64_t bad_latin;	/* ... in 0xA0-0xFF */
	unsigned long first_line;	/* line of the first such byte */
	uint64_t utf8_multi;	/* valid multi-byte UTF-8 sequences */
};

void encoding_scan_init(struct encoding_scan *s);

/*
 * encoding_scan_feed - look at n bytes of one record that starts on
 * input line `line`. Records are fed whole (a UTF-8 sequence never spans
 * two calls). ASCII is skipped a word at a time: this runs on every
 * record of the file.
 */
void encoding_scan_feed(struct encoding_scan *s, const char *p, size_t n,
    unsigned long line);

/* encoding_scan_utf8 - true while every byte fed was valid UTF-8. */
bool encoding_scan_utf8(const struct encoding_scan *s);

/*
 * encoding_guess - for input that is not UTF-8: the --encoding name that
 * most likely reads it ("windows-1252" when bytes 0x80-0x9F occur, which
 * are controls in ISO-8859-1/-15 and letters or punctuation in
 * Windows-1252; else "iso-8859-1", which Windows-1252 also reads the
 * same); NULL while the input is UTF-8.
 */
const char *encoding_guess(const struct encoding_scan *s);

/*
 * encoding_to_utf8 - read all of in (from where it is) as text in
 * encoding `name` and return an anonymous temporary file (tmpfile) with
 * the same text in UTF-8, rewound; in is not closed. `file` names the
 * input in messages. NULL with d: DIAG_USAGE for a name iconv does not
 * know (the message gives examples), DIAG_INPUT "FILE:LINE: byte 0xNN
 * is not NAME" for input that is not in that encoding, DIAG_OUTPUT when
 * the temporary file cannot be written. "UTF-8" (any case, with or
 * without the dash) checks the input instead of converting it. A UTF-8
 * BOM is not added.
 */
FILE *encoding_to_utf8(FILE *in, const char *name, const char *file,
    struct diag *d);

#endif
