#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "address/addr_check.h"
#include "util/ascii.h"
#include "util/bgjob.h"
#include "util/buf.h"
#include "verdict/classify.h"
#include "csv/email_column.h"
#include "csv/csvread.h"
#include "csv/csvwrite.h"
#include "csv/encoding.h"
#include "csv/infile.h"
#include "address/dedupe.h"
#include "dns/dnsstage.h"
#include "dns/domains.h"
#include "util/evloop.h"
#include "dns/mailhosts.h"
#include "dns/providers.h"
#include "probe/probe_sched.h"
#include "smtp/socks5.h"
#include "probe/probe_targets.h"
#include "verdict/smtp_classify.h"
#include "address/listcheck.h"
#include "util/progress.h"
#include "csv/row_copy.h"
#include "csv/row_write.h"
#include "util/interrupt.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "outset.h"
#include "rowflow.h"
#include "recall.h"
#include "report/report.h"
#include "shard.h"

#define PREFETCH_ROWS 8		/* how far ahead pipeline_prefetch looks */
#define SNIFF_ROWS 200		/* rows read ahead to find the email column */
/* the most addresses the dedupe table is sized for ahead (pipeline_reserve) */
#define RESERVE_MAX (1024 * 1024)
#define SNIFF_MAX_FIELDS 4096	/* wider rows are read ahead unmasked */
/*
 * The appended columns start after the widest row, but at most this many
 * cells right of the first row's: one damaged line of 100,000 cells must
 * not add 100,000 empty cells to every row (validator/README,
 * "Spreadsheet outputs").
 */
#define ALIGN_MAX_EXTRA 64

/*
 * What an offline pass can learn only at its end, and a second pass then
 * knows from the start (validator/README, "Spreadsheet outputs").
 */
struct pass_hint {
	time_t now;		/* the run's start, the same for both */
	size_t width;		/* the widest row; 0: not known */
	int utf8;		/* the input is UTF-8: 1, 0, -1 not known */
	bool warned;		/* the not-UTF-8 warning was given */
	bool again;		/* set by a pass that must be done again */
};

/* Where the run is, for the message of an interrupted run. */
enum run_stage { STAGE_READ, STAGE_DNS, STAGE_SMTP, STAGE_WRITE };

/* The data tables and the domains table on them, read on a thread. */
struct lists_load {
	const char *dir;
	struct listcheck *lists;
	struct domains *domains;
};

struct run {
	const struct options *o;
	struct report *rep;
	struct listcheck *lists;
	struct providers *providers;	/* lists/providers.tsv */
	struct addr_checker *addr;
	struct addr_result ar;
	struct dedupe *dedupe;
	struct domains *domains;
	struct lists_load lload;	/* lists and domains, read aside */
	struct bgjob *lists_job;	/* reading them; NULL: done or not */
	uint32_t *dom_of;	/* addr_result.domain_id -> domains id */
	size_t dom_cap;
	struct outset *out;
	/* reads, checks and writes the rows of pass 2 (offline: the pass) */
	struct rowflow *flow;
	bool ahead;		/* judging the rows read ahead: written at once */
	struct columns cols;	/* the appended columns */
	struct row_write_ctx wctx;
	size_t maxw;		/* the widest row read (a malformed one is 1) */
	size_t hdr_width;	/* cells of the first row */
	struct classify_policy policy;
	struct buf suggest;	/* did-you-mean address */
	long column;
	uint64_t row;		/* data rows so far */
	/* network stages */
	struct evloop *loop;	/* the run's one event loop */
	struct mailhosts *hosts;	/* mail hosts, kept for the SMTP stage */
	struct probe_targets *probes;	/* --probe: unique addresses to ask */
	uint64_t row1;		/* data rows of pass 1 */
	enum run_stage stage;
	/* result store, re-scrubbed input */
	struct recall *mem;	/* NULL: no store */
	struct shard *shard;	/* --shard: what goes into the part */
	struct merge *merge;	/* listscrub merge: the parts' answers */
	int64_t now;		/* the run's start, Unix s */
	bool *own;		/* per input column: an earlier run's column */
	size_t nown;
	long prev_col;		/* the input's own status column, or -1 */
	int64_t at_shown;	/* the time in at_buf */
	char at_buf[32];
	/* the input's encoding, scanned during its first reading */
	struct encoding_scan scan;
	bool scanning;		/* the first reading is under way */
	struct pass_hint *hint;
	struct progress prog;	/* the progress line of every stage */
	uint64_t input_bytes;	/* the input's size; 0: unknown */
};

static const char *pipeline_lists_dir(const struct options *o);
static int pipeline_proxy_for_check(const struct options *o,
    const struct providers *p, struct diag *d);
static int pipeline_pick(struct run *r, struct csvread *in,
    struct row_copy *ahead, size_t *nahead, bool *header, struct diag *d);
static int pipeline_check(struct run *r, const struct csvrow *row,
    struct addr_result *ar, struct diag *d);
static int pipeline_prepare(void *arg, const struct csvrow *row,
    struct addr_result *ar, struct diag *d);
static void pipeline_prefetch(struct run *r, const struct addr_result *ar);
static void pipeline_guess(struct run *r, const struct csvrow *row);
static int pipeline_cpus(void);
static int pipeline_lists_load(void *arg, struct diag *d);
static int pipeline_lists(struct run *r, struct diag *d);
static void pipeline_reserve(struct run *r, const struct row_copy *ahead,
    size_t nahead);
static int pipeline_row(struct run *r, const struct csvrow *row,
    const struct addr_result *ar,
    struct diag *d);
static uint32_t pipeline_domain(struct run *r, const struct addr_result *ar);
static int pipeline_dns(struct run *r, FILE *f, struct diag *d);
static int pipeline_collect(struct run *r, const struct csvrow *row,
    struct diag *d);
static int pipeline_probe(struct run *r, struct diag *d);
static FILE *pipeline_spool(FILE *in, const char *name, struct diag *d);
static int pipeline_input(const struct options *o, FILE **fp,
    const struct stat *st, bool *f_is_input, struct diag *d);
static void pipeline_replace(FILE **fp, FILE *next);
static void pipeline_scan(struct run *r, const struct csvrow *row);
static void pipeline_scan_done(struct run *r);
static enum outset_file pipeline_route(const struct run *r,
    enum verdict_action a);
static int pipeline_scrub(const struct options *o, struct report *rep,
    FILE *f, const struct stat *st, bool f_is_input, struct pass_hint *h,
    struct diag *d);
static void pipeline_width(struct run *r, const struct csvrow *row);
static size_t pipeline_align(const struct run *r);
static bool pipeline_is_index(const char *s, long *out);
static int pipeline_interrupted(const struct run *r, struct diag *d);
static int pipeline_same_input(const struct run *r, FILE *f,
    const struct stat *was, struct diag *d);
static void pipeline_columns(const struct csvrow *h, char *buf, size_t n);
static void pipeline_own(struct run *r, const struct csvrow *h);
static size_t *pipeline_mask(const struct run *r, const struct csvrow *row,
    size_t *buf, size_t n);
static int pipeline_changes(struct run *r, const struct csvrow *row,
    const struct verdict *v, uint32_t aid, bool first,
    struct row_write_cols *k, struct diag *d);
static const char *pipeline_checked_at(struct run *r, int64_t at);
static void pipeline_clock(const struct options *o, struct report *rep);
static int pipeline_shard_done(struct run *r, struct diag *d);
static int pipeline_part_writable(const char *part, struct diag *d);

/*
 * pipeline_part_writable - a part that cannot be written is found before
 * the probing, not after it: a file is made beside it and removed.
 */
static int
pipeline_part_writable(const char *part, struct diag *d)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", part, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		diag_set(d, DIAG_OUTPUT, "--part %s: cannot write there: %s",
		    part, strerror(errno));
		return -1;
	}
	close(fd);
	(void)unlink(tmp);
	return 0;
}

