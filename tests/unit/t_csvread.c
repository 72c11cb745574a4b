/*
 * t_csvread - golden files for the CSV reader, plus the cases that are
 * generated rather than stored (multi-megabyte records, pipes, read
 * errors).
 *
 * Each tests/data/csvread/NAME.csv is read and the result printed in the
 * form below; it must equal NAME.ref, apart from '#' comment lines there.
 *	opts delim=; max_record=N max_quote_lines=N	(optional first line)
 *	info delim=, bom=no eol=\n sniffed=yes sep=no
 *		(eol is the input's, eol_in; " out=\n" follows when the
 *		outputs' eol differs from it)
 *	row LINE+LINES fields=N			a parsed record, then
 *	  f "field"				one per field
 *	  raw "raw bytes"
 *	bad LINE+LINES why="reason"		a malformed record, then
 *	  raw "raw bytes"
 *	  tail "bytes"				a truncated one's tail
 *	end blank=N bytes=N
 *	open fails: message			(instead of all of the above)
 * Strings escape \ " \t \r \n and other control bytes (\xHH); bytes from
 * 0x80 up are written as they are, so UTF-8 stays readable.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "slurp.h"
#include "tap.h"

#include "csv/csvread.h"

static void esc(FILE *o, const char *s, size_t n);
static void esc_bytes(FILE *o, const char *s, size_t n);
static const char *eol_name(const char *eol);
static char *strip_comments(const char *s);
static void parse_opts(const char *line, struct csvread_opts *o);
static char *dump(FILE *in, const char *name, const struct csvread_opts *o);
static void golden(const char *dir, const char *name);
static void big_records(void);
static void long_line_memory(bool read_tail);
static void default_limit(void);
static void plain_split(void);
static void tail_read_error(void);
static void from_pipe(const char *dir);
static void read_error(void);
static void resync_and_lines(void);
static void bad_delims(void);
static size_t app(char *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* eol_name - a line ending as the .ref files write it. */
static const char *
eol_name(const char *eol)
{
	return strcmp(eol, "\r\n") == 0 ? "\\r\\n" : strcmp(eol, "\r") == 0 ?
	    "\\r" : strcmp(eol, "\n") == 0 ? "\\n" : "?";
}

/* app - snprintf into a buffer the caller sized; returns the length. */
static size_t
app(char *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, 1024, fmt, ap);
	va_end(ap);
	return n > 0 ? (size_t)n : 0;
}

/* esc - s quoted and escaped as described at the top. */
static void
esc(FILE *o, const char *s, size_t n)
{
	fputc('"', o);
	esc_bytes(o, s, n);
	fputc('"', o);
}

/* esc_bytes - s escaped, without the quotes around it. */
static void
esc_bytes(FILE *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c == '\t')
			fputs("\\t", o);
		else if (c == '\r')
			fputs("\\r", o);
		else if (c == '\n')
			fputs("\\n", o);
		else if (c < 0x20 || c == 0x7f)
			fprintf(o, "\\x%02X", c);
		else
			fputc(c, o);
	}
}

/* strip_comments - s without its '#' lines. */
static char *
strip_comments(const char *s)
{
	char *out = malloc(strlen(s) + 1), *w = out;

	if (out == NULL)
		abort();
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) + 1 : strlen(s);

		if (*s != '#') {
			memcpy(w, s, n);
			w += n;
		}
		s += n;
	}
	*w = '\0';
	return out;
}

/* parse_opts - "opts delim=X max_record=N max_quote_lines=N" (X may be \t). */
static void
parse_opts(const char *line, struct csvread_opts *o)
{
	char first[256];
	const char *p;

	memset(o, 0, sizeof(*o));
	if (strncmp(line, "opts ", 5) != 0)
		return;
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(line, "\n"), line);
	line = first;
	if ((p = strstr(line, "delim=")) != NULL)
		o->delim = p[6] == '\\' && p[7] == 't' ? '\t' :
		    (unsigned char)p[6];
	if ((p = strstr(line, "max_record=")) != NULL)
		o->max_record = strtoul(p + 11, NULL, 10);
	if ((p = strstr(line, "max_quote_lines=")) != NULL)
		o->max_quote_lines = (unsigned)strtoul(p + 16, NULL, 10);
}

