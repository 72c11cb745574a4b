#include "csv/row_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

static int row_write_original(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, bool *guarded);
static int row_write_kept_cells(struct csvwrite *w,
    const struct row_write_ctx *c, const struct csvrow *row, bool *guarded);
static bool row_write_skipped(const struct row_write_ctx *c, size_t i);
static int row_write_pad(struct csvwrite *w, const struct row_write_ctx *c,
    size_t have);
static size_t row_write_split(const char *raw, size_t len, int delim,
    size_t *start, size_t *end, size_t max);
static int row_write_damaged(struct csvwrite *w, const struct csvrow *row);
static int row_write_str(struct csvwrite *w, const char *s);
static bool row_write_stable(const struct row_write_cols *k, enum column id);
static int row_write_appended(struct csvwrite *w,
    const struct row_write_ctx *c, const struct columns *cols,
    const struct row_write_cols *k);

#define SUFFIX_SLOTS	64	/* a list has a few dozen kinds of verdict */
_Static_assert(COL_LAST < 256, "run_end holds a column index in a byte");
#define SUFFIX_BYTES	512

/*
 * What the appended cells of a row that row_write_same_kind accepts
 * depend on, other than the row's own: the row number, the address, and
 * duplicate_of and checked_at unless they are the common "" and the
 * run's start (at: that string or NULL).
 */
struct row_write_kind {
	const char *reason, *checked, *mx, *provider, *previous, *at;
	const struct columns *cols;
	enum verdict_status status;
	enum verdict_sub sub;
	enum verdict_action action;
	bool flags_known, role, disposable, free_mail, changed, dup;
};

/*
 * The appended cells of one kind of row, each after its delimiter, all
 * of them plain; cell i of cols at buf + off[i] up to off[i + 1], empty
 * for the row's own cells.
 */
struct row_write_suffix {
	struct row_write_kind kind;
	bool set;		/* kind is known */
	bool plain;		/* and its cells are in buf */
	char delim;
	uint16_t off[COL_LAST + 1];
	/* from cell i: where its run of cells not the row's own ends */
	uint8_t run_end[COL_LAST + 1];
	char buf[SUFFIX_BYTES];
};

struct row_write_memo {
	struct csvwrite_memo cell[COL_LAST];
	struct row_write_suffix slot[SUFFIX_SLOTS];
};

struct row_write_memo *
row_write_memo_new(void)
{
	return xcalloc(1, sizeof(struct row_write_memo));
}

void
row_write_memo_free(struct row_write_memo *m)
{
	free(m);
}

/*
 * row_write_damaged - a malformed row's raw text as one quoted, guarded
 * cell (damaged bytes could break the file otherwise). A truncated row's
 * text goes on in its tail: written a piece at a time as it is read, so
 * the row comes back whole and memory does not grow with it
 * (validator/README, "CSV facts").
 */
static int
row_write_damaged(struct csvwrite *w, const struct csvrow *row)
{
	const char *p;
	size_t n;
	int rc;

	if (row->tail == NULL)
		return csvwrite_cell(w, row->raw, row->raw_len,
		    CSVWRITE_GUARD_STRICT);
	if (csvwrite_cell_start(w, row->raw, row->raw_len,
	    CSVWRITE_GUARD_STRICT) != 0)
		return -1;
	while ((rc = row->tail(row->tail_arg, &p, &n)) == 1)
		if (csvwrite_cell_more(w, p, n) != 0)
			return -1;
	if (rc < 0)
		return -1;
	return csvwrite_cell_end(w);
}

/* row_write_str - one appended cell from a C string, always guarded. */
static int
row_write_str(struct csvwrite *w, const char *s)
{
	return csvwrite_cell(w, s, strlen(s), CSVWRITE_GUARD_STRICT);
}

/*
 * row_write_split - field spans of a record that parsed cleanly: each is
 * the raw bytes from one delimiter to the next, quotes included.
 */
static size_t
row_write_split(const char *raw, size_t len, int delim, size_t *start,
    size_t *end, size_t max)
{
	size_t n = 0, i = 0;
	bool quoted = false;

	start[0] = 0;
	for (; i < len; i++) {
		if (raw[i] == '"')
			quoted = !quoted;	/* "" toggles twice: no change */
		else if (!quoted && raw[i] == delim) {
			end[n++] = i;
			if (n == max)
				return 0;
			start[n] = i + 1;
		}
	}
	end[n++] = len;
	return n;
}

