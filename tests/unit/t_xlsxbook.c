/*
 * t_xlsxbook - the --xlsx workbook: tricky cells (leading zeros, long
 * ids, formulas as text, invalid UTF-8, NUL and ESC, emoji, RTL, a cell
 * past Excel's 32,767 characters, a row wider than the header, an empty
 * row), sheets written interleaved, a sheet continued on "Cleaned (2)"
 * (a lowered row limit, and once the real one), a row past 16,384
 * columns refused. The file is read back by tests/xlsx_check.py
 * (python3's zipfile and xml only): sheet names, every cell's text and
 * type, colours, freeze pane, autofilter, Summary numbers, chart.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#include "dns/providers.h"
#include "sheet/xlsxbook.h"

#define NCELL 8
#define FFFD "\xEF\xBF\xBD"
#define ELLIPSIS "\xE2\x80\xA6"
#define EMOJI "\xF0\x9F\x98\x80"	/* U+1F600, two UTF-16 units */

struct trow {
	enum xlsxbook_sheet s;
	enum verdict_action a;
	unsigned long line;
	size_t n;
	const char *cell[NCELL];
	size_t len[NCELL];	/* 0: strlen */
	const char *want[NCELL];	/* NULL: as written */
};

static const char *const header[] = {
	"id", "phone", "name", "note", "scrub_status",
};

/* Interleaved on purpose: the sheets are written in turns. */
static const struct trow rows[] = {
	{ XLSXBOOK_CLEANED, ACTION_KEEP, 2, 5,
	    { "01234", "0177777868", "12345678901234567890", "=1+1",
	    "valid" }, { 0 }, { 0 } },
	{ XLSXBOOK_REJECTED, ACTION_REMOVE, 3, 5,
	    { "+49 30 1234567", "-5", "@x", "a\x01" "b\x1b" "c", "invalid" },
	    { 0 }, { NULL, NULL, NULL, "a" FFFD "b" FFFD "c" } },
	{ XLSXBOOK_CLEANED, ACTION_KEEP, 4, 5,
	    { "x\xff\xfey", "a\0b", EMOJI " ok",
	    "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", "valid" },
	    { 0, 3 }, { "x" FFFD FFFD "y", "a" FFFD "b" } },
	{ XLSXBOOK_REVIEW, ACTION_REVIEW, 5, 5,
	    { "_x0041_", "tab\there", "line1\nline2", "cr\r\nlf", "unknown" },
	    { 0 }, { 0 } },
	{ XLSXBOOK_CLEANED, ACTION_KEEP, 6, 7,
	    { "1", "2", "3", "4", "valid", "extra6", "=SUM(A1:A2)" },
	    { 0 }, { 0 } },
	/* The fourth row of Cleaned: the sheet (4 rows) is full. */
	{ XLSXBOOK_CLEANED, ACTION_KEEP, 7, 5, { "", "", "", "", "" },
	    { 0 }, { 0 } },
	{ XLSXBOOK_REVIEW, ACTION_RETRY_LATER, 8, 5,
	    { "0007", "  spaced  ", "-", "1e5", "risky" }, { 0 }, { 0 } },
	{ XLSXBOOK_CLEANED, ACTION_KEEP, 9, 5,
	    { " leading", "trailing ", "", "9007199254740993", "valid" },
	    { 0 }, { 0 } },
};

static char dir[4096];
static char *hex(const char *s, size_t n);
static int run_check(const char *xlsx, const char *expect);
static void tricky(void);
static void real_limit(void);
static void failures(void);

/* hex - s as lower-case hex, for the EXPECT file. */
static char *
hex(const char *s, size_t n)
{
	char *h = malloc(2 * n + 1);

	if (h == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", (unsigned char)s[i]);
	h[2 * n] = '\0';
	return h;
}

/* run_check - tests/xlsx_check.py over xlsx; one TAP test per line. */
static int
run_check(const char *xlsx, const char *expect)
{
	const char *src = getenv("srcdir") ? getenv("srcdir") : ".";
	char cmd[12288], line[4096];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/xlsx_check.py' '%s' "
	    "'%s' 2>&1", src, xlsx, expect);
	if ((p = popen(cmd, "r")) == NULL)
		return ok(0, "run xlsx_check.py");
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "ok ", 3) == 0)
			ok(1, "%s", line + 3);
		else if (strncmp(line, "not ok ", 7) == 0)
			ok(0, "%s", line + 7);
		else
			diag("%s", line);
		n++;
	}
	return ok(pclose(p) == 0 && n > 0, "xlsx_check.py ran (%d lines)", n);
}

