/*
 * xlsxbook - the --xlsx output through libxlsxwriter. See xlsxbook.h and
 * (validator/README, "Spreadsheet outputs").
 */
#include "sheet/xlsxbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define XLSXBOOK_CELL_MAX	32767	/* Excel's characters per cell */
#define XLSXBOOK_WIDTH_ROWS	200	/* data rows that set the widths */
#define XLSXBOOK_WIDTH_MAX	60	/* widest column, in characters */
#define XLSXBOOK_WIDTH_MIN	8
/* XML a cell and a row cost besides the text (<c r=.. s=.. t=..><is>..). */
#define XLSXBOOK_XML_CELL	80
#define XLSXBOOK_XML_ROW	40
/* Past this much sheet XML the package needs ZIP64 (4 GiB, less slack). */
#define XLSXBOOK_ZIP64_AT	((uint64_t)15 << 28)	/* 3.75 GiB */
/* The sender-side sub-statuses: about our probe, not the address. */
static const enum verdict_sub xlsxbook_sender_subs[] = {
	SUB_POLICY_BLOCKED, SUB_PROBE_BLOCKED, SUB_TLS_FAILED,
	SUB_PROXY_FAILED,
};

static const char *const xlsxbook_kind_names[XLSXBOOK_LAST] = {
	"Cleaned", "Rejected", "Review",
};

/* Fill and font colour of the status cell, by action. */
static const struct {
	lxw_color_t bg, fg;
} xlsxbook_action_colors[ACTION_LAST] = {
	[ACTION_KEEP] = { 0xC6EFCE, 0x006100 },		/* green */
	[ACTION_REVIEW] = { 0xFFEB9C, 0x9C5700 },	/* amber */
	[ACTION_REMOVE] = { 0xFFC7CE, 0x9C0006 },	/* red */
	[ACTION_RETRY_LATER] = { 0xDDEBF7, 0x1F4E78 },	/* blue */
};

/* One worksheet of data rows. */
struct xlsxbook_part {
	lxw_worksheet *ws;
	uint32_t rows;		/* written, header included */
	size_t cols;		/* widest row written */
};

struct xlsxbook {
	lxw_workbook *lxw;
	char *path;
	char *tmpdir;		/* NULL: libxlsxwriter's tmpfile() */
	lxw_worksheet *summary;
	struct xlsxbook_part *parts;	/* every data sheet, in order */
	size_t nparts;
	size_t cur[XLSXBOOK_LAST];	/* parts index, SIZE_MAX: no sheet */
	unsigned nsheets[XLSXBOOK_LAST];	/* sheets of each kind */
	uint32_t max_rows;
	lxw_format *bold, *pct, *action_fmt[ACTION_LAST];
	/* The header, as given, for continuation sheets. */
	char **hdr;
	size_t *hdr_len;
	size_t nhdr, status_col;
	bool have_header;
	/* Column widths in characters, from the header and the first rows. */
	unsigned char *width;
	size_t nwidth;
	unsigned sampled;
	struct buf cell;
	size_t cell_xml;	/* ... and what its escapes add as XML */
	uint64_t xml;		/* sheet XML so far, estimated */
	uint64_t cut, changed;
	unsigned long cut_line, changed_line;
};

static int xlsxbook_fail(struct xlsxbook *wb, lxw_error e, const char *what,
    struct diag *d);
static lxw_worksheet *xlsxbook_sheet(struct xlsxbook *wb, const char *name,
    struct diag *d);
static int xlsxbook_add_part(struct xlsxbook *wb, enum xlsxbook_sheet s,
    struct diag *d);
static int xlsxbook_write_header(struct xlsxbook *wb, struct xlsxbook_part *p,
    struct diag *d);
static int xlsxbook_text(struct xlsxbook *wb, const char *s, size_t n,
    bool *changed, bool *cut);
static bool xlsxbook_lxw_escape(const char *s, size_t n);
static size_t xlsxbook_chars(const char *s);
static void xlsxbook_widths(struct xlsxbook *wb, const char *const *cell,
    const size_t *len, size_t n);
