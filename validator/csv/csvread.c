/*
 * csvread - streaming CSV records with raw bytes and line numbers.
 *
 * csvread_line() finds the next physical line in the read buffer,
 * refilling it; csvread_next() groups lines into records (plain lines
 * directly, lines with quotes through libcsv); csvread_split() cuts the
 * fields out of a finished record's raw bytes. A record's bytes stay in
 * the read buffer until the next call, so raw needs no copy and an
 * unterminated quote can be re-read from its second line. The rest of a
 * line longer than max_record is never held whole: csvread_tail hands it
 * out a buffer at a time, and csvread_next skips what was not read.
 */
#include "csv/csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

/* The fuzz build makes these tiny, so small inputs reach the refill paths. */
#ifndef CSVREAD_BUF
#define CSVREAD_BUF		(256 * 1024)	/* read buffer to start with */
#endif
#ifndef CSVREAD_SLACK
#define CSVREAD_SLACK		(64 * 1024)	/* room past max_record */
#endif
#define CSVREAD_SNIFF_RECORDS	50
#define CSVREAD_SNIFF_BYTES	(64 * 1024)
#define CSVREAD_NONE		SIZE_MAX

enum csvread_line_rc { LINE_OK, LINE_EOF, LINE_LONG, LINE_ERR };
/* Where a record's bytes stand, for csvread_bare_quotes. */
enum csvread_qstate {
	QS_FIELD_START,		/* only spaces or tabs in this field so far */
	QS_UNQUOTED,
	QS_QUOTED,
	QS_QUOTE_SEEN,		/* a quote inside a quoted field: end or "" */
	QS_CLOSED		/* after the closing quote */
};
enum csvread_fill_rc { FILL_DATA, FILL_EOF, FILL_FULL, FILL_ERR };

/* Where memchr last found a byte, so each byte is scanned once per kind. */
struct csvread_scan {
	size_t at;	/* offset of the next occurrence, or CSVREAD_NONE */
	size_t upto;	/* with NONE: none before this offset */
};

struct csvread {
	FILE *in;
	char *name;
	struct csv_parser p;
	struct csvread_info info;
	size_t max_record;
	unsigned max_quote_lines;
	char delim;

	char *buf;		/* input bytes [0, len) */
	size_t cap, maxcap, len;
	size_t pos;		/* start of the next line to read */
	size_t le, te;		/* current line: end of content, of line end */
	uint64_t base;		/* input offset of buf[0] */
	bool eof;
	int read_errno;
	struct csvread_scan s_nl, s_cr, s_nul, s_quote;

	bool in_rec;		/* a record has started at rec */
	size_t rec;
	bool row_done;		/* libcsv ended the row */
	bool tail;		/* a truncated row's line goes on at pos */
	bool failed;		/* a read error in csvread_tail, sticky */
	enum csvread_qstate qs;	/* quote state at pos, inside a record */
	char *lbuf;		/* a line with its bare quotes masked */
	size_t lcap;
	unsigned long line;	/* number of the line starting at pos */
	unsigned long blank;

	char *arena;		/* field bytes, NUL after each */
	size_t acap;
	const char **fptr;
	size_t *flen;
	size_t fcap;
	size_t nf;		/* fields of the current record */
};

static void *csvread_realloc(void *p, size_t n);
static void csvread_row_cb(int c, void *ctx);
static void csvread_scan_reset(struct csvread *r);
static size_t csvread_find(struct csvread *r, struct csvread_scan *sc,
    int ch, size_t from);
static int csvread_fill(struct csvread *r, size_t keep);
static int csvread_line(struct csvread *r);
static int csvread_tail_cb(void *arg, const char **p, size_t *n);
static bool csvread_blank(const struct csvread *r);
static void csvread_resync(struct csvread *r);
static const char *csvread_bare_quotes(struct csvread *r, const char *s,
    size_t n);
