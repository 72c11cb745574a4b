#include "store/part.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

/* The statements a writer keeps prepared. */
enum part_stmt { PS_DOMAIN, PS_SUGG, PS_ADDR, PS_STAT, PS_PROBLEM, PS_LAST };

static const char *const part_insert[PS_LAST] = {
	[PS_DOMAIN] = "INSERT OR REPLACE INTO domains VALUES (?,?,?,?,?,?,?)",
	[PS_SUGG] = "INSERT OR REPLACE INTO suggestions VALUES (?,?)",
	[PS_ADDR] = "INSERT OR REPLACE INTO addresses VALUES "
	    "(?,?,?,?,?,?,?,?)",
	[PS_STAT] = "INSERT OR REPLACE INTO stats VALUES (?,?)",
	[PS_PROBLEM] = "INSERT INTO problems VALUES (?,?,?)",
};

/* The tables whose row counts meta keeps (the damage check). */
static const char *const part_tables[] = {
	"domains", "suggestions", "addresses", "stats", "problems"
};
#define NTABLES (sizeof(part_tables) / sizeof(part_tables[0]))

static const char part_schema[] =
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    "BEGIN;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
    "CREATE TABLE domains(name TEXT PRIMARY KEY, dns INTEGER, mx TEXT,"
    " detail TEXT, hosts TEXT, owner INTEGER, provider TEXT);"
    "CREATE TABLE suggestions(name TEXT PRIMARY KEY, dns INTEGER);"
    "CREATE TABLE addresses(addr TEXT PRIMARY KEY, sub INTEGER,"
    " code INTEGER, enhanced TEXT, text TEXT, tls INTEGER,"
    " catch_all INTEGER, at INTEGER);"
    "CREATE TABLE stats(key TEXT PRIMARY KEY, value INTEGER);"
    "CREATE TABLE problems(host TEXT, reply TEXT, count INTEGER);";

struct part {
	sqlite3 *db;
	char *path;		/* the file */
	char *tmp;		/* a writer's temporary file; NULL: a reader */
	sqlite3_stmt *st[PS_LAST];
	uint64_t rows[NTABLES];	/* a writer's rows per table */
	struct part_meta meta;
};

static int part_fail(struct part *p, struct diag *d, const char *what);
static int part_meta_put(struct part *p, const char *key, const char *text,
    int64_t num, struct diag *d);
static int part_step(struct part *p, enum part_stmt s, struct diag *d);
static void part_text(sqlite3_stmt *st, int col, const char *s);
static int part_read_meta(struct part *p, struct diag *d);
static const char *part_col(sqlite3_stmt *st, int col);
static void part_sync_dir(const char *path);

/* part_sync_dir - the rename reaches the disk: fsync path's directory. */
static void
part_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* part_fail - d from the database's last error; -1. */
static int
part_fail(struct part *p, struct diag *d, const char *what)
{
	diag_set(d, p->tmp ? DIAG_OUTPUT : DIAG_INPUT, "%s: %s: %s", p->path,
	    what, sqlite3_errmsg(p->db));
	return -1;
}

/* part_text - bind s (NULL: SQL NULL) to column col of st. */
static void
part_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

/* part_col - column col of st's row as text, NULL for SQL NULL. */
static const char *
part_col(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(st, col);
}

/* part_step - run statement s (bound), then reset it; counts its row. */
static int
part_step(struct part *p, enum part_stmt s, struct diag *d)
{
	int rc = sqlite3_step(p->st[s]);

	sqlite3_reset(p->st[s]);
	sqlite3_clear_bindings(p->st[s]);
	if (rc != SQLITE_DONE)
		return part_fail(p, d, "cannot write");
	p->rows[s]++;
	return 0;
}

/* part_meta_put - one meta row: text, or num when text is NULL. */
static int
part_meta_put(struct part *p, const char *key, const char *text, int64_t num,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(p->db, "INSERT OR REPLACE INTO meta VALUES "
	    "(?,?)", -1, &st, NULL) != SQLITE_OK)
		return part_fail(p, d, "cannot write");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 2, num);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : part_fail(p, d, "cannot write");
}

