/*
 * store - the result store in one SQLite file. The contract is in store.h;
 * the file's layout, locking and error cases are in validator/README,
 * "The result store".
 */
#include "config.h"

#include "store/store.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define STORE_KEY_MAX		4096	/* bytes of a key or domain name */
#define STORE_LOCK_POLL_MS	20
/*
 * SQLite's page cache (negative: KiB). The default 2 MiB made a lookup in
 * a 70 MB store cost 4 us; memory stays bounded whatever the store's size.
 */
#define STORE_CACHE_KIB		"-16384"
/* quick_check at least this often, even on a store left as it was (s) */
#define STORE_CHECK_EVERY	(7 * 86400)

/* Hot-path statements are prepared at open, the others on first use. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_GET_ADDR,
	ST_GET_DOM,
	ST_PUT_SMTP,
	ST_PUT_LAST,
	ST_PUT_DNS,
	ST_PUT_CATCH,
	ST_HOT_LAST,		/* the rest are prepared lazily */
	ST_EACH_ADDR = ST_HOT_LAST,
	ST_EACH_DOM,
	ST_DROP_SMTP,
	ST_DROP_VERDICT,
	ST_DROP_DNS,
	ST_DROP_CATCH,
	ST_EMPTY_ADDR,
	ST_EMPTY_DOM,
	ST_FORGET_ADDR,
	ST_FORGET_DOM_ADDRS,
	ST_FORGET_DOM,
	ST_LAST
};

#define ADDR_COLS \
	"smtp_sub, smtp_code, smtp_enhanced, smtp_text, smtp_tls, " \
	"smtp_catch_all, smtp_at, last_status, last_sub, last_at"
#define DOM_COLS "dns, mx, detail, hosts, dns_at, catch_all, catch_at"

static const char *const stmt_sql[ST_LAST] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_GET_ADDR] = "SELECT " ADDR_COLS " FROM address WHERE key = ?1",
	[ST_GET_DOM] = "SELECT " DOM_COLS " FROM domain WHERE name = ?1",
	/* Upserts touch only their own columns (store.h). */
	[ST_PUT_SMTP] = "INSERT INTO address (key, smtp_sub, smtp_code, "
	    "smtp_enhanced, smtp_text, smtp_tls, smtp_catch_all, smtp_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (key) DO "
	    "UPDATE SET smtp_sub = excluded.smtp_sub, "
	    "smtp_code = excluded.smtp_code, "
	    "smtp_enhanced = excluded.smtp_enhanced, "
	    "smtp_text = excluded.smtp_text, smtp_tls = excluded.smtp_tls, "
	    "smtp_catch_all = excluded.smtp_catch_all, "
	    "smtp_at = excluded.smtp_at",
	[ST_PUT_LAST] = "INSERT INTO address (key, last_status, last_sub, "
	    "last_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO UPDATE SET "
	    "last_status = excluded.last_status, "
	    "last_sub = excluded.last_sub, last_at = excluded.last_at",
	[ST_PUT_DNS] = "INSERT INTO domain (name, dns, mx, detail, hosts, "
	    "dns_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO "
	    "UPDATE SET dns = excluded.dns, mx = excluded.mx, "
	    "detail = excluded.detail, hosts = excluded.hosts, "
	    "dns_at = excluded.dns_at",
	[ST_PUT_CATCH] = "INSERT INTO domain (name, catch_all, catch_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
	    "catch_all = excluded.catch_all, catch_at = excluded.catch_at",
	[ST_EACH_ADDR] = "SELECT key, " ADDR_COLS " FROM address ORDER BY key",
	[ST_EACH_DOM] = "SELECT name, " DOM_COLS " FROM domain ORDER BY name",
	[ST_DROP_SMTP] = "UPDATE address SET smtp_sub = NULL, "
	    "smtp_code = NULL, smtp_enhanced = NULL, smtp_text = NULL, "
	    "smtp_tls = NULL, smtp_catch_all = NULL, smtp_at = NULL "
	    "WHERE key = ?1",
	[ST_DROP_VERDICT] = "UPDATE address SET last_status = NULL, "
	    "last_sub = NULL, last_at = NULL WHERE key = ?1",
	[ST_DROP_DNS] = "UPDATE domain SET dns = NULL, mx = NULL, "
	    "detail = NULL, hosts = NULL, dns_at = NULL WHERE name = ?1",
	[ST_DROP_CATCH] = "UPDATE domain SET catch_all = NULL, "
	    "catch_at = NULL WHERE name = ?1",
	[ST_EMPTY_ADDR] = "DELETE FROM address WHERE key = ?1 AND "
	    "smtp_sub IS NULL AND last_status IS NULL",
	[ST_EMPTY_DOM] = "DELETE FROM domain WHERE name = ?1 AND "
	    "dns IS NULL AND catch_all IS NULL",
	[ST_FORGET_ADDR] = "DELETE FROM address WHERE key = ?1",
	/* The domain is what follows the key's last '@'. */
	[ST_FORGET_DOM_ADDRS] = "DELETE FROM address WHERE "
	    "substr(key, -length(?1) - 1) = '@' || ?1",
	[ST_FORGET_DOM] = "DELETE FROM domain WHERE name = ?1",
};

/*
 * The migration steps: migrations[i] brings a store from version i to
 * i + 1. Steps are only ever added; each runs in the transaction that
 * also sets user_version, so a store is at one version or the next.
 */