/*
 * row_write_clean - whether raw (a record the reader split into nf
 * fields) reads back the same under RFC 4180 2.5-2.7 as written: each
 * field either holds no quote, or is quoted from its first byte to the
 * byte before the delimiter. A bare quote in an unquoted cell (27"
 * monitor) or a space before an opening quote is read one way by us and
 * by spreadsheets, another way by strict readers: such a row is written
 * cell by cell instead (validator/README, "CSV facts").
 */
static bool
row_write_clean(const char *raw, size_t len, int delim, size_t nf)
{
	size_t i = 0, n = 0;

	if (memchr(raw, '"', len) == NULL)
		return true;
	for (;;) {
		n++;
		if (i < len && raw[i] == '"') {
			for (i++;; i += 2) {
				const char *q = memchr(raw + i, '"', len - i);

				if (q == NULL)
					return false;
				i = (size_t)(q - raw);
				if (i + 1 >= len || raw[i + 1] != '"')
					break;
			}
			i++;	/* past the closing quote */
			if (i < len && raw[i] != delim)
				return false;
		} else {
			while (i < len && raw[i] != delim)
				if (raw[i++] == '"')
					return false;
		}
		if (i >= len)
			return n == nf;
		i++;	/* past the delimiter */
	}
}

/* row_write_skipped - whether input column i is an earlier run's. */
static bool
row_write_skipped(const struct row_write_ctx *c, size_t i)
{
	return c->skip != NULL && i < c->nskip && c->skip[i];
}

size_t
row_write_kept(const struct row_write_ctx *c, size_t n)
{
	size_t kept = n;

	for (size_t i = 0; i < n && i < c->nskip && c->skip != NULL; i++)
		kept -= c->skip[i];
	return kept;
}

/*
 * row_write_pad - empty cells after the have cells written, up to the
 * kept part of the width, so the appended columns line up.
 */
static int
row_write_pad(struct csvwrite *w, const struct row_write_ctx *c, size_t have)
{
	size_t width = row_write_kept(c, c->width);

	/* A row whose every cell was skipped: its first empty cell. */
	if (have == 0 && width > 0) {
		if (csvwrite_raw(w, "", 0) != 0)
			return -1;
		have = 1;
	}
	for (; have < width; have++)
		if (csvwrite_delim(w) != 0)
			return -1;
	return 0;
}

/*
 * row_write_kept_cells - the cells not skipped, each from its raw bytes
 * when the row reads back the same (row_write_clean) and the cell needs
 * no guard, else written as a cell.
 */
static int
row_write_kept_cells(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, bool *guarded)
{
	size_t n = 0, out = 0, *start, *end;
	int rc = 0;

	start = xreallocarray(NULL, row->nfields + 1, sizeof(*start));
	end = xreallocarray(NULL, row->nfields + 1, sizeof(*end));
	if (row_write_clean(row->raw, row->raw_len, c->delim, row->nfields))
		n = row_write_split(row->raw, row->raw_len, c->delim, start,
		    end, row->nfields + 1);
	for (size_t i = 0; i < row->nfields && rc == 0; i++) {
		const char *f = row->field[i];
		size_t fl = row->field_len[i];
		bool guard = csvwrite_needs_guard(f, fl, c->guard);

		if (row_write_skipped(c, i))
			continue;
		*guarded = *guarded || guard;
		if (n == row->nfields && !guard) {
			if (out > 0)
				rc = csvwrite_delim(w);
			if (rc == 0)
				rc = csvwrite_raw(w, row->raw + start[i],
				    end[i] - start[i]);
		} else
			rc = csvwrite_cell(w, f, fl, c->guard);
		out++;
	}
	free(start);
	free(end);
	return rc;
}

/* row_write_original - the original cells, raw unless one needs a guard. */
static int
row_write_original(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, bool *guarded)
{
	bool any = false;

	*guarded = false;
	if (row_write_kept(c, row->nfields) == row->nfields) {
		if (c->guard != CSVWRITE_GUARD_OFF)
			for (size_t i = csvwrite_next_trigger(w, row->field,
			    row->field_len, row->nfields, 0);
			    i < row->nfields && !any;
			    i = csvwrite_next_trigger(w, row->field,
			    row->field_len, row->nfields, i + 1))
				any = csvwrite_needs_guard(row->field[i],
				    row->field_len[i], c->guard);
		if (!any && row_write_clean(row->raw, row->raw_len, c->delim,
		    row->nfields))
			return csvwrite_raw(w, row->raw, row->raw_len);
	}
	/* Rare paths: a formula-like cell, bytes that would not read back
	 * the same, an earlier run's columns to leave out. */
	return row_write_kept_cells(w, c, row, guarded);
}

