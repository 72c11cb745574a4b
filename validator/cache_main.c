/*
 * cache_main - the `listscrub cache` subcommand: stats, prune, forget and
 * export over the result store. The contract is in cache_main.h.
 */
#include "cache_main.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "address/addr_check.h"
#include "csv/csvwrite.h"
#include "store/store.h"
#include "store/store_admin.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/utf8.h"

#define CACHE_WAIT_MS	2000	/* a running scrub holds the store */

static const char usage[] =
    "usage: listscrub cache [--cache FILE] [--max-age CLASS=DURATION]... "
    "COMMAND\n"
    "Looks after the result store, where runs keep what they learned.\n"
    "\n"
    "Commands:\n"
    "  stats                   what the store holds, by class and age\n"
    "  prune                   drop what has expired, then compact the "
    "file\n"
    "  forget ADDRESS          drop everything about one address\n"
    "  forget --domain DOMAIN  drop a domain and every address at it\n"
    "  export FILE.csv         addresses to FILE.csv, domains to "
    "FILE.domains.csv\n"
    "\n"
    "Options:\n"
    "  --cache FILE            the store; default: $XDG_CACHE_HOME/"
    "listscrub/\n"
    "                          results.sqlite, or ~/.cache/listscrub/"
    "results.sqlite\n"
    "  --max-age CLASS=DURATION  stats and prune: how long answers of a "
    "class\n"
    "                          stay good; classes invalid (90d), valid "
    "(30d),\n"
    "                          catch_all (30d), temporary (6h), sender "
    "(0:\n"
    "                          never); durations Ns, Nm, Nh, Nd, Nw\n"
    "  -h, --help              this text\n";

/* What the command line asked for. */
struct cache_args {
	const char *path;	/* --cache, or NULL: the default */
	const char *domain;	/* forget --domain */
	bool max_age;		/* a --max-age was given */
	struct store_ages ages;
	const char *pos[3];	/* the command and its argument */
	int npos;
};

/* The two files of an export. */
struct cache_export {
	struct csvwrite *w;
};

static void cache_error(const char *msg);
static int cache_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int cache_parse(int argc, char **argv, struct cache_args *a);
static void cache_duration(int64_t secs, char *buf, size_t n);
static void cache_print_part(const char *title,
    const struct store_stats_part *p, const struct store_ages *ages);
static int cache_stats(struct store *s, const struct cache_args *a,
    int64_t now);
static int cache_prune(struct store *s, const struct cache_args *a,
    int64_t now);
static int cache_key(const char *arg, bool domain, struct buf *key);
static int cache_forget(struct store *s, const struct cache_args *a,
    const struct buf *key);
static int cache_row(void *arg, const char *const *cells, size_t n,
    struct diag *d);
static int cache_export(struct store *s, const char *path);

/* cache_error - one line on stderr, control bytes escaped. */
static void
cache_error(const char *msg)
{
	struct buf b;

	buf_init(&b, 4 * strlen(msg) + 16);
	(void)utf8_escape(msg, strlen(msg), &b);
	fprintf(stderr, "listscrub cache: %s\n", buf_str(&b));
	buf_free(&b);
}

/* cache_usage - a usage error and the usage; exit status 2. */
static int
cache_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cache_error(msg);
	fputs("usage: listscrub cache [--cache FILE] [--max-age "
	    "CLASS=DURATION]... stats|prune|\n"
	    "       forget ADDRESS|forget --domain DOMAIN|export FILE.csv "
	    "(--help says more)\n", stderr);
	return 2;
}

/*
 * cache_parse - the command line into a; options may come before or
 * after the command. 0 to go on, else the exit status (help: 0).
 */
