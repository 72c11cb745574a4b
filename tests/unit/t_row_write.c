/*
 * t_row_write - the rows of an output file: the columns an earlier run
 * appended are left out of a re-scrubbed file (header and rows), padding
 * counts the kept columns so the appended ones line up, the previous
 * status and changed columns, the bytes unchanged without either,
 * row_write_own_columns on the headers people write, and the writer's
 * memo: the same bytes as without it, row after row of mixed kinds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slurp.h"
#include "tap.h"

#include "csv/csvread.h"
#include "csv/csvwrite.h"
#include "csv/row_write.h"

#define MAX_COLS 16
#define CHECKED_AT "2026-12-03T18:00:00Z"
/* The appended cells of data row N for the verdict fill() gives. */
#define APP(n) n ",a@x.test,valid,syntax_ok,keep,fine,,,,,," CHECKED_AT \
	",,,,,,,,"
#define NAMES "scrub_row,scrub_email,scrub_status,scrub_sub_status," \
	"scrub_action,scrub_reason,scrub_did_you_mean,scrub_role," \
	"scrub_disposable,scrub_free,scrub_checked,scrub_checked_at," \
	"scrub_duplicate_of,scrub_mx,scrub_catch_all,scrub_smtp_code," \
	"scrub_smtp_enhanced,scrub_smtp_response,scrub_tls,scrub_provider"

/* What one data row (by number, 1-based) says about its previous status. */
struct change {
	const char *previous;
	bool changed;
};

static char dir[4096];
static char *scrub(const char *in, const bool *skip, size_t nskip,
    bool changes, const struct change *ch, enum csvwrite_guard g,
    unsigned *guarded);
static size_t own(const char *hdr, const char *prefix, bool *skip,
    long *status, long *email);
static void unchanged(void);
static void skipped(void);
static void changes(void);
static void own_columns(void);
static void memo(void);

/*
 * scrub - read in (comma-separated, header first), write it as the
 * pipeline does: the header, then each row with the same verdict (and
 * ch[row - 1] with changes). The output's bytes; *guarded counts rows
 * (header included) with a neutralized original cell.
 */
static char *
scrub(const char *in, const bool *skip, size_t nskip, bool changes,
    const struct change *ch, enum csvwrite_guard g, unsigned *guarded)
{
	struct csvread_opts ro = { .delim = ',' };
	struct csvwrite_opts wo = { 0 };
	struct row_write_ctx c = { 0 };
	struct row_write_cols k = { 0 };
	struct verdict v = { 0 };
	struct diag d = { 0 };
	struct csvread *r;
	struct csvwrite *w;
	struct csvrow row;
	char path[8192];
	FILE *f;
	bool gu;
	int rc;

	*guarded = 0;
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	if ((f = fmemopen((void *)(uintptr_t)in, strlen(in), "r")) == NULL)
		return NULL;
	if ((r = csvread_open(f, "in.csv", &ro, &d)) == NULL ||
	    (w = csvwrite_open(path, &wo, &d)) == NULL) {
		diag("open: %s", d.msg);
		return NULL;
	}
	c.guard = g;
	c.delim = ',';
	c.checked_at = CHECKED_AT;
	c.prefix = "scrub_";
	c.skip = skip;
	c.nskip = nskip;
	c.changes = changes;
	v.sub = SUB_SYNTAX_OK;
	v.status = STATUS_VALID;
	v.action = ACTION_KEEP;
	v.reason = "fine";
	k.email = "a@x.test";
	k.email_len = strlen(k.email);
	k.v = &v;
	k.checked = "";
	if (csvread_next(r, &row, &d) != 1)
		return NULL;
	c.width = row.nfields;
	if (row_write_header(w, &c, &row, &gu) != 0)
		return NULL;
	*guarded += gu;
	while ((rc = csvread_next(r, &row, &d)) == 1) {
		k.row++;
		if (ch != NULL) {
			k.previous_status = ch[k.row - 1].previous;
			k.changed = ch[k.row - 1].changed;
		}
		if (row_write_row(w, &c, &row, &k, &gu) != 0)
			return NULL;
		*guarded += gu;
	}
	csvread_close(r);
	fclose(f);
	if (rc != 0 || csvwrite_commit(w, &d) != 0)
		return NULL;
	return slurp(path, NULL);
}