struct part *
part_create(const char *path, const struct part_meta *m, struct diag *d)
{
	struct part *p = xcalloc(1, sizeof(*p));
	size_t n = strlen(path) + 32;
	int fd;

	p->path = xstrdup(path);
	p->tmp = xmalloc(n);
	snprintf(p->tmp, n, "%s.tmp-%ld", path, (long)getpid());
	p->meta = *m;
	(void)unlink(p->tmp);
	/* addresses are personal data: mode 0600, as the result store */
	if ((fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot create: %s", p->tmp,
		    strerror(errno));
		free(p->tmp);
		p->tmp = NULL;
		part_close(p);
		return NULL;
	}
	close(fd);
	if (sqlite3_open_v2(p->tmp, &p->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot create: %s", p->tmp,
		    p->db ? sqlite3_errmsg(p->db) : "out of memory");
		part_close(p);
		return NULL;
	}
	if (sqlite3_exec(p->db, part_schema, NULL, NULL, NULL) != SQLITE_OK) {
		part_fail(p, d, "cannot write");
		part_close(p);
		return NULL;
	}
	for (int s = 0; s < PS_LAST; s++)
		if (sqlite3_prepare_v2(p->db, part_insert[s], -1, &p->st[s],
		    NULL) != SQLITE_OK) {
			part_fail(p, d, "cannot write");
			part_close(p);
			return NULL;
		}
	if (part_meta_put(p, "format", PART_FORMAT, 0, d) != 0 ||
	    part_meta_put(p, "shard", NULL, m->shard, d) != 0 ||
	    part_meta_put(p, "shards", NULL, m->shards, d) != 0 ||
	    part_meta_put(p, "input_size", NULL, (int64_t)m->input_size,
	    d) != 0 ||
	    part_meta_put(p, "input_sha256", m->input_sha256, 0, d) != 0 ||
	    part_meta_put(p, "options", m->options, 0, d) != 0 ||
	    part_meta_put(p, "started_at", m->started_at, 0, d) != 0) {
		part_close(p);
		return NULL;
	}
	return p;
}

int
part_put_domain(struct part *p, const struct part_domain *dm, struct diag *d)
{
	sqlite3_stmt *st = p->st[PS_DOMAIN];

	part_text(st, 1, dm->name);
	sqlite3_bind_int(st, 2, dm->dns);
	part_text(st, 3, dm->mx);
	part_text(st, 4, dm->detail);
	part_text(st, 5, dm->hosts);
	sqlite3_bind_int64(st, 6, dm->owner);
	part_text(st, 7, dm->provider);
	return part_step(p, PS_DOMAIN, d);
}

int
part_put_suggestion(struct part *p, const char *name, int dns,
    struct diag *d)
{
	part_text(p->st[PS_SUGG], 1, name);
	sqlite3_bind_int(p->st[PS_SUGG], 2, dns);
	return part_step(p, PS_SUGG, d);
}

int
part_put_address(struct part *p, const struct part_address *a,
    struct diag *d)
{
	sqlite3_stmt *st = p->st[PS_ADDR];

	part_text(st, 1, a->addr);
	sqlite3_bind_int(st, 2, a->r.sub);
	sqlite3_bind_int(st, 3, a->r.code);
	part_text(st, 4, a->r.enhanced);
	part_text(st, 5, a->r.text);
	sqlite3_bind_int(st, 6, a->r.tls);
	sqlite3_bind_int(st, 7, a->r.catch_all);
	sqlite3_bind_int64(st, 8, a->at);
	return part_step(p, PS_ADDR, d);
}

int
part_put_stat(struct part *p, const char *key, uint64_t value,
    struct diag *d)
{
	part_text(p->st[PS_STAT], 1, key);
	sqlite3_bind_int64(p->st[PS_STAT], 2, (int64_t)value);
	return part_step(p, PS_STAT, d);
}

int
part_put_problem(struct part *p, const char *host, const char *reply,
    uint64_t count, struct diag *d)
{
	part_text(p->st[PS_PROBLEM], 1, host);
	part_text(p->st[PS_PROBLEM], 2, reply);
	sqlite3_bind_int64(p->st[PS_PROBLEM], 3, (int64_t)count);
	return part_step(p, PS_PROBLEM, d);
}

int
part_commit(struct part *p, struct diag *d)
{
	char key[32];
	int fd, rc = -1;

	/* INSERT OR REPLACE may have replaced: count what is there */
	for (size_t t = 0; t < NTABLES; t++) {
		char sql[64];
		sqlite3_stmt *st;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		    part_tables[t]);
		if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
			goto done;
		if (sqlite3_step(st) == SQLITE_ROW)
			p->rows[t] = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		snprintf(key, sizeof(key), "rows_%s", part_tables[t]);
		if (part_meta_put(p, key, NULL, (int64_t)p->rows[t], d) != 0)
			goto fail;
	}
	if (sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	for (int s = 0; s < PS_LAST; s++) {
		sqlite3_finalize(p->st[s]);
		p->st[s] = NULL;
	}
	if (sqlite3_close(p->db) != SQLITE_OK)
		goto done;
	p->db = NULL;
	/* whole or not at all: synced, then renamed over the name */
	if ((fd = open(p->tmp, O_RDONLY)) < 0 || fsync(fd) != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot sync: %s", p->tmp,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (rename(p->tmp, p->path) != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot rename %s to it: %s",
		    p->path, p->tmp, strerror(errno));
		goto fail;
	}
	free(p->tmp);
	p->tmp = NULL;
	part_sync_dir(p->path);
	rc = 0;
	goto fail;