static int
cache_parse(int argc, char **argv, struct cache_args *a)
{
	struct diag d = { DIAG_OK, "" };
	bool opts = true;

	memset(a, 0, sizeof(*a));
	store_ages_default(&a->ages);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;

		if (!opts || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos == 3)
				return cache_usage("too many arguments "
				    "('%s')", arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			opts = false;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(usage, stdout);
			return -1;
		}
		val = strchr(arg, '=');
		if (strncmp(arg, "--cache", 7) != 0 &&
		    strncmp(arg, "--max-age", 9) != 0 &&
		    strncmp(arg, "--domain", 8) != 0)
			return cache_usage("unknown option '%s'", arg);
		if (val != NULL)
			val++;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return cache_usage("%s needs a value", arg);
		if (strncmp(arg, "--cache", 7) == 0 && (arg[7] == '\0' ||
		    arg[7] == '='))
			a->path = val;
		else if (strncmp(arg, "--domain", 8) == 0 && (arg[8] == '\0' ||
		    arg[8] == '='))
			a->domain = val;
		else if (strncmp(arg, "--max-age", 9) == 0 && (arg[9] == '\0' ||
		    arg[9] == '=')) {
			if (store_ages_set(&a->ages, val, &d) != 0)
				return cache_usage("%s", d.msg);
			a->max_age = true;
		} else
			return cache_usage("unknown option '%s'", arg);
	}
	if (a->npos == 0)
		return cache_usage("%s", "no command (stats, prune, forget, "
		    "export)");
	if (strcmp(a->pos[0], "stats") != 0 &&
	    strcmp(a->pos[0], "prune") != 0 &&
	    strcmp(a->pos[0], "forget") != 0 &&
	    strcmp(a->pos[0], "export") != 0)
		return cache_usage("unknown command '%s' (stats, prune, "
		    "forget, export)", a->pos[0]);
	if (a->max_age && strcmp(a->pos[0], "stats") != 0 &&
	    strcmp(a->pos[0], "prune") != 0)
		return cache_usage("--max-age is for stats and prune, not "
		    "'%s'", a->pos[0]);
	if (a->domain != NULL && strcmp(a->pos[0], "forget") != 0)
		return cache_usage("--domain is for forget, not '%s'",
		    a->pos[0]);
	if (strcmp(a->pos[0], "forget") == 0) {
		if (a->domain == NULL && a->npos != 2)
			return cache_usage("%s", "forget needs one ADDRESS, "
			    "or --domain DOMAIN");
		if (a->domain != NULL && a->npos != 1)
			return cache_usage("%s", "forget takes an ADDRESS or "
			    "--domain DOMAIN, not both");
	} else if (strcmp(a->pos[0], "export") == 0) {
		if (a->npos != 2)
			return cache_usage("%s", "export needs one FILE.csv");
	} else if (a->npos != 1)
		return cache_usage("'%s' takes no argument", a->pos[0]);
	return 0;
}

