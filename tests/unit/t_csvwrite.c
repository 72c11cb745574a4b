/*
 * t_csvwrite - RFC 4180 quoting, the formula guard in its three modes,
 * NUL replacement, big writes, and the atomic create/commit/abort cycle
 * (including a write error, made with RLIMIT_FSIZE).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slurp.h"
#include "tap.h"

#include "csv/csvwrite.h"

static char dir[4096];

static int count_tmp(void);
static void rm_all(void);
static char *one_file(const char *name, const struct csvwrite_opts *o,
    void (*fill)(struct csvwrite *), size_t *len);
static void fill_quoting(struct csvwrite *w);
static void fill_rows(struct csvwrite *w);
static void quoting(void);
static void fill_pieces(struct csvwrite *w);
static void pieces(void);
static void guard_table(void);
static void next_trigger(void);
static void atomic(void);
static void big_writes(void);
static void write_error(void);

/* count_tmp - temporary files (".tmp-") left in dir. */
static int
count_tmp(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp-") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* rm_all - empty dir. */
static void
rm_all(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[8192];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

/* one_file - write dir/name with fill(), commit, return its bytes. */
static char *
one_file(const char *name, const struct csvwrite_opts *o,
    void (*fill)(struct csvwrite *), size_t *len)
{
	struct diag d = { 0 };
	struct csvwrite *w;
	char p[8192];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((w = csvwrite_open(p, o, &d)) == NULL) {
		diag("open: %s", d.msg);
		return NULL;
	}
	fill(w);
	if (csvwrite_commit(w, &d) != 0) {
		diag("commit: %s", d.msg);
		return NULL;
	}
	return slurp(p, len);
}

/* fill_quoting - one row of cells that need each kind of quoting. */
static void
fill_quoting(struct csvwrite *w)
{
	static const char *const cells[] = {
		"plain", "a,b", "a\"b", "x\ny", "x\ry", "", "semi;colon",
		"\"\"", "with space ",
	};

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		csvwrite_cell(w, cells[i], strlen(cells[i]), CSVWRITE_GUARD_OFF);
	csvwrite_cell(w, "a\0b", 3, CSVWRITE_GUARD_OFF);
	csvwrite_cell(w, "\"\0", 2, CSVWRITE_GUARD_OFF);
	csvwrite_end_row(w);
}

/* quoting - minimal RFC 4180 quoting with ',' and with ';'. */
static void
quoting(void)
{
	struct csvwrite_opts o = { 0 };
	char *got;

	got = one_file("q.csv", &o, fill_quoting, NULL);
	is_str(got, "plain,\"a,b\",\"a\"\"b\",\"x\ny\",\"x\ry\",,semi;colon,"
	    "\"\"\"\"\"\",with space ,a\xEF\xBF\xBD" "b,\"\"\"\xEF\xBF\xBD\"\n",
	    "quoting with ',': only delimiter, quote, CR, LF quote; NUL is U+FFFD");
	free(got);
	o.delim = ';';
	o.eol = "\r\n";
	o.bom = true;
	got = one_file("q2.csv", &o, fill_quoting, NULL);
	is_str(got, "\xEF\xBB\xBFplain;a,b;\"a\"\"b\";\"x\ny\";\"x\ry\";;"
	    "\"semi;colon\";\"\"\"\"\"\";with space ;a\xEF\xBF\xBD" "b;"
	    "\"\"\"\xEF\xBF\xBD\"\r\n",
	    "quoting with ';', CRLF and a BOM");
	free(got);
}

/* The cells memo() writes, each twice, with csvwrite_cell and through a
 * memo: plain ones, ones to quote or escape, guard triggers. */
static const char *const memo_cells[] = {
	"plain", "a,b", "semi;colon", "a\"b", "x\ny", "", "=SUM(1)", "-12",
	"@x", "valid", "The address is well formed.",
};
#define NMEMO (sizeof(memo_cells) / sizeof(memo_cells[0]))
static struct csvwrite_memo memos[NMEMO];

static void
fill_plain_twice(struct csvwrite *w)
{
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < NMEMO; i++)
			csvwrite_cell(w, memo_cells[i], strlen(memo_cells[i]),
			    CSVWRITE_GUARD_STRICT);
		csvwrite_end_row(w);
	}
}