/*
 * row_write_u64 - v in decimal into scratch, its length in *len: two
 * numbers a row, where snprintf was a measurable part of the run.
 */
static const char *
row_write_u64(uint64_t v, char scratch[ROW_WRITE_SCRATCH], size_t *len)
{
	char *p = scratch + ROW_WRITE_SCRATCH - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	*len = (size_t)(scratch + ROW_WRITE_SCRATCH - 1 - p);
	return p;
}

/* row_write_bool - true/false, or empty when the check did not apply. */
static const char *
row_write_bool(bool known, bool b)
{
	return known ? (b ? "true" : "false") : "";
}

/*
 * row_write_stable - the text row_write_value gives for id stays where it
 * is, unchanged, for the whole run: a static name, a string of a table
 * the run keeps (mail hosts, providers, SMTP answers). Not a number made
 * in scratch, nor the row's own strings, nor a reason made for the row.
 */
static bool
row_write_stable(const struct row_write_cols *k, enum column id)
{
	switch (id) {
	case COL_ROW:
	case COL_EMAIL:
	case COL_DUPLICATE_OF:
	case COL_SMTP_CODE:
	case COL_CHECKED_AT:
		return false;
	case COL_DID_YOU_MEAN:
		return k->did_you_mean == NULL;
	case COL_REASON:
		return k->v->reason != k->v->reason_buf;
	default:
		return true;
	}
}

const char *
row_write_value(const struct row_write_ctx *c, const struct row_write_cols *k,
    enum column id, char scratch[ROW_WRITE_SCRATCH], size_t *len)
{
	const struct verdict *v = k->v;
	const struct probe_result *p = k->smtp;
	bool asked = p != NULL && p->sub != SUB_LAST;
	bool known_prev = k->previous_status != NULL && k->previous_status[0];
	const char *s = "";

	switch (id) {
	case COL_ROW:
		return row_write_u64(k->row, scratch, len);
	case COL_EMAIL:
		*len = k->email_len;
		return k->email;
	case COL_STATUS: s = verdict_status_name(v->status); break;
	case COL_SUB_STATUS: s = verdict_sub_name(v->sub); break;
	case COL_ACTION: s = verdict_action_name(v->action); break;
	case COL_REASON: s = v->reason; break;
	case COL_DID_YOU_MEAN:
		s = k->did_you_mean ? k->did_you_mean : "";
		break;
	case COL_ROLE: s = row_write_bool(v->flags_known, k->role); break;
	case COL_DISPOSABLE:
		s = row_write_bool(v->flags_known, k->disposable);
		break;
	case COL_FREE: s = row_write_bool(v->flags_known, k->free_mail); break;
	case COL_CHECKED: s = k->checked; break;
	case COL_CHECKED_AT: s = c->checked_at; break;
	case COL_DUPLICATE_OF:
		if (k->duplicate_of)
			return row_write_u64(k->duplicate_of, scratch, len);
		break;
	case COL_MX: s = k->mx ? k->mx : ""; break;
	/* The SMTP columns: empty when the address was not asked. */
	case COL_CATCH_ALL:
		s = !asked || p->catch_all == PROBE_TRI_UNSET ? "" :
		    p->catch_all == PROBE_TRI_YES ? "true" : "false";
		break;
	case COL_SMTP_CODE:
		if (asked && p->code > 0) {
			snprintf(scratch, ROW_WRITE_SCRATCH, "%u", p->code);
			s = scratch;
		}
		break;
	case COL_SMTP_ENHANCED: s = asked ? p->enhanced : ""; break;
	/* from a remote server: guarded like every cell we write, and
	 * already cut to 200 bytes */
	case COL_SMTP_RESPONSE: s = asked && p->text ? p->text : ""; break;
	case COL_TLS:
		s = !asked || p->tls == PROBE_TRI_UNSET ? "" :
		    p->tls == PROBE_TRI_YES ? "yes" : "no";
		break;
	/* from the store or the input: empty when there is none */
	case COL_PREVIOUS_STATUS:
		s = known_prev ? k->previous_status : "";
		break;
	case COL_CHANGED: s = row_write_bool(known_prev, k->changed); break;
	case COL_PROVIDER: s = k->provider ? k->provider : ""; break;
	case COL_LAST: break;
	}
	*len = strlen(s);
	return s;
}

/*
 * row_write_columns - the columns c writes: c->cols, or when that is NULL
 * all of them (previous_status and changed with c->changes).
 */