/* own - row_write_own_columns over the header line hdr. */
static size_t
own(const char *hdr, const char *prefix, bool *skip, long *status,
    long *email)
{
	struct csvread_opts ro = { .delim = ',' };
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	size_t n = (size_t)-1;
	FILE *f;

	if ((f = fmemopen((void *)(uintptr_t)hdr, strlen(hdr), "r")) == NULL)
		return n;
	if ((r = csvread_open(f, "hdr.csv", &ro, &d)) != NULL &&
	    csvread_next(r, &row, &d) == 1 && row.nfields <= MAX_COLS)
		n = row_write_own_columns(&row, prefix, skip, status, email);
	csvread_close(r);
	fclose(f);
	return n;
}

/* unchanged - no skip, no changes: the output of every earlier version. */
static void
unchanged(void)
{
	static const char in[] =
	    "name,email,note\n"
	    "Ann,ann@x.test,\"hi, there\"\n"
	    "Bob,bob@x.test\n"
	    "Cy,cy@x.test,n,extra\n"
	    "=cmd,dee@x.test,\"q\"\"x\"\n";
	static const bool none[3] = { false, false, false };
	char *got, *again;
	unsigned gu;

	got = scrub(in, NULL, 0, false, NULL, CSVWRITE_GUARD_STRICT, &gu);
	is_str(got,
	    "name,email,note," NAMES "\n"
	    "Ann,ann@x.test,\"hi, there\"," APP("1") "\n"
	    "Bob,bob@x.test,," APP("2") "\n"
	    "Cy,cy@x.test,n,extra," APP("3") "\n"
	    "'=cmd,dee@x.test,\"q\"\"x\"," APP("4") "\n",
	    "no skip, no changes: raw cells, padding, guard, as always");
	is_int(gu, 1, "no skip: one guarded row");
	again = scrub(in, none, 3, false, NULL, CSVWRITE_GUARD_STRICT, &gu);
	is_str(again, got, "a skip array of all false: the same bytes");
	free(got);
	free(again);
}

