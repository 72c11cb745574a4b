/*
 * fuzz_csvread - LLVMFuzzerTestOneInput over csvread, twice per input
 * (default limits, and max_record 64 / max_quote_lines 3 so the limits
 * are reached by small inputs). Invariants, checked with abort():
 *  - every row's raw bytes are the input's bytes at row.offset; rows come
 *    in order and do not overlap; raw_len <= max_record;
 *  - what lies between rows is only the BOM, the sep= line, line ends and
 *    blank lines, or the tail of a truncated row's line: all of the input
 *    is accounted for, and csvread_bytes() is its size at the end;
 *  - a truncated row's tail (read for the first such row and every other
 *    one after it, skipped for the rest) is the input's bytes after raw up
 *    to the line end;
 *    other rows have no tail;
 *  - row.line is 1 + the line ends before row.offset, row.lines 1 + the
 *    line ends inside raw (LF, CRLF and bare CR each count once);
 *  - fields are NUL-terminated; a parsed row re-parsed alone by libcsv
 *    (not strict: a quote inside an unquoted cell is a character, as
 *    csvread reads it) gives the same number of fields and the same text
 *    (both trimmed, since libcsv trims and csvread keeps spaces);
 *  - with no malformed row, libcsv over the whole input counts as many
 *    rows (the independent count of validator/README, "Testing").
 * Build: clang -fsanitize=fuzzer,address,undefined -Ivalidator
 *   [-DCSVREAD_BUF=64 -DCSVREAD_SLACK=16] tests/fuzz/fuzz_csvread.c
 *   validator/csv/csvread.c validator/util/xalloc.c validator/util/diag.c
 *   -lcsv
 */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/csvread.h"

#include "fuzz/fuzz.h"

struct count {
	size_t rows;
	size_t fields;
	char **f;		/* fields of the last row, for one-row parses */
	size_t *fl;
	size_t cap;
};

static size_t terms(const uint8_t *s, size_t n, size_t from, size_t to);
static void trim(const char **s, size_t *n, int delim);
static void cb_field(void *p, size_t n, void *ctx);
static void cb_row(int c, void *ctx);
static void count_free(struct count *c);
static void reparse(const struct csvrow *row, int delim);
static size_t gap_ok(const uint8_t *s, size_t from, size_t to, bool skip_tail);
static void tail_ok(const struct csvrow *row, const uint8_t *s, size_t n);
static void run(const uint8_t *data, size_t size, const struct csvread_opts *o);

/* terms - line ends in s[from, to) (s has n bytes: a CR at to-1 looks ahead). */
static size_t
terms(const uint8_t *s, size_t n, size_t from, size_t to)
{
	size_t k = 0;

	for (size_t i = from; i < to; i++) {
		if (s[i] == '\n')
			k++;
		else if (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n'))
			k++;
	}
	return k;
}

/* trim - drop libcsv's spaces (space, tab, unless the delimiter) at both ends. */
static void
trim(const char **s, size_t *n, int delim)
{
	while (*n > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t') &&
	    (*s)[0] != delim)
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t') &&
	    (*s)[*n - 1] != delim)
		(*n)--;
}

/* cb_field - libcsv field: keep a copy. */
static void
cb_field(void *p, size_t n, void *ctx)
{
	struct count *c = ctx;

	if (c->fields == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->f = realloc(c->f, c->cap * sizeof(*c->f));
		c->fl = realloc(c->fl, c->cap * sizeof(*c->fl));
		CHECK(c->f && c->fl);
	}
	c->f[c->fields] = malloc(n + 1);
	CHECK(c->f[c->fields]);
	if (n)
		memcpy(c->f[c->fields], p, n);
	c->fl[c->fields++] = n;
}

/* cb_row - libcsv row. */
static void
cb_row(int ch, void *ctx)
{
	(void)ch;
	((struct count *)ctx)->rows++;
}

/* count_free - release the copies. */
static void
count_free(struct count *c)
{
	for (size_t i = 0; i < c->fields; i++)
		free(c->f[i]);
	free(c->f);
	free(c->fl);
}

/* reparse - libcsv alone on a parsed row's raw bytes + LF agrees. */
static void
reparse(const struct csvrow *row, int delim)
{
	struct csv_parser p;
	struct count c = { 0 };
	char *buf = malloc(row->raw_len + 1);

	CHECK(buf);
	memcpy(buf, row->raw, row->raw_len);
	buf[row->raw_len] = '\n';
	/* Not CSV_STRICT: a quote inside an unquoted cell is a character. */
	csv_init(&p, CSV_STRICT_FINI);
	csv_set_delim(&p, (unsigned char)delim);
	CHECK(csv_parse(&p, buf, row->raw_len + 1, cb_field, cb_row, &c) ==
	    row->raw_len + 1);
	CHECK(csv_fini(&p, cb_field, cb_row, &c) == 0);
	CHECK(c.rows == 1);
	CHECK(c.fields == row->nfields);
	for (size_t i = 0; i < c.fields; i++) {
		const char *a = c.f[i], *b = row->field[i];
		size_t an = c.fl[i], bn = row->field_len[i];

		trim(&a, &an, delim);
		trim(&b, &bn, delim);
		CHECK(an == bn && memcmp(a, b, an) == 0);
	}
	csv_free(&p);
	count_free(&c);
	free(buf);
}

