/*
 * t_store - the result store: round trips, upserts, batching, a process
 * killed after a commit, the lock between processes, the files it must
 * refuse (and leave alone), file modes, classes, freshness, durations.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_admin.h"
#include "slurp.h"
#include "tap.h"

#define NOW 1800000000	/* a pinned clock: 2027-01-15 */

static char dir[256];

static const char *tpath(const char *name);
static void spew(const char *path, const char *p, size_t n);
static void sql(const char *path, const char *stmt);
static long long sql_int(const char *path, const char *query);
static struct probe_result smtp(enum verdict_sub sub, unsigned code,
    const char *enh, const char *text, uint8_t tls, uint8_t catch_all);
static void t_durations(void);
static void t_classes(void);
static void t_fresh(void);
static void t_default_path(void);
static void t_round_trip(void);
static void t_upsert(void);
static void t_batch(void);
static void t_killed(void);
static void t_lock(void);
static void t_refused(void);
static void t_unknown_names(void);
static void t_maintenance(void);
static void t_admin(void);

/* tpath - name inside the test's scratch directory (static buffer). */
static const char *
tpath(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* spew - write a file from scratch. */
static void
spew(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n)
		diag("cannot write %s", path);
	if (f != NULL)
		fclose(f);
}

/* sql - run statements on a database with the plain SQLite API. */
static void
sql(const char *path, const char *stmt)
{
	sqlite3 *db;
	char *err = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, stmt, NULL, NULL, &err) != SQLITE_OK)
		diag("sqlite3 on %s: %s", path, err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	sqlite3_close(db);
}

/* sql_int - the integer a query gives on a database; -1 on failure. */
static long long
sql_int(const char *path, const char *query)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* smtp - a probe_result with these fields. */
static struct probe_result
smtp(enum verdict_sub sub, unsigned code, const char *enh, const char *text,
    uint8_t tls, uint8_t catch_all)
{
	struct probe_result r;

	memset(&r, 0, sizeof(r));
	r.sub = (uint16_t)sub;
	r.code = (uint16_t)code;
	snprintf(r.enhanced, sizeof(r.enhanced), "%s", enh);
	r.text = text;
	r.tls = tls;
	r.catch_all = catch_all;
	return r;
}

static void
t_durations(void)
{
	static const struct {
		const char *s;
		int rc;
		int64_t secs;
	} cases[] = {
		{ "0", 0, 0 }, { "45", 0, 45 }, { "45s", 0, 45 },
		{ "30m", 0, 1800 }, { "6h", 0, 21600 }, { "90d", 0, 7776000 },
		{ "2w", 0, 1209600 }, { "", -1, 0 }, { "-1d", -1, 0 },
		{ "+5", -1, 0 }, { "d", -1, 0 }, { "5x", -1, 0 },
		{ "5dd", -1, 0 }, { " 5", -1, 0 }, { "5 ", -1, 0 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "9223372036854775808", -1, 0 },
		{ "15250284452471w", 0, 15250284452471LL * 604800 },
		{ "15250284452472w", -1, 0 },	/* past INT64_MAX s */
		{ "106751991167300d", 0, 106751991167300LL * 86400 },
		{ "106751991167301d", -1, 0 },
	};
	int64_t secs;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		secs = -7;
		int rc = store_duration_parse(cases[i].s, &secs);

		ok(rc == cases[i].rc && (rc != 0 || secs == cases[i].secs),
		    "duration '%s' -> %d %lld", cases[i].s, cases[i].rc,
		    (long long)cases[i].secs);
	}
}

