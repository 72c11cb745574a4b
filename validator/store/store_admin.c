/*
 * store_admin - stats, prune and export over the result store. The
 * contract is in store_admin.h.
 */
#include "store/store_admin.h"

#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"


static const char *const age_names[STORE_AGE_LAST] = {
	"<1d", "<7d", "<30d", "<90d", "older"
};

static const char *const address_header[] = {
	"address", "smtp_status", "smtp_sub_status", "smtp_code",
	"smtp_enhanced", "smtp_text", "tls", "catch_all", "checked",
	"last_status", "last_sub_status", "last_seen"
};
#define ADDRESS_COLS (sizeof(address_header) / sizeof(address_header[0]))

static const char *const domain_header[] = {
	"domain", "dns", "mx", "detail", "hosts", "dns_checked", "catch_all",
	"catch_all_checked"
};
#define DOMAIN_COLS (sizeof(domain_header) / sizeof(domain_header[0]))

/* What prune will drop from one row. */
struct prune_item {
	char *key;
	unsigned parts;		/* bit per enum store_part */
};

struct prune_list {
	const struct store_ages *ages;
	int64_t now;
	struct prune_item *items;
	size_t n, cap;
};

struct stats_ctx {
	const struct store_ages *ages;
	int64_t now;
	struct store_stats *st;
};

struct export_ctx {
	store_admin_row_cb cb;
	void *arg;
};

static enum store_age admin_age(int64_t at, int64_t now);
static bool admin_verdict_kept(int64_t at, int64_t now);
static void admin_count(struct stats_ctx *c, struct store_stats_part *p,
    enum store_class cls, int64_t at);
static int admin_stats_addr(void *arg, const char *key,
    const struct store_address *a, struct diag *d);
static int admin_stats_dom(void *arg, const char *name,
    const struct store_domain *dom, struct diag *d);
static void admin_prune_add(struct prune_list *l, const char *key,
    unsigned parts);
static int admin_prune_addr(void *arg, const char *key,
    const struct store_address *a, struct diag *d);
static int admin_prune_dom(void *arg, const char *name,
    const struct store_domain *dom, struct diag *d);
static int admin_prune_apply(struct store *s, struct prune_list *l,
    uint64_t *deleted, uint64_t *trimmed, struct diag *d);
static const char *admin_time(int64_t at, char *buf, size_t n);
static const char *admin_tri(uint8_t t);
static int admin_export_addr(void *arg, const char *key,
    const struct store_address *a, struct diag *d);
static int admin_export_dom(void *arg, const char *name,
    const struct store_domain *dom, struct diag *d);

const char *
store_age_name(enum store_age a)
{
	return a < STORE_AGE_LAST ? age_names[a] : "?";
}

/* admin_age - the bucket of a part learned at at; the future is new. */
static enum store_age
admin_age(int64_t at, int64_t now)
{
	int64_t age = now - at;

	if (age < 86400)
		return STORE_AGE_1D;
	if (age < 7 * 86400)
		return STORE_AGE_7D;
	if (age < 30 * 86400)
		return STORE_AGE_30D;
	if (age < 90 * 86400)
		return STORE_AGE_90D;
	return STORE_AGE_OLDER;
}

/* admin_verdict_kept - whether a verdict from at is still kept at now. */
static bool
admin_verdict_kept(int64_t at, int64_t now)
{
	return at > 0 && at <= now + STORE_FUTURE_SLACK &&
	    now - at <= STORE_VERDICT_KEEP;
}

/* admin_count - one stored part of class cls learned at at. */
static void
admin_count(struct stats_ctx *c, struct store_stats_part *p,
    enum store_class cls, int64_t at)
{
	p->total++;
	p->by_class[cls]++;
	p->by_age[cls][admin_age(at, c->now)]++;
	if (!store_fresh(c->ages, cls, at, c->now))
		p->expired[cls]++;
}

/* admin_stats_addr - count one address row. */
static int
admin_stats_addr(void *arg, const char *key, const struct store_address *a,
    struct diag *d)
{
	struct stats_ctx *c = arg;

	(void)key;
	(void)d;
	c->st->addresses++;
	if (a->smtp.sub != SUB_LAST)
		admin_count(c, &c->st->smtp,
		    store_class_of_sub((enum verdict_sub)a->smtp.sub),
		    a->smtp_at);
	if (a->last_status != STATUS_LAST) {
		c->st->verdicts++;
		if (!admin_verdict_kept(a->last_at, c->now))
			c->st->verdicts_expired++;
	}
	return 0;
}