static void csvread_more_fields(struct csvread *r);
static void csvread_split(struct csvread *r, const char *s, size_t n);
static void csvread_split_plain(struct csvread *r, const char *s, size_t n);
static int csvread_record(struct csvread *r, struct csvrow *row, bool plain);
static int csvread_bad(struct csvread *r, struct csvrow *row,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int csvread_unterminated(struct csvread *r, struct csvrow *row,
    size_t first_le, size_t first_te, const char *detail);
static int csvread_too_long(struct csvread *r, struct csvrow *row);
static size_t csvread_sniff_counts(const char *s, size_t n, bool complete,
    char dl, unsigned *cnt, size_t max);
static int csvread_sniff(const char *s, size_t n, bool complete);
static const char *csvread_encoding(const unsigned char *s, size_t n);
static bool csvread_sep_line(struct csvread *r);

/* csvread_realloc - libcsv's allocator: never NULL (xalloc policy). */
static void *
csvread_realloc(void *p, size_t n)
{
	return xreallocarray(p, n, 1);
}

/* csvread_row_cb - libcsv ended a row: the record is complete. */
static void
csvread_row_cb(int c, void *ctx)
{
	(void)c;
	((struct csvread *)ctx)->row_done = true;
}

/* csvread_scan_reset - forget cached positions (data moved, pos went back). */
static void
csvread_scan_reset(struct csvread *r)
{
	struct csvread_scan z = { CSVREAD_NONE, 0 };

	r->s_nl = r->s_cr = r->s_nul = r->s_quote = z;
}

/*
 * csvread_find - offset of the first ch at or after from in the buffered
 * bytes, or CSVREAD_NONE. from only grows between csvread_scan_reset
 * calls, which is what makes the cache valid.
 */
static size_t
csvread_find(struct csvread *r, struct csvread_scan *sc, int ch, size_t from)
{
	const char *p;
	size_t start;

	if (sc->at != CSVREAD_NONE) {
		if (sc->at >= from)
			return sc->at;
		start = from;
	} else
		start = from > sc->upto ? from : sc->upto;
	if (start < r->len &&
	    (p = memchr(r->buf + start, ch, r->len - start)) != NULL) {
		sc->at = (size_t)(p - r->buf);
		return sc->at;
	}
	sc->at = CSVREAD_NONE;
	sc->upto = r->len;
	return CSVREAD_NONE;
}

/*
 * csvread_fill - read more input after the buffered bytes. When the
 * buffer is full, the bytes before keep are dropped first, and it grows
 * (up to maxcap) when less than a quarter would be free.
 */
static int
csvread_fill(struct csvread *r, size_t keep)
{
	size_t n;

	if (r->eof)
		return FILL_EOF;
	if (r->len == r->cap) {
		if (keep > 0) {
			memmove(r->buf, r->buf + keep, r->len - keep);
			r->len -= keep;
			r->pos -= keep;
			if (r->in_rec)
				r->rec -= keep;
			r->base += keep;
			csvread_scan_reset(r);
		}
		if (r->cap - r->len < r->cap / 4 && r->cap < r->maxcap) {
			size_t cap = r->cap > r->maxcap / 2 ? r->maxcap :
			    r->cap * 2;

			r->buf = xreallocarray(r->buf, cap, 1);
			r->cap = cap;
		}
		if (r->len == r->cap)
			return FILL_FULL;
	}
	n = fread(r->buf + r->len, 1, r->cap - r->len, r->in);
	if (n == 0) {
		if (ferror(r->in)) {
			r->read_errno = errno ? errno : EIO;
			return FILL_ERR;
		}
		r->eof = true;
		return FILL_EOF;
	}
	r->len += n;
	return FILL_DATA;
}

/*
 * csvread_line - find the line starting at pos: sets le (end of its
 * content) and te (after its LF, CRLF or bare CR; le at the end of input
 * without one). LINE_LONG: the buffer is full from the start of the
 * current record (or line) without a line end.
 */
static int
csvread_line(struct csvread *r)
{
	for (;;) {
		size_t nl = csvread_find(r, &r->s_nl, '\n', r->pos);
		size_t cr = csvread_find(r, &r->s_cr, '\r', r->pos);

		if (cr < nl) {
			if (cr + 1 < r->len) {
				r->le = cr;
				r->te = cr + 1 + (r->buf[cr + 1] == '\n');
				return LINE_OK;
			}
			if (r->eof) {
				r->le = cr;
				r->te = cr + 1;
				return LINE_OK;
			}
			/* A CR last in the buffer: is an LF next? */
		} else if (nl != CSVREAD_NONE) {
			r->le = nl;
			r->te = nl + 1;
			return LINE_OK;
		} else if (r->eof) {
			if (r->pos == r->len)
				return LINE_EOF;
			r->le = r->te = r->len;
			return LINE_OK;
		}
		switch (csvread_fill(r, r->in_rec ? r->rec : r->pos)) {
		case FILL_ERR:
			return LINE_ERR;
		case FILL_FULL:
			return LINE_LONG;
		default:
			break;
		}
	}
}

/* csvread_blank - is the current line empty or only spaces and tabs? */
static bool
csvread_blank(const struct csvread *r)
{
	for (size_t i = r->pos; i < r->le; i++) {
		char c = r->buf[i];

		if ((c != ' ' && c != '\t') || c == r->delim)
			return false;
	}
	return true;
}

/*
 * csvread_resync - forget the row libcsv was in. csv_fini() refuses to
 * reset a parser with an open quoted field while CSV_STRICT_FINI is set
 * (it returns -1 and keeps the state), so that option is dropped for the
 * call.
 */
static void
csvread_resync(struct csvread *r)
{
	csv_set_opts(&r->p, CSV_STRICT);
	(void)csv_fini(&r->p, NULL, NULL, NULL);
	csv_set_opts(&r->p, CSV_STRICT | CSV_STRICT_FINI);
	r->row_done = false;
}

/*
 * csvread_bare_quotes - line s (n bytes, its line end included) as libcsv
 * should see it: a quote inside an unquoted field ("27" monitor", he said
 * "hi") is an ordinary character to LibreOffice and Excel, but an error
 * to libcsv's strict mode, so such quotes are masked in a copy. Only the
 * judgement of record boundaries uses the copy; the cells are cut from
 * the raw bytes, where the quotes stay. Every other quote is left alone,
 * so a quoted field, "" inside it and text after a closing quote are
 * judged by libcsv as before. The state carries over from line to line
 * of one record (r->qs). Returns s itself when nothing was masked.
 */
static const char *
csvread_bare_quotes(struct csvread *r, const char *s, size_t n)
{
	const char dl = r->delim;
	char *out = NULL;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		switch (r->qs) {
		case QS_FIELD_START:
			if (c == '"')
				r->qs = QS_QUOTED;
			else if (c != ' ' && c != '\t' && c != dl &&
			    c != '\n' && c != '\r')
				r->qs = QS_UNQUOTED;
			break;
		case QS_UNQUOTED:
			if (c == dl || c == '\n' || c == '\r') {
				r->qs = QS_FIELD_START;
			} else if (c == '"') {
				if (out == NULL) {
					if (r->lcap < n) {
						r->lcap = n;
						r->lbuf = xreallocarray(r->lbuf, n, 1);
					}
					memcpy(r->lbuf, s, n);
					out = r->lbuf;
				}
				out[i] = '_';
			}
			break;
		case QS_QUOTED:
			if (c == '"')
				r->qs = QS_QUOTE_SEEN;
			break;
		case QS_QUOTE_SEEN:
			if (c == '"')
				r->qs = QS_QUOTED;
			else if (c == dl || c == '\n' || c == '\r')
				r->qs = QS_FIELD_START;
			else
				r->qs = QS_CLOSED;
			break;
		case QS_CLOSED:
			if (c == dl || c == '\n' || c == '\r')
				r->qs = QS_FIELD_START;
			break;
		}
	}
	return out != NULL ? out : s;
}