static void
t_classes(void)
{
	static const struct {
		enum verdict_sub sub;
		enum store_class c;
	} subs[] = {
		{ SUB_MAILBOX_NOT_FOUND, STORE_CLASS_INVALID },
		{ SUB_MAILBOX_DISABLED, STORE_CLASS_INVALID },
		{ SUB_SMTP_REJECTED, STORE_CLASS_INVALID },
		{ SUB_NULL_MX, STORE_CLASS_INVALID },
		{ SUB_DOMAIN_NOT_FOUND, STORE_CLASS_INVALID },
		{ SUB_NO_MAIL_HOST, STORE_CLASS_INVALID },
		{ SUB_MAILBOX_OK, STORE_CLASS_VALID },
		{ SUB_SMTPUTF8_UNSUPPORTED, STORE_CLASS_VALID },
		{ SUB_ACCEPT_ALL, STORE_CLASS_CATCH_ALL },
		{ SUB_PROVIDER_ACCEPTS_ALL, STORE_CLASS_CATCH_ALL },
		{ SUB_GREYLISTED, STORE_CLASS_TEMPORARY },
		{ SUB_TEMPORARY_ERROR, STORE_CLASS_TEMPORARY },
		{ SUB_TIMEOUT, STORE_CLASS_TEMPORARY },
		{ SUB_CONNECTION_FAILED, STORE_CLASS_TEMPORARY },
		{ SUB_MAILBOX_FULL, STORE_CLASS_TEMPORARY },
		{ SUB_POLICY_BLOCKED, STORE_CLASS_SENDER },
		{ SUB_PROBE_BLOCKED, STORE_CLASS_SENDER },
		{ SUB_TLS_FAILED, STORE_CLASS_SENDER },
		{ SUB_SYNTAX_OK, STORE_CLASS_SENDER },
		{ SUB_LAST, STORE_CLASS_SENDER },
	};
	static const struct {
		enum evidence_dns e;
		enum store_class c;
		const char *name;
	} dns[] = {
		{ EVDNS_NONE, STORE_CLASS_SENDER, "none" },
		{ EVDNS_OK, STORE_CLASS_VALID, "ok" },
		{ EVDNS_IMPLICIT, STORE_CLASS_VALID, "implicit" },
		{ EVDNS_NULL_MX, STORE_CLASS_INVALID, "null_mx" },
		{ EVDNS_NXDOMAIN, STORE_CLASS_INVALID, "nxdomain" },
		{ EVDNS_NO_HOST, STORE_CLASS_INVALID, "no_host" },
		{ EVDNS_TIMEOUT, STORE_CLASS_TEMPORARY, "timeout" },
		{ EVDNS_ERROR, STORE_CLASS_TEMPORARY, "error" },
	};
	struct store_ages a;
	struct diag d;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		is_int(store_class_of_sub(subs[i].sub), subs[i].c,
		    "class of %s is %s", verdict_sub_name(subs[i].sub),
		    store_class_name(subs[i].c));
	for (size_t i = 0; i < sizeof(dns) / sizeof(dns[0]); i++) {
		is_int(store_class_of_dns(dns[i].e), dns[i].c,
		    "class of DNS %s is %s", dns[i].name,
		    store_class_name(dns[i].c));
		is_str(store_dns_name(dns[i].e), dns[i].name, "DNS name %s",
		    dns[i].name);
		is_int(store_dns_parse(dns[i].name), dns[i].e, "DNS parse %s",
		    dns[i].name);
	}
	is_int(store_dns_parse("servfail"), EVDNS_NONE,
	    "an unknown DNS name is none");
	is_int(store_class_of_catch_all(PROBE_TRI_YES), STORE_CLASS_CATCH_ALL,
	    "catch-all yes: catch_all");
	is_int(store_class_of_catch_all(PROBE_TRI_NO), STORE_CLASS_VALID,
	    "catch-all no: valid");
	for (int c = 0; c < STORE_CLASS_LAST; c++)
		is_int(store_class_parse(store_class_name((enum store_class)c)),
		    c, "class name %s parses back",
		    store_class_name((enum store_class)c));
	is_int(store_class_parse("Valid"), STORE_CLASS_LAST,
	    "class names are exact");
	store_ages_default(&a);
	ok(a.max_age[STORE_CLASS_INVALID] == 90 * 86400 &&
	    a.max_age[STORE_CLASS_VALID] == 30 * 86400 &&
	    a.max_age[STORE_CLASS_CATCH_ALL] == 30 * 86400 &&
	    a.max_age[STORE_CLASS_TEMPORARY] == 6 * 3600 &&
	    a.max_age[STORE_CLASS_SENDER] == 0 && a.older_than == 0 &&
	    !a.refresh, "default ages 90d 30d 30d 6h 0");
	ok(store_ages_set(&a, "valid=7d", &d) == 0 &&
	    a.max_age[STORE_CLASS_VALID] == 7 * 86400, "--max-age valid=7d");
	ok(store_ages_set(&a, "bogus=7d", &d) == -1 && d.code == DIAG_USAGE &&
	    strstr(d.msg, "temporary") != NULL,
	    "--max-age with an unknown class names the classes");
	ok(store_ages_set(&a, "valid=-1", &d) == -1 && d.code == DIAG_USAGE,
	    "--max-age with a bad duration");
	ok(store_ages_set(&a, "valid", &d) == -1 && d.code == DIAG_USAGE,
	    "--max-age without '='");
}

static void
t_fresh(void)
{
	static const struct {
		enum store_class c;
		int64_t age;	/* now - at */
		int64_t older_than;
		bool refresh;
		bool fresh;
		const char *why;
	} cases[] = {
		{ STORE_CLASS_VALID, 0, 0, false, true, "just learned" },
		{ STORE_CLASS_VALID, 30 * 86400, 0, false, true,
		    "valid, exactly 30d" },
		{ STORE_CLASS_VALID, 30 * 86400 + 1, 0, false, false,
		    "valid, 30d + 1s" },
		{ STORE_CLASS_INVALID, 89 * 86400, 0, false, true,
		    "invalid, 89d" },
		{ STORE_CLASS_INVALID, 91 * 86400, 0, false, false,
		    "invalid, 91d" },
		{ STORE_CLASS_TEMPORARY, 6 * 3600, 0, false, true,
		    "temporary, 6h" },
		{ STORE_CLASS_TEMPORARY, 6 * 3600 + 1, 0, false, false,
		    "temporary, 6h + 1s" },
		{ STORE_CLASS_SENDER, 0, 0, false, false,
		    "sender: never reused" },
		{ STORE_CLASS_VALID, 10, 0, true, false, "--refresh" },
		{ STORE_CLASS_VALID, 2 * 86400, 86400, false, false,
		    "older than --refresh-older-than 1d" },
		{ STORE_CLASS_VALID, 3600, 86400, false, true,
		    "younger than --refresh-older-than 1d" },
		{ STORE_CLASS_VALID, -300, 0, false, true,
		    "5 minutes in the future: clock skew allowed" },
		{ STORE_CLASS_VALID, -301, 0, false, false,
		    "more than 5 minutes in the future: not trusted" },
		{ STORE_CLASS_LAST, 0, 0, false, false, "no class" },
	};
	struct store_ages a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		store_ages_default(&a);
		a.older_than = cases[i].older_than;
		a.refresh = cases[i].refresh;
		ok(store_fresh(&a, cases[i].c, NOW - cases[i].age, NOW) ==
		    cases[i].fresh, "fresh: %s", cases[i].why);
	}
	store_ages_default(&a);
	a.max_age[STORE_CLASS_VALID] = 0;
	ok(!store_fresh(&a, STORE_CLASS_VALID, NOW, NOW),
	    "fresh: max age 0 reuses nothing");
}