/*
 * pipeline_clock - under --now every duration shown reads 0, so that the
 * outputs depend on the input and the answers only (validator/README,
 * "Shards and merge").
 */
static void
pipeline_clock(const struct options *o, struct report *rep)
{
	if (!o->now_set)
		return;
	rep->seconds = 0;
	rep->dns.seconds = 0;
	rep->smtp.seconds = 0;
}

/*
 * pipeline_shard_done - the end of a shard's run: its part file, and one
 * line on standard error saying what it holds.
 */
static int
pipeline_shard_done(struct run *r, struct diag *d)
{
	uint64_t ndom, naddr;

	if (shard_write(r->shard, r->domains, r->probes, r->mem, r->now,
	    r->rep->started_at, &r->rep->dns, &r->rep->smtp, d) != 0)
		return -1;
	if (recall_flush(r->mem, d) != 0)
		fprintf(stderr, "listscrub: warning: the result store %s was "
		    "not fully written: %s\n", recall_path(r->mem), d->msg);
	shard_owned(r->shard, &ndom, &naddr);
	if (!r->o->quiet)
		fprintf(stderr, "listscrub: shard %u of %u: %llu of %llu "
		    "domains owned, %llu addresses answered; part written to "
		    "%s\n", r->o->shard, r->o->shards,
		    (unsigned long long)ndom,
		    (unsigned long long)domains_count(r->domains),
		    (unsigned long long)naddr, r->o->part);
	return 0;
}

/*
 * pipeline_proxy_for_check - every --proxy-for names a provider of the
 * table p: checked once the table is read, before any lookup. 0, or -1
 * with d set (DIAG_USAGE, listing the names the table knows).
 */
static int
pipeline_proxy_for_check(const struct options *o, const struct providers *p,
    struct diag *d)
{
	for (size_t i = 0; i < o->nproxy_for; i++) {
		const char *want = o->proxy_for[i].provider;
		char known[400] = "";
		size_t k, n = providers_count(p), len = 0;

		for (k = 0; k < n; k++)
			if (strcmp(providers_at(p, k)->name, want) == 0)
				break;
		if (k < n)
			continue;
		for (k = 0; k < n && len < sizeof(known); k++)
			len += (size_t)snprintf(known + len, sizeof(known) - len,
			    "%s%s", k > 0 ? ", " : "", providers_at(p, k)->name);
		diag_set(d, DIAG_USAGE, "--proxy-for %s: no such provider in "
		    "%s/providers.tsv; it knows: %s", want,
		    pipeline_lists_dir(o), known);
		return -1;
	}
	return 0;
}

/* pipeline_lists_dir - where the data tables are: the option, or the default. */
static const char *
pipeline_lists_dir(const struct options *o)
{
	return o->lists_dir ? o->lists_dir : pipeline_lists_default();
}

const char *
pipeline_lists_default(void)
{
	const char *env = getenv("LISTSCRUB_LISTS");

	if (env && *env)
		return env;
	if (access(LISTSDIR "/role.txt", R_OK) == 0)
		return LISTSDIR;
	return SRCLISTSDIR;
}

/* pipeline_is_index - a 1-based column number? */
static bool
pipeline_is_index(const char *s, long *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (const char *p = s; *p; p++) {
		if (!ascii_isdigit((unsigned char)*p) || v > 100000)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < 1)
		return false;
	*out = v - 1;
	return true;
}