static const struct columns *
row_write_columns(const struct row_write_ctx *c, struct columns *buf)
{
	struct diag d;

	if (c->cols != NULL)
		return c->cols;
	(void)columns_parse("all", buf, &d);
	columns_finish(buf, c->changes);
	return buf;
}

int
row_write_header(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *hdr, bool *guarded)
{
	char name[256];
	struct columns buf;
	const struct columns *cols = row_write_columns(c, &buf);

	*guarded = false;
	if (hdr != NULL) {
		if (row_write_original(w, c, hdr, guarded) != 0 ||
		    row_write_pad(w, c, row_write_kept(c, hdr->nfields)) != 0)
			return -1;
	} else {
		/* a headerless file: its columns get names too */
		size_t width = row_write_kept(c, c->width);

		for (size_t i = 0; i < width; i++) {
			snprintf(name, sizeof(name), "column_%zu", i + 1);
			if (row_write_str(w, name) != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < cols->n; i++) {
		snprintf(name, sizeof(name), "%s%s", c->prefix,
		    columns_name(cols->id[i]));
		if (row_write_str(w, name) != 0)
			return -1;
	}
	return csvwrite_end_row(w);
}

/* row_write_own - whether column id holds text of the row's own. */
static bool
row_write_own(const struct row_write_kind *kind, enum column id)
{
	return id == COL_ROW || id == COL_EMAIL ||
	    (id == COL_DUPLICATE_OF && kind->dup) ||
	    (id == COL_CHECKED_AT && kind->at == NULL);
}

/*
 * row_write_same_kind - k's kind into *kind when every appended cell but
 * the row's own (row_write_own) depends on it alone: no SMTP answer, no
 * suggestion and no reason made for the row, whose texts change from row
 * to row; false otherwise. The strings are static or the run's tables',
 * so the same pointer is the same text (row_write_stable).
 */
static bool
row_write_same_kind(const struct row_write_ctx *c, const struct columns *cols,
    const struct row_write_cols *k, struct row_write_kind *kind)
{
	const struct verdict *v = k->v;

	if (k->smtp != NULL || k->did_you_mean != NULL ||
	    v->reason == v->reason_buf || cols->n > COL_LAST)
		return false;
	memset(kind, 0, sizeof(*kind));	/* compared whole, padding too */
	kind->reason = v->reason;
	kind->checked = k->checked;
	kind->mx = k->mx;
	kind->provider = k->provider;
	kind->previous = k->previous_status;
	kind->cols = cols;
	kind->status = v->status;
	kind->sub = v->sub;
	kind->action = v->action;
	kind->flags_known = v->flags_known;
	kind->role = k->role;
	kind->disposable = k->disposable;
	kind->free_mail = k->free_mail;
	kind->changed = k->changed;
	kind->dup = k->duplicate_of != 0;
	/* the run's start: a string kept for the run; a time learned from
	 * the store is the row's own */
	kind->at = c->run_at != NULL && c->checked_at == c->run_at ?
	    c->run_at : NULL;
	return true;
}

/* row_write_slot - where the memo keeps a kind of row's cells. */
static struct row_write_suffix *
row_write_slot(struct row_write_memo *m, const struct row_write_kind *kind)
{
	uint64_t h = (uint64_t)(uintptr_t)kind->reason ^
	    (uint64_t)(uintptr_t)kind->mx * 0x9E3779B97F4A7C15ULL ^
	    (uint64_t)(uintptr_t)kind->provider * 31 ^
	    (uint64_t)(uintptr_t)kind->previous * 7 ^
	    (uint64_t)kind->status << 8 ^ (uint64_t)kind->sub << 12 ^
	    (uint64_t)kind->action << 20 ^
	    (uint64_t)(kind->role | kind->disposable << 1 |
	    kind->free_mail << 2 | kind->flags_known << 3 |
	    kind->changed << 4 | kind->dup << 5) << 24;

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	return &m->slot[h % SUFFIX_SLOTS];
}

/*
 * row_write_learn - the appended cells of k's kind into e, as
 * csvwrite_cell writes them; not plain when one of them is not, or they
 * do not fit: such a kind is written cell by cell.
 */
static void
row_write_learn(struct row_write_suffix *e, const struct row_write_kind *kind,
    const struct row_write_ctx *c, const struct columns *cols,
    const struct row_write_cols *k, const struct csvwrite *w)
{
	char scratch[ROW_WRITE_SCRATCH];
	size_t used = 0;

	memcpy(&e->kind, kind, sizeof(*kind));	/* padding too */
	e->set = true;
	e->plain = false;
	e->delim = csvwrite_delimiter(w);
	for (size_t i = 0; i < cols->n; i++) {
		size_t len;
		const char *s;

		e->off[i] = (uint16_t)used;
		if (row_write_own(kind, cols->id[i]))
			continue;
		s = row_write_value(c, k, cols->id[i], scratch, &len);
		if (!csvwrite_is_plain(w, s, len) ||
		    len + 1 > SUFFIX_BYTES - used)
			return;
		e->buf[used] = csvwrite_delimiter(w);
		memcpy(e->buf + used + 1, s, len);
		used += len + 1;
	}
	e->off[cols->n] = (uint16_t)used;
	e->run_end[cols->n] = (uint8_t)cols->n;
	for (size_t i = cols->n; i-- > 0;)
		e->run_end[i] = row_write_own(kind, cols->id[i]) ? (uint8_t)i :
		    e->run_end[i + 1];
	e->plain = true;
}

/*
 * row_write_appended - the appended cells: from the memo when a row of
 * the same kind was written before (row_write_same_kind), else cell by
 * cell, a static or table string through its column's memo.
 */
static int
row_write_appended(struct csvwrite *w, const struct row_write_ctx *c,
    const struct columns *cols, const struct row_write_cols *k)
{
	char scratch[ROW_WRITE_SCRATCH];
	struct row_write_kind kind;
	struct row_write_suffix *e = NULL;
	size_t i = 0;

	if (c->memo != NULL && row_write_same_kind(c, cols, k, &kind)) {
		e = row_write_slot(c->memo, &kind);
		if (!e->set || memcmp(&e->kind, &kind, sizeof(kind)) != 0)
			row_write_learn(e, &kind, c, cols, k, w);
		if (!e->plain)
			e = NULL;
	}
	while (i < cols->n) {
		size_t len, j = i;
		const char *s;
		int rc;

		if (e != NULL) {
			j = e->run_end[i];
			if (j > i) {
				rc = csvwrite_plain_cells(w, e->buf + e->off[i],
				    (size_t)(e->off[j] - e->off[i]), e->delim);
				if (rc < 0)
					return -1;
				if (rc == 0) {
					i = j;
					continue;
				}
				e = NULL;	/* no cell yet, or another file */
			}
		}
		s = row_write_value(c, k, cols->id[i], scratch, &len);
		if (c->memo != NULL && row_write_stable(k, cols->id[i]))
			rc = csvwrite_cell_memo(w, s, len,
			    CSVWRITE_GUARD_STRICT, &c->memo->cell[i]);
		else
			rc = csvwrite_cell(w, s, len, CSVWRITE_GUARD_STRICT);
		if (rc != 0)
			return -1;
		i++;
	}
	return 0;
}

int
row_write_row(struct csvwrite *w, const struct row_write_ctx *c,
    const struct csvrow *row, const struct row_write_cols *k, bool *guarded)
{
	struct columns buf;
	const struct columns *cols = row_write_columns(c, &buf);
	size_t have;

	*guarded = false;
	if (row->malformed) {
		if (row_write_damaged(w, row) != 0)
			return -1;
		have = 1;
	} else {
		if (row_write_original(w, c, row, guarded) != 0)
			return -1;
		have = row_write_kept(c, row->nfields);
	}
	if (row_write_pad(w, c, have) != 0 ||
	    row_write_appended(w, c, cols, k) != 0)
		return -1;
	return csvwrite_end_row(w);
}

size_t
row_write_own_columns(const struct csvrow *hdr, const char *prefix,
    bool *skip, long *status_col, long *email_col)
{
	size_t plen = strlen(prefix), n = 0;

	if (status_col != NULL)
		*status_col = -1;
	if (email_col != NULL)
		*email_col = -1;
	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *s = hdr->field[i];
		size_t len = hdr->field_len[i];
		enum column k;

		skip[i] = false;
		ascii_trim(&s, &len);
		if (plen == 0 || len <= plen ||
		    ascii_ncasecmp(s, prefix, plen) != 0)
			continue;
		if ((k = columns_lookup(s + plen, len - plen)) == COL_LAST)
			continue;
		skip[i] = true;
		n++;
		if (k == COL_STATUS && status_col != NULL)
			*status_col = (long)i;
		else if (k == COL_EMAIL && email_col != NULL)
			*email_col = (long)i;
	}
	return n;
}