static int xlsxbook_put(struct xlsxbook *wb, lxw_worksheet *ws, uint32_t row,
    uint16_t col, const char *s, lxw_format *f, struct diag *d);
static int xlsxbook_num(struct xlsxbook *wb, lxw_worksheet *ws, uint32_t row,
    uint16_t col, double v, lxw_format *f, struct diag *d);
static int xlsxbook_count_row(struct xlsxbook *wb, uint32_t row,
    const char *label, uint64_t n, uint64_t total, const char *note,
    struct diag *d);
static int xlsxbook_note(struct xlsxbook *wb, uint32_t row, uint16_t col,
    const char *s, struct diag *d);
static int xlsxbook_providers(struct xlsxbook *wb, const struct report *rep,
    uint32_t *row, struct diag *d);
static int xlsxbook_summary(struct xlsxbook *wb, const struct report *rep,
    struct diag *d);
static void xlsxbook_free(struct xlsxbook *wb);
static int xlsxbook_dir_usable(const char *dir);

/* xlsxbook_fail - a libxlsxwriter error as the run's diag. */
static int
xlsxbook_fail(struct xlsxbook *wb, lxw_error e, const char *what,
    struct diag *d)
{
	int err = errno;

	/* a zip error of the file system's: say which (ENOSPC ...) */
	if (e == LXW_ERROR_ZIP_FILE_OPERATION && err != 0)
		diag_set(d, DIAG_OUTPUT, "%s: %s: %s (%s)", wb->path, what,
		    lxw_strerror(e), strerror(err));
	else
		diag_set(d, DIAG_OUTPUT, "%s: %s: %s", wb->path, what,
		    lxw_strerror(e));
	return -1;
}

/* xlsxbook_sheet - add a worksheet; NULL with d. */
static lxw_worksheet *
xlsxbook_sheet(struct xlsxbook *wb, const char *name, struct diag *d)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb->lxw, name);

	/*
	 * In constant-memory mode each worksheet opens its temporary file
	 * here; a NULL is (nearly always) that failing.
	 */
	if (ws == NULL)
		diag_set(d, DIAG_OUTPUT, "%s: cannot add the sheet \"%s\" "
		    "(a temporary file in %s)", wb->path, name,
		    wb->tmpdir ? wb->tmpdir : "the system's temporary "
		    "directory");
	return ws;
}

/* xlsxbook_add_part - a new sheet of kind s, made current. */
static int
xlsxbook_add_part(struct xlsxbook *wb, enum xlsxbook_sheet s, struct diag *d)
{
	char name[LXW_SHEETNAME_MAX + 1];
	struct xlsxbook_part *p;
	lxw_worksheet *ws;

	if (wb->nsheets[s] == 0)
		snprintf(name, sizeof(name), "%s", xlsxbook_kind_names[s]);
	else
		snprintf(name, sizeof(name), "%s (%u)", xlsxbook_kind_names[s],
		    wb->nsheets[s] + 1);
	if ((ws = xlsxbook_sheet(wb, name, d)) == NULL)
		return -1;
	wb->parts = xreallocarray(wb->parts, wb->nparts + 1,
	    sizeof(*wb->parts));
	p = &wb->parts[wb->nparts];
	p->ws = ws;
	p->rows = 0;
	p->cols = 0;
	wb->cur[s] = wb->nparts++;
	wb->nsheets[s]++;
	worksheet_freeze_panes(ws, 1, 0);
	return wb->have_header ? xlsxbook_write_header(wb, p, d) : 0;
}

/* xlsxbook_write_header - the header row (row 0) of p. */
static int
xlsxbook_write_header(struct xlsxbook *wb, struct xlsxbook_part *p,
    struct diag *d)
{
	bool changed, cut;

	for (size_t i = 0; i < wb->nhdr; i++) {
		if (xlsxbook_text(wb, wb->hdr[i], wb->hdr_len[i], &changed,
		    &cut) != 0)
			continue;
		if (xlsxbook_put(wb, p->ws, 0, (uint16_t)i, buf_str(&wb->cell),
		    wb->bold, d) != 0)
			return -1;
	}
	p->rows = 1;
	p->cols = wb->nhdr;
	return 0;
}