/* cache_duration - seconds in the largest unit that divides them. */
static void
cache_duration(int64_t secs, char *buf, size_t n)
{
	if (secs <= 0)
		snprintf(buf, n, "never");
	else if (secs % 86400 == 0)
		snprintf(buf, n, "%" PRId64 "d", secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(buf, n, "%" PRId64 "h", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, n, "%" PRId64 "m", secs / 60);
	else
		snprintf(buf, n, "%" PRId64 "s", secs);
}

/* cache_print_part - one table of stats: classes by age bucket. */
static void
cache_print_part(const char *title, const struct store_stats_part *p,
    const struct store_ages *ages)
{
	char age[32];

	printf("\n%-15s %7s", title, "total");
	for (int b = 0; b < STORE_AGE_LAST; b++)
		printf(" %6s", store_age_name((enum store_age)b));
	printf(" %7s  %s\n", "expired", "max age");
	for (int c = 0; c < STORE_CLASS_LAST; c++) {
		cache_duration(ages->max_age[c], age, sizeof(age));
		printf("  %-13s %7" PRIu64,
		    store_class_name((enum store_class)c), p->by_class[c]);
		for (int b = 0; b < STORE_AGE_LAST; b++)
			printf(" %6" PRIu64, p->by_age[c][b]);
		printf(" %7" PRIu64 "  %s\n", p->expired[c], age);
	}
}

/* cache_stats - the stats command. */
static int
cache_stats(struct store *s, const struct cache_args *a, int64_t now)
{
	struct store_stats st;
	struct diag d = { DIAG_OK, "" };

	if (store_admin_stats(s, &a->ages, now, &st, &d) != 0) {
		cache_error(d.msg);
		return 1;
	}
	printf("result store: %s (%" PRIu64 " bytes)\n", store_path(s),
	    st.file_bytes);
	printf("addresses: %" PRIu64 " (SMTP answers %" PRIu64 ", last "
	    "verdicts %" PRIu64 ")\n", st.addresses, st.smtp.total,
	    st.verdicts);
	printf("domains: %" PRIu64 " (DNS answers %" PRIu64 ", catch-all "
	    "tests %" PRIu64 ")\n", st.domains, st.dns.total,
	    st.catch_all.total);
	cache_print_part("SMTP answers", &st.smtp, &a->ages);
	cache_print_part("DNS answers", &st.dns, &a->ages);
	cache_print_part("catch-all tests", &st.catch_all, &a->ages);
	printf("\nlast verdicts: %" PRIu64 ", %" PRIu64 " older than %dd "
	    "(prune drops them)\n", st.verdicts, st.verdicts_expired,
	    STORE_VERDICT_KEEP / 86400);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* cache_prune - the prune command. */
static int
cache_prune(struct store *s, const struct cache_args *a, int64_t now)
{
	struct store_prune p;
	struct diag d = { DIAG_OK, "" };

	if (store_admin_prune(s, &a->ages, now, &p, &d) != 0) {
		cache_error(d.msg);
		return 1;
	}
	printf("pruned %s: %" PRIu64 " addresses deleted, %" PRIu64
	    " trimmed; %" PRIu64 " domains deleted, %" PRIu64 " trimmed\n",
	    store_path(s), p.addresses_deleted, p.addresses_trimmed,
	    p.domains_deleted, p.domains_trimmed);
	return 0;
}

/*
 * cache_key - the address (or domain) as the pipeline gives it to the
 * store: through the same checker, so an IDN domain becomes its A-label.
 * Reserved names are allowed: a run with --allow-reserved stores them.
 * 0, or the exit status.
 */
static int
cache_key(const char *arg, bool domain, struct buf *key)
{
	struct addr_opts ao = { .allow_reserved = true };
	struct addr_checker *ck = addr_checker_new(&ao);
	struct addr_result r;
	struct buf cell;
	int rc = 0;

	addr_result_init(&r);
	buf_init(&cell, 4096);
	if ((domain && buf_addstr(&cell, "x@") != 0) ||
	    buf_addstr(&cell, arg) != 0) {
		rc = cache_usage("'%s' is too long", arg);
		goto done;
	}
	if (addr_check(ck, cell.data, cell.len, &r) != 0) {
		cache_error(r.detail);
		rc = 1;
		goto done;
	}
	if (r.status != ADDR_OK) {
		rc = cache_usage("'%s' is not %s: %s", arg, domain ?
		    "a domain" : "an address", r.detail);
		goto done;
	}
	if (domain)
		buf_addstr(key, buf_str(&r.norm) + r.at + 1);
	else
		buf_append(key, r.norm.data, r.norm.len);
	ascii_lower(key->data, key->len);	/* as the store keys it */
done:
	buf_free(&cell);
	addr_result_free(&r);
	addr_checker_free(ck);
	return rc;
}

/* cache_forget - forget ADDRESS, forget --domain DOMAIN (key: cache_key). */
static int
cache_forget(struct store *s, const struct cache_args *a,
    const struct buf *key)
{
	struct diag d = { DIAG_OK, "" };
	uint64_t n = 0;
	bool row = false;
	int found;

	if (a->domain != NULL) {
		if (store_forget_domain(s, buf_str(key), &n, &row, &d) != 0 ||
		    store_commit(s, &d) != 0) {
			cache_error(d.msg);
			return 1;
		}
		printf("%s: %" PRIu64 " addresses forgotten; %s\n",
		    buf_str(key), n, row ? "the domain's answers forgotten" :
		    "no domain answers were stored");
		return 0;
	}
	if ((found = store_forget_address(s, key->data, key->len, &d)) < 0 ||
	    store_commit(s, &d) != 0) {
		cache_error(d.msg);
		return 1;
	}
	printf(found ? "%s: forgotten\n" : "%s: was not in the result store\n",
	    buf_str(key));
	return 0;
}

/* cache_row - one export row, every cell guarded (CSV facts). */
static int
cache_row(void *arg, const char *const *cells, size_t n, struct diag *d)
{
	struct cache_export *e = arg;

	for (size_t i = 0; i < n; i++)
		if (csvwrite_cell(e->w, cells[i], strlen(cells[i]),
		    CSVWRITE_GUARD_STRICT) != 0)
			goto fail;
	if (csvwrite_end_row(e->w) == 0)
		return 0;
fail:
	diag_set(d, DIAG_OUTPUT, "cannot write %s: %s", csvwrite_path(e->w),
	    strerror(errno));
	return -1;
}

/*
 * cache_export - addresses to path, domains to path less ".csv" plus
 * ".domains.csv". Both finished before either is committed, so a failure
 * leaves neither; created 0600 (umask 077): they hold what the store
 * holds.
 */
static int
cache_export(struct store *s, const char *path)
{
	struct csvwrite_opts o = { ',', "\n", false };
	struct cache_export ea = { NULL }, ed = { NULL };
	struct diag d = { DIAG_OK, "" };
	struct buf dpath;
	size_t n = strlen(path);
	mode_t old;
	int rc = 1;

	buf_init(&dpath, PATH_MAX);
	if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		n -= 4;
	if (buf_append(&dpath, path, n) != 0 ||
	    buf_addstr(&dpath, ".domains.csv") != 0) {
		buf_free(&dpath);
		return cache_usage("'%s' is too long", path);
	}
	old = umask(077);
	ea.w = csvwrite_open(path, &o, &d);
	if (ea.w != NULL)
		ed.w = csvwrite_open(buf_str(&dpath), &o, &d);
	umask(old);
	if (ea.w == NULL || ed.w == NULL)
		goto done;
	if (store_admin_export_addresses(s, cache_row, &ea, &d) != 0 ||
	    store_admin_export_domains(s, cache_row, &ed, &d) != 0 ||
	    csvwrite_finish(ea.w, &d) != 0 || csvwrite_finish(ed.w, &d) != 0)
		goto done;
	printf("exported %" PRIu64 " addresses to %s and %" PRIu64
	    " domains to %s\n", csvwrite_rows(ea.w) - 1, path,
	    csvwrite_rows(ed.w) - 1, buf_str(&dpath));
	rc = csvwrite_commit(ea.w, &d);
	ea.w = NULL;
	if (rc == 0)
		rc = csvwrite_commit(ed.w, &d);
	else
		csvwrite_abort(ed.w);
	ed.w = NULL;
	rc = rc == 0 ? 0 : 1;
done:
	if (rc != 0)
		cache_error(d.msg);
	csvwrite_abort(ea.w);
	csvwrite_abort(ed.w);
	buf_free(&dpath);
	return rc;
}

int
cache_main(int argc, char **argv)
{
	struct cache_args a;
	struct diag d = { DIAG_OK, "" };
	struct store *s;
	struct stat sb;
	struct buf key;
	char def[PATH_MAX];
	const char *cmd;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if ((rc = cache_parse(argc, argv, &a)) != 0)
		return rc < 0 ? 0 : rc;
	cmd = a.pos[0];
	buf_init(&key, 4096);
	if (strcmp(cmd, "forget") == 0 && (rc = cache_key(a.domain ?
	    a.domain : a.pos[1], a.domain != NULL, &key)) != 0)
		goto done;
	rc = 1;
	if (a.path == NULL) {
		if (store_default_path(def, sizeof(def), &d) != 0) {
			cache_error(d.msg);
			rc = 2;
			goto done;
		}
		a.path = def;
	}
	/* These commands look after a store; they never make one. */
	if (stat(a.path, &sb) != 0) {
		snprintf(d.msg, sizeof(d.msg), "no result store at %s: %s",
		    a.path, strerror(errno));
		cache_error(d.msg);
		goto done;
	}
	if ((s = store_open(a.path, false, CACHE_WAIT_MS, &d)) == NULL) {
		cache_error(d.msg);
		goto done;
	}
	if (strcmp(cmd, "stats") == 0)
		rc = cache_stats(s, &a, now);
	else if (strcmp(cmd, "prune") == 0)
		rc = cache_prune(s, &a, now);
	else if (strcmp(cmd, "forget") == 0)
		rc = cache_forget(s, &a, &key);
	else
		rc = cache_export(s, a.pos[1]);
	if (store_commit(s, &d) != 0 && rc == 0) {
		cache_error(d.msg);
		rc = 1;
	}
	store_close(s);
done:
	buf_free(&key);
	return rc;
}