/* pipeline_columns - "a, b, c" from a header row, for error messages. */
static void
pipeline_columns(const struct csvrow *h, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; h && i < h->nfields && used + 8 < n; i++) {
		int w = snprintf(buf + used, n - used, "%s'%.*s'",
		    i ? ", " : "", (int)(h->field_len[i] > 40 ? 40 :
		    h->field_len[i]), h->field[i]);

		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

/*
 * pipeline_own - note the columns of header h that an earlier run of
 * listscrub appended (a cleaned file scrubbed again): they are replaced,
 * not appended twice, and their status is the previous one
 * (validator/README, "The result store").
 */
static void
pipeline_own(struct run *r, const struct csvrow *h)
{
	free(r->own);
	r->own = NULL;
	r->nown = 0;
	r->prev_col = -1;
	if (h->malformed || h->nfields == 0)
		return;
	r->own = xcalloc(h->nfields, sizeof(*r->own));
	r->nown = h->nfields;
	if (row_write_own_columns(h, r->o->prefix, r->own, &r->prev_col,
	    NULL) == 0) {
		free(r->own);
		r->own = NULL;
		r->nown = 0;
	}
}

/*
 * pipeline_mask - row's cell lengths with an earlier run's columns
 * emptied, so that the email column is never chosen among them (they
 * copy the address). buf holds n; NULL when nothing is masked.
 */
static size_t *
pipeline_mask(const struct run *r, const struct csvrow *row, size_t *buf,
    size_t n)
{
	if (r->own == NULL || row->malformed || row->nfields > n)
		return NULL;
	for (size_t i = 0; i < row->nfields; i++)
		buf[i] = i < r->nown && r->own[i] ? 0 : row->field_len[i];
	return buf;
}

/*
 * pipeline_pick - decide whether the first row is a header and which
 * column holds the addresses. Rows read ahead for that are left in ahead.
 */
static int
pipeline_pick(struct run *r, struct csvread *in, struct row_copy *ahead,
    size_t *nahead, bool *header, struct diag *d)
{
	const struct options *o = r->o;
	struct csvrow row;
	struct email_column *cp = NULL;
	const struct csvrow *first;
	char cols[400];
	int rc = -1, got, others = 0;
	double share;
	long idx = -1;
	size_t lens[SNIFF_MAX_FIELDS], *hl;

	*nahead = 0;
	got = csvread_next(in, &row, d);
	if (got < 0)
		return -1;
	if (got == 0) {
		diag_set(d, DIAG_INPUT, "%s: no rows", o->input);
		return -1;
	}
	row_copy_set(&ahead[(*nahead)++], &row);
	first = &ahead[0].row;
	if (first->malformed && !o->no_header) {
		diag_set(d, DIAG_INPUT, "%s:%lu: the header row cannot be read "
		    "as CSV: %s (use --no-header if the file has no header)",
		    o->input, first->line, first->why);
		return -1;
	}
	*header = !o->no_header;
	if (*header)
		pipeline_own(r, first);
	if (o->column && pipeline_is_index(o->column, &idx)) {
		r->rep->column_how = "option";
		if (!first->malformed && idx >= (long)first->nfields) {
			pipeline_columns(*header ? first : NULL, cols,
			    sizeof(cols));
			diag_set(d, DIAG_USAGE, "%s: no such column: %s (the "
			    "file has %zu columns%s%s)", o->input, o->column,
			    first->nfields, *header ? ": " : "", cols);
			return -1;
		}
		if (*header && !first->malformed &&
		    email_column_looks_like_email(first->field[idx],
		    first->field_len[idx]))
			*header = false;	/* data in row 1: no header */
	} else if (o->column) {
		if (o->no_header) {
			diag_set(d, DIAG_USAGE, "--column NAME needs a header "
			    "row; with --no-header give a column number");
			return -1;
		}
		for (size_t i = 0; i < first->nfields && idx < 0; i++) {
			const char *f = first->field[i];
			size_t fl = first->field_len[i];

			ascii_trim(&f, &fl);
			if (fl == strlen(o->column) &&
			    ascii_ncasecmp(f, o->column, fl) == 0)
				idx = (long)i;
		}
		if (idx < 0) {
			pipeline_columns(first, cols, sizeof(cols));
			diag_set(d, DIAG_USAGE, "%s: no column named '%s'; the "
			    "columns are: %s", o->input, o->column, cols);
			return -1;
		}
		r->rep->column_how = "option";
	} else if (*header && (idx = email_column_header(first->field,
	    (hl = pipeline_mask(r, first, lens, SNIFF_MAX_FIELDS)) ? hl :
	    first->field_len, first->nfields, &others)) >= 0) {
		r->rep->column_how = "header";
		r->rep->other_email_columns = others;
	} else if (*header && !first->malformed) {
		/* No name to go by: the cells decide, row 1 among them? */
		for (size_t i = 0; i < first->nfields; i++)
			if (email_column_looks_like_email(first->field[i],
			    first->field_len[i]))
				*header = false;
	}
	/*
	 * Read ahead: the cells of the first SNIFF_ROWS rows choose the
	 * column when no name does, and show when a named one holds no
	 * addresses (validator/README, "CSV facts").
	 */
	cp = email_column_new();
	if (!*header && !first->malformed)
		email_column_add(cp, first->field, first->field_len,
		    first->nfields);
	while (*nahead < SNIFF_ROWS) {
		if ((got = csvread_next(in, &row, d)) < 0)
			goto done;
		if (got == 0)
			break;
		row_copy_set(&ahead[(*nahead)++], &row);
		if (!row.malformed)
			email_column_add(cp, row.field, (hl = pipeline_mask(r,
			    &row, lens, SNIFF_MAX_FIELDS)) ? hl :
			    row.field_len, row.nfields);
	}
	if (idx < 0) {
		idx = email_column_best(cp, &share);
		if (idx < 0) {
			pipeline_columns(*header ? first : NULL, cols,
			    sizeof(cols));
			diag_set(d, DIAG_INPUT, "%s: no email column found%s%s "
			    "(name it with --column NAME or --column N)",
			    o->input, *header ? "; the columns are: " : "",
			    cols);
			goto done;
		}
		r->rep->column_how = "content";
		report_column_candidates(r->rep, cp, *header ? first : NULL);
	} else if (email_column_refuse(cp, (size_t)idx)) {
		email_column_refusal(cp, (size_t)idx, o->column == NULL,
		    o->input, *nahead - (*header ? 1 : 0),
		    *header ? first : NULL, d);
		goto done;
	}
	/* a column named by option is the user's choice: written, not
	 * replaced */
	if (r->own != NULL && (size_t)idx < r->nown && r->own[idx]) {
		r->own[idx] = false;
		if (r->prev_col == idx)
			r->prev_col = -1;
	}
	r->column = idx;
	r->rep->column = idx;
	r->rep->header = *header;
	if (*header && idx < (long)first->nfields)
		snprintf(r->rep->column_name, sizeof(r->rep->column_name),
		    "%.*s", (int)(first->field_len[idx] > 100 ? 100 :
		    first->field_len[idx]), first->field[idx]);
	rc = 0;
done:
	email_column_free(cp);
	return rc;
}

/*
 * pipeline_domain - the domains id of the current address; the checker's
 * domain id indexes a cache so most rows skip a second hash lookup.
 */
static uint32_t
pipeline_domain(struct run *r, const struct addr_result *ar)
{
	uint32_t did = ar->domain_id;
	const char *a = ar->norm.data;
	size_t at = ar->at;

	if (did >= r->dom_cap) {
		size_t cap = r->dom_cap ? r->dom_cap : 1024;

		while (cap <= did)
			cap *= 2;
		r->dom_of = xreallocarray(r->dom_of, cap, sizeof(*r->dom_of));
		memset(r->dom_of + r->dom_cap, 0xff,
		    (cap - r->dom_cap) * sizeof(*r->dom_of));
		r->dom_cap = cap;
	}
	if (r->dom_of[did] == UINT32_MAX)
		r->dom_of[did] = domains_id(r->domains, a + at + 1,
		    ar->norm.len - at - 1);
	return r->dom_of[did];
}

/*
 * pipeline_spool - copy a stream that cannot be read twice (standard
 * input, a pipe) into an anonymous temporary file, positioned at 0.
 */
static FILE *
pipeline_spool(FILE *in, const char *name, struct diag *d)
{
	FILE *t = tmpfile();
	char b[65536];
	size_t n;

	if (t == NULL) {
		diag_set(d, DIAG_INTERNAL, "cannot create a temporary file to "
		    "read %s twice: %s", name, strerror(errno));
		return NULL;
	}
	/* a read a signal interrupts (EINTR) ends the loop: a producer
	 * that keeps the pipe open must not keep us waiting */
	while ((n = fread(b, 1, sizeof(b), in)) > 0 && !ferror(in) &&
	    interrupt_signal() == 0)
		if (fwrite(b, 1, n, t) != n) {
			diag_set(d, DIAG_INTERNAL, "cannot copy %s to a "
			    "temporary file: %s", name, strerror(errno));
			fclose(t);
			return NULL;
		}
	if (interrupt_check("reading the input", d) != 0) {
		fclose(t);
		return NULL;
	}
	if (ferror(in)) {
		diag_set(d, DIAG_INPUT, "%s: read error: %s", name,
		    strerror(errno));
		fclose(t);
		return NULL;
	}
	if (fflush(t) != 0 || fseek(t, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_INTERNAL, "cannot rewind the copy of %s: %s",
		    name, strerror(errno));
		fclose(t);
		return NULL;
	}
	return t;
}

/* pipeline_replace - read next from now on; close *fp unless stdin. */
static void
pipeline_replace(FILE **fp, FILE *next)
{
	if (*fp != stdin)
		fclose(*fp);
	*fp = next;
}

/*
 * pipeline_input - make *fp what csvread reads (validator/README, "CSV
 * facts"): a rewindable copy of input that is not a regular file; a
 * workbook or archive refused; gzip decompressed; with --encoding, the
 * text converted to UTF-8. Each step reads *fp into a new temporary file
 * that replaces it (pipeline_replace); *f_is_input turns false then. On
 * failure -1 with d, and *fp is still open (the caller closes it).
 */
static int
pipeline_input(const struct options *o, FILE **fp, const struct stat *st,
    bool *f_is_input, struct diag *d)
{
	enum infile_kind k;
	FILE *next;

	if (!S_ISREG(st->st_mode)) {
		if ((next = pipeline_spool(*fp, o->input, d)) == NULL)
			return -1;
		pipeline_replace(fp, next);
		*f_is_input = false;
	}
	k = infile_sniff(*fp);
	if (infile_refuse(k, o->input, d) != 0)
		return -1;
	if (k == INFILE_GZIP) {
		if ((next = infile_gunzip(*fp, o->input, d)) == NULL)
			return -1;
		pipeline_replace(fp, next);
		*f_is_input = false;
	}
	if (o->encoding != NULL) {
		if ((next = encoding_to_utf8(*fp, o->encoding, o->input,
		    d)) == NULL)
			return -1;
		pipeline_replace(fp, next);
		*f_is_input = false;
	}
	return 0;
}

/*
 * pipeline_scan - during the input's first reading, every record's bytes
 * go through the UTF-8 scan.
 */
static void
pipeline_scan(struct run *r, const struct csvrow *row)
{
	if (r->scanning)
		encoding_scan_feed(&r->scan, row->raw, row->raw_len, row->line);
}

/*
 * pipeline_scan_done - the first reading is over: the encoding facts go
 * into the report, and input that is not UTF-8 gets one warning at file
 * level (not one per row), even under --quiet, as the run's other
 * warnings.
 */
static void
pipeline_scan_done(struct run *r)
{
	struct report *rep = r->rep;
	const char *g;
	struct buf b;

	if (!r->scanning)
		return;
	r->scanning = false;
	rep->utf8 = encoding_scan_utf8(&r->scan);
	if (rep->utf8)
		return;
	rep->encoding_guess = g = encoding_guess(&r->scan);
	rep->non_utf8_line = r->scan.first_line;
	if (r->hint->warned)
		return;		/* an offline pass done again */
	r->hint->warned = true;
	buf_init(&b, 4096);
	if (strcmp(r->o->input, "-") == 0)
		(void)buf_addstr(&b, "standard input");
	else
		(void)utf8_escape(r->o->input, strlen(r->o->input), &b);
	fprintf(stderr, "listscrub: warning: %s is not UTF-8 (first at line "
	    "%lu); it looks like %s. Its bytes pass through unchanged; to "
	    "convert, run again with --encoding %s\n", buf_str(&b),
	    rep->non_utf8_line, strcmp(g, "windows-1252") == 0 ?
	    "Windows-1252" : "ISO-8859-1 (Latin-1)", g);
	buf_free(&b);
}

/* pipeline_collect - pass 1 for one row: note its domain. */
static int
pipeline_collect(struct run *r, const struct csvrow *row, struct diag *d)
{
	uint64_t rowno = ++r->row1;	/* numbered as pass 2 will */
	uint32_t aid, dom;

	pipeline_width(r, row);
	if (row->malformed || r->column >= (long)row->nfields)
		return 0;
	if (addr_check(r->addr, row->field[r->column],
	    row->field_len[r->column], &r->ar) != 0) {
		diag_set(d, DIAG_INTERNAL, "%s:%lu: the IDN library failed",
		    r->o->input, row->line);
		return -1;
	}
	if (r->ar.status != ADDR_OK || r->ar.domain_id == UINT32_MAX)
		return 0;
	dom = pipeline_domain(r, &r->ar);
	if (r->probes != NULL) {
		/* Same row numbers as pass 2, so its dedupe answers match. */
		(void)dedupe_see_id(r->dedupe, r->ar.norm.data, r->ar.norm.len,
		    r->ar.at, rowno, &aid);
		probe_targets_add(r->probes, aid, r->ar.norm.data, r->ar.norm.len,
		    dom, (r->ar.flags & ADDR_F_SMTPUTF8) != 0);
	}
	return 0;
}

/* pipeline_probe - the SMTP stage, after DNS, on the same event loop. */
static int
pipeline_probe(struct run *r, struct diag *d)
{
	const struct options *o = r->o;
	struct probe_opts po = { 0 };
	struct socks5_proxy proxy;
	struct probe_proxy_for pf[OPTIONS_PROXY_FOR_MAX];
	struct smtp_phrases *ph;
	char path[4096];
	int rc = -1;

	memset(&proxy, 0, sizeof(proxy));
	memset(pf, 0, sizeof(pf));
	if (o->proxied) {
		/* Once per run; the sessions only copy its address. */
		proxy = o->proxy;
		if (socks5_proxy_resolve(&proxy, d) != 0)
			goto done;
		po.proxy = &proxy;
		snprintf(r->rep->smtp_proxy, sizeof(r->rep->smtp_proxy), "%s",
		    proxy.shown);
	}
	for (size_t i = 0; i < o->nproxy_for; i++) {
		size_t len = strlen(r->rep->smtp_proxy);

		pf[i] = o->proxy_for[i];
		if (socks5_proxy_resolve(&pf[i].proxy, d) != 0)
			goto done;
		/* the summary names each: "[URL, ]PROVIDER=URL, ..." */
		snprintf(r->rep->smtp_proxy + len, sizeof(r->rep->smtp_proxy) -
		    len, "%s%s=%s", len > 0 ? ", " : "", pf[i].provider,
		    pf[i].proxy.shown);
	}
	po.proxy_for = pf;
	po.nproxy_for = o->nproxy_for;
	snprintf(path, sizeof(path), "%s/smtp-phrases.tsv",
	    pipeline_lists_dir(o));
	if ((ph = smtp_phrases_load(path, d)) == NULL)
		goto done;
	po.helo = o->helo;
	po.mail_from = o->mail_from;
	po.port = o->smtp_port;
	po.tls = (enum smtp_tls)o->tls;
	po.tls_ca = o->tls_ca;
	po.rcpt_per_txn = o->rcpt_per_txn;
	po.rcpt_per_session = o->rcpt_per_conn;
	po.pipelining = o->pipelining;
	po.retry_delay_ms = o->retry_delay * 1000;
	po.retries = o->retries;
	po.per_host = o->per_host;
	po.host_rate = o->host_rate;
	po.max_connections = o->max_connections;
	po.connect_ms = o->connect_timeout * 1000;
	po.banner_ms = o->banner_timeout * 1000;
	po.command_ms = o->command_timeout * 1000;
	po.sources = &o->sources;
	po.progress = &r->prog;
	po.memory = recall_probe(r->mem, r->loop, r->probes, r->domains);
	rc = probe_run(r->loop, r->probes, r->domains, r->hosts, ph, &po,
	    &r->rep->smtp, d);
	if (rc == 0)
		r->rep->smtp_ran = true;
	smtp_phrases_free(ph);
done:
	memset(&proxy, 0, sizeof(proxy));	/* the credentials */
	memset(pf, 0, sizeof(pf));
	return rc;
}

/*
 * pipeline_dns - pass 1 and the DNS stage: read the whole input once to
 * collect its unique domains, look each up, and rewind f for pass 2
 * (two passes keep memory per unique domain, not per row: validator/README,
 * "Stages and passes").
 */
static int
pipeline_dns(struct run *r, FILE *f, struct diag *d)
{
	const struct options *o = r->o;
	struct csvread_opts co = { .delim = o->delim,
	    .max_record = o->max_record };
	struct dnsstage_opts dopts = { 0 };
	struct csvread *in;
	struct row_copy *ahead;
	struct csvrow row;
	size_t nahead = 0;
	bool header = false;
	int rc = -1, got = 0;

	if ((in = csvread_open(f, o->input, &co, d)) == NULL)
		return -1;
	progress_begin_bytes(&r->prog, "pass 1", "rows", r->input_bytes);
	ahead = xcalloc(SNIFF_ROWS, sizeof(*ahead));
	if (pipeline_pick(r, in, ahead, &nahead, &header, d) != 0)
		goto done;
	for (size_t i = 0; i < nahead; i++)
		pipeline_scan(r, &ahead[i].row);
	for (size_t i = header ? 1 : 0; i < nahead; i++)
		if (pipeline_collect(r, &ahead[i].row, d) != 0)
			goto done;
	progress_tick(&r->prog, r->row1, csvread_bytes(in));
	while ((got = csvread_next(in, &row, d)) == 1) {
		pipeline_scan(r, &row);
		if (pipeline_interrupted(r, d) != 0 ||
		    pipeline_collect(r, &row, d) != 0)
			goto done;
		progress_tick(&r->prog, r->row1, csvread_bytes(in));
	}
	progress_end(&r->prog);	/* before the encoding warning */
	if (got < 0 || pipeline_interrupted(r, d) != 0)
		goto done;
	pipeline_scan_done(r);

	dopts.servers = o->dns_servers;
	dopts.nservers = (size_t)o->ndns_servers;
	dopts.timeout_ms = o->dns_timeout_ms;
	dopts.tries = o->dns_tries;
	dopts.concurrency = o->dns_concurrency;
	dopts.allow_reserved = o->allow_reserved;
	/* --now: equal-preference mail hosts in the same order in every
	 * process, so a merge shows the one process's scrub_mx */
	dopts.tie_seed = o->now_set ? (uint64_t)o->now | 1 : 0;
	dopts.hosts = r->hosts;
	dopts.progress = &r->prog;
	if (r->probes != NULL && r->mem != NULL) {
		uint64_t got1 = recall_addresses(r->mem, r->probes, r->dedupe,
		    domains_count(r->domains), d);

		if (got1 == UINT64_MAX)
			goto done;
		r->rep->store.smtp_recalled = got1;
	}
	dopts.memory = recall_dns(r->mem, r->loop, r->domains);
	if (r->shard != NULL)
		dopts.memory = shard_dns_memory(r->shard, dopts.memory,
		    r->domains);
	if (r->merge != NULL) {
		/* every answer from the parts: no query at all */
		dopts.memory = merge_dns_memory(r->merge);
		dopts.no_lookup = true;
	}
	r->stage = STAGE_DNS;
	if (dnsstage_run(r->loop, r->domains, &dopts, &r->rep->dns, d) != 0)
		goto done;
	if (r->merge != NULL)
		merge_dns_stats(r->merge, &r->rep->dns);
	r->rep->dns_ran = true;
	domains_find_providers(r->domains, r->providers);
	r->rep->store.dns_recalled = r->rep->dns.recalled;
	r->rep->store.dns_asked = r->rep->dns.domains - r->rep->dns.recalled;
	r->stage = STAGE_SMTP;
	if (r->probes != NULL && r->merge != NULL) {
		if (merge_probe(r->merge, r->domains, r->providers, r->probes,
		    &r->rep->smtp, d) != 0)
			goto done;
		r->rep->smtp_ran = true;
	} else if (r->probes != NULL) {
		if (r->shard != NULL)
			shard_select(r->shard, r->probes);
		rc = pipeline_probe(r, d);
		if (r->shard != NULL)
			shard_unselect(r->shard, r->probes);
		if (rc != 0)
			goto done;
		rc = -1;
	}
	if (r->probes != NULL) {
		report_probe_answers(r->rep, r->probes);
		r->rep->store.smtp_asked = r->rep->smtp.addresses;
	}
	clearerr(f);
	if (fseek(f, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_INPUT, "%s: cannot read it a second time: %s",
		    o->input, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	progress_end(&r->prog);
	for (size_t i = 0; i < nahead; i++)
		row_copy_free(&ahead[i]);
	free(ahead);
	csvread_close(in);
	return rc;
}

/* pipeline_width - note how many cells row has, for the aligned columns. */
static void
pipeline_width(struct run *r, const struct csvrow *row)
{
	size_t w = row->malformed ? 1 : row->nfields;

	if (w > r->maxw)
		r->maxw = w;
}

/*
 * pipeline_align - the cells before the appended columns: the widest row
 * so far, within ALIGN_MAX_EXTRA of the first row, and past the email
 * column.
 */
static size_t
pipeline_align(const struct run *r)
{
	size_t w = r->maxw;

	if (w > r->hdr_width + ALIGN_MAX_EXTRA)
		w = r->hdr_width + ALIGN_MAX_EXTRA;
	if (w < r->hdr_width)
		w = r->hdr_width;
	if (w <= (size_t)r->column)
		w = (size_t)r->column + 1;
	return w;
}

/* pipeline_route - the file a row with action a goes to. */
static enum outset_file
pipeline_route(const struct run *r, enum verdict_action a)
{
	switch (a) {
	case ACTION_KEEP:
		return OUTSET_CLEANED;
	case ACTION_REMOVE:
		return OUTSET_REJECTED;
	case ACTION_REVIEW:
	case ACTION_RETRY_LATER:
	case ACTION_LAST:
		break;
	}
	if (r->o->review != NULL)
		return OUTSET_REVIEW;
	return r->o->policy == POLICY_STRICT ? OUTSET_REJECTED :
	    OUTSET_CLEANED;
}

/*
 * pipeline_checked_at - the scrub_checked_at of a row: the run's start, or
 * when the kept answer it was judged by was learned.
 */
static const char *
pipeline_checked_at(struct run *r, int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (at == 0)
		return r->rep->started_at;
	if (at != r->at_shown) {
		gmtime_r(&t, &tm);
		strftime(r->at_buf, sizeof(r->at_buf), "%Y-%m-%dT%H:%M:%SZ",
		    &tm);
		r->at_shown = at;
	}
	return r->at_buf;
}

/*
 * pipeline_changes - what changed for this row since the last scrub: its
 * previous status (the store's, for the first row of an address; else the
 * status column of a re-scrubbed input) into k, counted once per address
 * (validator/README, "The result store").
 */
static int
pipeline_changes(struct run *r, const struct csvrow *row,
    const struct verdict *v, uint32_t aid, bool first,
    struct row_write_cols *k, struct diag *d)
{
	struct report_changes *c = &r->rep->changes;
	enum verdict_status prev = STATUS_LAST;

	if (first && aid != UINT32_MAX && r->mem != NULL) {
		size_t len;
		const char *key = dedupe_key(r->dedupe, aid, &len);

		if (recall_previous(r->mem, aid, key, len, &prev, d) != 0)
			return -1;
		recall_final(r->mem, aid, v->status, v->sub);
	}
	if (prev == STATUS_LAST && r->prev_col >= 0 && !row->malformed &&
	    (size_t)r->prev_col < row->nfields) {
		const char *p = row->field[r->prev_col];
		size_t n = row->field_len[r->prev_col];

		ascii_trim(&p, &n);
		prev = verdict_status_parse(p, n);
	}
	k->previous_status = prev < STATUS_LAST ? verdict_status_name(prev) :
	    NULL;
	k->changed = prev < STATUS_LAST && prev != v->status;
	/* duplicates repeat their first row: counted once */
	if (prev == STATUS_LAST || v->sub == SUB_DUPLICATE)
		return 0;
	c->compared++;
	if (k->changed)
		c->changed++;
	if (prev != STATUS_INVALID && v->status == STATUS_INVALID) {
		c->went_bad++;
		c->went_bad_by_sub[v->sub]++;
	} else if (prev == STATUS_INVALID && v->status != STATUS_INVALID)
		c->recovered++;
	c->bad_then += prev == STATUS_INVALID;
	c->bad_now += v->status == STATUS_INVALID;
	return 0;
}

/*
 * pipeline_check - the address of a data row into ar: its cell in the
 * email column checked (nothing for a malformed row). On the reader's
 * thread while a flow runs (rowflow.h). 0, or -1 with d.
 */
static int
pipeline_check(struct run *r, const struct csvrow *row,
    struct addr_result *ar, struct diag *d)
{
	const char *cell = "";
	size_t len = 0;

	if (row->malformed) {
		buf_reset(&ar->norm);
		ar->status = ADDR_EMPTY;
		ar->domain_id = UINT32_MAX;
		return 0;
	}
	if (r->column < (long)row->nfields) {
		cell = row->field[r->column];
		len = row->field_len[r->column];
	}
	if (addr_check(r->addr, cell, len, ar) != 0) {
		diag_set(d, DIAG_INTERNAL, "%s:%lu: the IDN library failed",
		    r->o->input, row->line);
		return -1;
	}
	return 0;
}

/*
 * pipeline_prepare - a flow's reader: the address. The encoding scan is
 * the judging thread's (the reader has the more work of the two).
 */
static int
pipeline_prepare(void *arg, const struct csvrow *row, struct addr_result *ar,
    struct diag *d)
{
	return pipeline_check(arg, row, ar, d);
}

/*
 * pipeline_reserve - the dedupe table sized for the rows the file holds
 * (its size over the rows read ahead's), so that it does not grow and
 * rehash along the pass; an estimate, at most RESERVE_MAX.
 */
static void
pipeline_reserve(struct run *r, const struct row_copy *ahead, size_t nahead)
{
	uint64_t bytes = 0, rows;

	if (r->input_bytes == 0 || nahead == 0 || dedupe_count(r->dedupe) > 0)
		return;
	for (size_t i = 0; i < nahead; i++)
		bytes += ahead[i].row.raw_len + 1;
	rows = r->input_bytes / (bytes / nahead + 1);
	dedupe_reserve(r->dedupe, rows < RESERVE_MAX ? (size_t)rows :
	    RESERVE_MAX);
}

/* pipeline_lists_load - a bgjob: the data tables into a lists_load. */
static int
pipeline_lists_load(void *arg, struct diag *d)
{
	struct lists_load *l = arg;

	if ((l->lists = listcheck_load(l->dir, d)) == NULL)
		return -1;
	l->domains = domains_new(l->lists);
	return 0;
}

/*
 * pipeline_lists - the data tables (lists/) and the domains table that
 * uses them, into r: read here, or, when an offline pass started reading
 * them on a thread of their own at its start, waited for (validator/
 * README, "Offline speed").
 */
static int
pipeline_lists(struct run *r, struct diag *d)
{
	int rc;

	if (r->lists_job != NULL) {
		rc = bgjob_join(r->lists_job, d);
		r->lists_job = NULL;
	} else {
		r->lload.dir = pipeline_lists_dir(r->o);
		rc = pipeline_lists_load(&r->lload, d);
	}
	r->lists = r->lload.lists;
	r->domains = r->lload.domains;
	return rc;
}

/* pipeline_cpus - the CPUs this process may run on (1 if unknown). */
static int
pipeline_cpus(void)
{
	cpu_set_t set;

	/* the affinity mask, not the machine: a Slurm or container job
	 * given one CPU gets one thread */
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set);
}

/*
 * pipeline_prefetch - the dedupe slot and the domain facts of an address
 * judged a few rows later (rowflow_peek): they are cache misses, and the
 * memory loads while the rows before it are judged.
 */
static void
pipeline_prefetch(struct run *r, const struct addr_result *ar)
{
	if (ar == NULL || ar->status != ADDR_OK)
		return;
	dedupe_prefetch(r->dedupe, ar->norm.data, ar->norm.len);
	if (ar->domain_id < r->dom_cap)
		domains_prefetch(r->domains, r->dom_of[ar->domain_id]);
}

/*
 * pipeline_guess - on one thread: the dedupe slot of the row's cell as
 * typed (the key of a plain address) and the domain memo's slot start
 * loading before the cell is checked. (A flow's reader does not: there
 * the check follows at once, and the hint measured as nothing but its
 * cost.)
 */
static void
pipeline_guess(struct run *r, const struct csvrow *row)
{
	if (!row->malformed && r->column < (long)row->nfields) {
		dedupe_prefetch(r->dedupe, row->field[r->column],
		    row->field_len[r->column]);
		addr_checker_prefetch(r->addr, row->field[r->column],
		    row->field_len[r->column]);
	}
}

/*
 * pipeline_row - judge one data row, whose address pipeline_check put in
 * ar, and write it out: through the flow when one runs, else at once.
 */
static int
pipeline_row(struct run *r, const struct csvrow *row,
    const struct addr_result *ar, struct diag *d)
{
	struct evidence e = { 0 };
	struct verdict v;
	struct row_write_cols k = { 0 };
	struct report *rep = r->rep;
	const struct provider *pv = NULL;
	enum outset_file f;
	bool first_seen = false;
	uint32_t aid = UINT32_MAX, dom = UINT32_MAX;
	int64_t at = 0;

	k.row = ++r->row;
	k.checked = "";
	pipeline_width(r, row);
	if (row->malformed) {
		e.malformed = row->why;
		k.email = "";
		if (rep->by_sub[SUB_MALFORMED_ROW] < REPORT_MAX_LINES)
			rep->malformed_lines[rep->by_sub[SUB_MALFORMED_ROW]] =
			    row->line;
	} else {
		e.addr = ar;
		k.email = ar->norm.data ? ar->norm.data : "";
		k.email_len = ar->norm.len;
		if (ar->status != ADDR_EMPTY)
			k.checked = "syntax";
		if (ar->status == ADDR_OK) {
			const char *a = ar->norm.data;
			size_t at1 = ar->at, len2 = ar->norm.len;
			uint64_t first;

			e.role = listcheck_role(r->lists, a, at1);
			if (ar->domain_id != UINT32_MAX) {
				const struct domains *t = r->domains;

				dom = pipeline_domain(r, ar);

				domains_count_row(r->domains, dom);
				e.dns = domains_dns(t, dom);
				e.dns_detail = domains_dns_detail(t, dom);
				k.mx = domains_mx(t, dom);
				pv = domains_provider(t, dom);
				k.provider = pv ? pv->name : NULL;
				if (e.dns != EVDNS_NONE)
					k.checked = "dns";
				e.disposable = domains_disposable(t, dom);
				e.free_mail = domains_free_mail(t, dom);
				e.suggest = domains_suggest(t, dom);
			}
			first = dedupe_see_id(r->dedupe, a, len2, at1, k.row,
			    &aid);
			e.duplicate_of = first != k.row ? first : 0;
			first_seen = first == k.row;
			if (r->probes != NULL && first == k.row &&
			    aid < probe_targets_count(r->probes) &&
			    probe_targets_result(r->probes, aid)->sub != SUB_LAST) {
				e.smtp = probe_targets_result(r->probes, aid);
				k.smtp = e.smtp;
				k.checked = "smtp";
			}
			if (e.suggest) {
				buf_reset(&r->suggest);
				if (buf_append(&r->suggest, a, at1 + 1) == 0 &&
				    buf_addstr(&r->suggest, e.suggest) == 0)
					k.did_you_mean = r->suggest.data;
			}
		}
	}
	classify(&e, &v);
	classify_action(&r->policy, e.role, &v);
	if (dom != UINT32_MAX)
		domains_count_action(r->domains, dom, v.action);
	/* an answer kept from an earlier run shows when it was learned */
	if (e.smtp != NULL)
		at = recall_smtp_at(r->mem, aid);
	else if (e.dns != EVDNS_NONE && dom != UINT32_MAX)
		at = recall_dns_at(r->mem, dom);
	r->wctx.checked_at = pipeline_checked_at(r, at);
	if (r->wctx.changes && pipeline_changes(r, row, &v, aid, first_seen,
	    &k, d) != 0)
		return -1;
	k.v = &v;
	k.role = e.role;
	k.disposable = e.disposable;
	k.free_mail = e.free_mail;
	k.duplicate_of = e.duplicate_of;
	f = pipeline_route(r, v.action);
	if (r->flow != NULL && !r->ahead) {
		if (rowflow_emit(r->flow, f, &k, r->wctx.checked_at, d) != 0)
			return -1;
	} else {
		bool guarded;

		if (outset_row(r->out, f, &r->wctx, row, &k, &guarded, d) != 0)
			return -1;
		if (guarded)
			rep->guarded_rows++;
	}
	rep->rows++;
	rep->by_sub[v.sub]++;
	rep->by_status[v.status]++;
	rep->by_action[v.action]++;
	report_count_provider(rep, pv, v.status);
	if (f == OUTSET_CLEANED)
		rep->cleaned++;
	else if (f == OUTSET_REJECTED)
		rep->rejected++;
	else
		rep->review++;
	if (!row->malformed && row->nfields < r->hdr_width)
		rep->short_rows++;
	else if (!row->malformed && row->nfields > r->hdr_width) {
		if (rep->long_rows < REPORT_MAX_LINES)
			rep->long_lines[rep->long_rows] = row->line;
		rep->long_rows++;
	}
	return 0;
}

/*
 * pipeline_interrupted - 0 while no signal asked us to stop; else -1 with
 * d (DIAG_INTERRUPT) saying where the run was and how far it got.
 * Nothing has been written then: the outputs are still temporary files,
 * which the caller removes.
 */
static int
pipeline_interrupted(const struct run *r, struct diag *d)
{
	int sig = interrupt_signal();
	uint64_t got = 0, all = 0;

	if (sig == 0)
		return 0;
	switch (r->stage) {
	case STAGE_DNS:
		all = domains_count(r->domains);
		for (uint32_t i = 0; i < all; i++)
			got += domains_dns(r->domains, i) != EVDNS_NONE;
		diag_set(d, DIAG_INTERRUPT, "interrupted by %s during the DNS "
		    "stage (%llu of %llu domains looked up); nothing was "
		    "written", interrupt_name(sig), (unsigned long long)got,
		    (unsigned long long)all);
		break;
	case STAGE_SMTP:
		all = probe_targets_count(r->probes);
		for (uint32_t i = 0; i < all; i++)
			got += probe_targets_result(r->probes, i)->sub !=
			    SUB_LAST;
		diag_set(d, DIAG_INTERRUPT, "interrupted by %s during the SMTP "
		    "stage (%llu of %llu addresses answered); nothing was "
		    "written", interrupt_name(sig), (unsigned long long)got,
		    (unsigned long long)all);
		break;
	case STAGE_READ:
	case STAGE_WRITE:
		diag_set(d, DIAG_INTERRUPT, "interrupted by %s after %llu "
		    "rows; nothing was written", interrupt_name(sig),
		    (unsigned long long)(r->stage == STAGE_READ ? r->row1 :
		    r->row));
		break;
	}
	return -1;
}

/*
 * pipeline_same_input - pass 2 re-reads the input: if the file changed
 * since pass 1 began (size, modification time), rows would shift and be
 * judged by another row's findings. -1 with d then.
 */
static int
pipeline_same_input(const struct run *r, FILE *f, const struct stat *was,
    struct diag *d)
{
	struct stat now;

	if (fstat(fileno(f), &now) != 0)
		return 0;	/* nothing to compare: trust it */
	if (now.st_size == was->st_size &&
	    now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == was->st_mtim.tv_nsec)
		return 0;
	diag_set(d, DIAG_INPUT, "%s changed while listscrub was reading it; "
	    "nothing was written (scrub a copy that stays as it is)",
	    r->o->input);
	return -1;
}

/*
 * pipeline_scrub - one run over the open input f (at its start): the
 * stages, then every row judged and written. An offline pass that finds,
 * at its end, a row wider than the width it wrote with sets h->again and
 * h->width, writes nothing and returns -1: the caller rewinds f and runs
 * it again, now knowing (validator/README, "Spreadsheet outputs").
 */
static int
pipeline_scrub(const struct options *o, struct report *rep, FILE *f,
    const struct stat *st, bool f_is_input, struct pass_hint *h,
    struct diag *d)
{
	struct run r = { 0 };
	struct addr_opts ao = { .allow_reserved = o->allow_reserved };
	struct csvread_opts co = { 0 };
	struct csvread *in = NULL;
	struct row_copy *ahead = NULL;
	struct addr_result *aar = NULL;	/* the checked rows read ahead */
	struct csvrow row;
	const struct csvrow *rowp;
	const struct addr_result *arp;
	uint64_t at_byte;
	struct diag serr = { 0 };
	const struct csvread_info *ci;
	size_t nahead = 0;
	bool header = false, threads;
	double t0 = progress_now();
	struct tm tm;
	int rc = -1, got;

	r.o = o;
	r.rep = rep;
	r.column = -1;
	r.prev_col = -1;
	r.now = (int64_t)h->now;
	r.cols = o->cols;
	buf_init(&r.suggest, 1024);
	rep->input = o->input;
	rep->policy = verdict_policy_name(o->policy);
	rep->cleaned_path = o->cleaned;
	rep->rejected_path = o->rejected;
	rep->review_path = o->review;
	gmtime_r(&h->now, &tm);
	strftime(rep->started_at, sizeof(rep->started_at),
	    "%Y-%m-%dT%H:%M:%SZ", &tm);
	r.policy.policy = o->policy;
	r.policy.keep_subs = o->keep_subs;
	r.policy.remove_subs = o->remove_subs;

	rep->converted_from = o->encoding;
	encoding_scan_init(&r.scan);
	r.scanning = true;
	r.hint = h;
	progress_init(&r.prog, progress_mode_for(o->progress == PROGRESS_ON,
	    o->progress == PROGRESS_AUTO && !o->quiet, isatty(2)), stderr);
	r.input_bytes = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	if (!o->offline && pipeline_lists(&r, d) != 0)
		goto done;
	threads = !o->single_thread && pipeline_cpus() >= 2;
	if (o->offline && threads) {
		/* needed once the rows are judged; the reading goes on */
		r.lload.dir = pipeline_lists_dir(o);
		r.lists_job = bgjob_start(pipeline_lists_load, &r.lload);
	}
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/providers.tsv",
		    pipeline_lists_dir(o));
		if ((r.providers = providers_load(path, d)) == NULL ||
		    pipeline_proxy_for_check(o, r.providers, d) != 0)
			goto done;
	}
	if (o->shards > 0 || o->merge) {
		struct shard_input id;

		if (shard_input_id(f, o, &id, d) != 0)
			goto done;
		if (o->shards > 0)
			r.shard = shard_new(o, &id);
		else if ((r.merge = merge_open(o, &id, d)) == NULL)
			goto done;
	}
	if (recall_open(o, r.now, &r.mem, d) != 0)
		goto done;
	rep->store.on = r.mem != NULL;
	if (r.mem != NULL)
		snprintf(rep->store.path, sizeof(rep->store.path), "%s",
		    recall_path(r.mem));
	r.addr = addr_checker_new(&ao);
	addr_result_init(&r.ar);
	r.dedupe = dedupe_new();
	if (!o->offline) {
		r.loop = evloop_new();
		if (o->probe) {
			r.hosts = mailhosts_new();
			r.probes = probe_targets_new();
		}
		if (pipeline_dns(&r, f, d) != 0)
			goto done;
		if (f_is_input && pipeline_same_input(&r, f, st, d) != 0)
			goto done;
		h->width = r.maxw;	/* pass 1 saw every row */
	}
	if (r.shard != NULL) {
		/* a shard writes its part and nothing else */
		rc = pipeline_shard_done(&r, d);
		goto done;
	}
	co.delim = o->delim;
	co.max_record = o->max_record;
	r.stage = STAGE_WRITE;
	if ((in = csvread_open(f, o->input, &co, d)) == NULL)
		goto done;
	ci = csvread_info(in);
	rep->delim = ci->delim;
	rep->bom = ci->bom;
	rep->eol = ci->eol_in;
	ahead = xcalloc(SNIFF_ROWS, sizeof(*ahead));
	if (pipeline_pick(&r, in, ahead, &nahead, &header, d) != 0)
		goto done;

	r.wctx.memo = row_write_memo_new();
	r.wctx.guard = o->guard;
	r.wctx.delim = rep->delim;
	r.wctx.checked_at = rep->started_at;
	r.wctx.run_at = rep->started_at;
	r.wctx.prefix = o->prefix;
	r.wctx.skip = r.own;
	r.wctx.nskip = r.nown;
	r.wctx.changes = r.mem != NULL || r.prev_col >= 0;
	columns_finish(&r.cols, r.wctx.changes);
	r.wctx.cols = &r.cols;
	rep->changes.on = r.wctx.changes;
	r.hdr_width = ahead[0].row.malformed ? 1 : ahead[0].row.nfields;
	/* the appended columns start after the widest row: known from
	 * pass 1, or from an offline pass done before; else the rows read
	 * ahead, and a wider row later means a second pass */
	r.maxw = h->width;
	for (size_t i = 0; i < nahead; i++)
		pipeline_width(&r, &ahead[i].row);
	r.wctx.width = pipeline_align(&r);
	/*
	 * --excel's BOM says "UTF-8": never before bytes that are not
	 * (validator/README, "CSV facts"). Pass 1 scanned the file; an
	 * offline pass assumes UTF-8 and runs again when it was wrong. An
	 * input that had a BOM keeps it (mirrored, whatever follows).
	 */
	if (!o->offline)
		h->utf8 = rep->utf8 ? 1 : 0;
	if ((r.out = outset_open(o, ci->delim, o->excel ? "\r\n" : ci->eol,
	    ci->bom || (o->excel && h->utf8 != 0), ci->sep_line, d)) == NULL)
		goto done;
	if (outset_header(r.out, &r.wctx, header ? &ahead[0].row : NULL,
	    d) != 0)
		goto done;
	progress_begin_bytes(&r.prog, o->offline ? "offline pass" : "pass 2",
	    "rows", r.input_bytes);
	for (size_t i = 0; i < nahead; i++)
		pipeline_scan(&r, &ahead[i].row);	/* --offline */
	/* the rows read ahead are checked before the flow's reader starts
	 * to use the checker */
	aar = xcalloc(nahead, sizeof(*aar));
	for (size_t i = 0; i < nahead; i++)
		addr_result_init(&aar[i]);
	for (size_t i = header ? 1 : 0; i < nahead; i++) {
		pipeline_guess(&r, &ahead[i].row);
		if (pipeline_check(&r, &ahead[i].row, &aar[i], d) != 0)
			goto done;
	}
	at_byte = csvread_bytes(in);
	if (threads) {
		/* on three threads: read and checked, judged, written */
		if ((r.flow = rowflow_start(in, pipeline_prepare, &r, r.out,
		    &r.wctx, d)) == NULL)
			goto done;
	}
	/* once the flow's reader is on its way: the table is big */
	pipeline_reserve(&r, ahead, nahead);
	if (r.lists == NULL && pipeline_lists(&r, d) != 0)
		goto done;
	r.ahead = true;
	for (size_t i = header ? 1 : 0; i < nahead; i++)
		if (pipeline_row(&r, &ahead[i].row, &aar[i], d) != 0)
			goto done;
	r.ahead = false;
	progress_tick(&r.prog, r.row, at_byte);
	if (!threads) {
		while ((got = csvread_next(in, &row, d)) == 1) {
			pipeline_scan(&r, &row);
			pipeline_guess(&r, &row);
			if (pipeline_interrupted(&r, d) != 0 ||
			    pipeline_check(&r, &row, &r.ar, d) != 0 ||
			    pipeline_row(&r, &row, &r.ar, d) != 0)
				goto done;
			progress_tick(&r.prog, r.row, csvread_bytes(in));
		}
	} else {
		while ((got = rowflow_next(r.flow, &rowp, &arp, &at_byte,
		    d)) == 1) {
			pipeline_prefetch(&r, rowflow_peek(r.flow,
			    PREFETCH_ROWS));
			pipeline_scan(&r, rowp);
			if (pipeline_interrupted(&r, d) != 0 ||
			    pipeline_row(&r, rowp, arp, d) != 0)
				goto done;
			progress_tick(&r.prog, r.row, at_byte);
		}
	}
	progress_end(&r.prog);
	if (got < 0 || pipeline_interrupted(&r, d) != 0)
		goto done;
	if (r.flow != NULL) {
		struct rowflow *flow = r.flow;
		uint64_t guarded;

		r.flow = NULL;	/* freed by rowflow_finish, whatever it says */
		if (rowflow_finish(flow, &guarded, d) != 0)
			goto done;
		rep->guarded_rows += guarded;
	}
	pipeline_scan_done(&r);	/* --offline: the single pass */
	if (!o->offline && f_is_input && pipeline_same_input(&r, f, st,
	    d) != 0)
		goto done;
	if (pipeline_align(&r) > r.wctx.width && h->width == 0)
		h->again = true;	/* only an offline pass can get here */
	if (o->excel && !ci->bom && h->utf8 < 0 && !rep->utf8) {
		h->utf8 = 0;	/* the BOM went out before bytes that are not
				   UTF-8: offline only, too */
		h->again = true;
	}
	if (h->again) {
		h->width = r.maxw;
		diag_set(d, DIAG_INTERNAL, "the offline pass must be done "
		    "again");
		goto done;
	}
	rep->blank_lines = csvread_blank_lines(in);
	rep->unique_addresses = dedupe_count(r.dedupe);
	rep->unique_domains = domains_count(r.domains);
	report_top_domains(rep, r.domains);
	rep->seconds = progress_now() - t0;
	pipeline_clock(o, rep);
	if (!o->quiet)
		outset_warnings(r.out, stderr);
	rc = outset_commit(r.out, rep, d);
	r.out = NULL;
	if (rc == 0 && recall_commit(r.mem, r.dedupe, &serr) != 0)
		fprintf(stderr, "listscrub: warning: the result store %s was "
		    "not fully written: %s; the outputs are complete, but the "
		    "next run will ask again what this one learned\n",
		    recall_path(r.mem), serr.msg);
done:
	progress_end(&r.prog);	/* before the caller's message */
	/* a signal, or any failure: the old files stay, no temporary is left */
	if (rc != 0 && interrupt_signal() != 0)
		(void)pipeline_interrupted(&r, d);
	rowflow_abort(r.flow);	/* first: it reads the input, writes the outputs */
	outset_abort(r.out);
	rep->seconds = progress_now() - t0;
	for (size_t i = 0; ahead && i < nahead; i++)
		row_copy_free(&ahead[i]);
	free(ahead);
	for (size_t i = 0; aar && i < nahead; i++)
		addr_result_free(&aar[i]);
	free(aar);
	csvread_close(in);
	recall_close(r.mem);	/* before the loop its timer is on */
	free(r.own);
	if (r.lists_job != NULL)	/* a failure came first: its own report */
		(void)pipeline_lists(&r, NULL);
	domains_free(r.domains);
	free(r.dom_of);
	probe_targets_free(r.probes);
	shard_free(r.shard);
	merge_free(r.merge);
	mailhosts_free(r.hosts);
	evloop_free(r.loop);
	dedupe_free(r.dedupe);
	if (r.addr) {
		addr_result_free(&r.ar);
		addr_checker_free(r.addr);
	}
	listcheck_free(r.lists);
	providers_free(r.providers);
	buf_free(&r.suggest);
	row_write_memo_free(r.wctx.memo);
	return rc;
}