static void
t_default_path(void)
{
	char buf[256];
	struct diag d;

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	ok(store_default_path(buf, sizeof(buf), &d) == 0 &&
	    strcmp(buf, "/x/cache/listscrub/results.sqlite") == 0,
	    "default path under $XDG_CACHE_HOME");
	setenv("XDG_CACHE_HOME", "relative", 1);
	ok(store_default_path(buf, sizeof(buf), &d) == 0 &&
	    strcmp(buf, "/home/u/.cache/listscrub/results.sqlite") == 0,
	    "a relative $XDG_CACHE_HOME is ignored: $HOME/.cache");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	ok(store_default_path(buf, sizeof(buf), &d) == -1 &&
	    strstr(d.msg, "--cache") != NULL,
	    "no HOME: an error that points to --cache");
	setenv("HOME", "/home/u", 1);
	ok(store_default_path(buf, 10, &d) == -1, "a path too long");
}

static void
t_round_trip(void)
{
	struct probe_result r1 = smtp(SUB_MAILBOX_NOT_FOUND, 550, "5.1.1",
	    "User unknown", PROBE_TRI_YES, PROBE_TRI_NO);
	struct probe_result r2 = smtp(SUB_TIMEOUT, 0, "", NULL,
	    PROBE_TRI_UNSET, PROBE_TRI_UNSET);
	struct store_address a;
	struct store_domain dom;
	struct diag d = { DIAG_OK, "" };
	struct store *s;
	struct stat st;
	char path[512];
	mode_t old;

	snprintf(path, sizeof(path), "%s", tpath("new/sub/results.sqlite"));
	ok(store_open(path, false, 0, &d) == NULL,
	    "without create, missing directories are an error");
	old = umask(0);
	s = store_open(path, true, 0, &d);
	umask(old);
	if (!ok(s != NULL, "create with parent directories"))
		diag("%s", d.msg);
	if (s == NULL)
		return;
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "store file mode 0600 under umask 0");
	ok(stat(tpath("new/sub"), &st) == 0 && (st.st_mode & 07777) == 0700,
	    "created directory mode 0700 under umask 0");
	is_str(store_path(s), path, "store_path");
	ok(store_put_smtp(s, "Alice@Example.COM", 17, &r1, NOW - 10, &d) ==
	    0, "put_smtp with every field");
	ok(store_put_smtp(s, "bob@example.com", 15, &r2, NOW - 20, &d) == 0,
	    "put_smtp with empty fields");
	ok(store_put_last(s, "alice@example.com", 17, STATUS_INVALID,
	    SUB_MAILBOX_NOT_FOUND, NOW - 5, &d) == 0, "put_last");
	ok(store_put_dns(s, "example.com", EVDNS_OK, "mx1.example.com",
	    NULL, "mx1.example.com 192.0.2.1", NOW - 30, &d) == 0, "put_dns");
	ok(store_put_dns(s, "Nx.Example", EVDNS_NXDOMAIN, NULL,
	    "no such domain", NULL, NOW - 40, &d) == 0,
	    "put_dns with NULL strings");
	ok(store_put_catch_all(s, "example.com", PROBE_TRI_NO, NOW - 31,
	    &d) == 0, "put_catch_all");
	ok(store_put_dns(s, "x.example", EVDNS_NONE, NULL, NULL, NULL, NOW,
	    &d) == -1, "put_dns refuses EVDNS_NONE");
	ok(store_put_catch_all(s, "x.example", PROBE_TRI_UNSET, NOW, &d) ==
	    -1, "put_catch_all refuses UNSET");
	r2.sub = SUB_LAST;
	ok(store_put_smtp(s, "x@x.example", 11, &r2, NOW, &d) == -1,
	    "put_smtp refuses SUB_LAST");
	r2.sub = SUB_TIMEOUT;
	ok(store_commit(s, &d) == 0 && store_pending(s) == 0, "commit");
	store_close(s);

	if (!ok((s = store_open(path, false, 0, &d)) != NULL, "reopen"))
		diag("%s", d.msg);
	if (s == NULL)
		return;
	ok(store_get_address(s, "ALICE@example.com", 17, &a, &d) == 1,
	    "get: keys are ASCII-lower-cased");
	ok(a.smtp.sub == SUB_MAILBOX_NOT_FOUND && a.smtp.code == 550 &&
	    strcmp(a.smtp.enhanced, "5.1.1") == 0 && a.smtp.text != NULL &&
	    strcmp(a.smtp.text, "User unknown") == 0 &&
	    a.smtp.tls == PROBE_TRI_YES && a.smtp.catch_all == PROBE_TRI_NO &&
	    a.smtp_at == NOW - 10, "round trip: every SMTP field");
	ok(a.last_status == STATUS_INVALID &&
	    a.last_sub == SUB_MAILBOX_NOT_FOUND && a.last_at == NOW - 5,
	    "round trip: last verdict");
	ok(store_get_address(s, "bob@example.com", 15, &a, &d) == 1 &&
	    a.smtp.sub == SUB_TIMEOUT && a.smtp.code == 0 &&
	    a.smtp.enhanced[0] == '\0' && a.smtp.text == NULL &&
	    a.smtp.tls == PROBE_TRI_UNSET &&
	    a.smtp.catch_all == PROBE_TRI_UNSET && a.smtp_at == NOW - 20,
	    "round trip: NULL text, no code, no enhanced, unset flags");
	ok(a.last_status == STATUS_LAST && a.last_sub == SUB_LAST,
	    "round trip: no last verdict");
	ok(store_get_address(s, "carol@example.com", 17, &a, &d) == 0,
	    "get: an address not stored");
	ok(store_get_domain(s, "EXAMPLE.com", &dom, &d) == 1 &&
	    dom.dns == EVDNS_OK && dom.mx != NULL &&
	    strcmp(dom.mx, "mx1.example.com") == 0 && dom.detail == NULL &&
	    dom.hosts != NULL &&
	    strcmp(dom.hosts, "mx1.example.com 192.0.2.1") == 0 &&
	    dom.dns_at == NOW - 30 && dom.catch_all == PROBE_TRI_NO &&
	    dom.catch_at == NOW - 31, "round trip: domain, every field");
	ok(store_get_domain(s, "nx.example", &dom, &d) == 1 &&
	    dom.dns == EVDNS_NXDOMAIN && dom.mx == NULL && dom.hosts == NULL &&
	    dom.detail != NULL && strcmp(dom.detail, "no such domain") == 0 &&
	    dom.catch_all == PROBE_TRI_UNSET,
	    "round trip: domain with NULL strings, no catch-all test");
	ok(store_get_domain(s, "other.example", &dom, &d) == 0,
	    "get: a domain not stored");
	store_close(s);
	store_close(NULL);
}

