/*
 * addr_parse - RFC 5321 Mailbox parser (Local-part "@" Domain or
 * address-literal) over an already normalized candidate, with the RFC 6531
 * extension: UTF-8 non-ASCII in the local part. It also owns the "unsafe
 * code point" table the other addr_* modules share.
 *
 * It rejects what SMTP cannot carry: RFC 5322 comments and folding
 * whitespace, obsolete forms, controls (C0, DEL, C1), NUL/CR/LF, invisible
 * or bidi-control characters, bad UTF-8. A quoted local part whose content
 * is a plain dot-string is unquoted; otherwise it keeps minimal quoting.
 * The domain is only located (or, for [literals], checked with inet_pton):
 * addr_idn judges domain names. Failures are returned with a static
 * sentence; the parser owns no memory (the caller lends a scratch buffer).
 */
#ifndef LISTSCRUB_ADDR_PARSE_H
#define LISTSCRUB_ADDR_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define ADDR_PARSE_QUOTED	0x01	/* the local part must stay quoted */
#define ADDR_PARSE_UTF8		0x02	/* non-ASCII in the local part */
#define ADDR_PARSE_LITERAL	0x04	/* the domain is an [address literal] */

/* Longest canonical literal: "[IPv6:" + INET6_ADDRSTRLEN-1 + "]". */
#define ADDR_PARSE_LITMAX	64

struct addr_parsed {
	const char *local;	/* into the input, or into the scratch buffer */
	size_t local_len;
	size_t dom_off;		/* the domain as typed, inside the input */
	size_t dom_len;
	unsigned flags;		/* ADDR_PARSE_* */
	char lit[ADDR_PARSE_LITMAX];	/* LITERAL: canonical "[...]" */
	size_t lit_len;
	const char *detail;	/* failure: a plain-English sentence */
};

enum addr_parse_cp {
	ADDR_PARSE_CP_OK,
	ADDR_PARSE_CP_CONTROL,	/* C0, DEL, C1 */
	ADDR_PARSE_CP_INVISIBLE,	/* zero-width, format, bidi control */
	ADDR_PARSE_CP_SPACE,	/* non-ASCII white space (NBSP, U+3000 ...) */
	ADDR_PARSE_CP_PRIVATE	/* private use or noncharacter */
};

/*
 * addr_parse - parse s (len bytes, may hold NULs) as a Mailbox. On success
 * returns 0 and fills p; the local part is given in its output form
 * (unquoted when possible). scratch is reset and used when the local part
 * must be rewritten; p->local may point into it. Returns -1 and sets
 * p->detail when s is not an address.
 */
int addr_parse(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p);

/*
 * addr_parse_full - addr_parse without its shortcut for plain addresses
 * (ASCII atext and dots around one '@'): the same answer, by the whole
 * grammar. For the tests that hold the two to each other.
 */
int addr_parse_full(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p);

/* addr_parse_cpclass - whether code point cp is safe in an address. */
enum addr_parse_cp addr_parse_cpclass(uint32_t cp);

#endif