static void
fill_memo_twice(struct csvwrite *w)
{
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < NMEMO; i++)
			csvwrite_cell_memo(w, memo_cells[i],
			    strlen(memo_cells[i]), CSVWRITE_GUARD_STRICT,
			    &memos[i]);
		csvwrite_end_row(w);
	}
}

/*
 * memo - a cell written again through its memo is the same bytes as
 * csvwrite_cell's: only plain, unguarded cells are remembered, and a
 * memo filled with one delimiter does not stand for another.
 */
static void
memo(void)
{
	struct csvwrite_opts o = { 0 };
	char *want, *got;
	size_t n = 0;

	want = one_file("m1.csv", &o, fill_plain_twice, NULL);
	got = one_file("m2.csv", &o, fill_memo_twice, NULL);
	ok(want && got && strcmp(want, got) == 0,
	    "memo: the same bytes as csvwrite_cell, the second time too");
	for (size_t i = 0; i < NMEMO; i++)
		n += memos[i].s != NULL;
	ok(memos[0].s == memo_cells[0] && memos[1].s == NULL &&
	    memos[3].s == NULL && memos[4].s == NULL && memos[6].s == NULL &&
	    memos[7].s == NULL && memos[8].s == NULL && n == 5,
	    "memo: only the plain cells without a guard are remembered");
	free(want);
	free(got);
	/* the ',' memos, now with ';': "semi;colon" must be quoted */
	o.delim = ';';
	want = one_file("m3.csv", &o, fill_plain_twice, NULL);
	got = one_file("m4.csv", &o, fill_memo_twice, NULL);
	ok(want && got && strcmp(want, got) == 0 &&
	    strstr(got, "\"semi;colon\"") != NULL,
	    "memo: one delimiter's memo does not stand for another's");
	free(want);
	free(got);
}

/*
 * fill_pieces - cells written in pieces: always quoted, quotes doubled and
 * NUL as U+FFFD in every piece, the guard decided on the first piece.
 */
static void
fill_pieces(struct csvwrite *w)
{
	csvwrite_cell(w, "a", 1, CSVWRITE_GUARD_OFF);
	csvwrite_cell_start(w, "plain", 5, CSVWRITE_GUARD_STRICT);
	csvwrite_cell_more(w, " text, \"q\"", 10);
	csvwrite_cell_more(w, "", 0);
	csvwrite_cell_more(w, "x\0y", 3);
	csvwrite_cell_end(w);
	csvwrite_cell(w, "b", 1, CSVWRITE_GUARD_OFF);
	csvwrite_end_row(w);
	csvwrite_cell_start(w, "=HYPERLINK(", 11, CSVWRITE_GUARD_STRICT);
	csvwrite_cell_more(w, "\"x\")", 4);
	csvwrite_cell_end(w);
	csvwrite_end_row(w);
	csvwrite_cell_start(w, "-12", 3, CSVWRITE_GUARD_AUTO);
	csvwrite_cell_more(w, "+cmd", 4);
	csvwrite_cell_end(w);
	csvwrite_cell_start(w, "=x", 2, CSVWRITE_GUARD_OFF);
	csvwrite_cell_end(w);
	csvwrite_end_row(w);
}

/* pieces - a cell too long to hold, written a piece at a time. */
static void
pieces(void)
{
	struct csvwrite_opts o = { 0 };
	char *got;

	got = one_file("p.csv", &o, fill_pieces, NULL);
	is_str(got, "a,\"plain text, \"\"q\"\"x\xEF\xBF\xBDy\",b\n"
	    "\"'=HYPERLINK(\"\"x\"\")\"\n"
	    "\"'-12+cmd\",\"=x\"\n",
	    "pieces: one quoted cell, escaped piece by piece, guarded by its "
	    "start (AUTO as STRICT)");
	free(got);
}