static void
t_upsert(void)
{
	struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "2.1.5", "OK",
	    PROBE_TRI_YES, PROBE_TRI_NO);
	struct store_address a;
	struct store_domain dom;
	struct diag d;
	struct store *s = store_open(tpath("upsert.sqlite"), true, 0, &d);

	if (!ok(s != NULL, "open for upserts"))
		return;
	store_put_smtp(s, "u@example.com", 13, &r, NOW - 100, &d);
	store_put_last(s, "u@example.com", 13, STATUS_VALID, SUB_MAILBOX_OK,
	    NOW - 90, &d);
	r = smtp(SUB_GREYLISTED, 450, "4.7.1", "try later", PROBE_TRI_NO,
	    PROBE_TRI_UNSET);
	store_put_smtp(s, "U@example.com", 13, &r, NOW - 50, &d);
	ok(store_get_address(s, "u@example.com", 13, &a, &d) == 1 &&
	    a.smtp.sub == SUB_GREYLISTED && a.smtp.code == 450 &&
	    strcmp(a.smtp.text, "try later") == 0 && a.smtp_at == NOW - 50 &&
	    a.last_status == STATUS_VALID && a.last_sub == SUB_MAILBOX_OK &&
	    a.last_at == NOW - 90,
	    "put_smtp replaces the SMTP part, keeps last_* (uncommitted)");
	store_put_last(s, "u@example.com", 13, STATUS_UNKNOWN, SUB_GREYLISTED,
	    NOW - 40, &d);
	ok(store_get_address(s, "u@example.com", 13, &a, &d) == 1 &&
	    a.smtp.sub == SUB_GREYLISTED && a.smtp_at == NOW - 50 &&
	    a.last_status == STATUS_UNKNOWN && a.last_at == NOW - 40,
	    "put_last replaces last_*, keeps the SMTP part");
	store_put_last(s, "v@example.com", 13, STATUS_VALID, SUB_MAILBOX_OK,
	    NOW, &d);
	ok(store_get_address(s, "v@example.com", 13, &a, &d) == 1 &&
	    a.smtp.sub == SUB_LAST && a.last_status == STATUS_VALID,
	    "put_last alone: no SMTP part");
	store_put_dns(s, "example.com", EVDNS_OK, "mx", NULL, "h", NOW - 9,
	    &d);
	store_put_catch_all(s, "example.com", PROBE_TRI_YES, NOW - 8, &d);
	store_put_dns(s, "example.com", EVDNS_TIMEOUT, NULL, "timed out",
	    NULL, NOW - 7, &d);
	ok(store_get_domain(s, "example.com", &dom, &d) == 1 &&
	    dom.dns == EVDNS_TIMEOUT && dom.mx == NULL &&
	    strcmp(dom.detail, "timed out") == 0 && dom.dns_at == NOW - 7 &&
	    dom.catch_all == PROBE_TRI_YES && dom.catch_at == NOW - 8,
	    "put_dns replaces the DNS part, keeps the catch-all test");
	store_put_catch_all(s, "example.com", PROBE_TRI_NO, NOW - 6, &d);
	ok(store_get_domain(s, "example.com", &dom, &d) == 1 &&
	    dom.dns == EVDNS_TIMEOUT && dom.dns_at == NOW - 7 &&
	    dom.catch_all == PROBE_TRI_NO && dom.catch_at == NOW - 6,
	    "put_catch_all replaces the test, keeps the DNS part");
	store_close(s);
	s = store_open(tpath("upsert.sqlite"), false, 0, &d);
	ok(s != NULL && store_get_address(s, "u@example.com", 13, &a, &d) ==
	    1 && a.smtp.sub == SUB_GREYLISTED && a.last_at == NOW - 40,
	    "store_close committed what was pending");
	store_close(s);
}

