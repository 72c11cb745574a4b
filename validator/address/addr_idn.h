/*
 * addr_idn - judge the domain of an address and give its canonical form:
 * the lower-case A-label (xn--) name from libidn2 (UTS #46
 * non-transitional, NFC input; never STD3 rules, which delete bad ASCII),
 * followed by our own host-name checks (LDH labels of 1-63 octets, no
 * empty label or trailing dot, at least two labels, a TLD that is not all
 * digits, 253 octets in all) and the special-use names of RFC 6761, 2606,
 * 6762 and 7686. Every distinct domain is judged once and memoized (status,
 * sentence, A-label) in a strmap owned by the table. Bad data is a result,
 * never an error; only an internal libidn2 failure returns -1.
 */
#ifndef LISTSCRUB_ADDR_IDN_H
#define LISTSCRUB_ADDR_IDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct addr_idn;

enum addr_idn_status {
	ADDR_IDN_OK,
	ADDR_IDN_SYNTAX,	/* not a host name: characters, dots, 1 label */
	ADDR_IDN_BAD,		/* libidn2 refused the name */
	ADDR_IDN_TOO_LONG,	/* a label > 63 or the name > 253 octets */
	ADDR_IDN_RESERVED	/* special-use name, unless allow_reserved */
};

struct addr_idn_result {
	enum addr_idn_status status;
	const char *detail;	/* static sentence; "" when OK */
	const char *alabel;	/* OK/RESERVED: lower-case A-label form */
	size_t alabel_len;
	bool converted;		/* the name held non-ASCII (Unicode input) */
	uint32_t memo_id;	/* dense id of the name as typed (folded) */
};

/* addr_idn_new - an empty memo; allow_reserved accepts special-use names. */
struct addr_idn *addr_idn_new(bool allow_reserved);
/*
 * addr_idn_domain - judge domain d (len bytes, UTF-8, no brackets).
 * Returns 0 and fills r; r->alabel stays valid until addr_idn_free().
 * Returns -1 only when libidn2 fails internally (out of memory ...); r then
 * holds ADDR_IDN_BAD and a sentence saying so.
 */
int addr_idn_domain(struct addr_idn *t, const char *d, size_t len,
    struct addr_idn_result *r);
/* addr_idn_stats - lookups so far and how many of them missed the memo. */
/*
 * addr_idn_prefetch - the memo slot of domain d (len bytes, as typed)
 * starts loading now, for an addr_idn_domain of it soon. A hint only.
 */
void addr_idn_prefetch(struct addr_idn *t, const char *d, size_t len);
void addr_idn_stats(const struct addr_idn *t, uint64_t *lookups,
    uint64_t *misses);
/* addr_idn_count - distinct domains in the memo. */
size_t addr_idn_count(const struct addr_idn *t);
/* addr_idn_free - release t, its memo and A-labels (NULL is fine). */
void addr_idn_free(struct addr_idn *t);

#endif