/*
 * tricky - the table above plus two cut cells, with 4 rows a sheet, then
 * the Summary from a made-up report.
 */
static void
tricky(void)
{
	struct xlsxbook_opts o = { 0 };
	struct xlsxbook *wb;
	struct diag d = { 0 };
	struct report rep;
	size_t hlen[5], sheetrow[XLSXBOOK_LAST] = { 1, 1, 1 };
	unsigned part[XLSXBOOK_LAST] = { 1, 1, 1 };
	char path[8192], expect[8192], name[64];
	const char *names[XLSXBOOK_LAST] = { "Cleaned", "Rejected", "Review" };
	char *big, *emoji, *want_big, *want_emoji;
	unsigned long line;
	FILE *e;
	int rc;

	snprintf(path, sizeof(path), "%s/tricky.xlsx", dir);
	snprintf(expect, sizeof(expect), "%s/tricky.expect", dir);
	if ((e = fopen(expect, "w")) == NULL)
		abort();
	o.path = path;
	o.tmpdir = dir;
	o.review = true;
	o.max_rows = 4;
	wb = xlsxbook_new(&o, &d);
	if (!ok(wb != NULL, "xlsxbook_new")) {
		diag("%s", d.msg);
		return;
	}
	for (size_t i = 0; i < 5; i++)
		hlen[i] = strlen(header[i]);
	is_int(xlsxbook_header(wb, header, hlen, 5, 4, &d), 0,
	    "xlsxbook_header");
	fprintf(e, "sheets\tSummary|Cleaned|Rejected|Review|Cleaned (2)\n");

	/* 40,000 characters, and 20,000 emoji (40,000 UTF-16 units). */
	big = malloc(40001);
	want_big = malloc(32766 + 4);
	emoji = malloc(20000 * 4 + 1);
	want_emoji = malloc(16383 * 4 + 4);
	if (!big || !want_big || !emoji || !want_emoji)
		abort();
	memset(big, 'a', 40000);
	memcpy(want_big, big, 32766);
	memcpy(want_big + 32766, ELLIPSIS, 4);
	for (size_t i = 0; i < 20000; i++)
		memcpy(emoji + 4 * i, EMOJI, 4);
	memcpy(want_emoji, emoji, 16383 * 4);
	memcpy(want_emoji + 16383 * 4, ELLIPSIS, 4);

	for (size_t r = 0; r <= sizeof(rows) / sizeof(rows[0]); r++) {
		const struct trow *t;
		struct trow cut = { XLSXBOOK_REJECTED, ACTION_REMOVE, 10, 5,
		    { "long", big, emoji, "", "invalid" },
		    { 0, 40000, 80000 }, { NULL, want_big, want_emoji } };
		size_t len[NCELL], *row;
		const char *cells[NCELL];

		/* The cut cells go after row 3 (line 10 is the row's line). */
		t = r == 3 ? &cut : &rows[r < 3 ? r : r - 1];
		for (size_t i = 0; i < t->n; i++) {
			cells[i] = t->cell[i];
			len[i] = t->len[i] ? t->len[i] : strlen(t->cell[i]);
		}
		rc = xlsxbook_row(wb, t->s, cells, len, t->n, t->a, t->line,
		    &d);
		if (!ok(rc == 0, "row of line %lu written", t->line))
			diag("%s", d.msg);
		row = &sheetrow[t->s];
		if (*row == (size_t)o.max_rows) {
			part[t->s]++;
			*row = 1;
		}
		if (part[t->s] == 1)
			snprintf(name, sizeof(name), "%s", names[t->s]);
		else
			snprintf(name, sizeof(name), "%s (%u)", names[t->s],
			    part[t->s]);
		/* a continuation sheet starts with the header again */
		for (size_t i = 0; *row == 1 && part[t->s] > 1 && i < 5; i++) {
			char *h = hex(header[i], hlen[i]);

			fprintf(e, "cell\t%s\t0\t%zu\t%s\n", name, i, h);
			free(h);
		}
		for (size_t i = 0; i < t->n; i++) {
			const char *w = t->want[i] ? t->want[i] : cells[i];
			size_t wl = t->want[i] ? strlen(w) : len[i];
			char *h;

			if (wl == 0)
				continue;
			h = hex(w, wl);
			fprintf(e, "cell\t%s\t%zu\t%zu\t%s\n", name, *row, i,
			    h);
			free(h);
		}
		fprintf(e, "action\t%s\t%zu\t4\t%s\n", name, *row,
		    verdict_action_name(t->a));
		(*row)++;
	}
	for (size_t s = 0; s < XLSXBOOK_LAST; s++)
		for (size_t i = 0; i < 5; i++) {
			char *h = hex(header[i], hlen[i]);

			fprintf(e, "cell\t%s\t0\t%zu\t%s\n", names[s], i, h);
			free(h);
		}
	/* Autofilters: the written rows, as wide as the widest row. */
	fprintf(e, "filter\tCleaned\tA1:G4\n");
	fprintf(e, "filter\tCleaned (2)\tA1:E3\n");
	fprintf(e, "filter\tRejected\tA1:E3\n");
	fprintf(e, "filter\tReview\tA1:E3\n");

	/* Before xlsxbook_finish: what was replaced and cut. */
	is_int(xlsxbook_changed_cells(wb, &line), 3,
	    "3 cells with replaced bytes (ESC and SOH; invalid UTF-8; NUL)");
	is_int(line, 3, "... the first on line 3");
	is_int(xlsxbook_cut_cells(wb, &line), 2,
	    "2 cells cut to 32,767 characters");
	is_int(line, 10, "... the first on line 10");

	report_init(&rep);
	rep.rows = 10;
	rep.by_status[STATUS_VALID] = 6;
	rep.by_status[STATUS_INVALID] = 3;
	rep.by_status[STATUS_UNKNOWN] = 1;
	rep.by_sub[SUB_SYNTAX_OK] = 6;
	rep.by_sub[SUB_BAD_SYNTAX] = 3;
	rep.by_sub[SUB_POLICY_BLOCKED] = 1;
	rep.by_action[ACTION_KEEP] = 6;
	rep.by_action[ACTION_REMOVE] = 3;
	rep.by_action[ACTION_REVIEW] = 1;
	rep.cleaned = 6;
	rep.rejected = 3;
	rep.review = 1;
	fprintf(e, "text\tSummary\tA2\tvalid\n");
	fprintf(e, "number\tSummary\tB2\t6\n");
	fprintf(e, "number\tSummary\tC2\t0.6\n");
	fprintf(e, "text\tSummary\tA3\tinvalid\n");
	fprintf(e, "number\tSummary\tB3\t3\n");
	fprintf(e, "text\tSummary\tA8\ttotal\n");
	fprintf(e, "number\tSummary\tB8\t10\n");
	/* Sub-statuses (3 non-zero) from row 10, then actions, outputs... */
	fprintf(e, "text\tSummary\tA10\tSub-status\n");
	fprintf(e, "text\tSummary\tA11\tsyntax_ok\n");
	fprintf(e, "text\tSummary\tA13\tpolicy_blocked\n");
	/* ... and the sender-side problems: policy_blocked once more. */
	fprintf(e, "text\tSummary\tA26\tSender-side problems\n");
	fprintf(e, "text\tSummary\tA27\tpolicy_blocked\n");
	fprintf(e, "number\tSummary\tB27\t1\n");
	/* Then the mailbox providers, after a blank row, and the chart. */
	{
		static const struct provider y = { .name = "yahoo",
		    .accept_all = true };
		static const struct provider g = { .name = "google",
		    .nthrottle = 1, .throttle = { { 450, "4.2.1" } } };
		static const struct provider h = { .name = "h" };

		report_count_provider(&rep, &y, STATUS_CATCH_ALL);
		report_count_provider(&rep, &y, STATUS_CATCH_ALL);
		report_count_provider(&rep, &y, STATUS_INVALID);
		report_count_provider(&rep, &g, STATUS_VALID);
		report_count_provider(&rep, &h, STATUS_UNKNOWN);
		/* a name the table would refuse: a formula, a control */
		snprintf(rep.providers[2].name, sizeof(rep.providers[2].name),
		    "=1+1\x01");
		rep.providers_more = 2;
	}
	fprintf(e, "text\tSummary\tA29\tMailbox provider\n");
	fprintf(e, "text\tSummary\tD29\tOutcomes\n");
	fprintf(e, "text\tSummary\tE29\tRule applied\n");
	fprintf(e, "text\tSummary\tA30\tyahoo\n");
	fprintf(e, "number\tSummary\tB30\t3\n");
	fprintf(e, "number\tSummary\tC30\t0.3\n");
	fprintf(e, "text\tSummary\tD30\tinvalid 1, catch_all 2\n");
	fprintf(e, "text\tSummary\tE30\taccepts all: not asked\n");
	fprintf(e, "text\tSummary\tA31\tgoogle\n");
	fprintf(e, "text\tSummary\tD31\tvalid 1\n");
	fprintf(e, "text\tSummary\tE31\tthrottling replies retried "
	    "(450 4.2.1)\n");
	fprintf(e, "text\tSummary\tA32\t=1+1\xef\xbf\xbd\n");
	fprintf(e, "text\tSummary\tE32\tnone\n");
	fprintf(e, "text\tSummary\tA33\tother providers\n");
	fprintf(e, "number\tSummary\tB33\t2\n");
	fprintf(e, "text\tSummary\tD33\trows at providers not listed "
	    "above\n");
	fprintf(e, "chartbelow\tSummary\n");
	fclose(e);
	rc = xlsxbook_finish(wb, &rep, &d);
	if (!ok(rc == 0, "xlsxbook_finish"))
		diag("%s", d.msg);
	ok(access(path, F_OK) == 0, "the workbook exists");
	run_check(path, expect);
	free(big);
	free(want_big);
	free(emoji);
	free(want_emoji);
}