static const char *const migrations[] = {
	/* 1: the initial schema. Enum values are stored by name. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE address ("
	"  key TEXT PRIMARY KEY,"
	"  smtp_sub TEXT, smtp_code INTEGER, smtp_enhanced TEXT,"
	"  smtp_text TEXT, smtp_tls TEXT, smtp_catch_all TEXT,"
	"  smtp_at INTEGER,"
	"  last_status TEXT, last_sub TEXT, last_at INTEGER"
	") WITHOUT ROWID;"
	"CREATE TABLE domain ("
	"  name TEXT PRIMARY KEY,"
	"  dns TEXT, mx TEXT, detail TEXT, hosts TEXT, dns_at INTEGER,"
	"  catch_all TEXT, catch_at INTEGER"
	") WITHOUT ROWID;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_VERSION,
    "one migration step per schema version");

/* Strings handed out by store_get_*, valid until the next call. */
enum store_slot { SLOT_TEXT, SLOT_MX, SLOT_DETAIL, SLOT_HOSTS, SLOT_LAST };

struct store {
	char *path;
	int lock_fd;
	sqlite3 *db;
	sqlite3_stmt *st[ST_LAST];
	bool in_tx;
	size_t pending;
	char key[STORE_KEY_MAX + 1];	/* the lower-cased key of a call */
	size_t key_len;
	char *slot[SLOT_LAST];
	size_t slot_cap[SLOT_LAST];
	char left[160];		/* the lock file as the last user left it */
	int64_t checked_at;	/* the last quick_check that passed */
};

static const char *const class_names[STORE_CLASS_LAST] = {
	"invalid", "valid", "catch_all", "temporary", "sender"
};

static const int64_t class_default_age[STORE_CLASS_LAST] = {
	[STORE_CLASS_INVALID] = 90 * 86400,
	[STORE_CLASS_VALID] = 30 * 86400,
	[STORE_CLASS_CATCH_ALL] = 30 * 86400,
	[STORE_CLASS_TEMPORARY] = 6 * 3600,
	[STORE_CLASS_SENDER] = 0,
};

static const char *const dns_names[] = {
	[EVDNS_NONE] = "none",
	[EVDNS_OK] = "ok",
	[EVDNS_IMPLICIT] = "implicit",
	[EVDNS_NULL_MX] = "null_mx",
	[EVDNS_NXDOMAIN] = "nxdomain",
	[EVDNS_NO_HOST] = "no_host",
	[EVDNS_TIMEOUT] = "timeout",
	[EVDNS_ERROR] = "error",
};
#define DNS_NAMES ((int)(sizeof(dns_names) / sizeof(dns_names[0])))

static int store_mkdirs(const char *path, struct diag *d);
static int store_lock(struct store *s, unsigned wait_ms, struct diag *d);
static void store_seal(struct store *s);
static bool store_checked(struct store *s, int64_t now);
static int store_precheck(struct store *s, struct diag *d);
static int store_sqlerr(struct store *s, int rc, const char *what,
    struct diag *d);
static int store_int(struct store *s, const char *sql, int64_t *v,
    struct diag *d);
static int store_exec(struct store *s, const char *sql, const char *what,
    struct diag *d);
static int store_identify(struct store *s, int64_t *version, struct diag *d);
static int store_quick_check(struct store *s, struct diag *d);
static int store_wal(struct store *s, struct diag *d);
static int store_migrate(struct store *s, int64_t from, struct diag *d);
static sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id,
    struct diag *d);
static int store_set_key(struct store *s, const char *key, size_t len,
    struct diag *d);
static int store_put_begin(struct store *s, struct diag *d);
static int store_put_end(struct store *s, struct diag *d);
static int store_step_done(struct store *s, sqlite3_stmt *st,
    const char *what, struct diag *d);
static void store_bind_text(sqlite3_stmt *st, int i, const char *v);
static const char *store_col_text(sqlite3_stmt *st, int i);
static const char *store_keep(struct store *s, enum store_slot k,
    sqlite3_stmt *st, int i);
static const char *store_tri_name(uint8_t t);
static uint8_t store_tri_parse(const char *v);
static void store_read_address(struct store *s, sqlite3_stmt *st, int c,
    struct store_address *a, bool copy);
static void store_read_domain(struct store *s, sqlite3_stmt *st, int c,
    struct store_domain *dom, bool copy);

void
store_ages_default(struct store_ages *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->max_age, class_default_age, sizeof(a->max_age));
}

int
store_duration_parse(const char *s, int64_t *secs)
{
	int64_t v = 0, mult = 1;
	const char *p = s;

	if (!ascii_isdigit((unsigned char)*p))
		return -1;	/* empty, negative, signed, blank */
	for (; ascii_isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*p != '\0' && p[1] != '\0')
		return -1;
	if (v > INT64_MAX / mult)
		return -1;
	*secs = v * mult;
	return 0;
}

int
store_ages_set(struct store_ages *a, const char *spec, struct diag *d)
{
	const char *eq = strchr(spec, '=');
	char name[32];
	enum store_class c;
	int64_t secs;

	if (eq == NULL || (size_t)(eq - spec) >= sizeof(name)) {
		diag_set(d, DIAG_USAGE, "--max-age: '%s' is not CLASS=DURATION "
		    "(classes: invalid, valid, catch_all, temporary, sender)",
		    spec);
		return -1;
	}
	memcpy(name, spec, (size_t)(eq - spec));
	name[eq - spec] = '\0';
	if ((c = store_class_parse(name)) == STORE_CLASS_LAST) {
		diag_set(d, DIAG_USAGE, "--max-age: unknown class '%s' "
		    "(invalid, valid, catch_all, temporary, sender)", name);
		return -1;
	}
	if (store_duration_parse(eq + 1, &secs) != 0) {
		diag_set(d, DIAG_USAGE, "--max-age: bad duration '%s' (a "
		    "number with s, m, h, d or w, like 90d or 6h; 0: never "
		    "reuse)", eq + 1);
		return -1;
	}
	a->max_age[c] = secs;
	return 0;
}