/* dump - everything the reader says about in, in the .ref format. */
static char *
dump(FILE *in, const char *name, const struct csvread_opts *o)
{
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	char *text = NULL, dl[3];
	size_t tlen = 0;
	FILE *out = open_memstream(&text, &tlen);
	int got;

	if ((r = csvread_open(in, name, o, &d)) == NULL) {
		fprintf(out, "open fails: %s\n", d.msg);
		fclose(out);
		return text;
	}
	const struct csvread_info *ci = csvread_info(r);
	if (ci->delim == '\t')
		snprintf(dl, sizeof(dl), "\\t");
	else
		snprintf(dl, sizeof(dl), "%c", ci->delim);
	fprintf(out, "info delim=%s bom=%s eol=%s%s sniffed=%s sep=%s\n", dl,
	    ci->bom ? "yes" : "no", eol_name(ci->eol_in),
	    strcmp(ci->eol, ci->eol_in) == 0 ? "" :
	    strcmp(ci->eol, "\n") == 0 ? " out=\\n" : " out=?",
	    ci->sniffed ? "yes" : "no", ci->sep_line ? "yes" : "no");
	while ((got = csvread_next(r, &row, &d)) == 1) {
		if (row.malformed) {
			fprintf(out, "bad %lu+%lu why=", row.line, row.lines);
			esc(out, row.why, strlen(row.why));
			fputc('\n', out);
		} else {
			fprintf(out, "row %lu+%lu fields=%zu\n", row.line,
			    row.lines, row.nfields);
			for (size_t i = 0; i < row.nfields; i++) {
				fputs("  f ", out);
				esc(out, row.field[i], row.field_len[i]);
				fputc('\n', out);
			}
		}
		fputs("  raw ", out);
		esc(out, row.raw, row.raw_len);
		fputc('\n', out);
		if (row.truncated) {
			const char *p;
			size_t n;

			fputs("  tail \"", out);
			while (csvread_tail(r, &p, &n) == 1)
				esc_bytes(out, p, n);
			fputs("\"\n", out);
		}
	}
	if (got < 0)
		fprintf(out, "read fails: %s\n", d.msg);
	fprintf(out, "end blank=%lu bytes=%llu\n", csvread_blank_lines(r),
	    (unsigned long long)csvread_bytes(r));
	csvread_close(r);
	fclose(out);
	return text;
}

/* golden - one test: dir/name.csv read as name.ref says. */
static void
golden(const char *dir, const char *name)
{
	char path[4096];
	char *ref, *want, *got;
	struct csvread_opts o;
	FILE *in;

	if (snprintf(path, sizeof(path), "%s/%s.ref", dir, name) >=
	    (int)sizeof(path) || (ref = slurp(path, NULL)) == NULL) {
		ok(0, "%s: no .ref file", name);
		return;
	}
	want = strip_comments(ref);
	parse_opts(want, &o);
	if (snprintf(path, sizeof(path), "%s/%s.csv", dir, name) >=
	    (int)sizeof(path) || (in = fopen(path, "rb")) == NULL) {
		ok(0, "%s: cannot open", path);
		return;
	}
	snprintf(path, sizeof(path), "%s.csv", name);
	got = dump(in, path, &o);
	fclose(in);
	/* The opts line is input, not output. */
	const char *w = want;
	if (strncmp(w, "opts ", 5) == 0)
		w = strchr(w, '\n') + 1;
	if (!ok(strcmp(got, w) == 0, "golden %s", name)) {
		const char *a = got, *b = w;
		int line = 1;

		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++, b++;
		}
		diag("first difference in output line %d", line);
		diag("got:\n%s", got);
	}
	free(got);
	free(want);
	free(ref);
}

/*
 * big_records - a 3 MB line with max_record 1 MiB is one truncated
 * malformed row and the rows around it survive; the same for a 3 MB
 * quoted cell, and for a multi-line quoted cell that passes 1 MiB.
 */