/* admin_stats_dom - count one domain row. */
static int
admin_stats_dom(void *arg, const char *name, const struct store_domain *dom,
    struct diag *d)
{
	struct stats_ctx *c = arg;

	(void)name;
	(void)d;
	c->st->domains++;
	if (dom->dns != EVDNS_NONE)
		admin_count(c, &c->st->dns, store_class_of_dns(dom->dns),
		    dom->dns_at);
	if (dom->catch_all != PROBE_TRI_UNSET)
		admin_count(c, &c->st->catch_all,
		    store_class_of_catch_all(dom->catch_all), dom->catch_at);
	return 0;
}

int
store_admin_stats(struct store *s, const struct store_ages *a, int64_t now,
    struct store_stats *out, struct diag *d)
{
	struct store_ages plain = *a;
	struct stats_ctx c = { &plain, now, out };
	char wal[4096 + 8];
	struct stat sb;

	plain.refresh = false;
	plain.older_than = 0;
	memset(out, 0, sizeof(*out));
	if (stat(store_path(s), &sb) == 0)
		out->file_bytes = (uint64_t)sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", store_path(s));
	if (stat(wal, &sb) == 0)
		out->file_bytes += (uint64_t)sb.st_size;
	if (store_each_address(s, admin_stats_addr, &c, d) != 0 ||
	    store_each_domain(s, admin_stats_dom, &c, d) != 0)
		return -1;
	return 0;
}

/* admin_prune_add - remember to drop parts of key. */
static void
admin_prune_add(struct prune_list *l, const char *key, unsigned parts)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
	}
	l->items[l->n].key = xstrdup(key);
	l->items[l->n].parts = parts;
	l->n++;
}

/*
 * admin_prune_addr - the expired parts of one address row. The store is
 * not changed while it is walked: the drops come after.
 */
static int
admin_prune_addr(void *arg, const char *key, const struct store_address *a,
    struct diag *d)
{
	struct prune_list *l = arg;
	unsigned parts = 0;

	(void)d;
	if (a->smtp.sub != SUB_LAST && !store_fresh(l->ages,
	    store_class_of_sub((enum verdict_sub)a->smtp.sub), a->smtp_at,
	    l->now))
		parts |= 1u << STORE_PART_SMTP;
	if (a->last_status != STATUS_LAST &&
	    !admin_verdict_kept(a->last_at, l->now))
		parts |= 1u << STORE_PART_VERDICT;
	if (parts != 0)
		admin_prune_add(l, key, parts);
	return 0;
}

/* admin_prune_dom - the expired parts of one domain row. */
static int
admin_prune_dom(void *arg, const char *name, const struct store_domain *dom,
    struct diag *d)
{
	struct prune_list *l = arg;
	unsigned parts = 0;

	(void)d;
	if (dom->dns != EVDNS_NONE && !store_fresh(l->ages,
	    store_class_of_dns(dom->dns), dom->dns_at, l->now))
		parts |= 1u << STORE_PART_DNS;
	if (dom->catch_all != PROBE_TRI_UNSET && !store_fresh(l->ages,
	    store_class_of_catch_all(dom->catch_all), dom->catch_at, l->now))
		parts |= 1u << STORE_PART_CATCH_ALL;
	if (parts != 0)
		admin_prune_add(l, name, parts);
	return 0;
}

/* admin_prune_apply - drop what l lists; empties l. */
static int
admin_prune_apply(struct store *s, struct prune_list *l, uint64_t *deleted,
    uint64_t *trimmed, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct prune_item *it = &l->items[i];
		bool gone = false;

		for (int p = 0; rc == 0 && p < STORE_PART_LAST; p++) {
			int r;

			if (!(it->parts & (1u << p)))
				continue;
			r = store_drop(s, (enum store_part)p, it->key,
			    strlen(it->key), d);
			if (r < 0)
				rc = -1;
			else if (r == 1)
				gone = true;
		}
		if (rc == 0)
			(*(gone ? deleted : trimmed))++;
	}
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].key);
	l->n = 0;
	return rc;
}

int
store_admin_prune(struct store *s, const struct store_ages *a, int64_t now,
    struct store_prune *out, struct diag *d)
{
	struct store_ages plain = *a;
	struct prune_list l = { &plain, now, NULL, 0, 0 };
	int rc = -1;