/* csvread_more_fields - twice the room for field pointers and lengths. */
static void
csvread_more_fields(struct csvread *r)
{
	r->fcap *= 2;
	r->fptr = xreallocarray(r->fptr, r->fcap, sizeof(*r->fptr));
	r->flen = xreallocarray(r->flen, r->fcap, sizeof(*r->flen));
}

/*
 * csvread_split - the fields of a record libcsv accepted (or of a line
 * without quotes). A field whose first byte other than space or tab is a
 * quote is quoted: its content with "" made ", spaces after the closing
 * quote dropped. Any other field is its bytes up to the delimiter.
 */
static void
csvread_split(struct csvread *r, const char *s, size_t n)
{
	const char dl = r->delim;
	size_t i = 0, nf = 0, al = 0;
	char *a;

	/* At most n content bytes and n + 1 fields, each with a NUL. */
	if (r->acap < 2 * n + 2) {
		r->acap = 2 * n + 2 > 2 * r->acap ? 2 * n + 2 : 2 * r->acap;
		r->arena = xreallocarray(r->arena, r->acap, 1);
	}
	a = r->arena;
	for (;;) {
		size_t st = i, j = i, e;
		const char *q;

		if (nf == r->fcap)
			csvread_more_fields(r);
		while (j < n && (s[j] == ' ' || s[j] == '\t') && s[j] != dl)
			j++;
		r->fptr[nf] = a + al;
		if (j < n && s[j] == '"') {
			j++;
			while ((q = memchr(s + j, '"', n - j)) != NULL) {
				size_t k = (size_t)(q - s);

				memcpy(a + al, s + j, k - j);
				al += k - j;
				j = k + 1;
				if (j < n && s[j] == '"') {
					a[al++] = '"';
					j++;
					continue;
				}
				break;
			}
			if (q == NULL) {	/* libcsv refuses that */
				memcpy(a + al, s + j, n - j);
				al += n - j;
				j = n;
			}
			q = memchr(s + j, dl, n - j);
			e = q ? (size_t)(q - s) : n;
		} else {
			q = memchr(s + st, dl, n - st);
			e = q ? (size_t)(q - s) : n;
			memcpy(a + al, s + st, e - st);
			al += e - st;
		}
		r->flen[nf] = (size_t)(a + al - r->fptr[nf]);
		a[al++] = '\0';
		nf++;
		if (e >= n)
			break;
		i = e + 1;
	}
	r->nf = nf;
}

