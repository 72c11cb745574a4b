/*
 * addr_check - the per-cell address check the pipeline calls (offline:
 * no DNS). It chains addr_norm (trim, unwrap), addr_parse (RFC 5321/6531
 * syntax) and addr_idn (domain, IDN, special-use names, memo), then
 * applies the length limits of RFC 5321 4.5.3.1 in octets after IDN
 * conversion: local part 64, domain 253, address 254.
 * The checker owns the domain memo and scratch buffers; a result owns its
 * norm buffer and is reused for every cell, so the common path does not
 * allocate. Bad data is a status, never an error: addr_check fails only
 * when libidn2 fails internally.
 */
#ifndef LISTSCRUB_ADDR_CHECK_H
#define LISTSCRUB_ADDR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Each status maps to one sub-status (classify.c), shown after the arrow. */
enum addr_status {
	ADDR_OK,		/* valid syntax (may carry flags) */
	ADDR_EMPTY,		/* blank after trimming → skipped/no_email */
	ADDR_BAD_SYNTAX,	/* → invalid/bad_syntax */
	ADDR_BAD_IDN,		/* → invalid/bad_idn */
	/*
	 * Local part > 64, domain > 253 or address > 254 octets (after
	 * IDN), or a domain label > 63 octets → invalid/too_long.
	 */
	ADDR_TOO_LONG,
	ADDR_RESERVED,		/* special use → invalid/reserved_domain */
	ADDR_STATUS_LAST
};

/* Result flags; the first three make an OK address risky/<name>. */
#define ADDR_F_QUOTED_LOCAL	0x01	/* → risky/quoted_local_part */
#define ADDR_F_IP_LITERAL	0x02	/* [1.2.3.4] → risky/ip_literal */
#define ADDR_F_SMTPUTF8		0x04	/* → risky/smtputf8_local_part */
#define ADDR_F_UNWRAPPED	0x08	/* mailto:, <...> or a name removed */
#define ADDR_F_TRIMMED		0x10	/* surrounding whitespace removed */
#define ADDR_F_IDN		0x20	/* domain converted from Unicode */

#define ADDR_LOCAL_MAX		64	/* octets, RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX		253	/* octets, text form of 4.5.3.1.2 */
#define ADDR_ADDRESS_MAX	254	/* octets, 256-octet path minus < > */

struct addr_opts {
	bool allow_reserved;	/* accept RFC 6761 special-use domains */
};

struct addr_result {
	enum addr_status status;
	/*
	 * ADDR_F_*. On OK all that apply; otherwise only ADDR_F_TRIMMED and
	 * ADDR_F_UNWRAPPED (what was done to the cell before it failed).
	 */
	unsigned flags;
	/*
	 * Static plain-English sentence for the user, e.g. "The part before
	 * the @ has two dots in a row."; "" when OK.
	 */
	const char *detail;
	/*
	 * OK: local-part "@" lower-case A-label domain (or [literal]).
	 * Otherwise the trimmed cell, at most 254 bytes cut at a character
	 * boundary, with controls, NULs, bad UTF-8 and invisible characters
	 * replaced by '?': what the user typed, safe to print. Empty for
	 * ADDR_EMPTY.
	 */
	struct buf norm;
	size_t at;		/* OK: offset of the '@' in norm */
	/*
	 * OK with a domain name: a dense id of the domain as typed (case
	 * folded), so callers can index per-domain state without hashing
	 * again; several ids may share one A-label. UINT32_MAX otherwise.
	 */
	uint32_t domain_id;
};

struct addr_checker;

/* addr_checker_new - a checker with options o (copied). */
struct addr_checker *addr_checker_new(const struct addr_opts *o);
/* addr_result_init - prepare r once; reuse it for every cell. */
void addr_result_init(struct addr_result *r);
/* addr_result_free - release r's memory; init again before reuse. */
void addr_result_free(struct addr_result *r);
/*
 * addr_check - judge one cell (len bytes, may contain NULs); fills r.
 * Returns 0; -1 only on an internal libidn2 failure (IDN2_MALLOC etc.),
 * never for bad data. After -1, r holds ADDR_BAD_IDN and a sentence
 * saying the library failed; it is not a verdict on the cell.
 */
int addr_check(struct addr_checker *c, const char *cell, size_t len,
    struct addr_result *r);
/*
 * addr_checker_prefetch - a hint before addr_check of cell: the domain
 * memo's slot for what follows its last '@' starts loading now.
 */
void addr_checker_prefetch(struct addr_checker *c, const char *cell,
    size_t len);
/* addr_checker_domains - distinct domains in the memo (for the report). */
size_t addr_checker_domains(const struct addr_checker *c);
/* addr_checker_stats - domain lookups so far and how many missed the memo. */
void addr_checker_stats(const struct addr_checker *c, uint64_t *lookups,
    uint64_t *misses);
/* addr_checker_free - release c and its memo (NULL is fine). */
void addr_checker_free(struct addr_checker *c);
/*
 * addr_status_name - "ok", "empty", "bad_syntax", "bad_idn", "too_long",
 * "reserved_domain"; "unknown" out of range.
 */
const char *addr_status_name(enum addr_status s);

#endif