/*
 * xlsxbook_lxw_escape - whether s[0..n) is "_xHHHH_", which Excel and
 * LibreOffice read as the character U+HHHH (ECMA-376 Part 1, 22.9.2.19
 * ST_Xstring); libxlsxwriter 1.1.4 writes it as it is.
 */
static bool
xlsxbook_lxw_escape(const char *s, size_t n)
{
	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return false;
	for (size_t i = 2; i < 6; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/*
 * xlsxbook_text - s (n bytes) as the text of one cell, in wb->cell (a C
 * string): valid UTF-8, no C0 control but TAB, LF and CR, at most
 * XLSXBOOK_CELL_MAX UTF-16 units (validator/README, "Spreadsheet
 * outputs"). *changed: a byte was replaced; *cut: the text was cut.
 * 0, or -1 when n is 0 (nothing to write).
 */
static int
xlsxbook_text(struct xlsxbook *wb, const char *s, size_t n, bool *changed,
    bool *cut)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, units = 0, keep = 0;
	struct buf *b = &wb->cell;

	*changed = *cut = false;
	buf_reset(b);
	wb->cell_xml = 0;
	if (n == 0)
		return -1;
	while (i < n) {
		const char *p = s + i;
		size_t k, w;
		uint32_t cp;

		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' &&
		    cp != '\r')) {
			/* Not UTF-8, or a control XML 1.0 cannot hold. */
			p = "\xEF\xBF\xBD";
			*changed = true;
			i += k ? k : 1;
			k = 3;
			w = 1;
		} else if (cp == '_' && xlsxbook_lxw_escape(s + i, n - i)) {
			/* "_x005F_" is a literal "_" to the reader. */
			p = "_x005F_";
			i++;
			k = 7;
			w = 7;
		} else {
			i += k;
			w = cp > 0xFFFF ? 2 : 1;
			/* &amp; &lt; &gt;, and libxlsxwriter's _x000D_ */
			if (cp == '&' || cp == '<' || cp == '>' || cp == '\r')
				wb->cell_xml += 6;
		}
		if (units + w > XLSXBOOK_CELL_MAX) {
			/* Cut on a character boundary, then the ellipsis. */
			b->len = keep;
			b->data[keep] = '\0';
			buf_addstr(b, "\xE2\x80\xA6");
			*cut = true;
			return 0;
		}
		units += w;
		if (units <= XLSXBOOK_CELL_MAX - 1)
			keep = b->len + k;
		buf_append(b, p, k);
	}
	return 0;
}

/* xlsxbook_chars - characters (code points) of a UTF-8 C string. */
static size_t
xlsxbook_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* xlsxbook_widths - widen the columns to what these cells need. */
static void
xlsxbook_widths(struct xlsxbook *wb, const char *const *cell,
    const size_t *len, size_t n)
{
	bool changed, cut;

	if (n > wb->nwidth) {
		wb->width = xreallocarray(wb->width, n, 1);
		memset(wb->width + wb->nwidth, 0, n - wb->nwidth);
		wb->nwidth = n;
	}
	for (size_t i = 0; i < n; i++) {
		size_t c;

		if (wb->width[i] >= XLSXBOOK_WIDTH_MAX ||
		    xlsxbook_text(wb, cell[i], len[i], &changed, &cut) != 0)
			continue;
		c = xlsxbook_chars(buf_str(&wb->cell));
		if (c > wb->width[i])
			wb->width[i] = c > XLSXBOOK_WIDTH_MAX ?
			    XLSXBOOK_WIDTH_MAX : (unsigned char)c;
	}
}

/* xlsxbook_put - one string cell. */
static int
xlsxbook_put(struct xlsxbook *wb, lxw_worksheet *ws, uint32_t row,
    uint16_t col, const char *s, lxw_format *f, struct diag *d)
{
	lxw_error e = worksheet_write_string(ws, row, col, s, f);

	if (e != LXW_NO_ERROR) {
		char what[64];

		snprintf(what, sizeof(what), "row %lu, column %u",
		    (unsigned long)row + 1, (unsigned)col + 1);
		return xlsxbook_fail(wb, e, what, d);
	}
	return 0;
}