/* skipped - a re-scrubbed file: its earlier columns are left out. */
static void
skipped(void)
{
	/* Own columns at both ends and in the middle, to be general. */
	static const char in[] =
	    "name,scrub_row,email,SCRUB_STATUS ,note,scrub_tls\n"
	    "Ann,1,ann@x.test,valid,\"hi, there\",yes\n"
	    "Bob,2,bob@x.test\n"
	    "Cy,3\n"
	    "Dee,4,dee@x.test,valid,n,no,extra,\"x,y\"\n"
	    "=cmd,5,e@x.test,=bad,n,\n"
	    "Fay,6,f@x.test,=bad,n,\n"
	    "Gil,7,g@x.test,valid, \"n,1\",no\n"
	    "Hal,\"8\",h@x.test,valid,\"q\"\"x\",\"y\"\n";
	static const bool skip[6] = { false, true, false, true, false, true };
	char *got;
	unsigned gu;

	got = scrub(in, skip, 6, false, NULL, CSVWRITE_GUARD_STRICT, &gu);
	is_str(got,
	    "name,email,note," NAMES "\n"
	    "Ann,ann@x.test,\"hi, there\"," APP("1") "\n"
	    "Bob,bob@x.test,," APP("2") "\n"
	    "Cy,,," APP("3") "\n"
	    "Dee,dee@x.test,n,extra,\"x,y\"," APP("4") "\n"
	    "'=cmd,e@x.test,n," APP("5") "\n"
	    "Fay,f@x.test,n," APP("6") "\n"
	    "Gil,g@x.test,\"n,1\"," APP("7") "\n"
	    "Hal,h@x.test,\"q\"\"x\"," APP("8") "\n",
	    "skipped columns: gone from the header and every row; the user's "
	    "cells as they were; short rows padded to the 3 kept columns; a "
	    "long row keeps its extra cells");
	is_int(gu, 1, "only the row whose kept cell needed a guard counts");
	free(got);

	/* Every cell of a row skipped: it is one empty cell wide. */
	{
		static const bool s2[2] = { true, false };

		got = scrub("scrub_row,email\n1\n2,b@x.test\n", s2, 2, false,
		    NULL, CSVWRITE_GUARD_STRICT, &gu);
		is_str(got, "email," NAMES "\n," APP("1") "\nb@x.test,"
		    APP("2") "\n",
		    "a row of skipped cells only: one empty cell, aligned");
		free(got);
	}
	/* A malformed row is one raw cell, padded to the kept width. */
	{
		static const char bad[] = "name,scrub_row,email,note\n"
		    "Ann,1,\"a,n\n";
		static const bool s3[4] = { false, true, false, false };

		got = scrub(bad, s3, 4, false, NULL, CSVWRITE_GUARD_STRICT,
		    &gu);
		is_str(got, "name,email,note," NAMES "\n"
		    "\"Ann,1,\"\"a,n\",,," APP("1") "\n",
		    "a malformed row: its raw text as one cell, padded to the "
		    "3 kept columns");
		free(got);
	}
}

/* changes - the previous_status and changed columns. */
static void
changes(void)
{
	static const char in[] =
	    "name,email,scrub_status\n"
	    "Ann,ann@x.test,valid\n"
	    "Bob,bob@x.test,invalid\n"
	    "Cy,cy@x.test,\n"
	    "Dee,dee@x.test,=x\n"
	    "Eve,eve@x.test,valid\n";
	static const struct change ch[] = {
		{ "valid", false }, { "invalid", true }, { NULL, true },
		{ "=x", true }, { "", false },
	};
	static const bool skip[3] = { false, false, true };
	char *got;
	unsigned gu;

	got = scrub(in, skip, 3, true, ch, CSVWRITE_GUARD_AUTO, &gu);
	is_str(got,
	    "name,email," NAMES ",scrub_previous_status,scrub_changed\n"
	    "Ann,ann@x.test," APP("1") ",valid,false\n"
	    "Bob,bob@x.test," APP("2") ",invalid,true\n"
	    "Cy,cy@x.test," APP("3") ",,\n"
	    "Dee,dee@x.test," APP("4") ",'=x,true\n"
	    "Eve,eve@x.test," APP("5") ",,\n",
	    "changes: previous status (guarded) and true/false; both empty "
	    "without a previous status (NULL or \"\")");
	is_int(gu, 0, "changes: the appended cells do not count as guarded");
	free(got);
	got = scrub(in, skip, 3, false, ch, CSVWRITE_GUARD_AUTO, &gu);
	ok(got != NULL && strstr(got, "previous_status") == NULL &&
	    strstr(got, "," APP("2") "\n") != NULL,
	    "without ctx->changes: neither column, whatever cols says");
	free(got);
}