/*
 * csvread_split_plain - csvread_split of a record without a quote (most
 * of them): its bytes copied once, each delimiter made the NUL that ends
 * a field.
 */
static void
csvread_split_plain(struct csvread *r, const char *s, size_t n)
{
	const char dl = r->delim;
	size_t nf = 0, st = 0;
	char *a;

	if (r->acap < n + 1) {
		r->acap = n + 1 > 2 * r->acap ? n + 1 : 2 * r->acap;
		r->arena = xreallocarray(r->arena, r->acap, 1);
	}
	a = r->arena;
	memcpy(a, s, n);
	a[n] = '\0';
	for (;;) {
		char *q = memchr(a + st, dl, n - st);
		size_t e = q ? (size_t)(q - a) : n;

		if (nf == r->fcap)
			csvread_more_fields(r);
		r->fptr[nf] = a + st;
		r->flen[nf] = e - st;
		a[e] = '\0';
		nf++;
		if (e >= n)
			break;
		st = e + 1;
	}
	r->nf = nf;
}

/*
 * csvread_record - row is the complete record [rec, le); plain: it holds
 * no quote.
 */
static int
csvread_record(struct csvread *r, struct csvrow *row, bool plain)
{
	row->raw = r->buf + r->rec;
	row->raw_len = r->le - r->rec;
	row->offset = r->base + r->rec;
	if (plain)
		csvread_split_plain(r, row->raw, row->raw_len);
	else
		csvread_split(r, row->raw, row->raw_len);
	row->nfields = r->nf;
	row->field = r->fptr;	/* the split may have moved them */
	row->field_len = r->flen;
	r->pos = r->te;
	r->line++;
	r->in_rec = false;
	return 1;
}

/*
 * csvread_bad - row is the malformed record at rec (raw_len, lines and
 * where to go on are set by the caller); why from fmt.
 */
static int
csvread_bad(struct csvread *r, struct csvrow *row, const char *fmt, ...)
{
	va_list ap;

	row->raw = r->buf + r->rec;
	row->offset = r->base + r->rec;
	row->nfields = 0;
	row->malformed = true;
	va_start(ap, fmt);
	vsnprintf(row->why, sizeof(row->why), fmt, ap);
	va_end(ap);
	r->in_rec = false;
	return 1;
}

