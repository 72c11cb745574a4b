/*
 * probe_targets - the addresses the SMTP stage asks about: each unique valid
 * address once (by dedupe id), with its domain and, after the stage, the
 * answer: sub-status, the server's reply (code, enhanced code, bounded
 * text), whether TLS was used and whether the domain is a catch-all.
 * Memory grows with unique addresses.
 */
#ifndef LISTSCRUB_PROBE_TARGETS_H
#define LISTSCRUB_PROBE_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict/classify.h"

struct probe_targets;

/* probe_targets_new - an empty set; free it with probe_targets_free. */
struct probe_targets *probe_targets_new(void);
/*
 * probe_targets_add - address id (dense, in first-seen order: the dedupe id)
 * is addr (len bytes, the canonical form sent on the wire) at domain
 * (domains id); utf8: the local part needs SMTPUTF8. An id already added
 * is left alone (first occurrence wins).
 */
void probe_targets_add(struct probe_targets *p, uint32_t id, const char *addr,
    size_t len, uint32_t domain, bool utf8);
/* probe_targets_count - how many addresses (the ids are 0 .. count-1). */
size_t probe_targets_count(const struct probe_targets *p);
/* probe_targets_addr - the address of id as added (owned by the set). */
const char *probe_targets_addr(const struct probe_targets *p, uint32_t id);
/* probe_targets_domain - the domains id of id's domain, as added. */
uint32_t probe_targets_domain(const struct probe_targets *p, uint32_t id);
/* probe_targets_utf8 - the local part of id needs SMTPUTF8. */
bool probe_targets_utf8(const struct probe_targets *p, uint32_t id);
/*
 * probe_targets_result - the answer for id, for the SMTP stage to fill
 * (sub is SUB_LAST until then); valid until the next probe_targets_add.
 */
struct probe_result *probe_targets_result(struct probe_targets *p, uint32_t id);
/*
 * probe_targets_text - s made safe to store and print (utf8_clean): valid
 * UTF-8 (an invalid byte becomes U+FFFD), controls and bidi characters
 * dropped, at most PROBE_TEXT_MAX bytes cut on a character boundary;
 * equal texts share one copy, kept until probe_targets_free.
 */
const char *probe_targets_text(struct probe_targets *p, const char *s);
/* probe_targets_free - free the set and its texts; NULL is a no-op. */
void probe_targets_free(struct probe_targets *p);

#endif