const char *
store_class_name(enum store_class c)
{
	return c < STORE_CLASS_LAST ? class_names[c] : "?";
}

enum store_class
store_class_parse(const char *name)
{
	for (int i = 0; i < STORE_CLASS_LAST; i++)
		if (strcmp(class_names[i], name) == 0)
			return (enum store_class)i;
	return STORE_CLASS_LAST;
}

enum store_class
store_class_of_sub(enum verdict_sub s)
{
	switch (s) {
	case SUB_MAILBOX_NOT_FOUND:
	case SUB_MAILBOX_DISABLED:
	case SUB_SMTP_REJECTED:
	case SUB_NULL_MX:
	case SUB_DOMAIN_NOT_FOUND:
	case SUB_NO_MAIL_HOST:
		return STORE_CLASS_INVALID;
	case SUB_MAILBOX_OK:
	case SUB_SMTPUTF8_UNSUPPORTED:
		return STORE_CLASS_VALID;
	case SUB_ACCEPT_ALL:
	case SUB_PROVIDER_ACCEPTS_ALL:
		return STORE_CLASS_CATCH_ALL;
	case SUB_GREYLISTED:
	case SUB_TEMPORARY_ERROR:
	case SUB_TIMEOUT:
	case SUB_CONNECTION_FAILED:
	case SUB_MAILBOX_FULL:
		return STORE_CLASS_TEMPORARY;
	default:
		/* About the sender, or not an SMTP answer: never reused. */
		return STORE_CLASS_SENDER;
	}
}

enum store_class
store_class_of_dns(enum evidence_dns e)
{
	switch (e) {
	case EVDNS_NULL_MX:
	case EVDNS_NXDOMAIN:
	case EVDNS_NO_HOST:
		return STORE_CLASS_INVALID;
	case EVDNS_OK:
	case EVDNS_IMPLICIT:
		return STORE_CLASS_VALID;
	case EVDNS_TIMEOUT:
	case EVDNS_ERROR:
		return STORE_CLASS_TEMPORARY;
	default:
		return STORE_CLASS_SENDER;
	}
}

enum store_class
store_class_of_catch_all(uint8_t catch_all)
{
	if (catch_all == PROBE_TRI_YES)
		return STORE_CLASS_CATCH_ALL;
	if (catch_all == PROBE_TRI_NO)
		return STORE_CLASS_VALID;
	return STORE_CLASS_SENDER;
}

const char *
store_dns_name(enum evidence_dns e)
{
	return (int)e >= 0 && (int)e < DNS_NAMES ? dns_names[e] : "?";
}

enum evidence_dns
store_dns_parse(const char *name)
{
	for (int i = EVDNS_NONE + 1; i < DNS_NAMES; i++)
		if (strcmp(dns_names[i], name) == 0)
			return (enum evidence_dns)i;
	return EVDNS_NONE;
}

bool
store_fresh(const struct store_ages *a, enum store_class c, int64_t at,
    int64_t now)
{
	int64_t max;

	if (a->refresh || c >= STORE_CLASS_LAST || (max = a->max_age[c]) <= 0)
		return false;
	/* A clock that went back: entries from the future are not trusted. */
	if (at <= 0 || now < 0 || at > now + STORE_FUTURE_SLACK)
		return false;
	if (now - at > max)
		return false;
	return a->older_than <= 0 || now - at <= a->older_than;
}

int
store_default_path(char *buf, size_t n, struct diag *d)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int len;

	/* The XDG base directory rules ignore a relative XDG_CACHE_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		len = snprintf(buf, n, "%s/listscrub/results.sqlite", xdg);
	else if (home != NULL && home[0] != '\0')
		len = snprintf(buf, n, "%s/.cache/listscrub/results.sqlite",
		    home);
	else {
		diag_set(d, DIAG_USAGE, "no place for the result store: "
		    "neither XDG_CACHE_HOME nor HOME is set (give --cache "
		    "FILE)");
		return -1;
	}
	if (len < 0 || (size_t)len >= n) {
		diag_set(d, DIAG_USAGE, "the result store's default path is "
		    "too long (give --cache FILE)");
		return -1;
	}
	return 0;
}

/* store_mkdirs - create the missing directories above path, mode 0700. */
static int
store_mkdirs(const char *path, struct diag *d)
{
	char *dir = xstrdup(path);
	int rc = 0;

	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) == 0)
			(void)chmod(dir, 0700);	/* whatever the umask took */
		else if (errno != EEXIST) {
			diag_set(d, DIAG_OUTPUT, "cannot create the directory "
			    "%s for the result store: %s", dir,
			    strerror(errno));
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * store_lock - the exclusive flock on PATH.lock, waiting up to wait_ms.
 * A separate file, because SQLite's own locks on the database are fcntl
 * locks, which flock emulations (NFS) would confuse; it also holds the
 * holder's pid for the message.
 */
static int
store_lock(struct store *s, unsigned wait_ms, struct diag *d)
{
	size_t n = strlen(s->path) + sizeof(".lock");
	char *lp = xmalloc(n), pidbuf[32];
	struct timespec start, t;
	long waited;
	ssize_t got;
	int fd;

	snprintf(lp, n, "%s.lock", s->path);
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		diag_set(d, DIAG_OUTPUT, "cannot create the lock file %s: %s",
		    lp, strerror(errno));
		free(lp);
		return -1;
	}
	free(lp);
	(void)fchmod(fd, 0600);	/* whatever the umask took away */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			diag_set(d, DIAG_OUTPUT, "cannot lock %s.lock: %s",
			    s->path, strerror(errno));
			close(fd);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (t.tv_sec - start.tv_sec) * 1000 +
		    (t.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= (long)wait_ms) {
			long pid = 0;

			got = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
			pidbuf[got > 0 ? got : 0] = '\0';
			for (const unsigned char *p = (unsigned char *)pidbuf;
			    ascii_isdigit(*p) && pid < 100000000; p++)
				pid = pid * 10 + (*p - '0');
			if (pid > 0)
				diag_set(d, DIAG_INPUT, "%s is in use by "
				    "another listscrub (pid %ld)", s->path,
				    pid);
			else
				diag_set(d, DIAG_INPUT, "%s is in use by "
				    "another listscrub", s->path);
			close(fd);
			return -1;
		}
		t.tv_sec = 0;
		t.tv_nsec = STORE_LOCK_POLL_MS * 1000000L;
		nanosleep(&t, NULL);
	}
	/* What the last user left there (store_seal), then ours: say who
	 * holds it (best effort, only for the message). */
	got = pread(fd, s->left, sizeof(s->left) - 1, 0);
	s->left[got > 0 ? got : 0] = '\0';
	snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pidbuf, strlen(pidbuf), 0);
	s->lock_fd = fd;
	return 0;
}