/*
 * csvread_unterminated - a quoted field opened on the record's first
 * line did not close in time, or the lines it ran into are damaged (a
 * stray quote, a NUL byte): that first line alone is the malformed row,
 * and reading starts again on its second line (validator/README,
 * "CSV facts"). So a stray opening quote costs one row, never the rows
 * it ran into, which are read again as what they are.
 */
static int
csvread_unterminated(struct csvread *r, struct csvrow *row, size_t first_le,
    size_t first_te, const char *detail)
{
	row->raw_len = first_le;
	row->lines = 1;
	csvread_resync(r);
	r->pos = r->rec + first_te;
	r->line = row->line + 1;
	csvread_scan_reset(r);
	return csvread_bad(r, row, "unterminated quoted field starting at "
	    "line %lu%s", row->line, detail);
}

/*
 * csvread_too_long - the record's first line alone passes max_record:
 * its first max_record bytes are the row, and the rest of the line is its
 * tail (csvread_tail), whether it is in the buffer yet or not.
 */
static int
csvread_too_long(struct csvread *r, struct csvrow *row)
{
	row->raw_len = r->max_record;
	row->truncated = true;
	row->lines = 1;
	row->tail = csvread_tail_cb;
	row->tail_arg = r;
	r->pos = r->rec + r->max_record;
	r->tail = true;
	r->line++;
	return csvread_bad(r, row, "record longer than %zu bytes at line %lu",
	    r->max_record, row->line);
}

int
csvread_tail(struct csvread *r, const char **p, size_t *n)
{
	while (r->tail) {
		size_t nl = csvread_find(r, &r->s_nl, '\n', r->pos);
		size_t cr = csvread_find(r, &r->s_cr, '\r', r->pos);
		size_t t = nl < cr ? nl : cr, end;

		/* A CR last in the buffer: an LF may follow, keep it. */
		if (t == cr && t != CSVREAD_NONE && t + 1 == r->len && !r->eof)
			end = t;
		else if (t != CSVREAD_NONE && t == r->pos) {
			r->pos = t + 1;
			if (t == cr && t + 1 < r->len && r->buf[t + 1] == '\n')
				r->pos++;
			r->tail = false;
			break;
		} else
			end = t == CSVREAD_NONE ? r->len : t;
		if (end > r->pos) {
			*p = r->buf + r->pos;
			*n = end - r->pos;
			r->pos = end;
			return 1;
		}
		/* Nothing left in the buffer: all of it can go. */
		switch (csvread_fill(r, r->pos)) {
		case FILL_ERR:
			r->failed = true;
			errno = r->read_errno;
			return -1;
		case FILL_EOF:
			if (r->pos == r->len)
				r->tail = false;
			break;		/* else the final CR */
		case FILL_FULL:		/* cannot happen: pos > 0 */
			r->pos = r->len;
			r->tail = false;
			break;
		default:
			break;
		}
	}
	*p = "";
	*n = 0;
	return 0;
}

/* csvread_tail_cb - csvread_tail as a csvrow's tail function. */
static int
csvread_tail_cb(void *arg, const char **p, size_t *n)
{
	return csvread_tail(arg, p, n);
}

