/*
 * t_part - the part file of a shard (validator/README, "Shards and
 * merge"): a round trip of every table, the file appears whole or not at
 * all, and the files part_open must refuse: not SQLite, SQLite but not a
 * part, another format, truncated, rows missing.
 */
#include <sys/stat.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/part.h"
#include "tap.h"

static char dir[256];

/* tpath - name in the scratch directory (one static buffer each call). */
static const char *
tpath(const char *name)
{
	static char b[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", dir, name);
	return b[i];
}

static void
sql(const char *path, const char *stmt)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) == SQLITE_OK)
		(void)sqlite3_exec(db, stmt, NULL, NULL, NULL);
	sqlite3_close(db);
}

/* What the readers saw. */
struct seen {
	char text[4096];
	size_t n;
};

/* add - "TAG A B X Y|" to what was seen (NULL strings as "(null)"). */
static void
add(struct seen *s, const char *tag, const char *a, const char *b,
    long long x, long long y)
{
	s->n += (size_t)snprintf(s->text + s->n, sizeof(s->text) - s->n,
	    "%s %s %s %lld %lld|", tag, a ? a : "(null)", b ? b : "(null)",
	    x, y);
}

static int
on_domain(void *arg, const struct part_domain *dm, struct diag *d)
{
	(void)d;
	add(arg, "D", dm->name, dm->mx, dm->dns, dm->owner);
	add(arg, "d", dm->detail, dm->hosts, 0, 0);
	add(arg, "p", dm->provider, "-", 0, 0);
	return 0;
}

static int
on_sugg(void *arg, const char *name, int dns, struct diag *d)
{
	(void)d;
	add(arg, "S", name, "-", dns, 0);
	return 0;
}

static int
on_addr(void *arg, const struct part_address *a, struct diag *d)
{
	(void)d;
	add(arg, "A", a->addr, a->r.enhanced, a->r.sub, a->r.code);
	add(arg, "a", a->r.text, "-", a->r.tls * 10 + a->r.catch_all, a->at);
	return 0;
}

static int
on_stat(void *arg, const char *key, uint64_t v, struct diag *d)
{
	(void)d;
	add(arg, "T", key, "-", (long long)v, 0);
	return 0;
}

static int
on_problem(void *arg, const char *host, const char *reply, uint64_t count,
    struct diag *d)
{
	(void)d;
	add(arg, "P", host, reply, (long long)count, 0);
	return 0;
}

static int
stop_at_first(void *arg, const struct part_address *a, struct diag *d)
{
	(void)arg;
	diag_set(d, DIAG_INPUT, "stopped at %s", a->addr);
	return -1;
}

/* write_part - a part with two domains, a suggestion, two addresses. */
static int
write_part(const char *path, unsigned shard, unsigned shards, struct diag *d)
{
	struct part_meta m = { 0 };
	struct part *p;
	struct part_domain d1 = { "example.org", 1, "mx.example.org", NULL,
	    "mx.example.org=192.0.2.1", 2, "google" };
	struct part_domain d2 = { "gone.example", 4, NULL, "domain not found",
	    NULL, 0, NULL };
	struct part_address a1 = { "alice@example.org", { 0 }, 1800000000 };
	struct part_address a2 = { "bob@example.org", { 0 }, 1800000001 };

	m.shard = shard;
	m.shards = shards;
	m.input_size = 1234;
	snprintf(m.input_sha256, sizeof(m.input_sha256), "%064d", 7);
	snprintf(m.options, sizeof(m.options), "--tls opportunistic\n");
	snprintf(m.started_at, sizeof(m.started_at), "2026-12-04T10:00:00Z");
	a1.r.sub = 3;
	a1.r.code = 250;
	snprintf(a1.r.enhanced, sizeof(a1.r.enhanced), "2.1.5");
	a1.r.text = "Ok";
	a1.r.tls = 1;
	a1.r.catch_all = 2;
	a2.r.sub = 5;
	a2.r.code = 550;
	a2.r.text = NULL;
	if ((p = part_create(path, &m, d)) == NULL)
		return -1;
	if (part_put_domain(p, &d1, d) != 0 ||
	    part_put_domain(p, &d2, d) != 0 ||
	    part_put_suggestion(p, "gmail.com", 1, d) != 0 ||
	    part_put_address(p, &a1, d) != 0 ||
	    part_put_address(p, &a2, d) != 0 ||
	    part_put_stat(p, "smtp_connections", 7, d) != 0 ||
	    part_put_problem(p, "mx.policy.mail", "554 5.7.1 no", 3, d) != 0) {
		part_close(p);
		return -1;
	}
	/* the file appears only at the commit */
	ok(access(path, F_OK) != 0, "before the commit: no file under its name");
	return part_commit(p, d);
}

