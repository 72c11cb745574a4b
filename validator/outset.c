#include "outset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outputs.h"
#include "report/report_html.h"
#include "sheet/xlsxbook.h"
#include "util/xalloc.h"

/* The files, in the order they are committed. */
enum {
	W_CLEANED, W_REJECTED, W_REVIEW,
	W_SPLIT,			/* one per status, STATUS_LAST of them */
	W_XLSX = W_SPLIT + STATUS_LAST,
	W_SUMMARY,
	W_REPORT,
	W_LAST
};

/* --split's files, in the order users read them. */
static const enum verdict_status split_order[STATUS_LAST] = {
	STATUS_VALID, STATUS_CATCH_ALL, STATUS_RISKY, STATUS_UNKNOWN,
	STATUS_INVALID, STATUS_SKIPPED,
};

struct outset {
	const struct options *o;
	struct csvwrite *w[W_LAST];
	char *split_path[STATUS_LAST];	/* by enum verdict_status */
	struct xlsxbook *wb;
	/* one row's cells for the workbook */
	const char **cell;
	size_t *len;
	size_t cap;
	char (*scratch)[ROW_WRITE_SCRATCH];
	char *names;		/* the made-up header names */
};

static char *outset_split_path(const struct options *o,
    enum verdict_status st);
static void outset_cells(struct outset *s, size_t n);
static size_t outset_originals(struct outset *s,
    const struct row_write_ctx *c, const struct csvrow *row);
static const char *outset_name(const struct outset *s, int i);
static int outset_page(struct outset *s, int i, const char *path, bool html,
    const struct report *rep, struct diag *d);

/* outset_split_path - DIR/STATUS.EXT */
static char *
outset_split_path(const struct options *o, enum verdict_status st)
{
	const char *dir = o->split_dir, *name = verdict_status_name(st);
	size_t n = strlen(dir) + strlen(name) + strlen(o->out_ext) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] ==
	    '/' ? "" : "/", name, o->out_ext);
	return p;
}