int
csvread_next(struct csvread *r, struct csvrow *row, struct diag *d)
{
	size_t first_le = 0, first_te = 0;	/* first line, from rec */
	char detail[64];
	int rc;

	row->raw = "";
	row->raw_len = 0;
	row->nfields = 0;
	row->field = r->fptr;
	row->field_len = r->flen;
	row->line = r->line;
	row->lines = 0;
	row->malformed = false;
	row->truncated = false;
	row->offset = r->base + r->pos;
	row->why[0] = '\0';
	row->tail = NULL;
	row->tail_arg = NULL;
	if (r->tail) {
		const char *p;
		size_t n;

		while ((rc = csvread_tail(r, &p, &n)) == 1)
			;
	}
	if (r->failed)
		goto readerr;
	r->in_rec = false;
	r->row_done = false;
	for (;;) {
		size_t n, got, nul;

		rc = csvread_line(r);
		if (rc == LINE_ERR)
			goto readerr;
		if (rc == LINE_EOF) {
			if (!r->in_rec)
				return 0;
			return csvread_unterminated(r, row, first_le, first_te,
			    "");
		}
		if (!r->in_rec) {
			if (rc == LINE_OK && csvread_blank(r)) {
				r->blank++;
				r->line++;
				r->pos = r->te;
				continue;
			}
			r->in_rec = true;
			r->rec = r->pos;
			r->qs = QS_FIELD_START;
			row->line = r->line;
		}
		if (rc == LINE_LONG || r->le - r->rec > r->max_record) {
			if (row->lines == 0)
				return csvread_too_long(r, row);
			snprintf(detail, sizeof(detail), " (still open after "
			    "%zu bytes)", r->max_record);
			return csvread_unterminated(r, row, first_le, first_te,
			    detail);
		}
		if (++row->lines == 1) {
			first_le = r->le - r->rec;
			first_te = r->te - r->rec;
		}
		nul = csvread_find(r, &r->s_nul, '\0', r->pos);
		if (nul < r->le) {
			unsigned long at = r->line++;
			size_t col = nul - r->pos + 1;

			if (row->lines > 1)	/* see csvread_unterminated */
				return csvread_unterminated(r, row, first_le,
				    first_te, "");
			row->raw_len = r->le - r->rec;
			r->pos = r->te;
			return csvread_bad(r, row, "NUL byte at line %lu, "
			    "column %zu", at, col);
		}
		/* Fast path: a first line without quotes is the record. */
		if (row->lines == 1 &&
		    csvread_find(r, &r->s_quote, '"', r->pos) >= r->le)
			return csvread_record(r, row, true);
		n = r->te - r->pos;
		got = csv_parse(&r->p, csvread_bare_quotes(r,
		    r->buf + r->pos, n), n, NULL, csvread_row_cb, r);
		if (got < n) {
			/* Strict mode: got is where the rule was broken. */
			const char *what = r->buf[r->pos + got] == '"' ?
			    "stray quote" : "text after a closing quote";

			if (row->lines > 1)
				return csvread_unterminated(r, row, first_le,
				    first_te, "");
			row->raw_len = r->le - r->rec;
			csvread_resync(r);
			r->pos = r->te;
			return csvread_bad(r, row, "%s at line %lu, column %zu",
			    what, r->line++, got + 1);
		}
		if (!r->row_done && r->te == r->le) {
			/* Last line, no line end: csv_fini ends the row. */
			if (csv_fini(&r->p, NULL, csvread_row_cb, r) != 0)
				return csvread_unterminated(r, row, first_le,
				    first_te, "");
			r->row_done = true;
		}
		if (r->row_done)
			return csvread_record(r, row, false);
		if (row->lines >= r->max_quote_lines) {
			snprintf(detail, sizeof(detail), " (still open after "
			    "%u lines)", r->max_quote_lines);
			return csvread_unterminated(r, row, first_le, first_te,
			    detail);
		}
		r->pos = r->te;
		r->line++;
	}
readerr:
	diag_set(d, DIAG_INPUT, "%s: read error: %s", r->name,
	    strerror(r->read_errno));
	return -1;
}

/*
 * csvread_sniff_counts - fields per record for delimiter dl over the
 * first max records of s, quote-aware (a quote opens a quoted field only
 * at the start of a field, as in libcsv). Blank lines do not count, nor
 * does a last record cut off by the end of the sample unless complete.
 */
static size_t
csvread_sniff_counts(const char *s, size_t n, bool complete, char dl,
    unsigned *cnt, size_t max)
{
	size_t nrec = 0;
	unsigned fields = 1;
	bool start = true, inq = false, any = false;

	for (size_t i = 0; i < n && nrec < max; i++) {
		char c = s[i];

		if (inq) {
			if (c == '"') {
				if (i + 1 < n && s[i + 1] == '"')
					i++;
				else
					inq = false;
			}
		} else if (c == '\n' || c == '\r') {
			if (any)
				cnt[nrec++] = fields;
			fields = 1;
			start = true;
			any = false;
		} else if (c == dl) {
			fields++;
			start = true;
			any = true;
		} else if (c == ' ' || c == '\t') {
			;	/* leading spaces keep a field "at its start" */
		} else {
			inq = start && c == '"';
			start = false;
			any = true;
		}
	}
	if (any && !inq && complete && nrec < max)
		cnt[nrec++] = fields;
	return nrec;
}