/* xlsxbook_num - one number cell (Summary counts, for the chart). */
static int
xlsxbook_num(struct xlsxbook *wb, lxw_worksheet *ws, uint32_t row,
    uint16_t col, double v, lxw_format *f, struct diag *d)
{
	lxw_error e = worksheet_write_number(ws, row, col, v, f);

	return e == LXW_NO_ERROR ? 0 : xlsxbook_fail(wb, e, "Summary", d);
}

/* xlsxbook_dir_usable - 0 when files can be made in dir, else an errno. */
static int
xlsxbook_dir_usable(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	return access(dir, W_OK | X_OK) == 0 ? 0 : errno;
}

struct xlsxbook *
xlsxbook_new(const struct xlsxbook_opts *o, struct diag *d)
{
	lxw_workbook_options lo = { 0 };
	struct xlsxbook *wb;
	int err;

	/*
	 * libxlsxwriter (tmpfileplus) falls back to $TMP, $TEMP, $TMPDIR
	 * and /tmp when tmpdir does not work: a directory chosen for its
	 * space must not be dropped silently.
	 */
	if (o->tmpdir != NULL && (err = xlsxbook_dir_usable(o->tmpdir)) != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot keep temporary files in "
		    "%s: %s", o->path, o->tmpdir, strerror(err));
		return NULL;
	}
	wb = xcalloc(1, sizeof(*wb));
	wb->path = xstrdup(o->name != NULL ? o->name : o->path);
	wb->tmpdir = o->tmpdir ? xstrdup(o->tmpdir) : NULL;
	buf_init(&wb->cell, 4 * XLSXBOOK_CELL_MAX + 16);
	wb->max_rows = o->max_rows >= 2 && o->max_rows < LXW_ROW_MAX ?
	    o->max_rows : LXW_ROW_MAX;
	for (int s = 0; s < XLSXBOOK_LAST; s++)
		wb->cur[s] = SIZE_MAX;
	lo.constant_memory = LXW_TRUE;
	lo.tmpdir = wb->tmpdir;
	if ((wb->lxw = workbook_new_opt(o->path, &lo)) == NULL) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot start the workbook",
		    o->path);
		xlsxbook_free(wb);
		return NULL;
	}
	if (o->created != 0) {
		/* --now: the file's bytes depend on the run's clock only */
		lxw_doc_properties props = { 0 };

		props.created = (time_t)o->created;
		if (workbook_set_properties(wb->lxw, &props) != LXW_NO_ERROR) {
			diag_set(d, DIAG_OUTPUT, "%s: cannot set the workbook's "
			    "time", o->path);
			xlsxbook_free(wb);
			return NULL;
		}
	}
	wb->bold = workbook_add_format(wb->lxw);
	format_set_bold(wb->bold);
	wb->pct = workbook_add_format(wb->lxw);
	format_set_num_format(wb->pct, "0.0%");
	for (int a = 0; a < ACTION_LAST; a++) {
		wb->action_fmt[a] = workbook_add_format(wb->lxw);
		format_set_bg_color(wb->action_fmt[a],
		    xlsxbook_action_colors[a].bg);
		format_set_font_color(wb->action_fmt[a],
		    xlsxbook_action_colors[a].fg);
	}
	if ((wb->summary = xlsxbook_sheet(wb, "Summary", d)) == NULL ||
	    xlsxbook_add_part(wb, XLSXBOOK_CLEANED, d) != 0 ||
	    xlsxbook_add_part(wb, XLSXBOOK_REJECTED, d) != 0 ||
	    (o->review && xlsxbook_add_part(wb, XLSXBOOK_REVIEW, d) != 0)) {
		xlsxbook_abort(wb);
		return NULL;
	}
	return wb;
}