static void
big_records(void)
{
	const size_t big = 3 * 1024 * 1024, mib = 1024 * 1024;
	/* Lines are not the limit here: bytes are. */
	struct csvread_opts o = { .max_record = mib, .max_quote_lines = 100000 };
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	char *data, *p;
	size_t len;
	FILE *in;

	data = malloc(2 * big + 64 * 20000 + 1000);
	p = data;
	p += app(p, "name,email\nann,ann@example.com\nbig,");
	memset(p, 'x', big);
	p += big;
	p += app(p, "\nbob,bob@example.com\nq,\"");
	memset(p, 'y', big);
	p += big;
	p += app(p, "\"\ncy,cy@example.com\nml,\"start\n");
	for (int i = 0; i < 20000; i++)	/* 20000 * 64 bytes > 1 MiB */
		p += app(p, "%063d\n", i);
	p += app(p, "end\",x\ndee,dee@example.com");
	len = (size_t)(p - data);
	in = fmemopen(data, len, "rb");
	r = csvread_open(in, "big.csv", &o, &d);
	ok(r != NULL, "big: open");
	if (r == NULL)
		return;
	is_int(csvread_next(r, &row, &d), 1, "big: header");
	is_int(csvread_next(r, &row, &d), 1, "big: ann");
	is_str(row.field[0], "ann", "big: ann's first field");
	is_int(csvread_next(r, &row, &d), 1, "big: 3 MB line");
	ok(row.malformed && row.truncated, "big: 3 MB line is malformed, truncated");
	is_int(row.raw_len, mib, "big: raw is the first 1 MiB");
	is_int(row.line, 3, "big: on line 3");
	is_str(row.why, "record longer than 1048576 bytes at line 3",
	    "big: reason");
	ok(memcmp(row.raw, "big,xxx", 7) == 0, "big: raw starts the line");
	ok(row.tail != NULL, "big: the row has a tail");
	{
		const char *tp;
		size_t tn, total = 0;
		bool all_x = true;
		int rc;

		while ((rc = row.tail(row.tail_arg, &tp, &tn)) == 1) {
			for (size_t i = 0; i < tn; i++)
				all_x &= tp[i] == 'x';
			total += tn;
		}
		is_int(rc, 0, "big: tail read to its end");
		is_int(total, 4 + big - mib, "big: tail is the rest of the line");
		ok(all_x, "big: tail holds only the line's bytes, no line end");
		is_int(csvread_tail(r, &tp, &tn), 0, "big: tail stays done");
	}
	is_int(csvread_next(r, &row, &d), 1, "big: bob");
	ok(!row.malformed && row.nfields == 2 && row.line == 4 &&
	    strcmp(row.field[1], "bob@example.com") == 0,
	    "big: bob read normally on line 4");
	is_int(csvread_next(r, &row, &d), 1, "big: 3 MB quoted cell");
	ok(row.malformed && row.truncated && row.line == 5 &&
	    row.raw_len == mib, "big: 3 MB quoted cell malformed on line 5");
	/* Its tail is not read: the next call skips it. */
	is_int(csvread_next(r, &row, &d), 1, "big: cy");
	ok(!row.malformed && row.line == 6 &&
	    strcmp(row.field[0], "cy") == 0, "big: cy read normally on line 6");
	is_int(csvread_next(r, &row, &d), 1, "big: multi-line cell");
	ok(row.malformed && !row.truncated && row.line == 7 &&
	    row.lines == 1, "big: multi-line cell over 1 MiB: one line malformed");
	is_str(row.why, "unterminated quoted field starting at line 7 (still "
	    "open after 1048576 bytes)", "big: its reason");
	ok(row.raw_len == 9 && memcmp(row.raw, "ml,\"start", 9) == 0,
	    "big: its raw is the first line only");
	/* Its 20000 inner lines come back as one-field rows. */
	is_int(csvread_next(r, &row, &d), 1, "big: line 8");
	ok(!row.malformed && row.line == 8 && row.nfields == 1 &&
	    row.field_len[0] == 63, "big: line 8 re-read as a row");
	for (int i = 1; i < 20000; i++)
		if (csvread_next(r, &row, &d) != 1 || row.malformed)
			break;
	is_int(row.line, 8 + 19999, "big: all inner lines re-read");
	is_int(csvread_next(r, &row, &d), 1, "big: the closing line");
	ok(!row.malformed && row.line == 20008 && row.nfields == 2,
	    "big: the closing line is a row of its own");
	ok(strcmp(row.field[0], "end\"") == 0,
	    "big: its closing quote is an ordinary character");
	is_int(csvread_next(r, &row, &d), 1, "big: dee");
	ok(!row.malformed && row.line == 20009 &&
	    strcmp(row.field[1], "dee@example.com") == 0,
	    "big: last row read normally");
	is_int(csvread_next(r, &row, &d), 0, "big: end");
	is_int(csvread_bytes(r), len, "big: every byte consumed");
	csvread_close(r);
	fclose(in);
	free(data);
}