/*
 * store_precheck - create the file (0600, whatever the umask) or look at
 * its first bytes before SQLite does: a file that is not an SQLite
 * database, or is another program's, is never handed to SQLite, which
 * could write to it.
 */
static int
store_precheck(struct store *s, struct diag *d)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char head[100];
	struct stat st;
	ssize_t got;
	uint32_t app;
	int fd;

	fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		if (fchmod(fd, 0600) != 0) {
			diag_set(d, DIAG_OUTPUT, "cannot set the mode of %s: "
			    "%s", s->path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	if (errno != EEXIST ||
	    (fd = open(s->path, O_RDWR | O_CLOEXEC)) == -1) {
		if (errno == EISDIR) {
			diag_set(d, DIAG_INPUT, "%s is not a listscrub result "
			    "store (not a regular file)", s->path);
			return -1;
		}
		diag_set(d, errno == ENOENT ? DIAG_OUTPUT : DIAG_INPUT,
		    "cannot open the result store %s: %s", s->path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_set(d, DIAG_INPUT, "%s is not a listscrub result store "
		    "(not a regular file)", s->path);
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		/* An empty file is a new store: it will hold addresses. */
		(void)fchmod(fd, 0600);
		close(fd);
		return 0;
	}
	got = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (got < 0) {
		diag_set(d, DIAG_INPUT, "cannot read %s: %s", s->path,
		    strerror(errno));
		return -1;
	}
	if ((size_t)got < sizeof(magic) || memcmp(head, magic,
	    sizeof(magic)) != 0) {
		diag_set(d, DIAG_INPUT, "%s is not a listscrub result store "
		    "(not an SQLite database)", s->path);
		return -1;
	}
	/*
	 * The application id at offset 68 (big-endian). 0 may still become
	 * ours in the WAL file: store_identify decides then.
	 */
	if ((size_t)got >= 72) {
		app = (uint32_t)head[68] << 24 | (uint32_t)head[69] << 16 |
		    (uint32_t)head[70] << 8 | head[71];
		if (app != 0 && app != STORE_APPLICATION_ID) {
			diag_set(d, DIAG_INPUT, "%s is not a listscrub "
			    "result store (another program's SQLite "
			    "database)", s->path);
			return -1;
		}
	}
	return 0;
}

/*
 * store_sqlerr - d from an SQLite failure, in words about the file. A
 * failure that ended the open transaction says how much was lost.
 */
static int
store_sqlerr(struct store *s, int rc, const char *what, struct diag *d)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int sys = s->db ? sqlite3_system_errno(s->db) : 0;
	char lost[96] = "";

	if (s->in_tx && s->db != NULL && sqlite3_get_autocommit(s->db)) {
		if (s->pending > 0)
			snprintf(lost, sizeof(lost), " (the last %zu results, "
			    "not yet committed, are lost)", s->pending);
		s->in_tx = false;
		s->pending = 0;
	}
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
		diag_set(d, DIAG_INPUT, "the result store %s is corrupt "
		    "(%s: %s): move it away and a new one is made%s", s->path,
		    what, msg, lost);
		break;
	case SQLITE_NOTADB:
		diag_set(d, DIAG_INPUT, "%s is not a listscrub result store "
		    "(not an SQLite database)%s", s->path, lost);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		diag_set(d, DIAG_INPUT, "%s is busy: another program has it "
		    "open (%s)%s", s->path, what, lost);
		break;
	case SQLITE_FULL:
		diag_set(d, DIAG_OUTPUT, "cannot write the result store %s: "
		    "the disk is full%s", s->path, lost);
		break;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		diag_set(d, DIAG_OUTPUT, "cannot %s the result store %s: "
		    "%s%s%s%s", what, s->path, msg, sys ? ": " : "",
		    sys ? strerror(sys) : "", lost);
		break;
	default:
		diag_set(d, DIAG_INTERNAL, "result store %s: %s: %s%s",
		    s->path, what, msg, lost);
		break;
	}
	return -1;
}

/* store_int - the one integer a pragma or query gives. */
static int
store_int(struct store *s, const char *sql, int64_t *v, struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "read", d);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, rc, "read", d);
	return 0;
}

/* store_exec - run sql (no results wanted). */
static int
store_exec(struct store *s, const char *sql, const char *what,
    struct diag *d)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(s, rc, what, d);
}