int
xlsxbook_header(struct xlsxbook *wb, const char *const *cell,
    const size_t *len, size_t n, size_t status_col, struct diag *d)
{
	if (wb->have_header) {
		diag_set(d, DIAG_INTERNAL, "%s: the header was given twice",
		    wb->path);
		return -1;
	}
	if (n > LXW_COL_MAX) {
		diag_set(d, DIAG_INPUT, "%s: the header has %zu columns with "
		    "the appended ones; a workbook row holds at most %d (the "
		    "CSV outputs hold any width: leave out --xlsx)", wb->path, n,
		    LXW_COL_MAX);
		return -1;
	}
	wb->hdr = xcalloc(n ? n : 1, sizeof(*wb->hdr));
	wb->hdr_len = xcalloc(n ? n : 1, sizeof(*wb->hdr_len));
	for (size_t i = 0; i < n; i++) {
		wb->hdr[i] = xmemdup(cell[i], len[i]);
		wb->hdr_len[i] = len[i];
	}
	wb->nhdr = n;
	wb->status_col = status_col;
	wb->have_header = true;
	xlsxbook_widths(wb, cell, len, n);
	for (size_t i = 0; i < wb->nparts; i++)
		if (xlsxbook_write_header(wb, &wb->parts[i], d) != 0)
			return -1;
	return 0;
}

int
xlsxbook_row(struct xlsxbook *wb, enum xlsxbook_sheet s,
    const char *const *cell, const size_t *len, size_t n,
    enum verdict_action action, unsigned long line, struct diag *d)
{
	struct xlsxbook_part *p;
	bool changed, cut;

	if (s >= XLSXBOOK_LAST || wb->cur[s] == SIZE_MAX || !wb->have_header) {
		diag_set(d, DIAG_INTERNAL, "%s: no %s sheet, or no header yet",
		    wb->path, s < XLSXBOOK_LAST ? xlsxbook_kind_names[s] : "?");
		return -1;
	}
	if (n > LXW_COL_MAX) {
		diag_set(d, DIAG_INPUT, "%s: line %lu has %zu cells with the "
		    "appended ones; a workbook row holds at most %d (the CSV "
		    "outputs hold any width: leave out --xlsx)", wb->path, line,
		    n, LXW_COL_MAX);
		return -1;
	}
	p = &wb->parts[wb->cur[s]];
	if (p->rows >= wb->max_rows) {
		if (xlsxbook_add_part(wb, s, d) != 0)
			return -1;
		p = &wb->parts[wb->cur[s]];
	}
	if (wb->sampled < XLSXBOOK_WIDTH_ROWS) {
		wb->sampled++;
		xlsxbook_widths(wb, cell, len, n);
	}
	for (size_t i = 0; i < n; i++) {
		lxw_format *f = NULL;
		const char *t = "";

		if (i == wb->status_col && action < ACTION_LAST)
			f = wb->action_fmt[action];
		if (xlsxbook_text(wb, cell[i], len[i], &changed, &cut) == 0)
			t = buf_str(&wb->cell);
		else if (f == NULL)
			continue;	/* an empty cell is no cell */
		if (changed && wb->changed++ == 0)
			wb->changed_line = line;
		if (cut && wb->cut++ == 0)
			wb->cut_line = line;
		if (xlsxbook_put(wb, p->ws, p->rows, (uint16_t)i, t, f, d) != 0)
			return -1;
		wb->xml += XLSXBOOK_XML_CELL + wb->cell.len + wb->cell_xml;
	}
	wb->xml += XLSXBOOK_XML_ROW;
	p->rows++;
	if (n > p->cols)
		p->cols = n;
	return 0;
}

uint64_t
xlsxbook_cut_cells(const struct xlsxbook *wb, unsigned long *line)
{
	if (line != NULL)
		*line = wb->cut_line;
	return wb->cut;
}

uint64_t
xlsxbook_changed_cells(const struct xlsxbook *wb, unsigned long *line)
{
	if (line != NULL)
		*line = wb->changed_line;
	return wb->changed;
}

/*
 * xlsxbook_count_row - one Summary line: label, count, share of total
 * (empty when total is 0) and an optional note.
 */