	plain.refresh = false;
	plain.older_than = 0;
	memset(out, 0, sizeof(*out));
	if (store_each_address(s, admin_prune_addr, &l, d) != 0 ||
	    admin_prune_apply(s, &l, &out->addresses_deleted,
	    &out->addresses_trimmed, d) != 0 ||
	    store_each_domain(s, admin_prune_dom, &l, d) != 0 ||
	    admin_prune_apply(s, &l, &out->domains_deleted,
	    &out->domains_trimmed, d) != 0 ||
	    store_commit(s, d) != 0)
		goto done;
	if (out->addresses_deleted + out->addresses_trimmed +
	    out->domains_deleted + out->domains_trimmed > 0 &&
	    store_vacuum(s, d) != 0)
		goto done;
	rc = 0;
done:
	for (size_t i = 0; i < l.n; i++)
		free(l.items[i].key);
	free(l.items);
	return rc;
}

/* admin_time - at as ISO 8601 UTC in buf; "" for none. */
static const char *
admin_time(int64_t at, char *buf, size_t n)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (at <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return "";
	return buf;
}

/* admin_tri - an enum probe_tri in words; "" when unset. */
static const char *
admin_tri(uint8_t t)
{
	return t == PROBE_TRI_YES ? "yes" : t == PROBE_TRI_NO ? "no" : "";
}

/* admin_export_addr - one address row in words. */
static int
admin_export_addr(void *arg, const char *key, const struct store_address *a,
    struct diag *d)
{
	struct export_ctx *c = arg;
	bool smtp = a->smtp.sub != SUB_LAST, last = a->last_status !=
	    STATUS_LAST;
	char code[8] = "", checked[32], seen[32];
	const char *cells[ADDRESS_COLS];

	if (smtp && a->smtp.code != 0)
		snprintf(code, sizeof(code), "%u", a->smtp.code);
	cells[0] = key;
	cells[1] = smtp ? verdict_status_name(verdict_sub_status(
	    (enum verdict_sub)a->smtp.sub)) : "";
	cells[2] = smtp ? verdict_sub_name((enum verdict_sub)a->smtp.sub) :
	    "";
	cells[3] = code;
	cells[4] = smtp ? a->smtp.enhanced : "";
	cells[5] = smtp && a->smtp.text ? a->smtp.text : "";
	cells[6] = smtp ? admin_tri(a->smtp.tls) : "";
	cells[7] = smtp ? admin_tri(a->smtp.catch_all) : "";
	cells[8] = smtp ? admin_time(a->smtp_at, checked, sizeof(checked)) :
	    "";
	cells[9] = last ? verdict_status_name(a->last_status) : "";
	cells[10] = last ? verdict_sub_name(a->last_sub) : "";
	cells[11] = last ? admin_time(a->last_at, seen, sizeof(seen)) : "";
	return c->cb(c->arg, cells, ADDRESS_COLS, d);
}

/* admin_export_dom - one domain row in words. */
static int
admin_export_dom(void *arg, const char *name, const struct store_domain *dom,
    struct diag *d)
{
	struct export_ctx *c = arg;
	bool dns = dom->dns != EVDNS_NONE, test = dom->catch_all !=
	    PROBE_TRI_UNSET;
	char checked[32], tested[32];
	const char *cells[DOMAIN_COLS];

	cells[0] = name;
	cells[1] = dns ? store_dns_name(dom->dns) : "";
	cells[2] = dns && dom->mx ? dom->mx : "";
	cells[3] = dns && dom->detail ? dom->detail : "";
	cells[4] = dns && dom->hosts ? dom->hosts : "";
	cells[5] = dns ? admin_time(dom->dns_at, checked, sizeof(checked)) :
	    "";
	cells[6] = admin_tri(dom->catch_all);
	cells[7] = test ? admin_time(dom->catch_at, tested, sizeof(tested)) :
	    "";
	return c->cb(c->arg, cells, DOMAIN_COLS, d);
}

int
store_admin_export_addresses(struct store *s, store_admin_row_cb cb,
    void *arg, struct diag *d)
{
	struct export_ctx c = { cb, arg };

	if (cb(arg, address_header, ADDRESS_COLS, d) != 0)
		return -1;
	return store_each_address(s, admin_export_addr, &c, d);
}

int
store_admin_export_domains(struct store *s, store_admin_row_cb cb,
    void *arg, struct diag *d)
{
	struct export_ctx c = { cb, arg };

	if (cb(arg, domain_header, DOMAIN_COLS, d) != 0)
		return -1;
	return store_each_domain(s, admin_export_dom, &c, d);
}