static void
t_round_trip(void)
{
	const char *path = tpath("a.part");
	struct diag d = { 0 };
	struct part *p;
	struct seen s = { "", 0 };
	char tmp[600];

	is_int(write_part(path, 1, 3, &d), 0, "a part is written (%s)", d.msg);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	ok(access(tmp, F_OK) != 0, "no temporary file is left");
	{
		struct stat st;

		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		    "mode 0600: it holds addresses");
	}
	p = part_open(path, &d);
	ok(p != NULL, "it opens (%s)", d.msg);
	if (p == NULL)
		return;
	is_int(part_meta_of(p)->shard, 1, "meta: shard");
	is_int(part_meta_of(p)->shards, 3, "meta: shards");
	is_int(part_meta_of(p)->input_size, 1234, "meta: input size");
	is_int(strlen(part_meta_of(p)->input_sha256), 64, "meta: SHA-256");
	is_str(part_meta_of(p)->options, "--tls opportunistic\n",
	    "meta: options");
	is_str(part_meta_of(p)->started_at, "2026-12-04T10:00:00Z",
	    "meta: started_at");
	ok(part_each_domain(p, on_domain, &s, &d) == 0 &&
	    part_each_suggestion(p, on_sugg, &s, &d) == 0 &&
	    part_each_address(p, on_addr, &s, &d) == 0 &&
	    part_each_stat(p, on_stat, &s, &d) == 0 &&
	    part_each_problem(p, on_problem, &s, &d) == 0, "every table reads");
	is_str(s.text,
	    "D example.org mx.example.org 1 2|"
	    "d (null) mx.example.org=192.0.2.1 0 0|p google - 0 0|"
	    "D gone.example (null) 4 0|d domain not found (null) 0 0|"
	    "p (null) - 0 0|"
	    "S gmail.com - 1 0|"
	    "A alice@example.org 2.1.5 3 250|a Ok - 12 1800000000|"
	    "A bob@example.org  5 550|a (null) - 0 1800000001|"
	    "T smtp_connections - 7 0|"
	    "P mx.policy.mail 554 5.7.1 no 3 0|",
	    "what was written is read, NULLs as NULLs");
	d.code = DIAG_OK;
	is_int(part_each_address(p, stop_at_first, NULL, &d), -1,
	    "a reader's callback stops the walk");
	is_str(d.msg, "stopped at alice@example.org", "... with its message");
	part_close(p);
}

static void
t_abandoned(void)
{
	const char *path = tpath("b.part");
	struct part_meta m = { 0 };
	struct diag d = { 0 };
	struct part *p;
	char tmp[600];

	m.shards = 1;
	p = part_create(path, &m, &d);
	ok(p != NULL, "a writer starts");
	part_close(p);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	ok(access(path, F_OK) != 0 && access(tmp, F_OK) != 0,
	    "an abandoned writer leaves no file");
}

/* refused NAME PATTERN - part_open refuses the file, saying PATTERN. */
static void
refused(const char *what, const char *path, const char *want)
{
	struct diag d = { 0 };
	struct part *p = part_open(path, &d);

	ok(p == NULL && d.code == DIAG_INPUT, "%s: refused", what);
	ok(strstr(d.msg, want) != NULL && strstr(d.msg, path) != NULL,
	    "%s: '%s' names the file and says '%s'", what, d.msg, want);
	part_close(p);
}

static void
t_refused(void)
{
	const char *good = tpath("a.part"), *path;
	struct diag d = { 0 };
	FILE *f;
	char cmd[1200];
	long size;

	path = tpath("list.csv");
	f = fopen(path, "w");
	fputs("Email\nalice@example.org\n", f);
	fclose(f);
	refused("a CSV file", path, "is not a listscrub part (not an SQLite");
	path = tpath("empty.part");
	fclose(fopen(path, "w"));
	refused("an empty file", path, "is not a listscrub part");
	path = tpath("other.sqlite");
	sql(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	refused("another SQLite file", path, "is not a listscrub part");
	path = tpath("v2.part");
	is_int(write_part(path, 0, 1, &d), 0, "a part to alter");
	sql(path, "UPDATE meta SET value = 'listscrub-part 2' WHERE key = "
	    "'format'");
	refused("another format", path, "is not a listscrub part (no "
	    "'listscrub-part 1'");
	path = tpath("short.part");
	is_int(write_part(path, 0, 1, &d), 0, "a part to lose rows");
	sql(path, "DELETE FROM addresses WHERE addr LIKE 'bob%'");
	refused("a row missing", path, "is damaged");
	path = tpath("trunc.part");
	f = fopen(good, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "head -c %ld '%s' > '%s'", size / 2, good,
	    path);
	ok(system(cmd) == 0, "a part cut in half (%ld of %ld bytes)",
	    size / 2, size);
	{
		struct part *p = part_open(path, &d);

		ok(p == NULL && d.code == DIAG_INPUT &&
		    (strstr(d.msg, "is damaged") != NULL ||
		    strstr(d.msg, "is not a listscrub part") != NULL),
		    "a truncated part: refused (%s)", d.msg);
		part_close(p);
	}
	path = tpath("none.part");
	refused("a missing file", path, "cannot open");
	path = tpath("badshard.part");
	is_int(write_part(path, 5, 4, &d), 0, "a part with shard 5 of 4");
	refused("shard 5 of 4", path, "is damaged");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_part.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a scratch directory\n");
		return 0;
	}
	t_round_trip();
	t_abandoned();
	t_refused();
	if (getenv("KEEP_TMP") == NULL) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	return done_testing();
}