/*
 * real_limit - Excel's own 1,048,576 rows: the header and 1,048,575
 * rows fill Cleaned, the next two go to "Cleaned (2)".
 */
static void
real_limit(void)
{
	struct xlsxbook_opts o = { 0 };
	struct xlsxbook *wb;
	struct diag d = { 0 };
	const char *h[1] = { "n" }, *c[1];
	size_t hl[1] = { 1 }, cl[1];
	char path[8192], expect[8192], cell[32];
	struct timespec t0, t1;
	int rc = 0;
	FILE *e;

	snprintf(path, sizeof(path), "%s/limit.xlsx", dir);
	snprintf(expect, sizeof(expect), "%s/limit.expect", dir);
	o.path = path;
	o.tmpdir = dir;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((wb = xlsxbook_new(&o, &d)) == NULL ||
	    xlsxbook_header(wb, h, hl, 1, SIZE_MAX, &d) != 0) {
		ok(0, "limit: start");
		diag("%s", d.msg);
		xlsxbook_abort(wb);
		return;
	}
	for (uint32_t i = 1; rc == 0 && i <= 1048575 + 2; i++) {
		int k = snprintf(cell, sizeof(cell), "%07u", i);

		c[0] = cell;
		cl[0] = (size_t)k;
		rc = xlsxbook_row(wb, XLSXBOOK_CLEANED, c, cl, 1, ACTION_KEEP,
		    i + 1, &d);
	}
	if (!ok(rc == 0, "limit: 1,048,577 rows written"))
		diag("%s", d.msg);
	rc = xlsxbook_finish(wb, NULL, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!ok(rc == 0, "limit: finished in %.1f s", (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9))
		diag("%s", d.msg);
	if ((e = fopen(expect, "w")) == NULL)
		abort();
	fprintf(e, "sheets\tSummary|Cleaned|Rejected|Cleaned (2)\n");
	fprintf(e, "last\tCleaned\t1048576\n");
	fprintf(e, "cell\tCleaned (2)\t0\t0\t%s\n", "6e");
	fprintf(e, "cell\tCleaned (2)\t1\t0\t%s\n", "31303438353736");
	fprintf(e, "cell\tCleaned (2)\t2\t0\t%s\n", "31303438353737");
	fprintf(e, "filter\tCleaned (2)\tA1:A3\n");
	fclose(e);
	run_check(path, expect);
}

/* failures - refusals that name the row; the workbook stays usable. */
static void
failures(void)
{
	struct xlsxbook_opts o = { 0 };
	struct xlsxbook *wb;
	struct diag d = { 0 };
	const char *h[1] = { "x" }, **wide;
	size_t hl[1] = { 1 }, *wl;
	char path[8192];
	int rc;

	snprintf(path, sizeof(path), "%s/fail.xlsx", dir);
	o.path = path;
	o.tmpdir = dir;
	wb = xlsxbook_new(&o, &d);
	if (!ok(wb != NULL, "fail: xlsxbook_new"))
		return;
	rc = xlsxbook_row(wb, XLSXBOOK_CLEANED, h, hl, 1, ACTION_KEEP, 2, &d);
	ok(rc == -1 && d.code == DIAG_INTERNAL, "a row before the header: -1");
	is_int(xlsxbook_header(wb, h, hl, 1, 0, &d), 0, "fail: header");
	rc = xlsxbook_row(wb, XLSXBOOK_REVIEW, h, hl, 1, ACTION_REVIEW, 2, &d);
	ok(rc == -1 && d.code == DIAG_INTERNAL,
	    "a Review row without the Review sheet: -1");
	wide = calloc(16385, sizeof(*wide));
	wl = calloc(16385, sizeof(*wl));
	if (wide == NULL || wl == NULL)
		abort();
	for (size_t i = 0; i < 16385; i++) {
		wide[i] = "w";
		wl[i] = 1;
	}
	d.code = DIAG_OK;
	rc = xlsxbook_row(wb, XLSXBOOK_CLEANED, wide, wl, 16385, ACTION_KEEP,
	    99, &d);
	ok(rc == -1 && d.code == DIAG_INPUT && strstr(d.msg, "line 99"),
	    "a row of 16,385 cells: -1, DIAG_INPUT naming line 99");
	diag("%s", d.msg);
	rc = xlsxbook_row(wb, XLSXBOOK_CLEANED, wide, wl, 16384, ACTION_KEEP,
	    100, &d);
	ok(rc == 0, "a row of 16,384 cells is written");
	is_int(xlsxbook_finish(wb, NULL, &d), 0, "fail: finish");
	free(wide);
	free(wl);

	/* A workbook that cannot be written: the directory is missing. */
	snprintf(path, sizeof(path), "%s/missing/x.xlsx", dir);
	o.path = path;
	if ((wb = xlsxbook_new(&o, &d)) != NULL) {
		xlsxbook_header(wb, h, hl, 1, 0, &d);
		d.code = DIAG_OK;
		rc = xlsxbook_finish(wb, NULL, &d);
	} else {
		rc = -1;
	}
	ok(rc == -1 && d.code == DIAG_OUTPUT && strstr(d.msg, path),
	    "an unwritable path: -1, DIAG_OUTPUT naming it");
	diag("%s", d.msg);
	/* Constant-memory mode needs its temporary files at once. */
	o.tmpdir = "/nonexistent/tmp";
	wb = xlsxbook_new(&o, &d);
	ok(wb == NULL && d.code == DIAG_OUTPUT &&
	    strstr(d.msg, "/nonexistent/tmp") != NULL,
	    "an unusable tmpdir: NULL, DIAG_OUTPUT naming it");
	diag("%s", d.msg);
	o.tmpdir = dir;
	/* xlsxbook_abort frees without writing. */
	snprintf(path, sizeof(path), "%s/aborted.xlsx", dir);
	o.path = path;
	wb = xlsxbook_new(&o, &d);
	xlsxbook_header(wb, h, hl, 1, 0, &d);
	xlsxbook_abort(wb);
	xlsxbook_abort(NULL);
	ok(access(path, F_OK) != 0, "xlsxbook_abort writes nothing");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[8192];
	int rc;

	snprintf(dir, sizeof(dir), "%s/t_xlsxbook.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tricky();
	failures();
	if (getenv("XLSXBOOK_SKIP_LIMIT") == NULL)
		real_limit();
	rc = done_testing();
	if (getenv("KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 1;
	} else {
		diag("kept %s", dir);
	}
	return rc;
}
