/*
 * probeset - the addresses the SMTP stage asks about: each unique valid
 * address once (by dedupe id), with its domain and, after the stage, the
 * answer: sub-status, the server's reply (code, enhanced code, bounded
 * text), whether TLS was used and whether the domain is a catch-all.
 * Memory grows with unique addresses.
 */
#ifndef LISTSCRUB_PROBESET_H
#define LISTSCRUB_PROBESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_TEXT_MAX 200	/* bytes of server text kept (issue 4) */

enum probe_tri { PROBE_TRI_UNSET, PROBE_TRI_YES, PROBE_TRI_NO };

struct probe_result {
	uint16_t sub;		/* enum verdict_sub; SUB_LAST: no answer */
	uint16_t code;		/* SMTP reply code, 0: none */
	char enhanced[16];	/* "5.1.1" or "" */
	const char *text;	/* server text (probeset_text) or NULL */
	uint8_t tls;		/* enum probe_tri: was the session TLS */
	uint8_t catch_all;	/* enum probe_tri: the domain accepts all */
};

struct probeset;

struct probeset *probeset_new(void);
/*
 * probeset_add - address id (dense, in first-seen order: the dedupe id)
 * is addr (len bytes, the canonical form sent on the wire) at domain
 * (domtab id); utf8: the local part needs SMTPUTF8. An id already added
 * is left alone (first occurrence wins).
 */
void probeset_add(struct probeset *p, uint32_t id, const char *addr,
    size_t len, uint32_t domain, bool utf8);
size_t probeset_count(const struct probeset *p);
const char *probeset_addr(const struct probeset *p, uint32_t id);
uint32_t probeset_domain(const struct probeset *p, uint32_t id);
bool probeset_utf8(const struct probeset *p, uint32_t id);
struct probe_result *probeset_result(struct probeset *p, uint32_t id);
/*
 * probeset_text - s made safe to store and print: controls dropped, at
 * most PROBE_TEXT_MAX bytes (cut on a UTF-8 boundary); equal texts share
 * one copy, kept until probeset_free.
 */
const char *probeset_text(struct probeset *p, const char *s);
void probeset_free(struct probeset *p);

#endif