/* A read function that makes an endless line of 'x' (cookie = bytes left). */
static ssize_t
gen_read(void *cookie, char *buf, size_t n)
{
	size_t *left = cookie;

	if (*left == 0)
		return 0;
	if (n > *left)
		n = *left;
	memset(buf, 'x', n);
	if (n == *left && n > 0)
		buf[n - 1] = '\n';
	*left -= n;
	return (ssize_t)n;
}

/* A read function: 'x' bytes without a line end, then EIO. */
static ssize_t
gen_read_eio(void *cookie, char *buf, size_t n)
{
	size_t *left = cookie;

	if (*left == 0) {
		errno = EIO;
		return -1;
	}
	if (n > *left)
		n = *left;
	memset(buf, 'x', n);
	*left -= n;
	return (ssize_t)n;
}

/*
 * long_line_memory - a 200 MB line over a 1 MiB max_record must not be
 * buffered whole, whether its tail is read (it is the rest of the line)
 * or skipped.
 */
static void
long_line_memory(bool read_tail)
{
	const size_t size = 200u * 1024 * 1024, mib = 1024 * 1024;
	size_t left = size, total = 0;
	cookie_io_functions_t io = { .read = gen_read };
	struct csvread_opts o = { .max_record = mib };
	struct rusage before, after;
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	FILE *in = fopencookie(&left, "r", io);
	const char *how = read_tail ? "tail read" : "tail skipped";
	const char *p;
	size_t n;

	getrusage(RUSAGE_SELF, &before);
	r = csvread_open(in, "gen", &o, &d);
	ok(r != NULL, "200 MB line, %s: open", how);
	if (r == NULL)
		return;
	is_int(csvread_next(r, &row, &d), 1, "200 MB line, %s: one row", how);
	ok(row.malformed && row.truncated, "200 MB line, %s: malformed, "
	    "truncated", how);
	if (read_tail) {
		while (csvread_tail(r, &p, &n) == 1)
			total += n;
		is_int(total, size - mib - 1, "200 MB line: the tail is the "
		    "rest of the line, its LF excluded");
	}
	is_int(csvread_next(r, &row, &d), 0, "200 MB line, %s: then the end",
	    how);
	is_int(csvread_bytes(r), size, "200 MB line, %s: all consumed", how);
	getrusage(RUSAGE_SELF, &after);
	diag("max RSS grew by %ld KiB", after.ru_maxrss - before.ru_maxrss);
	ok(after.ru_maxrss - before.ru_maxrss < 64 * 1024,
	    "200 MB line, %s: memory stays far below the line size", how);
	csvread_close(r);
	fclose(in);
}

/*
 * default_limit - without options a record is only malformed past 64 MiB:
 * a row with a 2 MB cell is read whole, its fields intact.
 */
static void
default_limit(void)
{
	const size_t big = 2 * 1000 * 1000;
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	char *data, *p;
	size_t len;
	FILE *in;

	data = malloc(2 * big + 200);
	p = data;
	p += app(p, "name,email,notes\nann,ann@example.com,");
	memset(p, 'n', big);
	p += big;
	p += app(p, "\nbob,bob@example.com,\"");
	memset(p, 'q', big);
	p += big;
	p += app(p, "\"\n");
	len = (size_t)(p - data);
	in = fmemopen(data, len, "rb");
	r = csvread_open(in, "notes.csv", NULL, &d);
	ok(r != NULL, "default limit: open");
	if (r == NULL)
		return;
	is_int(csvread_next(r, &row, &d), 1, "default limit: header");
	is_int(csvread_next(r, &row, &d), 1, "default limit: 2 MB row");
	ok(!row.malformed && !row.truncated && row.nfields == 3 &&
	    strcmp(row.field[1], "ann@example.com") == 0 &&
	    row.field_len[2] == big && row.raw_len == 20 + big &&
	    row.tail == NULL, "default limit: a 2 MB unquoted cell is read");
	is_int(csvread_next(r, &row, &d), 1, "default limit: 2 MB quoted");
	ok(!row.malformed && row.nfields == 3 &&
	    strcmp(row.field[1], "bob@example.com") == 0 &&
	    row.field_len[2] == big, "default limit: a 2 MB quoted cell is "
	    "read");
	is_int(csvread_next(r, &row, &d), 0, "default limit: end");
	csvread_close(r);
	fclose(in);
	free(data);
}