static void
t_batch(void)
{
	struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "", NULL,
	    PROBE_TRI_UNSET, PROBE_TRI_UNSET);
	struct store_address a;
	struct diag d;
	struct store *s = store_open(tpath("batch.sqlite"), true, 0, &d);
	char key[64];
	int bad = 0;

	if (!ok(s != NULL, "open for batching"))
		return;
	for (int i = 0; i < STORE_BATCH - 1; i++) {
		snprintf(key, sizeof(key), "user%d@example.com", i);
		if (store_put_smtp(s, key, strlen(key), &r, NOW, &d) != 0)
			bad++;
	}
	is_int(bad, 0, "%d puts", STORE_BATCH - 1);
	is_int(store_pending(s), STORE_BATCH - 1, "all pending");
	ok(store_get_address(s, "user7@example.com", 17, &a, &d) == 1,
	    "a get sees the open transaction's puts");
	store_put_last(s, "user7@example.com", 17, STATUS_VALID,
	    SUB_MAILBOX_OK, NOW, &d);
	is_int(store_pending(s), 0, "put number STORE_BATCH commits");
	store_put_last(s, "user8@example.com", 17, STATUS_VALID,
	    SUB_MAILBOX_OK, NOW, &d);
	is_int(store_pending(s), 1, "the next put opens a new transaction");
	ok(store_commit(s, &d) == 0 && store_pending(s) == 0 &&
	    store_commit(s, &d) == 0, "commit, and commit with nothing open");
	store_close(s);
}

static void
t_killed(void)
{
	struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "", NULL,
	    PROBE_TRI_UNSET, PROBE_TRI_UNSET);
	struct store_address a;
	struct diag d;
	struct store *s;
	char key[64];
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		s = store_open(tpath("killed.sqlite"), true, 0, &d);
		if (s == NULL)
			_exit(3);
		store_put_smtp(s, "kept@example.com", 16, &r, NOW, &d);
		for (int i = 0; i < 100; i++) {
			snprintf(key, sizeof(key), "kept%d@example.com", i);
			store_put_smtp(s, key, strlen(key), &r, NOW, &d);
		}
		if (store_commit(s, &d) != 0)
			_exit(4);
		store_put_smtp(s, "lost@example.com", 16, &r, NOW, &d);
		store_put_last(s, "kept@example.com", 16, STATUS_VALID,
		    SUB_MAILBOX_OK, NOW, &d);
		kill(getpid(), SIGKILL);
		_exit(5);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the writer was killed with SIGKILL");
	s = store_open(tpath("killed.sqlite"), false, 2000, &d);
	if (!ok(s != NULL, "reopen after SIGKILL"))
		diag("%s", d.msg);
	if (s == NULL)
		return;
	ok(store_get_address(s, "kept@example.com", 16, &a, &d) == 1 &&
	    a.smtp.sub == SUB_MAILBOX_OK && a.last_status == STATUS_LAST,
	    "committed put present, the later uncommitted one absent");
	ok(store_get_address(s, "kept99@example.com", 18, &a, &d) == 1,
	    "every committed put present");
	ok(store_get_address(s, "lost@example.com", 16, &a, &d) == 0,
	    "uncommitted put absent");
	store_close(s);
}