int
outset_check(const struct options *o, struct diag *d)
{
	struct outputs_name names[W_LAST] = {
		[W_CLEANED] = { o->cleaned, "--cleaned (-o)" },
		[W_REJECTED] = { o->rejected, "--rejected (-r)" },
		[W_REVIEW] = { o->review, "--review" },
		[W_XLSX] = { o->xlsx, "--xlsx" },
		[W_SUMMARY] = { o->summary, "--summary" },
		[W_REPORT] = { o->report, "--report" },
	};
	char *split[STATUS_LAST] = { 0 };
	struct stat st;
	int rc;

	if (o->split_dir != NULL) {
		if (stat(o->split_dir, &st) != 0) {
			if (errno != ENOENT || mkdir(o->split_dir, 0777) != 0) {
				diag_set(d, DIAG_OUTPUT, "--split %s: cannot "
				    "make the directory: %s", o->split_dir,
				    strerror(errno));
				return -1;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			diag_set(d, DIAG_USAGE, "--split %s: not a directory",
			    o->split_dir);
			return -1;
		}
		for (int i = 0; i < STATUS_LAST; i++) {
			split[i] = outset_split_path(o, (enum verdict_status)i);
			names[W_SPLIT + i].path = split[i];
			names[W_SPLIT + i].what = "--split";
		}
	}
	rc = outputs_check(o->input, names, W_LAST, d);
	for (int i = 0; i < STATUS_LAST; i++)
		free(split[i]);
	return rc;
}

struct outset *
outset_open(const struct options *o, int delim, const char *eol, bool bom,
    bool sep_line, struct diag *d)
{
	struct outset *s = xcalloc(1, sizeof(*s));
	struct csvwrite_opts wo = { .delim = delim, .eol = eol, .bom = bom };
	const char *paths[W_SPLIT] = { o->cleaned, o->rejected, o->review };
	char sep[8];

	s->o = o;
	for (int i = 0; i < W_SPLIT; i++)
		if (paths[i] != NULL &&
		    (s->w[i] = csvwrite_open(paths[i], &wo, d)) == NULL)
			goto fail;
	for (int i = 0; o->split_dir != NULL && i < STATUS_LAST; i++) {
		enum verdict_status st = split_order[i];

		s->split_path[st] = outset_split_path(o, st);
		if ((s->w[W_SPLIT + st] = csvwrite_open(s->split_path[st], &wo,
		    d)) == NULL)
			goto fail;
	}
	/* Excel's "sep=;" first line, kept as the input had it */
	snprintf(sep, sizeof(sep), "sep=%c", delim);
	for (int i = 0; sep_line && i < W_XLSX; i++)
		if (s->w[i] != NULL && (csvwrite_raw(s->w[i], sep,
		    strlen(sep)) != 0 || csvwrite_end_row(s->w[i]) != 0)) {
			diag_set(d, DIAG_OUTPUT, "%s: cannot write: %s",
			    csvwrite_path(s->w[i]), strerror(errno));
			goto fail;
		}
	if (o->xlsx != NULL) {
		struct xlsxbook_opts bo = { .review = o->review != NULL,
		    .created = o->now_set ? o->now : 0 };

		/* libxlsxwriter writes the file by name at the end: the
		 * temporary file, put in place with the others */
		if ((s->w[W_XLSX] = csvwrite_open(o->xlsx, NULL, d)) == NULL)
			goto fail;
		bo.path = csvwrite_tmp_path(s->w[W_XLSX]);
		bo.name = o->xlsx;
		if ((s->wb = xlsxbook_new(&bo, d)) == NULL)
			goto fail;
	}
	return s;
fail:
	outset_abort(s);
	return NULL;
}

/* outset_name - the path of writer i, for messages. */
static const char *
outset_name(const struct outset *s, int i)
{
	return s->w[i] != NULL ? csvwrite_path(s->w[i]) : "";
}

/* outset_cells - room for n workbook cells. */
static void
outset_cells(struct outset *s, size_t n)
{
	if (n <= s->cap)
		return;
	s->cap = n + 16;
	s->cell = xreallocarray(s->cell, s->cap, sizeof(*s->cell));
	s->len = xreallocarray(s->len, s->cap, sizeof(*s->len));
	s->scratch = xreallocarray(s->scratch, s->cap, sizeof(*s->scratch));
}

/*
 * outset_originals - the workbook cells of row's kept original columns
 * and the padding up to the kept width; a malformed row is its raw text
 * in one cell. Returns how many.
 */
static size_t
outset_originals(struct outset *s, const struct row_write_ctx *c,
    const struct csvrow *row)
{
	size_t width = row_write_kept(c, c->width), n = 0;
	size_t nf = row->malformed ? 1 : row->nfields;

	outset_cells(s, (nf > width ? nf : width) + COL_LAST);
	if (row->malformed) {
		s->cell[n] = row->raw;
		s->len[n++] = row->raw_len;
	} else
		for (size_t i = 0; i < row->nfields; i++) {
			if (c->skip != NULL && i < c->nskip && c->skip[i])
				continue;
			s->cell[n] = row->field[i];
			s->len[n++] = row->field_len[i];
		}
	while (n < width) {
		s->cell[n] = "";
		s->len[n++] = 0;
	}
	return n;
}

int
outset_header(struct outset *s, const struct row_write_ctx *c,
    const struct csvrow *hdr, struct diag *d)
{
	bool guarded;

	for (int i = 0; i < W_XLSX; i++) {
		if (s->w[i] == NULL || (hdr == NULL && s->o->no_header_out))
			continue;
		if (row_write_header(s->w[i], c, hdr, &guarded) != 0) {
			diag_set(d, DIAG_OUTPUT, "%s: cannot write the header: "
			    "%s", outset_name(s, i), strerror(errno));
			return -1;
		}
	}
	if (s->wb != NULL) {
		size_t n, norig, width = row_write_kept(c, c->width), at;
		long st = columns_find(c->cols, COL_STATUS);

		if (hdr != NULL) {
			n = outset_originals(s, c, hdr);
		} else {
			/* column_1 ... as the CSV header has them */
			outset_cells(s, width + COL_LAST);
			free(s->names);
			s->names = xmalloc(width * 24 + 1);
			for (n = at = 0; n < width; n++) {
				int k = snprintf(s->names + at, 24,
				    "column_%zu", n + 1);

				s->cell[n] = s->names + at;
				s->len[n] = (size_t)k;
				at += (size_t)k + 1;
			}
		}
		norig = n;
		outset_cells(s, n + c->cols->n);
		for (size_t i = 0; i < c->cols->n; i++) {
			snprintf(s->scratch[i], ROW_WRITE_SCRATCH, "%s%s",
			    c->prefix, columns_name(c->cols->id[i]));
			s->cell[n] = s->scratch[i];
			s->len[n++] = strlen(s->scratch[i]);
		}
		if (xlsxbook_header(s->wb, s->cell, s->len, n,
		    st < 0 ? SIZE_MAX : norig + (size_t)st, d) != 0)
			return -1;
	}
	return 0;
}

int
outset_row(struct outset *s, enum outset_file f,
    const struct row_write_ctx *c, const struct csvrow *row,
    const struct row_write_cols *k, bool *guarded, struct diag *d)
{
	struct csvwrite *split = s->w[W_SPLIT + k->v->status];
	int rc;

	*guarded = false;
	/* the workbook first: a truncated row's raw bytes move once its
	 * tail is read (csvread_tail) */
	if (s->wb != NULL) {
		size_t n = outset_originals(s, c, row);

		for (size_t i = 0; i < c->cols->n; i++, n++)
			s->cell[n] = row_write_value(c, k, c->cols->id[i],
			    s->scratch[i], &s->len[n]);
		if (xlsxbook_row(s->wb, (enum xlsxbook_sheet)f, s->cell, s->len,
		    n, k->v->action, row->line, d) != 0)
			return -1;
	}
	if (s->w[f] == NULL && split == NULL)
		return 0;
	if (s->w[f] == NULL) {
		rc = row_write_row(split, c, row, k, guarded);
		split = NULL;
	} else {
		csvwrite_tee(s->w[f], split);
		rc = row_write_row(s->w[f], c, row, k, guarded);
		csvwrite_tee(s->w[f], NULL);
	}
	if (rc != 0) {
		/* name the file that failed: the split file, when it did */
		bool theirs = s->w[f] == NULL || (split != NULL &&
		    csvwrite_error(split) != 0);

		diag_set(d, DIAG_OUTPUT, "%s: write failed: %s", theirs ?
		    csvwrite_path(s->w[W_SPLIT + k->v->status]) :
		    csvwrite_path(s->w[f]), strerror(errno));
		return -1;
	}
	return 0;
}

void
outset_warnings(const struct outset *s, FILE *f)
{
	unsigned long line;
	uint64_t n;

	if (s == NULL || s->wb == NULL)
		return;
	if ((n = xlsxbook_cut_cells(s->wb, &line)) > 0)
		fprintf(f, "listscrub: warning: %s: %llu cells are longer than "
		    "a spreadsheet cell can be (32,767 characters; the first "
		    "on line %lu) and were cut there in the workbook; the CSV "
		    "files hold them whole\n", s->o->xlsx,
		    (unsigned long long)n, line);
	if ((n = xlsxbook_changed_cells(s->wb, &line)) > 0)
		fprintf(f, "listscrub: warning: %s: %llu cells held bytes a "
		    "workbook cannot (not UTF-8, or control characters; the "
		    "first on line %lu), written as U+FFFD there; the CSV files "
		    "hold them as they were%s\n", s->o->xlsx,
		    (unsigned long long)n, line, " (see --encoding)");
}

/*
 * outset_page - one more output of the set, made in memory from the
 * report (the --summary file, or the --report page when html) and
 * written to path's temporary name as w[i].
 */
static int
outset_page(struct outset *s, int i, const char *path, bool html,
    const struct report *rep, struct diag *d)
{
	const struct csvwrite_opts so = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int rc;

	if ((m = open_memstream(&text, &len)) == NULL) {
		diag_set(d, DIAG_INTERNAL, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (html)
		report_html(rep, m);
	else
		report_format(rep, path, m);
	if (fclose(m) != 0) {
		diag_set(d, DIAG_INTERNAL, "%s: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	s->w[i] = csvwrite_open(path, &so, d);
	rc = s->w[i] == NULL ? -1 : csvwrite_raw(s->w[i], text, len);
	free(text);
	if (rc != 0 && s->w[i] != NULL)
		diag_set(d, DIAG_OUTPUT, "%s: cannot write: %s", path,
		    strerror(errno));
	return rc;
}

int
outset_commit(struct outset *s, const struct report *rep, struct diag *d)
{
	int rc;

	if (s->wb != NULL) {
		rc = xlsxbook_finish(s->wb, rep, d);
		s->wb = NULL;
		if (rc != 0)
			goto fail;
	}
	if (s->o->summary != NULL && outset_page(s, W_SUMMARY, s->o->summary,
	    false, rep, d) != 0)
		goto fail;
	if (s->o->report != NULL && outset_page(s, W_REPORT, s->o->report,
	    true, rep, d) != 0)
		goto fail;
	rc = outputs_commit(s->w, W_LAST, d);
	outset_abort(s);
	return rc;
fail:
	outset_abort(s);
	return -1;
}

void
outset_abort(struct outset *s)
{
	if (s == NULL)
		return;
	xlsxbook_abort(s->wb);
	outputs_abort(s->w, W_LAST);
	for (int i = 0; i < STATUS_LAST; i++)
		free(s->split_path[i]);
	free(s->cell);
	free(s->len);
	free(s->scratch);
	free(s->names);
	free(s);
}