/*
 * plain_split - records without a quote are cut where their delimiters
 * are (csvread_split_plain): against a byte-by-byte split, for each of
 * , ; TAB |, on 20,000 random records of 1 to 70 bytes with delimiters
 * at every place (first, last, doubled, at and across 8- and 32-byte
 * edges) and field bytes next to them in value (the delimiter's
 * neighbours, with the high bit, 0x01, 0x7f, 0x80, 0xff).
 */
static void
plain_split(void)
{
	static const int delims[] = { ',', ';', '\t', '|' };
	unsigned seed = 4242;

	for (size_t k = 0; k < sizeof(delims) / sizeof(delims[0]); k++) {
		const int dl = delims[k];
		const unsigned char near[] = { 'a', 'x', '7', ' ', 0x01, 0x7f,
		    0x80, 0xff, (unsigned char)(dl ^ 1),
		    (unsigned char)(dl + 1), (unsigned char)(dl - 1),
		    (unsigned char)(dl | 0x80), (unsigned char)(dl ^ 0x40) };
		const size_t nrec = 20000;
		char *data = malloc(nrec * 80), *p = data;
		size_t *lens = malloc(nrec * sizeof(*lens));
		struct csvread_opts o = { .delim = dl };
		struct diag d = { 0 };
		struct csvread *r;
		struct csvrow row;
		size_t bad = 0, rows = 0;
		FILE *in;

		for (size_t i = 0; i < nrec; i++) {
			size_t n, x;

			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 70;
			for (size_t j = 0; j < n; j++) {
				seed = seed * 1103515245u + 12345u;
				p[j] = (seed >> 16) % 4 == 0 ? (char)dl :
				    (char)near[(seed >> 20) % sizeof(near)];
			}
			seed = seed * 1103515245u + 12345u;
			x = (seed >> 16) % n;
			p[x] = 'x';	/* never a blank line */
			if (i == 0)
				p[0] = 'x';	/* no BOM, no "sep=" */
			for (size_t j = 0; j < n; j++)	/* the near bytes */
				if (p[j] == '\n' || p[j] == '\r' ||
				    p[j] == '"' || p[j] == '\0')
					p[j] = 'y';
			lens[i] = n;
			p += n;
			*p++ = '\n';
		}
		in = fmemopen(data, (size_t)(p - data), "rb");
		r = csvread_open(in, "plain.csv", &o, &d);
		ok(r != NULL, "plain split %#x: open", dl);
		if (r == NULL)
			return;
		p = data;
		while (csvread_next(r, &row, &d) == 1) {
			size_t n = lens[rows], nf = 0, st = 0;

			for (size_t j = 0; j <= n; j++) {
				if (j < n && p[j] != (char)dl)
					continue;
				if (nf >= row.nfields ||
				    row.field_len[nf] != j - st ||
				    memcmp(row.field[nf], p + st, j - st) != 0 ||
				    row.field[nf][j - st] != '\0')
					bad++;
				nf++;
				st = j + 1;
			}
			bad += nf != row.nfields || row.malformed ||
			    row.raw_len != n || memcmp(row.raw, p, n) != 0;
			p += n + 1;
			if (++rows == nrec)
				break;
		}
		is_int(rows, nrec, "plain split %#x: every record read", dl);
		is_int(bad, 0, "plain split %#x: fields as a byte-by-byte split "
		    "cuts them", dl);
		csvread_close(r);
		fclose(in);
		free(lens);
		free(data);
	}
}