/*
 * csvread_sniff - the candidate delimiter whose field count (> 1) the
 * most sampled records share (validator/README, "CSV facts"); ties to
 * the earlier of , ; TAB |. ',' when none gives more than one field.
 */
static int
csvread_sniff(const char *s, size_t n, bool complete)
{
	static const char cand[] = { ',', ';', '\t', '|' };
	unsigned cnt[CSVREAD_SNIFF_RECORDS];
	size_t best_agree = 0;
	int best = ',';

	for (size_t k = 0; k < sizeof(cand); k++) {
		size_t nrec = csvread_sniff_counts(s, n, complete, cand[k], cnt,
		    CSVREAD_SNIFF_RECORDS);
		size_t agree = 0;
		unsigned mode = 0;

		for (size_t i = 0; i < nrec; i++) {
			size_t same = 0;

			for (size_t j = 0; j < nrec; j++)
				same += cnt[j] == cnt[i];
			if (same > agree || (same == agree && cnt[i] > mode)) {
				agree = same;
				mode = cnt[i];
			}
		}
		if (mode > 1 && agree > best_agree) {
			best_agree = agree;
			best = cand[k];
		}
	}
	return best;
}

/*
 * csvread_encoding - the --encoding name that reads the input when it is
 * not byte-oriented (UTF-16 or UTF-32), else NULL. With a BOM iconv's
 * "utf-16"/"utf-32" follow it; without one they assume big-endian, so
 * the byte order is named.
 */
static const char *
csvread_encoding(const unsigned char *s, size_t n)
{
	if (n >= 4 && ((s[0] == 0xFF && s[1] == 0xFE && !s[2] && !s[3]) ||
	    (!s[0] && !s[1] && s[2] == 0xFE && s[3] == 0xFF)))
		return "utf-32";
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) ||
	    (s[0] == 0xFE && s[1] == 0xFF)))
		return "utf-16";
	/* No BOM, but ASCII text with every other byte NUL. */
	if (n >= 4 && s[0] && !s[1] && s[2] && !s[3])
		return "utf-16le";
	if (n >= 4 && !s[0] && s[1] && !s[2] && s[3])
		return "utf-16be";
	return NULL;
}

/*
 * csvread_sep_line - at pos, Excel's "sep=X" hint line (any case)? If so
 * skip it and, unless a delimiter was given, take X.
 */
static bool
csvread_sep_line(struct csvread *r)
{
	const char *s = r->buf + r->pos;
	size_t n = r->len - r->pos;

	if (n < 5 || ascii_ncasecmp(s, "sep=", 4) != 0 || s[4] == '"' ||
	    s[4] == '\r' || s[4] == '\n' || s[4] == '\0')
		return false;
	if (n > 5 && s[5] != '\r' && s[5] != '\n')
		return false;
	if (n == 5 && !r->eof)
		return false;
	if (r->delim == 0)
		r->delim = s[4];
	r->pos += 5;
	if (r->pos < r->len && r->buf[r->pos] == '\r')
		r->pos++;
	if (r->pos < r->len && r->buf[r->pos] == '\n')
		r->pos++;
	r->line = 2;
	return true;
}

struct csvread *
csvread_open(FILE *in, const char *name, const struct csvread_opts *o,
    struct diag *d)
{
	struct csvread *r;
	const char *enc, *eol = "\n", *eol_in = "\n";
	size_t start, i;
	int rc;