static int
xlsxbook_count_row(struct xlsxbook *wb, uint32_t row, const char *label,
    uint64_t n, uint64_t total, const char *note, struct diag *d)
{
	bool changed, cut;

	if (xlsxbook_put(wb, wb->summary, row, 0, label, NULL, d) != 0 ||
	    xlsxbook_num(wb, wb->summary, row, 1, (double)n, NULL, d) != 0)
		return -1;
	if (total > 0 && xlsxbook_num(wb, wb->summary, row, 2,
	    (double)n / (double)total, wb->pct, d) != 0)
		return -1;
	if (note != NULL && xlsxbook_text(wb, note, strlen(note), &changed,
	    &cut) == 0 && xlsxbook_put(wb, wb->summary, row, 3,
	    buf_str(&wb->cell), NULL, d) != 0)
		return -1;
	return 0;
}

/*
 * xlsxbook_note - a text of ours or from a table (a provider's name, its
 * rules) as one Summary cell, made safe like any data cell; nothing for
 * "".
 */
static int
xlsxbook_note(struct xlsxbook *wb, uint32_t row, uint16_t col,
    const char *s, struct diag *d)
{
	bool changed, cut;

	if (xlsxbook_text(wb, s, strlen(s), &changed, &cut) != 0)
		return 0;
	return xlsxbook_put(wb, wb->summary, row, col, buf_str(&wb->cell),
	    NULL, d);
}

/*
 * xlsxbook_providers - the Summary's mailbox provider table at *row (a
 * blank row, the header, one row per provider, one for those past
 * REPORT_PROVIDERS), as the text summary gives them plus the probe
 * rules applied; nothing when no row had a provider. *row moves past it.
 */
static int
xlsxbook_providers(struct xlsxbook *wb, const struct report *rep,
    uint32_t *row, struct diag *d)
{
	static const char *const head[] = { "Mailbox provider", "Rows",
	    "Share", "Outcomes", "Rule applied" };
	char outcomes[256];
	uint32_t r = *row;

	if (rep->nproviders == 0 && rep->providers_more == 0)
		return 0;
	r++;
	for (uint16_t c = 0; c < 5; c++)
		if (xlsxbook_put(wb, wb->summary, r, c, head[c], wb->bold,
		    d) != 0)
			return -1;
	r++;
	for (size_t i = 0; i < rep->nproviders; i++, r++) {
		const struct report_provider *p = &rep->providers[i];

		report_provider_outcomes(p, outcomes, sizeof(outcomes));
		if (xlsxbook_note(wb, r, 0, p->name, d) != 0 ||
		    xlsxbook_num(wb, wb->summary, r, 1, (double)p->rows, NULL,
		    d) != 0 ||
		    (rep->rows > 0 && xlsxbook_num(wb, wb->summary, r, 2,
		    (double)p->rows / (double)rep->rows, wb->pct, d) != 0) ||
		    xlsxbook_note(wb, r, 3, outcomes, d) != 0 ||
		    xlsxbook_note(wb, r, 4, p->rules, d) != 0)
			return -1;
	}
	if (rep->providers_more > 0 && xlsxbook_count_row(wb, r++,
	    "other providers", rep->providers_more, rep->rows,
	    "rows at providers not listed above",
	    d) != 0)
		return -1;
	*row = r;
	return 0;
}

/*
 * xlsxbook_summary - the Summary sheet: counts by status (with the
 * chart), sub-status, action and output, and the sender-side problems.
 * Counts are numbers here, not text: the chart reads them.
 */
