/*
 * addr_norm - find the address inside a raw spreadsheet cell.
 * It trims ASCII whitespace and NBSP (U+00A0) at both ends, then unwraps
 * "<addr>", "Display Name <addr>" (the name may hold quoted strings) and
 * a leading "mailto:" (dropping any "?query"). It only narrows the cell to
 * a span of the caller's bytes: it owns nothing, allocates nothing and
 * cannot fail. Anything it does not recognise is left for addr_parse.
 */
#ifndef LISTSCRUB_ADDR_NORM_H
#define LISTSCRUB_ADDR_NORM_H

#include <stddef.h>

#define ADDR_NORM_TRIMMED	0x01	/* whitespace/NBSP was cut at an end */
#define ADDR_NORM_UNWRAPPED	0x02	/* <...>, a display name or mailto: */

struct addr_norm {
	size_t trim_off;	/* the cell after trimming: what was typed */
	size_t trim_len;
	size_t off;		/* the address candidate, inside the cell */
	size_t len;
	unsigned flags;		/* ADDR_NORM_* */
};

/*
 * addr_norm - narrow cell (len bytes, may hold NULs) to the candidate
 * address. trim_len == 0 means the cell is blank; len == 0 with a
 * non-zero trim_len means a wrapper with nothing inside ("<>", "mailto:").
 */
void addr_norm(const char *cell, size_t len, struct addr_norm *n);

#endif