/*
 * tail_read_error - a read error while the tail is streamed: csvread_tail
 * says -1 with errno, and the next csvread_next reports it.
 */
static void
tail_read_error(void)
{
	size_t left = 300 * 1000;
	cookie_io_functions_t io = { .read = gen_read_eio };
	struct csvread_opts o = { .max_record = 1024 };
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	FILE *in = fopencookie(&left, "r", io);
	const char *p;
	size_t n;
	int rc;

	r = csvread_open(in, "flaky.csv", &o, &d);
	ok(r != NULL, "tail read error: open");
	if (r == NULL)
		return;
	is_int(csvread_next(r, &row, &d), 1, "tail read error: a row");
	ok(row.truncated, "tail read error: the row is truncated");
	errno = 0;
	while ((rc = csvread_tail(r, &p, &n)) == 1)
		;
	ok(rc == -1 && errno == EIO, "tail read error: csvread_tail says -1, "
	    "EIO");
	is_int(csvread_next(r, &row, &d), -1, "tail read error: the next "
	    "csvread_next fails");
	ok(d.code == DIAG_INPUT && strstr(d.msg, "flaky.csv") != NULL,
	    "tail read error: naming the file (%s)", d.msg);
	csvread_close(r);
	fclose(in);
}

/* from_pipe - sniffing works on a pipe (no seeking): same result as a file. */
static void
from_pipe(const char *dir)
{
	char cmd[4200], path[4096], *a, *b;
	FILE *in;

	if (snprintf(path, sizeof(path), "%s/excel_bom_crlf.csv", dir) >=
	    (int)sizeof(path) ||
	    snprintf(cmd, sizeof(cmd), "cat '%s'", path) >= (int)sizeof(cmd) ||
	    (in = popen(cmd, "r")) == NULL) {
		ok(0, "pipe: popen");
		return;
	}
	a = dump(in, "excel_bom_crlf.csv", NULL);
	pclose(in);
	in = fopen(path, "rb");
	b = dump(in, "excel_bom_crlf.csv", NULL);
	fclose(in);
	ok(strcmp(a, b) == 0, "pipe: same rows, delimiter, BOM and eol as the file");
	free(a);
	free(b);
}

/* An input that gives 300 KB of rows, then EIO (cookie = bytes left). */
static ssize_t
eio_read(void *cookie, char *buf, size_t n)
{
	size_t *left = cookie;

	if (*left == 0) {
		errno = EIO;
		return -1;
	}
	if (n > *left)
		n = *left;
	for (size_t i = 0; i < n; i++)
		buf[i] = (i % 10 == 9) ? '\n' : (i % 10 == 4 ? ',' : 'a');
	*left -= n;
	return (ssize_t)n;
}

/* read_error - a failing read is -1 with a message naming the file. */
static void
read_error(void)
{
	size_t left = 300 * 1000;
	cookie_io_functions_t io = { .read = eio_read };
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	FILE *in = fopencookie(&left, "r", io);
	int got;

	r = csvread_open(in, "flaky.csv", NULL, &d);
	ok(r != NULL, "read error: open (the first 256 KiB are fine)");
	if (r == NULL)
		return;
	while ((got = csvread_next(r, &row, &d)) == 1)
		;
	is_int(got, -1, "read error: csvread_next says -1");
	is_int(d.code, DIAG_INPUT, "read error: DIAG_INPUT");
	ok(strstr(d.msg, "flaky.csv") && strstr(d.msg, strerror(EIO)),
	    "read error: message names the file and the error (%s)", d.msg);
	csvread_close(r);
	fclose(in);
	left = 0;
	in = fopencookie(&left, "r", io);
	ok(csvread_open(in, "flaky.csv", NULL, &d) == NULL &&
	    strstr(d.msg, "flaky.csv") != NULL, "read error at open: fails (%s)",
	    d.msg);
	fclose(in);
}

/*
 * resync_and_lines - after each kind of damage the parser starts clean,
 * and the CR of a CRLF split across buffer refills is still one line end.
 */