/*
 * store_identify - whether the database is ours, and its version: 0 for
 * a new one (no tables, no application id).
 */
static int
store_identify(struct store *s, int64_t *version, struct diag *d)
{
	int64_t app, tables;

	if (store_int(s, "PRAGMA application_id", &app, d) != 0 ||
	    store_int(s, "PRAGMA user_version", version, d) != 0 ||
	    store_int(s, "SELECT count(*) FROM sqlite_schema", &tables,
	    d) != 0)
		return -1;
	if (app == 0 && tables == 0 && *version == 0)
		return 0;
	if (app != STORE_APPLICATION_ID) {
		diag_set(d, DIAG_INPUT, "%s is not a listscrub result store "
		    "(another program's SQLite database)", s->path);
		return -1;
	}
	if (*version > STORE_VERSION) {
		diag_set(d, DIAG_INPUT, "%s was made by a newer listscrub "
		    "(store version %lld; this one knows up to %d): use that "
		    "version or another --cache", s->path, (long long)*version,
		    STORE_VERSION);
		return -1;
	}
	return 0;
}

/* store_quick_check - PRAGMA quick_check must say exactly "ok". */
static int
store_quick_check(struct store *s, struct diag *d)
{
	sqlite3_stmt *st;
	const char *res;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, "check", d);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_sqlerr(s, rc, "check", d);
	}
	res = store_col_text(st, 0);
	if (res == NULL || strcmp(res, "ok") != 0) {
		char why[200];

		/* One line: the answer may span several. */
		snprintf(why, sizeof(why), "%s", res ? res : "no answer");
		for (char *p = why; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		diag_set(d, DIAG_INPUT, "the result store %s is corrupt "
		    "(%s): move it away and a new one is made", s->path, why);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * store_wal - WAL mode; with synchronous=NORMAL a commit survives the
 * process, not a power cut (store.h). Refused where SQLite cannot have
 * it rather than silently slower.
 */
static int
store_wal(struct store *s, struct diag *d)
{
	sqlite3_stmt *st;
	const char *mode;
	bool wal;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, "open", d);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_sqlerr(s, rc, "open", d);
	}
	mode = store_col_text(st, 0);
	wal = mode != NULL && strcmp(mode, "wal") == 0;
	sqlite3_finalize(st);
	if (!wal) {
		diag_set(d, DIAG_OUTPUT, "cannot use the result store %s: "
		    "its file system does not allow SQLite's WAL mode",
		    s->path);
		return -1;
	}
	return 0;
}