/*
 * gap_ok - s[from, to) holds only line ends and blank-line bytes, after
 * the tail of a truncated row's line when skip_tail. Returns to.
 */
static size_t
gap_ok(const uint8_t *s, size_t from, size_t to, bool skip_tail)
{
	size_t i = from;

	if (skip_tail)
		while (i < to && s[i] != '\n' && s[i] != '\r')
			i++;
	for (; i < to; i++)
		CHECK(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\n');
	return to;
}

/* tail_ok - row's tail is s after raw, up to the line end or the end. */
static void
tail_ok(const struct csvrow *row, const uint8_t *s, size_t n)
{
	size_t at = row->offset + row->raw_len, k;
	const char *p;
	int rc;

	while ((rc = row->tail(row->tail_arg, &p, &k)) == 1) {
		CHECK(k > 0 && at + k <= n && memcmp(s + at, p, k) == 0);
		CHECK(memchr(p, '\n', k) == NULL && memchr(p, '\r', k) == NULL);
		at += k;
	}
	CHECK(rc == 0);
	CHECK(at == n || s[at] == '\n' || s[at] == '\r');
}

/* run - read all of data with options o and check every invariant. */
static void
run(const uint8_t *data, size_t size, const struct csvread_opts *o)
{
	size_t max = o->max_record ? o->max_record : CSVREAD_MAX_RECORD;
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	size_t end = 0, lines_before = 0, rows = 0, start, ntrunc = 0;
	bool truncated = false, any_bad = false;
	FILE *in;
	int got;

	/* fmemopen wants void *, but "rb" never writes. */
	if ((in = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL)
		return;
	if ((r = csvread_open(in, "fuzz", o, &d)) == NULL) {
		CHECK(d.msg[0] != '\0');
		CHECK(d.code == DIAG_INPUT || d.code == DIAG_USAGE);
		fclose(in);
		return;
	}
	const struct csvread_info *ci = csvread_info(r);
	int delim = ci->delim;

	/* The BOM and the sep= line come before the first row. */
	if (ci->bom) {
		CHECK(size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0);
		end = 3;
	}
	if (ci->sep_line) {
		CHECK(size >= end + 5 && memcmp(data + end + 3, "=", 1) == 0);
		end += 5;
		if (end < size && data[end] == '\r')
			end++;
		if (end < size && data[end] == '\n')
			end++;
		lines_before = 1;
	}
	start = end;
	while ((got = csvread_next(r, &row, &d)) == 1) {
		rows++;
		CHECK(row.raw_len <= max);
		CHECK(row.offset >= end && row.offset + row.raw_len <= size);
		CHECK(row.raw_len == 0 ||
		    memcmp(data + row.offset, row.raw, row.raw_len) == 0);
		gap_ok(data, end, row.offset, truncated);
		lines_before += terms(data, size, end, row.offset);
		CHECK(row.line == lines_before + 1);
		CHECK(row.lines >= 1);
		if (!row.truncated)
			CHECK(row.lines == 1 + terms(data, size, row.offset,
			    row.offset + row.raw_len));
		else
			CHECK(row.malformed && row.lines == 1 &&
			    row.raw_len == max);
		CHECK((row.tail != NULL) == row.truncated);
		if (row.truncated && ntrunc++ % 2 == 0)
			tail_ok(&row, data, size);
		for (size_t i = 0; i < row.nfields; i++)
			CHECK(row.field[i][row.field_len[i]] == '\0');
		if (row.malformed) {
			any_bad = true;
			CHECK(row.nfields == 0 && row.why[0] != '\0');
		} else {
			CHECK(row.nfields >= 1);
			reparse(&row, delim);
		}
		lines_before += terms(data, size, row.offset,
		    row.offset + row.raw_len);
		end = row.offset + row.raw_len;
		truncated = row.truncated;
	}
	CHECK(got == 0);
	gap_ok(data, end, size, truncated);
	CHECK(csvread_bytes(r) == size);
	if (!any_bad) {
		/* An independent count: libcsv over the whole input. */
		struct csv_parser p;
		struct count c = { 0 };

		csv_init(&p, CSV_STRICT_FINI);
		csv_set_delim(&p, (unsigned char)delim);
		CHECK(csv_parse(&p, data + start, size - start, NULL, cb_row,
		    &c) == size - start);
		CHECK(csv_fini(&p, NULL, cb_row, &c) == 0);
		CHECK(c.rows == rows);
		csv_free(&p);
	}
	csvread_close(r);
	fclose(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvread_opts dflt = { 0 };
	struct csvread_opts small = { .max_record = 64, .max_quote_lines = 3 };

	if (size == 0)
		return 0;	/* fmemopen cannot open it; t_csvread covers it */
	run(data, size, &dflt);
	run(data, size, &small);
	return 0;
}
