/*
 * domtab - what the run knows about each unique domain: list flags and the
 * typo suggestion (looked up once per domain, not once per row), and how
 * many rows use it. Later stages (DNS, SMTP) keep their per-domain answers
 * here too. Memory grows with unique domains only.
 */
#ifndef LISTSCRUB_DOMTAB_H
#define LISTSCRUB_DOMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct listcheck;
struct domtab;

struct domtab_info {
	bool disposable;
	bool free_mail;
	const char *suggest;	/* owned by the listcheck, or NULL */
	uint64_t rows;		/* rows with a valid address at this domain */
	/* DNS stage (dnsstage.c); zero when it did not run. */
	uint8_t dns;		/* enum evidence_dns */
	const char *mx;		/* preferred mail host (domtab_text), or NULL */
	const char *dns_detail;	/* why a lookup failed (domtab_text), or NULL */
	uint32_t hosts;		/* mxtab list handle of its mail hosts */
	uint8_t nhosts;		/* 0: none kept */
};

/* domtab_new - lists is borrowed and must outlive the table. */
struct domtab *domtab_new(struct listcheck *lists);
/*
 * domtab_get - the info for domain (lower-case A-label, len bytes),
 * computing it on first sight. The pointer is valid until the next call.
 */
struct domtab_info *domtab_get(struct domtab *t, const char *domain,
    size_t len);
/* domtab_get_id - the same, and the domain's id in *id. */
struct domtab_info *domtab_get_id(struct domtab *t, const char *domain,
    size_t len, uint32_t *id);
/* domtab_at - the info of a known id; valid until the next domtab_get*. */
struct domtab_info *domtab_at(struct domtab *t, uint32_t id);
size_t domtab_count(const struct domtab *t);
/* domtab_text - a copy of s kept until domtab_free (equal strings shared). */
const char *domtab_text(struct domtab *t, const char *s);
/* domtab_top - up to n domain ids with the most rows, most first. */
size_t domtab_top(const struct domtab *t, uint32_t *ids, size_t n);
const char *domtab_name(const struct domtab *t, uint32_t id);
const struct domtab_info *domtab_info(const struct domtab *t, uint32_t id);
size_t domtab_bytes(const struct domtab *t);
void domtab_free(struct domtab *t);

#endif