/* store_migrate - bring a version-from store to STORE_VERSION, atomically. */
static int
store_migrate(struct store *s, int64_t from, struct diag *d)
{
	char sql[160];

	if (from == STORE_VERSION)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", "update", d) != 0)
		return -1;
	for (int64_t v = from; v < STORE_VERSION; v++)
		if (store_exec(s, migrations[v], "update", d) != 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; "
	    "PRAGMA user_version = %d", STORE_APPLICATION_ID, STORE_VERSION);
	if (store_exec(s, sql, "update", d) != 0)
		goto fail;
	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO meta VALUES "
	    "('created_by', 'listscrub %s'); INSERT OR REPLACE INTO meta "
	    "VALUES ('schema_by', 'listscrub %s')", PACKAGE_VERSION,
	    PACKAGE_VERSION);
	if (store_exec(s, sql, "update", d) != 0 ||
	    store_exec(s, "COMMIT", "update", d) != 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct store *
store_open(const char *path, bool create, unsigned wait_ms, struct diag *d)
{
	struct store *s;
	char *sqlpath;
	int64_t version = 0;
	size_t n;
	bool sealed;
	int rc;

	if (path == NULL || path[0] == '\0') {
		diag_set(d, DIAG_USAGE, "the result store's path is empty");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->lock_fd = -1;
	if ((create && store_mkdirs(path, d) != 0) ||
	    store_lock(s, wait_ms, d) != 0 || store_precheck(s, d) != 0)
		goto fail;
	/* before SQLite opens it (a read makes the WAL file) */
	sealed = store_checked(s, (int64_t)time(NULL));
	/* "./" keeps a relative name like "file:x" from being a URI. */
	n = strlen(path) + 3;
	sqlpath = xmalloc(n);
	snprintf(sqlpath, n, "%s%s", path[0] == '/' ? "" : "./", path);
	rc = sqlite3_open_v2(sqlpath, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	free(sqlpath);
	if (rc != SQLITE_OK) {
		store_sqlerr(s, rc, "open", d);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, wait_ms < 1000 ? 1000 : wait_ms > INT_MAX ?
	    INT_MAX : (int)wait_ms);
	/*
	 * The flock makes us the store's one user: SQLite may keep its own
	 * locks for the whole run instead of taking and dropping them around
	 * every read (two fcntl calls and an fstat per lookup), and, set
	 * before the first access, keeps the WAL index in memory, not in a
	 * -shm file. Other programs (the sqlite3 CLI) wait for the run.
	 */
	if (store_exec(s, "PRAGMA locking_mode = EXCLUSIVE", "open", d) != 0 ||
	    store_identify(s, &version, d) != 0)
		goto fail;
	if (version > 0 && !sealed) {
		if (store_quick_check(s, d) != 0)
			goto fail;
		s->checked_at = (int64_t)time(NULL);
	} else if (version == 0)
		s->checked_at = (int64_t)time(NULL);	/* new: nothing to check */
	if (store_wal(s, d) != 0 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL", "open", d) != 0 ||
	    store_exec(s, "PRAGMA cache_size = " STORE_CACHE_KIB, "open", d) !=
	    0 ||
	    store_migrate(s, version, d) != 0)
		goto fail;
	for (int i = 0; i < ST_HOT_LAST; i++)
		if (store_stmt(s, (enum store_stmt)i, d) == NULL)
			goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->in_tx)
		(void)store_commit(s, NULL);
	for (int i = 0; i < ST_LAST; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL && sqlite3_close(s->db) == SQLITE_OK)
		store_seal(s);
	else if (s->db != NULL)
		sqlite3_close_v2(s->db);
	/* The lock goes last: nobody may open the file while we write it. */
	if (s->lock_fd != -1)
		close(s->lock_fd);
	for (int i = 0; i < SLOT_LAST; i++)
		free(s->slot[i]);
	free(s->path);
	free(s);
}

/*
 * store_seal - after a clean close, note in the lock file the database's
 * size and modification time and when quick_check last passed: the next
 * open skips quick_check while the file is exactly as we left it, for
 * at most STORE_CHECK_EVERY (store_checked). Best effort: without the
 * note the next open checks.
 */
static void
store_seal(struct store *s)
{
	char buf[160], wal[4096];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	if (s->lock_fd == -1 || s->checked_at == 0 ||
	    stat(s->path, &st) != 0 || access(wal, F_OK) == 0)
		return;
	snprintf(buf, sizeof(buf), "%ld\nclean %lld %lld %ld %lld\n",
	    (long)getpid(), (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	    st.st_mtim.tv_nsec, (long long)s->checked_at);
	if (ftruncate(s->lock_fd, 0) == 0)
		(void)!pwrite(s->lock_fd, buf, strlen(buf), 0);
}

/*
 * store_checked - whether quick_check may be skipped: the last user
 * closed the store cleanly, nothing has touched the file since (size,
 * modification time, no WAL left), and the last check passed less than
 * STORE_CHECK_EVERY ago. A check costs about 3 ms per MB of store.
 */
static bool
store_checked(struct store *s, int64_t now)
{
	long long size, sec, at;
	long nsec;
	char wal[4096];
	const char *p = strchr(s->left, '\n');
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	if (p == NULL || sscanf(p + 1, "clean %lld %lld %ld %lld", &size, &sec,
	    &nsec, &at) != 4 || stat(s->path, &st) != 0 ||
	    access(wal, F_OK) == 0)
		return false;
	if (st.st_size != size || st.st_mtim.tv_sec != sec ||
	    st.st_mtim.tv_nsec != nsec || at > now || now - at >
	    STORE_CHECK_EVERY)
		return false;
	s->checked_at = at;
	return true;
}

int
store_commit(struct store *s, struct diag *d)
{
	sqlite3_stmt *st;

	if (!s->in_tx)
		return 0;
	if ((st = store_stmt(s, ST_COMMIT, d)) == NULL)
		return -1;
	if (store_step_done(s, st, "commit to", d) != 0) {
		/* A failed COMMIT may leave the transaction open: end it. */
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_tx = false;
		s->pending = 0;
		return -1;
	}
	s->in_tx = false;
	s->pending = 0;
	return 0;
}

size_t
store_pending(const struct store *s)
{
	return s->pending;
}

/* store_stmt - the prepared statement id, prepared on first use. */
static sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt id, struct diag *d)
{
	int rc;

	if (s->st[id] != NULL)
		return s->st[id];
	rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL);
	if (rc != SQLITE_OK) {
		store_sqlerr(s, rc, "read", d);
		return NULL;
	}
	return s->st[id];
}

/* store_set_key - s->key is key with its ASCII letters lower-cased. */
static int
store_set_key(struct store *s, const char *key, size_t len, struct diag *d)
{
	if (len == 0 || len > STORE_KEY_MAX || memchr(key, '\0', len)) {
		diag_set(d, DIAG_INTERNAL, "result store %s: a key must be "
		    "1 to %d bytes without NUL", s->path, STORE_KEY_MAX);
		return -1;
	}
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	ascii_lower(s->key, len);
	s->key_len = len;
	return 0;
}

/*
 * store_put_begin - join the open transaction, or open one. Gets join it
 * too: a lookup outside a transaction costs SQLite a lock check (an
 * fstat) each; inside one it costs none, and the next store_commit ends
 * it.
 */
static int
store_put_begin(struct store *s, struct diag *d)
{
	sqlite3_stmt *st;

	if (s->in_tx)
		return 0;
	if ((st = store_stmt(s, ST_BEGIN, d)) == NULL ||
	    store_step_done(s, st, "write to", d) != 0)
		return -1;
	s->in_tx = true;
	return 0;
}

/* store_put_end - count the put; commit every STORE_BATCH. */
static int
store_put_end(struct store *s, struct diag *d)
{
	if (++s->pending >= STORE_BATCH)
		return store_commit(s, d);
	return 0;
}

/* store_step_done - run a statement that returns no rows; reset it. */
static int
store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
    struct diag *d)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, what, d);
	return 0;
}

/* store_bind_text - v, or NULL for NULL. */
static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* store_col_text - column i as a C string, NULL for NULL. */
static const char *
store_col_text(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st, i);
}

/* store_keep - a copy of column i in slot k (NULL for NULL). */
static const char *
store_keep(struct store *s, enum store_slot k, sqlite3_stmt *st, int i)
{
	const char *v = store_col_text(st, i);
	size_t n;

	if (v == NULL)
		return NULL;
	n = (size_t)sqlite3_column_bytes(st, i) + 1;
	if (n > s->slot_cap[k]) {
		s->slot[k] = xreallocarray(s->slot[k], n, 1);
		s->slot_cap[k] = n;
	}
	memcpy(s->slot[k], v, n);
	return s->slot[k];
}