static int
xlsxbook_summary(struct xlsxbook *wb, const struct report *rep,
    struct diag *d)
{
	lxw_worksheet *ws = wb->summary;
	lxw_chart_series *series;
	lxw_chart *chart;
	uint64_t sender = 0;
	uint32_t r = 0;
	lxw_error e;

#define HEAD(a, b, c, dd) do {						\
	if (xlsxbook_put(wb, ws, r, 0, a, wb->bold, d) != 0 ||		\
	    xlsxbook_put(wb, ws, r, 1, b, wb->bold, d) != 0 ||		\
	    xlsxbook_put(wb, ws, r, 2, c, wb->bold, d) != 0 ||		\
	    (dd != NULL && xlsxbook_put(wb, ws, r, 3, dd, wb->bold, d) != 0)) \
		return -1;						\
	r++;								\
} while (0)
	HEAD("Status", "Rows", "Share", "Meaning");
	for (int s = 0; s < STATUS_LAST; s++)
		if (xlsxbook_count_row(wb, r++, verdict_status_name(s),
		    rep->by_status[s], rep->rows, verdict_status_meaning(s),
		    d) != 0)
			return -1;
	if (xlsxbook_count_row(wb, r++, "total", rep->rows, rep->rows, NULL,
	    d) != 0)
		return -1;
	r++;
	HEAD("Sub-status", "Rows", "Share", "Meaning");
	for (int s = 0; s < SUB_LAST; s++)
		if (rep->by_sub[s] > 0 && xlsxbook_count_row(wb, r++,
		    verdict_sub_name(s), rep->by_sub[s], rep->rows,
		    verdict_sub_meaning(s), d) != 0)
			return -1;
	r++;
	HEAD("Action", "Rows", "Share", NULL);
	for (int a = 0; a < ACTION_LAST; a++)
		if (xlsxbook_count_row(wb, r++, verdict_action_name(a),
		    rep->by_action[a], rep->rows, NULL, d) != 0)
			return -1;
	r++;
	HEAD("Output", "Rows", "Share", "File");
	if (xlsxbook_count_row(wb, r++, "cleaned", rep->cleaned, rep->rows,
	    rep->cleaned_path, d) != 0 ||
	    xlsxbook_count_row(wb, r++, "rejected", rep->rejected, rep->rows,
	    rep->rejected_path, d) != 0 ||
	    xlsxbook_count_row(wb, r++, "review", rep->review, rep->rows,
	    rep->review_path, d) != 0)
		return -1;
	r++;
	/* Refusals of our sender or our probe: fix the setup, not the list. */
	HEAD("Sender-side problems", "Rows", "Share", "Meaning");
	for (size_t i = 0; i < sizeof(xlsxbook_sender_subs) /
	    sizeof(xlsxbook_sender_subs[0]); i++) {
		enum verdict_sub s = xlsxbook_sender_subs[i];

		sender += rep->by_sub[s];
		if (rep->by_sub[s] > 0 && xlsxbook_count_row(wb, r++,
		    verdict_sub_name(s), rep->by_sub[s], rep->rows,
		    verdict_sub_meaning(s), d) != 0)
			return -1;
	}
	if (sender == 0 && xlsxbook_put(wb, ws, r++, 0, "none", NULL, d) != 0)
		return -1;
	if (rep->smtp_ran && rep->smtp.nproblems > 0) {
		r++;
		HEAD("Mail host", "Times", "", "Reply to our sender");
		for (size_t i = 0; i < rep->smtp.nproblems &&
		    i < PROBE_MAX_PROBLEMS; i++) {
			const struct probe_problem *pp = &rep->smtp.problems[i];
			bool changed, cut;

			if (xlsxbook_text(wb, pp->host, strnlen(pp->host,
			    sizeof(pp->host)), &changed, &cut) == 0 &&
			    xlsxbook_put(wb, ws, r, 0, buf_str(&wb->cell),
			    NULL, d) != 0)
				return -1;
			if (xlsxbook_num(wb, ws, r, 1, (double)pp->count, NULL,
			    d) != 0)
				return -1;
			if (xlsxbook_text(wb, pp->reply, strnlen(pp->reply,
			    sizeof(pp->reply)), &changed, &cut) == 0 &&
			    xlsxbook_put(wb, ws, r, 3, buf_str(&wb->cell),
			    NULL, d) != 0)
				return -1;
			r++;
		}
	}
#undef HEAD
	if (xlsxbook_providers(wb, rep, &r, d) != 0)
		return -1;
	if ((e = worksheet_set_column(ws, 0, 0, 24, NULL)) != LXW_NO_ERROR ||
	    (e = worksheet_set_column(ws, 1, 2, 10, NULL)) != LXW_NO_ERROR ||
	    (e = worksheet_set_column(ws, 3, 3, 60, NULL)) != LXW_NO_ERROR ||
	    (e = worksheet_set_column(ws, 4, 4, 48, NULL)) != LXW_NO_ERROR)
		return xlsxbook_fail(wb, e, "column widths", d);

	/* Rows by status: the series reads B2:B7, named by A2:A7. */
	if ((chart = workbook_add_chart(wb->lxw, LXW_CHART_PIE)) == NULL ||
	    (series = chart_add_series(chart, NULL, NULL)) == NULL) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot add the chart", wb->path);
		return -1;
	}
	chart_series_set_categories(series, "Summary", 1, 0, STATUS_LAST, 0);
	chart_series_set_values(series, "Summary", 1, 1, STATUS_LAST, 1);
	chart_title_set_name(chart, "Rows by status");
	/* below the tables: the Meaning texts run on to the right */
	if ((e = worksheet_insert_chart(ws, r + 1, 0, chart)) != LXW_NO_ERROR)
		return xlsxbook_fail(wb, e, "chart", d);
	return 0;
}