/* guard_table - csvwrite_needs_guard and the written cell, per mode. */
static void
guard_table(void)
{
	static const struct {
		const char *in;
		bool autog, strict;	/* guarded under AUTO, STRICT */
		const char *strict_out;	/* the written cell under STRICT */
	} t[] = {
		{ "=1+1", true, true, "'=1+1" },
		{ "+44 20 7946 0958", false, true, "'+44 20 7946 0958" },
		{ "-5", false, true, "'-5" },
		{ "@SUM(A1)", true, true, "'@SUM(A1)" },
		{ "\tx", true, true, "'\tx" },
		{ "\xEF\xBC\x9Dx", true, true, "'\xEF\xBC\x9Dx" },	/* ＝x */
		{ "a,b", false, false, "\"a,b\"" },
		{ "a\"b", false, false, "\"a\"\"b\"" },
		{ "x\ny", false, false, "\"x\ny\"" },
		{ "-12.5", false, true, "'-12.5" },
		{ "+1 (555) 010-4471", false, true, "'+1 (555) 010-4471" },
		{ "-0.00", false, true, "'-0.00" },
		{ "-12,50", false, true, "\"'-12,50\"" },
		{ "+1.234,56", false, true, "\"'+1.234,56\"" },
		{ "-1,2+3", true, true, "\"'-1,2+3\"" },
		{ "-2+3", true, true, "'-2+3" },
		{ "-", true, true, "'-" },
		{ "+", true, true, "'+" },
		{ "+x1", true, true, "'+x1" },
		{ "\rcr", true, true, "\"'\rcr\"" },
		{ "=HYPERLINK(\"x\",\"y\")", true, true,
		    "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"" },
		{ "\xEF\xBC\x8B" "1", true, true, "'\xEF\xBC\x8B" "1" },	/* ＋1 */
		{ "\xEF\xBC\x8D" "5", true, true, "'\xEF\xBC\x8D" "5" },	/* －5 */
		{ "\xEF\xBC\xA0x", true, true, "'\xEF\xBC\xA0x" },	/* ＠x */
		{ "\xEF\xBC\x91", false, false, "\xEF\xBC\x91" },	/* １: no */
		{ "12", false, false, "12" },
		{ " =1", false, false, " =1" },
		{ "", false, false, "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s = t[i].in;
		size_t n = strlen(s);
		char name[32];
		char *got;

		ok(!csvwrite_needs_guard(s, n, CSVWRITE_GUARD_OFF) &&
		    csvwrite_needs_guard(s, n, CSVWRITE_GUARD_AUTO) == t[i].autog &&
		    csvwrite_needs_guard(s, n, CSVWRITE_GUARD_STRICT) ==
		    t[i].strict, "guard #%zu: off no, auto %s, strict %s", i,
		    t[i].autog ? "yes" : "no", t[i].strict ? "yes" : "no");
		snprintf(name, sizeof(name), "g%zu.csv", i);
		{
			char p[8192];
			struct diag d = { 0 };
			struct csvwrite *w;
			size_t len;

			snprintf(p, sizeof(p), "%s/%s", dir, name);
			w = csvwrite_open(p, NULL, &d);
			csvwrite_cell(w, s, n, CSVWRITE_GUARD_STRICT);
			csvwrite_commit(w, &d);
			got = slurp(p, &len);
			ok(got && len == strlen(t[i].strict_out) &&
			    memcmp(got, t[i].strict_out, len) == 0,
			    "guard #%zu: written as expected under strict", i);
			free(got);
		}
	}
}

/*
 * next_trigger - csvwrite_next_trigger, the first-byte test before
 * csvwrite_needs_guard, never passes over a cell that would be guarded:
 * every first byte with tails that make each kind of trigger; it passes
 * over plain and empty cells and stops at each candidate in turn.
 */
static void
next_trigger(void)
{
	static const char *const tails[] = {
		"", "1", "x", "\xBC\x9D", "\xBC\x8B" "1", "\xBC\x8D" "5",
		"\xBC\xA0x", "1,2+3",
	};
	char p[8192], cell[16];
	struct diag d = { 0 };
	struct csvwrite *w;
	size_t missed = 0, said = 0;

	snprintf(p, sizeof(p), "%s/next.csv", dir);
	w = csvwrite_open(p, NULL, &d);
	for (unsigned b = 0; b < 256; b++)
		for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
			const char *cells[2] = { "plain", cell };
			size_t lens[2] = { 5, 1 + strlen(tails[k]) };

			cell[0] = (char)b;
			memcpy(cell + 1, tails[k], strlen(tails[k]) + 1);
			if (csvwrite_next_trigger(w, cells, lens, 2, 0) == 1)
				said++;
			else if (csvwrite_needs_guard(cell, lens[1],
			    CSVWRITE_GUARD_STRICT))
				missed++;
		}
	is_int(missed, 0, "next_trigger: no guarded cell is passed over");
	ok(said < 256 * 8 / 4, "next_trigger: most first bytes are passed "
	    "over (%zu of %d not)", said, 256 * 8);
	{
		const char *cells[5] = { "a", "", "@x", " =1", "+1" };
		size_t lens[5] = { 1, 0, 2, 4, 2 };

		is_int(csvwrite_next_trigger(w, cells, lens, 5, 0), 2,
		    "next_trigger: past plain and empty cells");
		is_int(csvwrite_next_trigger(w, cells, lens, 5, 3), 4,
		    "next_trigger: from a later cell");
		is_int(csvwrite_next_trigger(w, cells, lens, 2, 0), 2,
		    "next_trigger: none among the first two");
		is_int(csvwrite_next_trigger(w, cells, lens, 0, 0), 0,
		    "next_trigger: no cells");
	}
	csvwrite_abort(w);
}

/* fill_rows - raw records with appended cells, padding, and a header. */
static void
fill_rows(struct csvwrite *w)
{
	csvwrite_cell(w, "h1", 2, CSVWRITE_GUARD_STRICT);
	csvwrite_cell(w, "h2", 2, CSVWRITE_GUARD_STRICT);
	csvwrite_cell(w, "scrub_row", 9, CSVWRITE_GUARD_STRICT);
	csvwrite_end_row(w);
	csvwrite_raw(w, "a,\"b,c\"", 7);
	csvwrite_cell(w, "1", 1, CSVWRITE_GUARD_STRICT);
	csvwrite_end_row(w);
	csvwrite_raw(w, "x", 1);
	csvwrite_delim(w);
	csvwrite_cell(w, "2", 1, CSVWRITE_GUARD_STRICT);
	csvwrite_end_row(w);
	csvwrite_cell(w, "=bad", 4, CSVWRITE_GUARD_AUTO);
	csvwrite_delim(w);
	csvwrite_cell(w, "3", 1, CSVWRITE_GUARD_STRICT);
	csvwrite_end_row(w);
	is_int(csvwrite_rows(w), 4, "rows: 4 counted");
}

/*
 * atomic - the final name appears only at commit, an existing file stays
 * until then, abort leaves nothing, and the mode is 0644 less the umask.
 */
static void
atomic(void)
{
	char p[8192], *got;
	struct diag d = { 0 };
	struct csvwrite *w;
	struct stat st;
	mode_t old;
	FILE *f;

	rm_all();
	got = one_file("rows.csv", NULL, fill_rows, NULL);
	is_str(got, "h1,h2,scrub_row\na,\"b,c\",1\nx,,2\n'=bad,,3\n",
	    "rows: raw records, delimiter before appended cells, padding");
	free(got);

	snprintf(p, sizeof(p), "%s/out.csv", dir);
	f = fopen(p, "w");
	fputs("old\n", f);
	fclose(f);
	old = umask(027);
	w = csvwrite_open(p, NULL, &d);
	umask(old);
	ok(w != NULL, "atomic: open over an existing file");
	csvwrite_cell(w, "new", 3, CSVWRITE_GUARD_OFF);
	csvwrite_end_row(w);
	is_int(count_tmp(), 1, "atomic: one temporary file while writing");
	got = slurp(p, NULL);
	is_str(got, "old\n", "atomic: the old file is untouched before commit");
	free(got);
	is_int(csvwrite_commit(w, &d), 0, "atomic: commit");
	got = slurp(p, NULL);
	is_str(got, "new\n", "atomic: the new content after commit");
	free(got);
	is_int(count_tmp(), 0, "atomic: no temporary file after commit");
	stat(p, &st);
	is_int(st.st_mode & 0777, 0640, "atomic: mode 0644 less umask 027");

	snprintf(p, sizeof(p), "%s/aborted.csv", dir);
	w = csvwrite_open(p, NULL, &d);
	csvwrite_cell(w, "x", 1, CSVWRITE_GUARD_OFF);
	ok(access(p, F_OK) != 0, "atomic: final name absent while writing");
	csvwrite_abort(w);
	ok(access(p, F_OK) != 0 && count_tmp() == 0,
	    "atomic: abort leaves neither the file nor a temporary");
	csvwrite_abort(NULL);
	ok(1, "atomic: abort(NULL) is a no-op");

	snprintf(p, sizeof(p), "%s/no/such/dir/x.csv", dir);
	w = csvwrite_open(p, NULL, &d);
	ok(w == NULL && d.code == DIAG_OUTPUT && strstr(d.msg, p) &&
	    strstr(d.msg, strerror(ENOENT)),
	    "open in a missing directory fails naming the path (%s)", d.msg);
}

/* big_writes - cells and raw blocks larger than the buffer, and many small ones. */
static void
big_writes(void)
{
	const size_t big = 1024 * 1024 + 17;
	char p[8192], *blk = malloc(big), *got;
	struct diag d = { 0 };
	struct csvwrite *w;
	size_t len, want;

	memset(blk, 'z', big);
	snprintf(p, sizeof(p), "%s/big.csv", dir);
	w = csvwrite_open(p, NULL, &d);
	for (int i = 0; i < 100000; i++) {
		csvwrite_raw(w, "abcdefghi", 9);
		csvwrite_end_row(w);
	}
	csvwrite_raw(w, blk, big);
	csvwrite_cell(w, blk, big, CSVWRITE_GUARD_OFF);
	csvwrite_end_row(w);
	is_int(csvwrite_commit(w, &d), 0, "big: commit");
	got = slurp(p, &len);
	want = 100000 * 10 + big + 1 + big + 1;
	is_int(len, want, "big: every byte written");
	ok(got && memcmp(got + 999990, "abcdefghi\nzzz", 13) == 0 &&
	    got[len - 1] == '\n' && got[len - 2] == 'z' &&
	    got[1000000 + big] == ',', "big: in order");
	free(got);
	free(blk);
}

/* write_error - a failing write (EFBIG) is sticky and reported at commit. */
static void
write_error(void)
{
	char p[8192], blk[4096];
	struct diag d = { 0 };
	struct csvwrite *w;
	struct rlimit old, lim;
	int rc = 0, saved = 0;

	memset(blk, 'e', sizeof(blk));
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100 * 1024;
	setrlimit(RLIMIT_FSIZE, &lim);
	snprintf(p, sizeof(p), "%s/full.csv", dir);
	w = csvwrite_open(p, NULL, &d);
	for (int i = 0; i < 1000 && rc == 0; i++) {
		rc = csvwrite_cell(w, blk, sizeof(blk), CSVWRITE_GUARD_OFF);
		saved = errno;
	}
	is_int(rc, -1, "write error: a write call fails");
	is_int(saved, EFBIG, "write error: errno says why");
	ok(csvwrite_end_row(w) == -1 && errno == EFBIG,
	    "write error: later calls fail too");
	is_int(csvwrite_commit(w, &d), -1, "write error: commit fails");
	setrlimit(RLIMIT_FSIZE, &old);
	ok(strstr(d.msg, p) && strstr(d.msg, strerror(EFBIG)) &&
	    d.code == DIAG_OUTPUT, "write error: diag names file and error (%s)",
	    d.msg);
	ok(access(p, F_OK) != 0 && count_tmp() == 0,
	    "write error: no output and no temporary left");
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_csvwrite.XXXXXX", t ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	quoting();
	memo();
	pieces();
	guard_table();
	next_trigger();
	atomic();
	big_writes();
	write_error();
	rm_all();
	rmdir(dir);
	return done_testing();
}