/* own_columns - which header cells are an earlier run's. */
static void
own_columns(void)
{
	static const struct {
		const char *hdr, *prefix;
		const char *marks;	/* one 0/1 per header cell */
		long status, email;
	} cases[] = {
		{ "name,email,scrub_row,scrub_status,scrub_email\n", "scrub_",
		    "00111", 3, 4 },
		{ " Scrub_Status ,SCRUB_EMAIL,scrub_previous_status,"
		    "scrub_changed\n", "scrub_", "1111", 0, 1 },
		{ "\tscrub_row\t,\"scrub_email\",\" scrub_tls \"\n", "scrub_",
		    "111", -1, 1 },
		{ "x_status,scrub_status,X_ROW,x_email\n", "x_", "1011", 0, 3 },
		{ "x_status,scrub_status\n", "scrub_", "01", 1, -1 },
		{ "name,email,status,row\n", "scrub_", "0000", -1, -1 },
		{ "scrub_statuses,scrub_,scrub_status2,my_scrub_status,"
		    "scrub status,scrub__status\n", "scrub_", "000000",
		    -1, -1 },
		{ "email,status,row\n", "", "000", -1, -1 },
		{ "scrub_status,a,scrub_email,scrub_status,scrub_email\n",
		    "scrub_", "10111", 3, 4 },
		{ "email\n", "scrub_", "0", -1, -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool skip[MAX_COLS];
		char got[MAX_COLS + 1] = "";
		size_t n, want = 0, m = strlen(cases[i].marks);
		long st = -2, em = -2;

		memset(skip, 1, sizeof(skip));
		n = own(cases[i].hdr, cases[i].prefix, skip, &st, &em);
		for (size_t j = 0; j < m; j++) {
			got[j] = skip[j] ? '1' : '0';
			want += cases[i].marks[j] == '1';
		}
		got[m] = '\0';
		is_str(got, cases[i].marks,
		    "own columns of '%.*s' (prefix '%s')",
		    (int)strcspn(cases[i].hdr, "\n"), cases[i].hdr,
		    cases[i].prefix);
		is_int(n, want, "... %zu marked", want);
		is_int(st, cases[i].status, "... status column %ld",
		    cases[i].status);
		is_int(em, cases[i].email, "... email column %ld",
		    cases[i].email);
	}
	{
		bool skip[2];

		ok(own("scrub_status,scrub_email\n", "scrub_", skip, NULL,
		    NULL) == 2, "status_col and email_col may be NULL");
	}
}

/*
 * memo_file - n rows of mixed kinds into path (delimiter delim), through
 * m (NULL: no memo); 0 or -1. Row i's kind comes from the bits of a
 * fixed pseudo-random sequence, so two calls write the same rows.
 */
static int
memo_file(const char *path, int delim, struct row_write_memo *m, int n)
{
	static const char *const reasons[] = { "fine", "Not, fine", "=odd" };
	static const char *const mxs[] = { NULL, "mx1.test", "mx,2.test",
	    "@mx3.test", "mx\"4.test" };
	static const char *const emails[] = { "a@x.test", "B@Y.test",
	    "=cmd@x.test", "\"a,b\"@x.test", "" };
	static const char *const prev[] = { NULL, "", "valid", "invalid" };
	static const char run_at[] = CHECKED_AT;
	char at[32];
	struct csvwrite_opts wo = { .delim = delim };
	struct row_write_ctx c = { 0 };
	struct row_write_cols k = { 0 };
	struct probe_result p = { .sub = SUB_MAILBOX_FULL, .code = 552,
	    .enhanced = "5.2.2", .text = "mailbox full, sorry",
	    .tls = PROBE_TRI_YES, .catch_all = PROBE_TRI_NO };
	struct csvrow row = { 0 };
	const char *field[2] = { "Ann", "x" };
	size_t flen[2] = { 3, 1 };
	struct verdict v = { 0 };
	struct diag d = { 0 };
	struct csvwrite *w;
	uint32_t x = 12345;
	bool gu;

	if ((w = csvwrite_open(path, &wo, &d)) == NULL)
		return -1;
	c.guard = CSVWRITE_GUARD_AUTO;
	c.delim = delim;
	c.run_at = run_at;
	c.prefix = "scrub_";
	c.changes = true;
	c.width = 2;
	c.memo = m;
	row.raw = "Ann,x";
	row.raw_len = 5;
	row.field = field;
	row.field_len = flen;
	row.nfields = 2;
	k.v = &v;
	for (int i = 0; i < n; i++) {
		uint32_t r;

		/* xorshift32; a few hundred kinds, so that kinds come back */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		r = x;
		v.status = (enum verdict_status)(r % 3);
		v.sub = v.status ? SUB_SYNTAX_OK : SUB_DISPOSABLE;
		v.action = v.status ? ACTION_KEEP : ACTION_REMOVE;
		v.flags_known = (r & 4) != 0;
		if ((r >> 24) % 11 == 0) {
			/* made for the row: the same buffer, other text */
			snprintf(v.reason_buf, sizeof(v.reason_buf),
			    "made for row %d", i);
			v.reason = v.reason_buf;
		} else
			v.reason = reasons[v.status];
		k.row = (uint64_t)i + 1;
		k.email = emails[(r >> 3) % 5];
		k.email_len = strlen(k.email);
		k.role = k.disposable = k.free_mail = (r & 8) != 0;
		k.checked = v.status ? "syntax" : "dns";
		k.mx = mxs[(r >> 4) % 5];
		k.provider = r & 128 ? "google" : NULL;
		k.did_you_mean = (r >> 20) % 13 == 0 ? "a@gmail.com" : NULL;
		k.duplicate_of = (r >> 8) % 7 == 0 ? (uint64_t)i : 0;
		k.smtp = (r >> 12) % 17 == 0 ? &p : NULL;
		k.previous_status = prev[(r >> 16) % 4];
		k.changed = (r & 256) != 0;
		/* the run's start, or a time from the store in a buffer
		 * that the next such row overwrites */
		c.checked_at = run_at;
		if ((r >> 24) % 5 == 0) {
			snprintf(at, sizeof(at), "2026-0%d-01T00:00:00Z",
			    1 + i % 9);
			c.checked_at = at;
		}
		if (row_write_row(w, &c, &row, &k, &gu) != 0)
			return -1;
	}
	return csvwrite_commit(w, &d);
}

/*
 * memo - a writer's memo changes no byte: every appended cell of every
 * kind of row as without it, with reasons and emails that need quotes or
 * a guard, rows the memo must not serve (an SMTP answer, a suggestion, a
 * reason made for the row), and a second file with another delimiter
 * through the same memo.
 */
static void
memo(void)
{
	struct row_write_memo *m = row_write_memo_new();
	char a[8192], b[8192];
	char *x = NULL, *y = NULL;
	int ok1;

	snprintf(a, sizeof(a), "%s/memo.csv", dir);
	snprintf(b, sizeof(b), "%s/plain.csv", dir);
	ok1 = memo_file(a, ',', m, 5000) == 0 && memo_file(b, ',', NULL, 5000) == 0;
	ok(ok1 && (x = slurp(a, NULL)) != NULL && (y = slurp(b, NULL)) != NULL &&
	    strcmp(x, y) == 0 && strstr(x, "\"mx,2.test\"") != NULL &&
	    strstr(x, "'=odd") != NULL,
	    "memo: 5,000 rows of mixed kinds, byte for byte as without it");
	free(x);
	free(y);
	x = y = NULL;
	ok1 = memo_file(a, ';', m, 2000) == 0 && memo_file(b, ';', NULL, 2000) == 0;
	ok(ok1 && (x = slurp(a, NULL)) != NULL && (y = slurp(b, NULL)) != NULL &&
	    strcmp(x, y) == 0 && strstr(x, ";valid;") != NULL,
	    "memo: then ';' through the same memo, as without it");
	free(x);
	free(y);
	if (getenv("KEEP") == NULL) {
		unlink(a);
		unlink(b);
	}
	row_write_memo_free(m);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "%s/t_row_write.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	unchanged();
	skipped();
	changes();
	own_columns();
	memo();
	{
		char p[8192];

		snprintf(p, sizeof(p), "%s/out.csv", dir);
		unlink(p);
		rmdir(dir);
	}
	return done_testing();
}