done:
	part_fail(p, d, "cannot write");
fail:
	part_close(p);
	return rc;
}

/* part_read_meta - meta into p->meta, and the checks of part_open. */
static int
part_read_meta(struct part *p, struct diag *d)
{
	sqlite3_stmt *st;
	bool format = false;
	uint64_t want[NTABLES];
	int rc;

	memset(want, 0xff, sizeof(want));
	if (sqlite3_prepare_v2(p->db, "SELECT key, value FROM meta", -1, &st,
	    NULL) != SQLITE_OK) {
		diag_set(d, DIAG_INPUT, "%s is not a listscrub part (%s)",
		    p->path, sqlite3_errmsg(p->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = part_col(st, 0), *v = part_col(st, 1);
		int64_t num = sqlite3_column_int64(st, 1);

		if (k == NULL)
			continue;
		if (strcmp(k, "format") == 0)
			format = v != NULL && strcmp(v, PART_FORMAT) == 0;
		else if (strcmp(k, "shard") == 0)
			p->meta.shard = (unsigned)num;
		else if (strcmp(k, "shards") == 0)
			p->meta.shards = (unsigned)num;
		else if (strcmp(k, "input_size") == 0)
			p->meta.input_size = (uint64_t)num;
		else if (strcmp(k, "input_sha256") == 0 && v != NULL)
			snprintf(p->meta.input_sha256,
			    sizeof(p->meta.input_sha256), "%s", v);
		else if (strcmp(k, "options") == 0 && v != NULL)
			snprintf(p->meta.options, sizeof(p->meta.options),
			    "%s", v);
		else if (strcmp(k, "started_at") == 0 && v != NULL)
			snprintf(p->meta.started_at,
			    sizeof(p->meta.started_at), "%s", v);
		else
			for (size_t t = 0; t < NTABLES; t++)
				if (strncmp(k, "rows_", 5) == 0 &&
				    strcmp(k + 5, part_tables[t]) == 0)
					want[t] = (uint64_t)num;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag_set(d, DIAG_INPUT, "%s is damaged (%s): make the part "
		    "again", p->path, sqlite3_errmsg(p->db));
		return -1;
	}
	if (!format) {
		diag_set(d, DIAG_INPUT, "%s is not a listscrub part (no "
		    "'%s' in its meta)", p->path, PART_FORMAT);
		return -1;
	}
	if (p->meta.shards < 1 || p->meta.shards > 4096 ||
	    p->meta.shard >= p->meta.shards)
		goto damaged;
	if (sqlite3_prepare_v2(p->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL) != SQLITE_OK)
		goto damaged;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || part_col(st, 0) == NULL ||
	    strcmp(part_col(st, 0), "ok") != 0) {
		sqlite3_finalize(st);
		goto damaged;
	}
	sqlite3_finalize(st);
	/* every row the shard wrote is there */
	for (size_t t = 0; t < NTABLES; t++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		    part_tables[t]);
		if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
			goto damaged;
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW ||
		    (uint64_t)sqlite3_column_int64(st, 0) != want[t]) {
			sqlite3_finalize(st);
			goto damaged;
		}
		sqlite3_finalize(st);
	}
	return 0;
damaged:
	diag_set(d, DIAG_INPUT, "%s is damaged (%s): make the part again",
	    p->path, sqlite3_errcode(p->db) != SQLITE_OK &&
	    sqlite3_errcode(p->db) != SQLITE_ROW &&
	    sqlite3_errcode(p->db) != SQLITE_DONE ? sqlite3_errmsg(p->db) :
	    "its rows do not match what it says it holds");
	return -1;
}

struct part *
part_open(const char *path, struct diag *d)
{
	struct part *p = xcalloc(1, sizeof(*p));
	FILE *f;
	char head[16];

	p->path = xstrdup(path);
	/* SQLite opens anything: the header says whether it is a database */
	if ((f = fopen(path, "rb")) == NULL) {
		diag_set(d, DIAG_INPUT, "%s: cannot open: %s", path,
		    strerror(errno));
		part_close(p);
		return NULL;
	}
	if (fread(head, 1, sizeof(head), f) != sizeof(head) ||
	    memcmp(head, "SQLite format 3", 16) != 0) {
		fclose(f);
		diag_set(d, DIAG_INPUT, "%s is not a listscrub part (not an "
		    "SQLite file)", path);
		part_close(p);
		return NULL;
	}
	fclose(f);
	if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		diag_set(d, DIAG_INPUT, "%s: cannot open: %s", path,
		    p->db ? sqlite3_errmsg(p->db) : "out of memory");
		part_close(p);
		return NULL;
	}
	if (part_read_meta(p, d) != 0) {
		part_close(p);
		return NULL;
	}
	return p;
}