int
pipeline_run(const struct options *o, struct report *rep, struct diag *d)
{
	struct pass_hint h = { .now = o->now_set ? (time_t)o->now : time(NULL),
	    .utf8 = -1 };
	struct stat st = { 0 };
	FILE *f = NULL;
	bool f_is_input;
	double t0 = progress_now();
	int rc = -1;

	if (outset_check(o, d) != 0)
		return -1;
	if (strcmp(o->input, "-") == 0)
		f = stdin;
	else if ((f = fopen(o->input, "rb")) == NULL) {
		diag_set(d, DIAG_INPUT, "%s: cannot open: %s", o->input,
		    strerror(errno));
		return -1;
	}
	f_is_input = f != stdin;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_set(d, DIAG_INPUT, "%s: is a directory", o->input);
		goto done;
	}
	if (o->part != NULL) {
		struct stat ps;

		/* compared as files, not names: ./x/../in.csv, links, and
		 * a standard input redirected from the file */
		if (stat(o->part, &ps) == 0 && S_ISREG(st.st_mode) &&
		    ps.st_dev == st.st_dev && ps.st_ino == st.st_ino) {
			diag_set(d, DIAG_USAGE, "--part %s is the input file; "
			    "give the part another name", o->part);
			goto done;
		}
		if (pipeline_part_writable(o->part, d) != 0)
			goto done;
	}
	if (pipeline_input(o, &f, &st, &f_is_input, d) != 0)
		goto done;
	/* a temporary copy: its size is what the progress line counts */
	if (!f_is_input && fstat(fileno(f), &st) != 0)
		st.st_size = 0;
	rc = pipeline_scrub(o, rep, f, &st, f_is_input, &h, d);
	if (rc != 0 && h.again && interrupt_signal() == 0) {
		clearerr(f);
		if (fseek(f, 0, SEEK_SET) != 0) {
			diag_set(d, DIAG_INPUT, "%s: cannot read it a second "
			    "time: %s", o->input, strerror(errno));
			goto done;
		}
		report_init(rep);
		h.again = false;
		rc = pipeline_scrub(o, rep, f, &st, f_is_input, &h, d);
		rep->seconds = progress_now() - t0;
		pipeline_clock(o, rep);
	}
done:
	if (f && f != stdin)
		fclose(f);
	return rc;
}
