/*
 * domains - what the run knows about each unique domain: list flags and the
 * typo suggestion (looked up once per domain, not once per row), and how
 * many rows use it. Later stages (DNS, SMTP) keep their per-domain answers
 * here too. Memory grows with unique domains only.
 */
#ifndef LISTSCRUB_DOMAINS_H
#define LISTSCRUB_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct listcheck;
struct domains;

struct domain_info {
	bool disposable;
	bool free_mail;
	const char *suggest;	/* owned by the listcheck, or NULL */
	uint64_t rows;		/* rows with a valid address at this domain */
	/* DNS stage (dnsstage.c); zero when it did not run. */
	uint8_t dns;		/* enum evidence_dns */
	const char *mx;		/* preferred mail host (domains_text), or NULL */
	const char *dns_detail;	/* why a lookup failed (domains_text), or NULL */
	uint32_t hosts;		/* mailhosts list handle of its mail hosts */
	uint8_t nhosts;		/* 0: none kept */
};

/* domains_new - lists is borrowed and must outlive the table. */
struct domains *domains_new(struct listcheck *lists);
/*
 * domains_get - the info for domain (lower-case A-label, len bytes),
 * computing it on first sight. The pointer is valid until the next call.
 */
struct domain_info *domains_get(struct domains *t, const char *domain,
    size_t len);
/* domains_get_id - the same, and the domain's id in *id. */
struct domain_info *domains_get_id(struct domains *t, const char *domain,
    size_t len, uint32_t *id);
/* domains_at - the info of a known id; valid until the next domains_get*. */
struct domain_info *domains_at(struct domains *t, uint32_t id);
size_t domains_count(const struct domains *t);
/* domains_text - a copy of s kept until domains_free (equal strings shared). */
const char *domains_text(struct domains *t, const char *s);
/* domains_top - up to n domain ids with the most rows, most first. */
size_t domains_top(const struct domains *t, uint32_t *ids, size_t n);
const char *domains_name(const struct domains *t, uint32_t id);
const struct domain_info *domain_info(const struct domains *t, uint32_t id);
size_t domains_bytes(const struct domains *t);
void domains_free(struct domains *t);

#endif