static void
t_lock(void)
{
	struct diag d;
	struct store *s;
	struct timespec t0, t1;
	char pidword[32], c;
	int ready[2], go[2], status;
	long ms;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(go) != 0) {
		ok(0, "pipes: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(ready[0]);
		close(go[1]);
		s = store_open(tpath("locked.sqlite"), true, 0, &d);
		c = s != NULL ? 'y' : 'n';
		(void)!write(ready[1], &c, 1);
		(void)!read(go[0], &c, 1);
		store_close(s);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		ok(0, "the child holds the store");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = store_open(tpath("locked.sqlite"), true, 300, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	snprintf(pidword, sizeof(pidword), "(pid %ld)", (long)pid);
	ok(s == NULL && d.code == DIAG_INPUT &&
	    strstr(d.msg, "is in use by another listscrub") != NULL &&
	    strstr(d.msg, pidword) != NULL, "second open fails naming pid %ld",
	    (long)pid);
	diag("%s", s == NULL ? d.msg : "(opened)");
	ok(ms >= 300 && ms < 3000, "after waiting wait_ms (%ld ms)", ms);
	store_close(s);
	/* Let go while the second one waits: it gets the store. */
	(void)!write(go[1], "x", 1);
	s = store_open(tpath("locked.sqlite"), true, 5000, &d);
	if (!ok(s != NULL, "opens once the first closes"))
		diag("%s", d.msg);
	store_close(s);
	waitpid(pid, &status, 0);
	close(ready[0]);
	close(go[1]);
}

static void
t_refused(void)
{
	static const char text[] = "address,name\nalice@example.com,Alice\n";
	struct diag d;
	struct store *s;
	char *before, *after, *garbage;
	size_t nb, na;

	/* A text file. */
	spew(tpath("text.sqlite"), text, sizeof(text) - 1);
	s = store_open(tpath("text.sqlite"), false, 0, &d);
	ok(s == NULL && d.code == DIAG_INPUT &&
	    strstr(d.msg, "not a listscrub result store") != NULL,
	    "a text file is refused: %s", s ? "" : d.msg);
	after = slurp(tpath("text.sqlite"), &na);
	ok(after != NULL && na == sizeof(text) - 1 &&
	    memcmp(after, text, na) == 0, "the text file is untouched");
	free(after);
	store_close(s);

	/* Another program's SQLite database. */
	sql(tpath("other.sqlite"), "PRAGMA application_id = 305419896;"
	    "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
	before = slurp(tpath("other.sqlite"), &nb);
	s = store_open(tpath("other.sqlite"), false, 0, &d);
	ok(s == NULL && strstr(d.msg, "another program's SQLite") != NULL,
	    "another application id is refused: %s", s ? "" : d.msg);
	after = slurp(tpath("other.sqlite"), &na);
	ok(before && after && na == nb && memcmp(before, after, na) == 0,
	    "the other database is untouched");
	free(before);
	free(after);
	store_close(s);

	/* No application id, but tables: not ours either. */
	sql(tpath("noid.sqlite"), "CREATE TABLE address (key TEXT);");
	s = store_open(tpath("noid.sqlite"), false, 0, &d);
	ok(s == NULL && strstr(d.msg, "another program's SQLite") != NULL,
	    "a database with tables and no application id is refused");
	store_close(s);

	/* A zero-length file and an empty database (version 0) are new. */
	spew(tpath("zero.sqlite"), "", 0);
	s = store_open(tpath("zero.sqlite"), false, 0, &d);
	if (!ok(s != NULL, "a zero-length file becomes a store"))
		diag("%s", d.msg);
	store_close(s);
	sql(tpath("v0.sqlite"), "CREATE TABLE t (x); DROP TABLE t;");
	s = store_open(tpath("v0.sqlite"), false, 0, &d);
	if (!ok(s != NULL, "an empty version-0 database becomes a store"))
		diag("%s", d.msg);
	store_close(s);
	is_int(sql_int(tpath("v0.sqlite"), "PRAGMA user_version"),
	    STORE_VERSION, "migrated to our user_version");
	is_int(sql_int(tpath("v0.sqlite"), "PRAGMA application_id"),
	    STORE_APPLICATION_ID, "with our application id");

	/* Made by a newer listscrub. */
	s = store_open(tpath("newer.sqlite"), false, 0, &d);
	store_close(s);
	sql(tpath("newer.sqlite"), "PRAGMA user_version = 99;");
	before = slurp(tpath("newer.sqlite"), &nb);
	s = store_open(tpath("newer.sqlite"), false, 0, &d);
	ok(s == NULL && d.code == DIAG_INPUT &&
	    strstr(d.msg, "made by a newer listscrub") != NULL,
	    "a newer user_version is refused: %s", s ? "" : d.msg);
	after = slurp(tpath("newer.sqlite"), &na);
	ok(before && after && na == nb && memcmp(before, after, na) == 0,
	    "the newer store is untouched");
	free(before);
	free(after);
	store_close(s);

	/* Corrupt: garbage over page 2 of a real store. */
	s = store_open(tpath("corrupt.sqlite"), false, 0, &d);
	if (s != NULL) {
		struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "2.0.0",
		    "fine", PROBE_TRI_YES, PROBE_TRI_NO);
		char key[64];

		for (int i = 0; i < 500; i++) {
			snprintf(key, sizeof(key), "someone%d@example.com", i);
			store_put_smtp(s, key, strlen(key), &r, NOW, &d);
		}
		store_put_dns(s, "example.com", EVDNS_OK, "mx", NULL, NULL,
		    NOW, &d);
		store_commit(s, &d);
		store_close(s);
	}
	before = slurp(tpath("corrupt.sqlite"), &nb);
	if (before != NULL && nb >= 3 * 4096) {
		garbage = malloc(4096);
		for (int i = 0; i < 4096; i++)
			garbage[i] = (char)(i * 7 + 13);
		memcpy(before + 4096, garbage, 4096);
		free(garbage);
		spew(tpath("corrupt.sqlite"), before, nb);
	}
	s = store_open(tpath("corrupt.sqlite"), false, 0, &d);
	ok(s == NULL && d.code == DIAG_INPUT &&
	    strstr(d.msg, "is corrupt") != NULL,
	    "garbage over page 2 is found corrupt: %s", s ? "" : d.msg);
	after = slurp(tpath("corrupt.sqlite"), &na);
	ok(before && after && na == nb && memcmp(before, after, na) == 0,
	    "the corrupt store is untouched (%zu bytes)", na);
	free(before);
	free(after);
	store_close(s);

	/* A directory. */
	mkdir(tpath("adir"), 0700);
	s = store_open(tpath("adir"), false, 0, &d);
	ok(s == NULL && strstr(d.msg, "not a regular file") != NULL,
	    "a directory is refused");
	store_close(s);
}

static void
t_unknown_names(void)
{
	struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "2.1.5", "OK",
	    PROBE_TRI_YES, PROBE_TRI_NO);
	struct store_address a;
	struct store_domain dom;
	struct diag d;
	struct store *s = store_open(tpath("names.sqlite"), true, 0, &d);

	if (s == NULL)
		return;
	store_put_smtp(s, "a@example.com", 13, &r, NOW, &d);
	store_put_last(s, "a@example.com", 13, STATUS_VALID, SUB_MAILBOX_OK,
	    NOW, &d);
	store_put_dns(s, "example.com", EVDNS_OK, "mx", NULL, NULL, NOW, &d);
	store_put_catch_all(s, "example.com", PROBE_TRI_NO, NOW, &d);
	store_close(s);
	sql(tpath("names.sqlite"), "UPDATE address SET smtp_sub = "
	    "'from_the_future'; UPDATE domain SET dns = 'servfail';");
	s = store_open(tpath("names.sqlite"), false, 0, &d);
	ok(s != NULL && store_get_address(s, "a@example.com", 13, &a, &d) ==
	    1 && a.smtp.sub == SUB_LAST && a.last_status == STATUS_VALID,
	    "an unknown sub-status name: no SMTP answer, the rest kept");
	ok(s != NULL && store_get_domain(s, "example.com", &dom, &d) == 1 &&
	    dom.dns == EVDNS_NONE && dom.mx == NULL &&
	    dom.catch_all == PROBE_TRI_NO,
	    "an unknown DNS name: no DNS answer, the test kept");
	store_close(s);
}

static int
count_addr(void *arg, const char *key, const struct store_address *a,
    struct diag *d)
{
	(void)key;
	(void)a;
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static void
t_maintenance(void)
{
	struct probe_result r = smtp(SUB_MAILBOX_OK, 250, "", NULL,
	    PROBE_TRI_UNSET, PROBE_TRI_UNSET);
	struct store_address a;
	struct store_domain dom;
	struct diag d;
	struct store *s = store_open(tpath("maint.sqlite"), true, 0, &d);
	uint64_t n = 0;
	bool row = false;
	int count = 0;

	if (!ok(s != NULL, "open for maintenance"))
		return;
	store_put_smtp(s, "a@one.example", 13, &r, NOW, &d);
	store_put_last(s, "a@one.example", 13, STATUS_VALID, SUB_MAILBOX_OK,
	    NOW, &d);
	store_put_smtp(s, "b@one.example", 13, &r, NOW, &d);
	store_put_smtp(s, "\"x@one.example\"@two.example", 27, &r, NOW, &d);
	store_put_smtp(s, "c@sub.one.example", 17, &r, NOW, &d);
	store_put_dns(s, "one.example", EVDNS_OK, NULL, NULL, NULL, NOW, &d);
	store_put_catch_all(s, "two.example", PROBE_TRI_YES, NOW, &d);
	is_int(store_drop(s, STORE_PART_SMTP, "a@one.example", 13, &d), 0,
	    "drop the SMTP part of a row with a verdict: row stays");
	ok(store_get_address(s, "a@one.example", 13, &a, &d) == 1 &&
	    a.smtp.sub == SUB_LAST && a.last_status == STATUS_VALID,
	    "the verdict is still there");
	is_int(store_drop(s, STORE_PART_VERDICT, "a@one.example", 13, &d), 1,
	    "drop its verdict too: row deleted");
	is_int(store_drop(s, STORE_PART_CATCH_ALL, "two.example", 11, &d), 1,
	    "drop the only part of a domain: row deleted");
	is_int(store_forget_address(s, "B@one.example", 13, &d), 1,
	    "forget a stored address");
	is_int(store_forget_address(s, "b@one.example", 13, &d), 0,
	    "forget it again: not there");
	store_put_smtp(s, "d@one.example", 13, &r, NOW, &d);
	ok(store_forget_domain(s, "one.example", &n, &row, &d) == 0 &&
	    n == 1 && row, "forget a domain: its address and its row");
	ok(store_get_address(s, "c@sub.one.example", 17, &a, &d) == 1 &&
	    store_get_address(s, "\"x@one.example\"@two.example", 27, &a,
	    &d) == 1, "addresses at other domains stay");
	ok(store_get_domain(s, "one.example", &dom, &d) == 0,
	    "the domain row is gone");
	ok(store_each_address(s, count_addr, &count, &d) == 0 && count == 2,
	    "each_address sees the 2 left (uncommitted)");
	ok(store_vacuum(s, &d) == 0 && store_pending(s) == 0, "vacuum");
	store_close(s);
}

static int
export_row(void *arg, const char *const *cells, size_t n, struct diag *d)
{
	char *out = arg;
	size_t len = strlen(out);

	(void)d;
	for (size_t i = 0; i < n && len < 4000; i++)
		len += (size_t)snprintf(out + len, 4096 - len, "%s%s",
		    i ? "," : "", cells[i]);
	if (len < 4000)
		out[len++] = '\n', out[len] = '\0';
	return 0;
}

static void
t_admin(void)
{
	struct probe_result ok_r = smtp(SUB_MAILBOX_OK, 250, "2.1.5", "OK",
	    PROBE_TRI_YES, PROBE_TRI_NO);
	struct probe_result bad_r = smtp(SUB_MAILBOX_NOT_FOUND, 550, "5.1.1",
	    "=cmd", PROBE_TRI_UNSET, PROBE_TRI_UNSET);
	struct store_address a;
	struct store_domain dom;
	struct store_stats st;
	struct store_prune p;
	struct store_ages ages;
	struct diag d;
	struct store *s = store_open(tpath("admin.sqlite"), true, 0, &d);
	char out[4096] = "";

	if (!ok(s != NULL, "open for stats and prune"))
		return;
	store_ages_default(&ages);
	/* fresh answer, verdict older than STORE_VERDICT_KEEP */
	store_put_smtp(s, "fresh@a.example", 15, &ok_r, NOW - 86400, &d);
	store_put_last(s, "fresh@a.example", 15, STATUS_VALID,
	    SUB_MAILBOX_OK, NOW - STORE_VERDICT_KEEP - 1, &d);
	/* expired answer (91d invalid), young verdict */
	store_put_smtp(s, "old@a.example", 13, &bad_r, NOW - 91 * 86400, &d);
	store_put_last(s, "old@a.example", 13, STATUS_INVALID,
	    SUB_MAILBOX_NOT_FOUND, NOW - 86400, &d);
	/* everything expired */
	store_put_smtp(s, "gone@a.example", 14, &ok_r, NOW - 31 * 86400, &d);
	store_put_last(s, "gone@a.example", 14, STATUS_VALID, SUB_MAILBOX_OK,
	    NOW - STORE_VERDICT_KEEP - 5, &d);
	/* from the future: not trusted, so expired */
	store_put_smtp(s, "future@a.example", 16, &ok_r, NOW + 3600, &d);
	store_put_dns(s, "a.example", EVDNS_TIMEOUT, NULL, "t", NULL,
	    NOW - 7 * 3600, &d);
	store_put_catch_all(s, "a.example", PROBE_TRI_NO, NOW - 86400, &d);
	store_put_dns(s, "b.example", EVDNS_NXDOMAIN, NULL, NULL, NULL,
	    NOW - 100 * 86400, &d);
	store_commit(s, &d);

	ok(store_admin_stats(s, &ages, NOW, &st, &d) == 0, "stats");
	ok(st.addresses == 4 && st.domains == 2 && st.smtp.total == 4 &&
	    st.verdicts == 3 && st.verdicts_expired == 2 &&
	    st.dns.total == 2 && st.catch_all.total == 1 &&
	    st.file_bytes > 0, "stats: rows, parts, verdicts past 400 days");
	ok(st.smtp.by_class[STORE_CLASS_VALID] == 3 &&
	    st.smtp.by_age[STORE_CLASS_VALID][STORE_AGE_7D] == 1 &&
	    st.smtp.by_age[STORE_CLASS_VALID][STORE_AGE_90D] == 1 &&
	    st.smtp.by_age[STORE_CLASS_VALID][STORE_AGE_1D] == 1 &&
	    st.smtp.expired[STORE_CLASS_VALID] == 2 &&
	    st.smtp.by_age[STORE_CLASS_INVALID][STORE_AGE_OLDER] == 1 &&
	    st.smtp.expired[STORE_CLASS_INVALID] == 1,
	    "stats: SMTP answers by class, age and expiry");
	ok(st.dns.expired[STORE_CLASS_TEMPORARY] == 1 &&
	    st.dns.expired[STORE_CLASS_INVALID] == 1 &&
	    st.catch_all.by_class[STORE_CLASS_VALID] == 1 &&
	    st.catch_all.expired[STORE_CLASS_VALID] == 0,
	    "stats: DNS answers and catch-all tests");

	ok(store_admin_export_addresses(s, export_row, out, &d) == 0 &&
	    strncmp(out, "address,smtp_status,smtp_sub_status,smtp_code,"
	    "smtp_enhanced,smtp_text,tls,catch_all,checked,last_status,"
	    "last_sub_status,last_seen\n", 127) == 0,
	    "export: the address header first");
	ok(strstr(out, "\nold@a.example,invalid,mailbox_not_found,550,5.1.1,"
	    "=cmd,,,2026-10-16T08:00:00Z,invalid,mailbox_not_found,"
	    "2027-01-14T08:00:00Z\n") != NULL,
	    "export: a row in words (the CSV writer guards the cells)");
	if (strstr(out, "old@a.example") == NULL)
		diag("%s", out);
	out[0] = '\0';
	ok(store_admin_export_domains(s, export_row, out, &d) == 0 &&
	    strstr(out, "a.example,timeout,,t,,2027-01-15T01:00:00Z,no,"
	    "2027-01-14T08:00:00Z\n") != NULL, "export: domain rows");

	ok(store_admin_prune(s, &ages, NOW, &p, &d) == 0, "prune");
	ok(p.addresses_deleted == 2 && p.addresses_trimmed == 2 &&
	    p.domains_deleted == 1 && p.domains_trimmed == 1,
	    "prune: 2 addresses deleted, 2 trimmed, 1 domain each");
	ok(store_get_address(s, "fresh@a.example", 15, &a, &d) == 1 &&
	    a.smtp.sub == SUB_MAILBOX_OK && a.last_status == STATUS_LAST,
	    "prune: a verdict past 400 days goes, the fresh answer stays");
	ok(store_get_address(s, "old@a.example", 13, &a, &d) == 1 &&
	    a.smtp.sub == SUB_LAST && a.last_status == STATUS_INVALID,
	    "prune: an expired answer goes, the young verdict keeps the row");
	ok(store_get_address(s, "gone@a.example", 14, &a, &d) == 0 &&
	    store_get_address(s, "future@a.example", 16, &a, &d) == 0,
	    "prune: rows with nothing left are deleted");
	ok(store_get_domain(s, "a.example", &dom, &d) == 1 &&
	    dom.dns == EVDNS_NONE && dom.catch_all == PROBE_TRI_NO &&
	    store_get_domain(s, "b.example", &dom, &d) == 0,
	    "prune: domains trimmed and deleted");
	store_close(s);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_store.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a scratch directory\n");
		return 0;
	}
	t_durations();
	t_classes();
	t_fresh();
	t_default_path();
	t_round_trip();
	t_upsert();
	t_batch();
	t_killed();
	t_lock();
	t_refused();
	t_unknown_names();
	t_maintenance();
	t_admin();
	if (getenv("KEEP_TMP") == NULL) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", dir);
	} else
		diag("kept %s", dir);
	return done_testing();
}