	r = xcalloc(1, sizeof(*r));
	r->in = in;
	r->name = xstrdup(name ? name : "(input)");
	r->max_record = o && o->max_record ? o->max_record : CSVREAD_MAX_RECORD;
	if (r->max_record > SIZE_MAX / 4)
		r->max_record = SIZE_MAX / 4;
	r->max_quote_lines = o && o->max_quote_lines ? o->max_quote_lines :
	    CSVREAD_MAX_QUOTE_LINES;
	r->delim = o ? (char)o->delim : 0;
	r->cap = CSVREAD_BUF;
	r->maxcap = r->max_record + 2 + CSVREAD_SLACK;
	if (r->maxcap < r->cap)
		r->maxcap = r->cap;
	r->buf = xmalloc(r->cap);
	r->fcap = 16;
	r->fptr = xreallocarray(NULL, r->fcap, sizeof(*r->fptr));
	r->flen = xreallocarray(NULL, r->fcap, sizeof(*r->flen));
	r->line = 1;
	csvread_scan_reset(r);
	csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_realloc_func(&r->p, csvread_realloc);
	csv_set_blk_size(&r->p, 16 * 1024);
	if (o && (o->delim < 0 || o->delim > 255 || o->delim == '"' ||
	    o->delim == '\r' || o->delim == '\n')) {
		diag_set(d, DIAG_USAGE, "%s: cannot use that delimiter",
		    r->name);
		goto fail;
	}

	/* The sample everything is detected from. */
	while (r->len < r->cap && (rc = csvread_fill(r, 0)) != FILL_EOF) {
		if (rc == FILL_ERR) {
			diag_set(d, DIAG_INPUT, "%s: read error: %s", r->name,
			    strerror(r->read_errno));
			goto fail;
		}
	}
	if (r->len == 0) {
		diag_set(d, DIAG_INPUT, "%s: the file is empty", r->name);
		goto fail;
	}
	if ((enc = csvread_encoding((const unsigned char *)r->buf,
	    r->len)) != NULL) {
		diag_set(d, DIAG_INPUT, "%s is %s; run again with --encoding "
		    "%s, or save it as UTF-8 CSV", r->name, enc[4] == '3' ?
		    "UTF-32" : "UTF-16", enc);
		goto fail;
	}
	if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
		r->info.bom = true;
		r->pos = 3;
	}
	start = r->pos;
	r->info.sep_line = csvread_sep_line(r);
	for (i = r->pos; i < r->len; i++)
		if (r->buf[i] != ' ' && r->buf[i] != '\t' &&
		    r->buf[i] != '\r' && r->buf[i] != '\n')
			break;
	if (i == r->len && r->eof) {
		diag_set(d, DIAG_INPUT, "%s: no data (only %s)", r->name,
		    r->info.sep_line ? "a sep= line and blank lines" :
		    r->info.bom && r->len == 3 ? "a byte-order mark" :
		    "blank lines");
		goto fail;
	}
	for (i = start; i < r->len; i++) {
		if (r->buf[i] == '\n')
			break;
		if (r->buf[i] == '\r') {
			if (i + 1 < r->len && r->buf[i + 1] == '\n')
				eol = eol_in = "\r\n";
			else if (i + 1 < r->len || r->eof)
				eol_in = "\r";
			break;
		}
	}
	r->info.eol = eol;
	r->info.eol_in = eol_in;
	if (r->delim == 0) {
		size_t n = r->len - r->pos;

		if (n > CSVREAD_SNIFF_BYTES)
			n = CSVREAD_SNIFF_BYTES;
		r->delim = (char)csvread_sniff(r->buf + r->pos, n,
		    r->eof && r->pos + n == r->len);
		r->info.sniffed = true;
	}
	r->info.delim = (unsigned char)r->delim;
	csv_set_delim(&r->p, (unsigned char)r->delim);
	return r;
fail:
	csvread_close(r);
	return NULL;
}

const struct csvread_info *
csvread_info(const struct csvread *r)
{
	return &r->info;
}

unsigned long
csvread_blank_lines(const struct csvread *r)
{
	return r->blank;
}

uint64_t
csvread_bytes(const struct csvread *r)
{
	return r->base + r->pos;
}

void
csvread_close(struct csvread *r)
{
	if (r == NULL)
		return;
	csv_free(&r->p);
	free(r->buf);
	free(r->arena);
	free(r->lbuf);
	free(r->fptr);
	free(r->flen);
	free(r->name);
	free(r);
}