int
xlsxbook_finish(struct xlsxbook *wb, const struct report *rep,
    struct diag *d)
{
	struct report empty;
	int rc = 0;
	lxw_error e;

	if (rep == NULL) {
		report_init(&empty);
		rep = &empty;
	}
	rc = xlsxbook_summary(wb, rep, d);
	for (size_t i = 0; rc == 0 && i < wb->nparts; i++) {
		struct xlsxbook_part *p = &wb->parts[i];
		size_t cols = p->cols > 0 ? p->cols : 1;

		for (size_t c = 0; rc == 0 && c < wb->nwidth && c < cols; c++) {
			e = worksheet_set_column(p->ws, (uint16_t)c,
			    (uint16_t)c, wb->width[c] + 2 < XLSXBOOK_WIDTH_MIN ?
			    XLSXBOOK_WIDTH_MIN : wb->width[c] + 2, NULL);
			if (e != LXW_NO_ERROR)
				rc = xlsxbook_fail(wb, e, "column widths", d);
		}
		if (rc != 0 || p->rows == 0)
			continue;
		/*
		 * In constant-memory mode the range must end on the last
		 * row written (an earlier one is refused).
		 */
		e = worksheet_autofilter(p->ws, 0, 0, p->rows - 1,
		    (uint16_t)(cols - 1));
		if (e != LXW_NO_ERROR)
			rc = xlsxbook_fail(wb, e, "autofilter", d);
	}
	if (rc != 0) {
		xlsxbook_abort(wb);
		return -1;
	}
	/*
	 * ZIP64 only when the sheets may need it: Excel refuses some
	 * packages with ZIP64 records they did not need. libxlsxwriter
	 * reads the option in workbook_close.
	 */
	if (wb->xml >= XLSXBOOK_ZIP64_AT)
		wb->lxw->options.use_zip64 = LXW_TRUE;
	/* workbook_close frees the lxw_workbook whatever it returns. */
	e = workbook_close(wb->lxw);
	wb->lxw = NULL;
	if (e != LXW_NO_ERROR)
		rc = xlsxbook_fail(wb, e, "cannot write the workbook", d);
	xlsxbook_free(wb);
	return rc;
}

/* xlsxbook_free - our part; the lxw_workbook is closed or freed before. */
static void
xlsxbook_free(struct xlsxbook *wb)
{
	for (size_t i = 0; i < wb->nhdr; i++)
		free(wb->hdr[i]);
	free(wb->hdr);
	free(wb->hdr_len);
	free(wb->parts);
	free(wb->width);
	free(wb->path);
	free(wb->tmpdir);
	buf_free(&wb->cell);
	free(wb);
}

void
xlsxbook_abort(struct xlsxbook *wb)
{
	if (wb == NULL)
		return;
	if (wb->lxw != NULL) {
		/*
		 * lxw_workbook_free leaves constant-memory temporary files
		 * open (1.1.4; only workbook_close reads and closes them).
		 */
		for (size_t i = 0; i <= wb->nparts; i++) {
			lxw_worksheet *ws = i < wb->nparts ? wb->parts[i].ws :
			    wb->summary;

			if (ws != NULL && ws->optimize_tmpfile != NULL) {
				fclose(ws->optimize_tmpfile);
				ws->optimize_tmpfile = NULL;
				ws->file = NULL;
			}
		}
		lxw_workbook_free(wb->lxw);
	}
	xlsxbook_free(wb);
}