/* store_tri_name - how an enum probe_tri is stored. */
static const char *
store_tri_name(uint8_t t)
{
	return t == PROBE_TRI_YES ? "yes" : t == PROBE_TRI_NO ? "no" : NULL;
}

/* store_tri_parse - a stored probe_tri; anything else is UNSET. */
static uint8_t
store_tri_parse(const char *v)
{
	if (v != NULL && strcmp(v, "yes") == 0)
		return PROBE_TRI_YES;
	if (v != NULL && strcmp(v, "no") == 0)
		return PROBE_TRI_NO;
	return PROBE_TRI_UNSET;
}

/*
 * store_read_address - the row at st, columns from c on, into a; the text
 * copied into the store when copy. A name this program does not know
 * means that part is not stored.
 */
static void
store_read_address(struct store *s, sqlite3_stmt *st, int c,
    struct store_address *a, bool copy)
{
	const char *v;
	int64_t code;

	memset(a, 0, sizeof(*a));
	a->smtp.sub = SUB_LAST;
	a->last_status = STATUS_LAST;
	a->last_sub = SUB_LAST;
	if ((v = store_col_text(st, c)) != NULL &&
	    (a->smtp.sub = verdict_sub_parse(v, strlen(v))) != SUB_LAST) {
		code = sqlite3_column_int64(st, c + 1);
		a->smtp.code = code > 0 && code < 1000 ? (uint16_t)code : 0;
		if ((v = store_col_text(st, c + 2)) != NULL &&
		    strlen(v) < sizeof(a->smtp.enhanced))
			memcpy(a->smtp.enhanced, v, strlen(v) + 1);
		a->smtp.text = copy ? store_keep(s, SLOT_TEXT, st, c + 3) :
		    store_col_text(st, c + 3);
		a->smtp.tls = store_tri_parse(store_col_text(st, c + 4));
		a->smtp.catch_all = store_tri_parse(store_col_text(st, c + 5));
		a->smtp_at = sqlite3_column_int64(st, c + 6);
	}
	if ((v = store_col_text(st, c + 7)) != NULL)
		a->last_status = verdict_status_parse(v, strlen(v));
	if ((v = store_col_text(st, c + 8)) != NULL)
		a->last_sub = verdict_sub_parse(v, strlen(v));
	if (a->last_status == STATUS_LAST || a->last_sub == SUB_LAST) {
		a->last_status = STATUS_LAST;
		a->last_sub = SUB_LAST;
	} else
		a->last_at = sqlite3_column_int64(st, c + 9);
}

/* store_read_domain - as store_read_address, for a domain row. */
static void
store_read_domain(struct store *s, sqlite3_stmt *st, int c,
    struct store_domain *dom, bool copy)
{
	const char *v;

	memset(dom, 0, sizeof(*dom));
	dom->dns = EVDNS_NONE;
	if ((v = store_col_text(st, c)) != NULL &&
	    (dom->dns = store_dns_parse(v)) != EVDNS_NONE) {
		if (copy) {
			dom->mx = store_keep(s, SLOT_MX, st, c + 1);
			dom->detail = store_keep(s, SLOT_DETAIL, st, c + 2);
			dom->hosts = store_keep(s, SLOT_HOSTS, st, c + 3);
		} else {
			dom->mx = store_col_text(st, c + 1);
			dom->detail = store_col_text(st, c + 2);
			dom->hosts = store_col_text(st, c + 3);
		}
		dom->dns_at = sqlite3_column_int64(st, c + 4);
	}
	dom->catch_all = store_tri_parse(store_col_text(st, c + 5));
	if (dom->catch_all != PROBE_TRI_UNSET)
		dom->catch_at = sqlite3_column_int64(st, c + 6);
}