const struct part_meta *
part_meta_of(const struct part *p)
{
	return &p->meta;
}

const char *
part_path(const struct part *p)
{
	return p->path;
}

/* part_query - prepare sql, or -1 with d. */
static int
part_query(struct part *p, const char *sql, sqlite3_stmt **st,
    struct diag *d)
{
	if (sqlite3_prepare_v2(p->db, sql, -1, st, NULL) != SQLITE_OK)
		return part_fail(p, d, "cannot read");
	return 0;
}

/* part_done - finalize st after its loop ended with rc (cb's or step's). */
static int
part_done(struct part *p, sqlite3_stmt *st, int rc, struct diag *d)
{
	if (rc == -1) {
		sqlite3_finalize(st);
		return -1;
	}
	if (rc != SQLITE_DONE) {
		part_fail(p, d, "cannot read");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
part_each_domain(struct part *p, int (*cb)(void *arg,
    const struct part_domain *dm, struct diag *d), void *arg,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (part_query(p, "SELECT name, dns, mx, detail, hosts, owner, "
	    "provider FROM domains ORDER BY name", &st, d) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct part_domain dm;

		dm.name = part_col(st, 0);
		dm.dns = sqlite3_column_int(st, 1);
		dm.mx = part_col(st, 2);
		dm.detail = part_col(st, 3);
		dm.hosts = part_col(st, 4);
		dm.owner = (unsigned)sqlite3_column_int64(st, 5);
		dm.provider = part_col(st, 6);
		if (dm.name != NULL && cb(arg, &dm, d) != 0) {
			rc = -1;
			break;
		}
	}
	return part_done(p, st, rc, d);
}

int
part_each_suggestion(struct part *p, int (*cb)(void *arg, const char *name,
    int dns, struct diag *d), void *arg, struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (part_query(p, "SELECT name, dns FROM suggestions ORDER BY name",
	    &st, d) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (part_col(st, 0) != NULL && cb(arg, part_col(st, 0),
		    sqlite3_column_int(st, 1), d) != 0) {
			rc = -1;
			break;
		}
	return part_done(p, st, rc, d);
}

int
part_each_address(struct part *p, int (*cb)(void *arg,
    const struct part_address *a, struct diag *d), void *arg,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (part_query(p, "SELECT addr, sub, code, enhanced, text, tls, "
	    "catch_all, at FROM addresses ORDER BY addr", &st, d) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct part_address a;
		const char *enh = part_col(st, 3);

		memset(&a, 0, sizeof(a));
		a.addr = part_col(st, 0);
		a.r.sub = (uint16_t)sqlite3_column_int(st, 1);
		a.r.code = (uint16_t)sqlite3_column_int(st, 2);
		snprintf(a.r.enhanced, sizeof(a.r.enhanced), "%s",
		    enh ? enh : "");
		a.r.text = part_col(st, 4);
		a.r.tls = (uint8_t)sqlite3_column_int(st, 5);
		a.r.catch_all = (uint8_t)sqlite3_column_int(st, 6);
		a.at = sqlite3_column_int64(st, 7);
		if (a.addr != NULL && cb(arg, &a, d) != 0) {
			rc = -1;
			break;
		}
	}
	return part_done(p, st, rc, d);
}

int
part_each_stat(struct part *p, int (*cb)(void *arg, const char *key,
    uint64_t value, struct diag *d), void *arg, struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (part_query(p, "SELECT key, value FROM stats ORDER BY key", &st,
	    d) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (part_col(st, 0) != NULL && cb(arg, part_col(st, 0),
		    (uint64_t)sqlite3_column_int64(st, 1), d) != 0) {
			rc = -1;
			break;
		}
	return part_done(p, st, rc, d);
}

int
part_each_problem(struct part *p, int (*cb)(void *arg, const char *host,
    const char *reply, uint64_t count, struct diag *d), void *arg,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (part_query(p, "SELECT host, reply, count FROM problems ORDER BY "
	    "rowid", &st, d) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(arg, part_col(st, 0) ? part_col(st, 0) : "",
		    part_col(st, 1) ? part_col(st, 1) : "",
		    (uint64_t)sqlite3_column_int64(st, 2), d) != 0) {
			rc = -1;
			break;
		}
	return part_done(p, st, rc, d);
}

void
part_close(struct part *p)
{
	if (p == NULL)
		return;
	for (int s = 0; s < PS_LAST; s++)
		sqlite3_finalize(p->st[s]);
	if (p->db != NULL)
		sqlite3_close(p->db);
	if (p->tmp != NULL)
		(void)unlink(p->tmp);
	free(p->tmp);
	free(p->path);
	free(p);
}