static void
resync_and_lines(void)
{
	struct diag d = { 0 };
	struct csvread *r;
	struct csvrow row;
	size_t n = 256 * 1024, len;
	char *data = malloc(n + 100);
	FILE *in;

	/* "a,b" lines up to the first buffer's last byte, which is a CR. */
	for (size_t i = 0; i < n; i++)
		data[i] = 'a';
	memcpy(data, "h1,h2\r\n", 7);
	data[n - 1] = '\r';
	len = n;
	len += app(data + len, "\nx,\"q\"\r\n");
	in = fmemopen(data, len, "rb");
	r = csvread_open(in, "split.csv", NULL, &d);
	ok(r != NULL && strcmp(csvread_info(r)->eol, "\r\n") == 0,
	    "split CRLF: open, eol CRLF");
	csvread_next(r, &row, &d);
	csvread_next(r, &row, &d);
	ok(row.line == 2 && row.raw_len == n - 1 - 7,
	    "split CRLF: long line 2 ends before the CR");
	is_int(csvread_next(r, &row, &d), 1, "split CRLF: next record");
	ok(row.line == 3 && row.nfields == 2 && strcmp(row.field[1], "q") == 0,
	    "split CRLF: it is line 3, not a blank line 3 and a line 4");
	is_int(csvread_next(r, &row, &d), 0, "split CRLF: end");
	is_int(csvread_blank_lines(r), 0, "split CRLF: no blank line seen");
	csvread_close(r);
	fclose(in);
	/* The same line over max_record: its tail ends where the line does. */
	for (int read_tail = 0; read_tail < 2; read_tail++) {
		struct csvread_opts o = { .max_record = 1024 };
		const char *how = read_tail ? "tail read" : "tail skipped";
		const char *p;
		size_t k, total = 0;

		in = fmemopen(data, len, "rb");
		r = csvread_open(in, "split.csv", &o, &d);
		ok(r != NULL, "split CRLF, %s: open", how);
		if (r == NULL)
			break;
		csvread_next(r, &row, &d);
		csvread_next(r, &row, &d);
		ok(row.truncated && row.line == 2, "split CRLF, %s: long line "
		    "2 truncated", how);
		if (read_tail) {
			bool cr = false;

			while (csvread_tail(r, &p, &k) == 1) {
				cr |= memchr(p, '\r', k) != NULL;
				total += k;
			}
			is_int(total, n - 1 - 7 - 1024, "split CRLF: the tail "
			    "ends before the CR");
			ok(!cr, "split CRLF: no CR in the tail");
		}
		is_int(csvread_next(r, &row, &d), 1, "split CRLF, %s: next "
		    "record", how);
		ok(row.line == 3 && row.nfields == 2 &&
		    strcmp(row.field[1], "q") == 0, "split CRLF, %s: it is "
		    "line 3, not a blank line 3 and a line 4", how);
		is_int(csvread_blank_lines(r), 0, "split CRLF, %s: no blank "
		    "line seen", how);
		csvread_close(r);
		fclose(in);
	}
	free(data);
}

/* bad_delims - a delimiter that cannot be one is a usage error. */
static void
bad_delims(void)
{
	static const int bad[] = { '"', '\r', '\n', -1, 256 };
	char data[] = "a,b\n";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct csvread_opts o = { .delim = bad[i] };
		struct diag d = { 0 };
		FILE *in = fmemopen(data, strlen(data), "rb");

		ok(csvread_open(in, "d.csv", &o, &d) == NULL &&
		    d.code == DIAG_USAGE && strstr(d.msg, "d.csv") != NULL,
		    "delimiter %d refused (%s)", bad[i], d.msg);
		fclose(in);
	}
}

int
main(void)
{
	const char *src = getenv("srcdir");
	char dir[4096];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/data/csvread", src ? src : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		ok(0, "cannot read %s", dir);
		return done_testing();
	}
	for (int i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);

		if (l > 4 && strcmp(ents[i]->d_name + l - 4, ".csv") == 0) {
			ents[i]->d_name[l - 4] = '\0';
			golden(dir, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	big_records();
	long_line_memory(false);
	long_line_memory(true);
	default_limit();
	plain_split();
	tail_read_error();
	from_pipe(dir);
	read_error();
	resync_and_lines();
	bad_delims();
	return done_testing();
}