int
store_get_address(struct store *s, const char *addr, size_t len,
    struct store_address *out, struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (store_set_key(s, addr, len, d) != 0 ||
	    store_put_begin(s, d) != 0 ||
	    (st = store_stmt(s, ST_GET_ADDR, d)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_read_address(s, st, 0, out, true);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(s, rc, "read", d);
}

int
store_put_smtp(struct store *s, const char *addr, size_t len,
    const struct probe_result *r, int64_t at, struct diag *d)
{
	sqlite3_stmt *st;

	if (r->sub >= SUB_LAST) {
		diag_set(d, DIAG_INTERNAL, "result store %s: no SMTP answer "
		    "to store", s->path);
		return -1;
	}
	if (store_set_key(s, addr, len, d) != 0 ||
	    (st = store_stmt(s, ST_PUT_SMTP, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	store_bind_text(st, 2, verdict_sub_name((enum verdict_sub)r->sub));
	if (r->code != 0)
		sqlite3_bind_int(st, 3, r->code);
	if (memchr(r->enhanced, '\0', sizeof(r->enhanced)) != NULL &&
	    r->enhanced[0] != '\0')
		store_bind_text(st, 4, r->enhanced);
	store_bind_text(st, 5, r->text);
	store_bind_text(st, 6, store_tri_name(r->tls));
	store_bind_text(st, 7, store_tri_name(r->catch_all));
	sqlite3_bind_int64(st, 8, at);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	return store_put_end(s, d);
}

int
store_put_last(struct store *s, const char *addr, size_t len,
    enum verdict_status status, enum verdict_sub sub, int64_t at,
    struct diag *d)
{
	sqlite3_stmt *st;

	if (status >= STATUS_LAST || sub >= SUB_LAST) {
		diag_set(d, DIAG_INTERNAL, "result store %s: no verdict to "
		    "store", s->path);
		return -1;
	}
	if (store_set_key(s, addr, len, d) != 0 ||
	    (st = store_stmt(s, ST_PUT_LAST, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	store_bind_text(st, 2, verdict_status_name(status));
	store_bind_text(st, 3, verdict_sub_name(sub));
	sqlite3_bind_int64(st, 4, at);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	return store_put_end(s, d);
}

int
store_get_domain(struct store *s, const char *name, struct store_domain *out,
    struct diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (store_set_key(s, name, strlen(name), d) != 0 ||
	    store_put_begin(s, d) != 0 ||
	    (st = store_stmt(s, ST_GET_DOM, d)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_read_domain(s, st, 0, out, true);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(s, rc, "read", d);
}

int
store_put_dns(struct store *s, const char *name, enum evidence_dns dns,
    const char *mx, const char *detail, const char *hosts, int64_t at,
    struct diag *d)
{
	sqlite3_stmt *st;

	if (dns == EVDNS_NONE || (int)dns < 0 || (int)dns >= DNS_NAMES) {
		diag_set(d, DIAG_INTERNAL, "result store %s: no DNS answer "
		    "to store", s->path);
		return -1;
	}
	if (store_set_key(s, name, strlen(name), d) != 0 ||
	    (st = store_stmt(s, ST_PUT_DNS, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	store_bind_text(st, 2, store_dns_name(dns));
	store_bind_text(st, 3, mx);
	store_bind_text(st, 4, detail);
	store_bind_text(st, 5, hosts);
	sqlite3_bind_int64(st, 6, at);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	return store_put_end(s, d);
}

int
store_put_catch_all(struct store *s, const char *name, uint8_t catch_all,
    int64_t at, struct diag *d)
{
	sqlite3_stmt *st;

	if (catch_all != PROBE_TRI_YES && catch_all != PROBE_TRI_NO) {
		diag_set(d, DIAG_INTERNAL, "result store %s: no catch-all "
		    "result to store", s->path);
		return -1;
	}
	if (store_set_key(s, name, strlen(name), d) != 0 ||
	    (st = store_stmt(s, ST_PUT_CATCH, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	store_bind_text(st, 2, store_tri_name(catch_all));
	sqlite3_bind_int64(st, 3, at);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	return store_put_end(s, d);
}

int
store_count_addresses(struct store *s, uint64_t *n, struct diag *d)
{
	int64_t v = 0;

	if (store_put_begin(s, d) != 0 ||
	    store_int(s, "SELECT count(*) FROM address", &v, d) != 0)
		return -1;
	*n = v > 0 ? (uint64_t)v : 0;
	return 0;
}

int
store_each_address(struct store *s, store_address_cb cb, void *arg,
    struct diag *d)
{
	struct store_address a;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(s, ST_EACH_ADDR, d)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_read_address(s, st, 1, &a, false);
		if (cb(arg, store_col_text(st, 0), &a, d) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "read", d);
}

int
store_each_domain(struct store *s, store_domain_cb cb, void *arg,
    struct diag *d)
{
	struct store_domain dom;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(s, ST_EACH_DOM, d)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_read_domain(s, st, 1, &dom, false);
		if (cb(arg, store_col_text(st, 0), &dom, d) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "read", d);
}

int
store_drop(struct store *s, enum store_part part, const char *key,
    size_t len, struct diag *d)
{
	static const enum store_stmt drop[STORE_PART_LAST] = {
		ST_DROP_SMTP, ST_DROP_VERDICT, ST_DROP_DNS, ST_DROP_CATCH
	};
	sqlite3_stmt *st, *empty;
	int deleted;

	if (part >= STORE_PART_LAST) {
		diag_set(d, DIAG_INTERNAL, "result store %s: no such part",
		    s->path);
		return -1;
	}
	if (store_set_key(s, key, len, d) != 0 ||
	    (st = store_stmt(s, drop[part], d)) == NULL ||
	    (empty = store_stmt(s, part <= STORE_PART_VERDICT ?
	    ST_EMPTY_ADDR : ST_EMPTY_DOM, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	sqlite3_bind_text(empty, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	if (store_step_done(s, empty, "write to", d) != 0)
		return -1;
	deleted = sqlite3_changes(s->db) > 0;
	return store_put_end(s, d) != 0 ? -1 : deleted;
}

int
store_forget_address(struct store *s, const char *addr, size_t len,
    struct diag *d)
{
	sqlite3_stmt *st;
	int found;

	if (store_set_key(s, addr, len, d) != 0 ||
	    (st = store_stmt(s, ST_FORGET_ADDR, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	found = sqlite3_changes(s->db) > 0;
	return store_put_end(s, d) != 0 ? -1 : found;
}

int
store_forget_domain(struct store *s, const char *name, uint64_t *addrs,
    bool *row, struct diag *d)
{
	sqlite3_stmt *st, *dom;

	if (store_set_key(s, name, strlen(name), d) != 0 ||
	    (st = store_stmt(s, ST_FORGET_DOM_ADDRS, d)) == NULL ||
	    (dom = store_stmt(s, ST_FORGET_DOM, d)) == NULL ||
	    store_put_begin(s, d) != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	if (store_step_done(s, st, "write to", d) != 0)
		return -1;
	*addrs = (uint64_t)sqlite3_changes64(s->db);
	sqlite3_bind_text(dom, 1, s->key, (int)s->key_len, SQLITE_STATIC);
	if (store_step_done(s, dom, "write to", d) != 0)
		return -1;
	*row = sqlite3_changes(s->db) > 0;
	return store_put_end(s, d);
}

int
store_vacuum(struct store *s, struct diag *d)
{
	if (store_commit(s, d) != 0)
		return -1;
	return store_exec(s, "VACUUM", "compact", d);
}
