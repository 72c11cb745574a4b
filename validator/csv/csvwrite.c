/*
 * csvwrite - buffered, atomic CSV output. See csvwrite.h.
 */
#include "csv/csvwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define CSVWRITE_BUF	(256 * 1024)
/* how much is written before the kernel is asked to start writing it out */
#define CSVWRITE_SYNC_STEP	(8 * 1024 * 1024)

/* classes of a byte in a cell we write (csvwrite_cell) */
#define CELL_QUOTE	1	/* the cell must be quoted: delimiter " CR LF */
#define CELL_ESCAPE	2	/* the byte itself changes: " NUL */
#define CELL_TRIGGER	4	/* as a first byte, the guard may apply */

struct csvwrite {
	int fd;
	char *path;		/* the name to commit to */
	char *tmp;		/* where the bytes go until then */
	char delim;
	char eol[3];
	size_t eol_len;
	char *buf;
	size_t len;
	uint64_t rows;
	bool in_row;		/* the current row has content */
	int err;		/* first write error, sticky */
	struct csvwrite *tee;	/* gets every byte too (csvwrite_tee) */
	off_t written, synced;	/* bytes written; of them, sent to the disk */
	unsigned char cls[256];	/* CELL_* of each byte, for this delimiter */
};

static int csvwrite_write(struct csvwrite *w, const char *p, size_t n);
static int csvwrite_flush(struct csvwrite *w);
static int csvwrite_put(struct csvwrite *w, const char *p, size_t n);
static int csvwrite_put_slow(struct csvwrite *w, const char *p, size_t n);
static int csvwrite_escaped(struct csvwrite *w, const char *s, size_t n);
static unsigned char csvwrite_classes(const struct csvwrite *w,
    const char *s, size_t n);
static bool csvwrite_fullwidth_trigger(const unsigned char *s, size_t n);
static bool csvwrite_plain_number(const char *s, size_t n);
static void csvwrite_free(struct csvwrite *w);
static void csvwrite_sync_dir(const char *path);

/* csvwrite_write - write(2) all of p, or record the error. */
static int
csvwrite_write(struct csvwrite *w, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->err = errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		w->written += k;
	}
	/*
	 * The file is made durable (fsync) before it is renamed into place:
	 * started early, its writeback goes on beside the run, and that
	 * fsync waits only for the last few MiB, not the whole file. Only a
	 * hint: fsync still reports what fails (and tmpfs has nothing to do).
	 */
	if (w->written - w->synced >= CSVWRITE_SYNC_STEP) {
		(void)sync_file_range(w->fd, w->synced, w->written - w->synced,
		    SYNC_FILE_RANGE_WRITE);
		w->synced = w->written;
	}
	return 0;
}

/* csvwrite_flush - empty the buffer into the file. */
static int
csvwrite_flush(struct csvwrite *w)
{
	size_t n = w->len;

	w->len = 0;
	return n ? csvwrite_write(w, w->buf, n) : 0;
}

/*
 * csvwrite_put - append bytes. Most pieces are a few bytes that fit the
 * buffer of a writer without a tee or error: copied at once; the rest
 * goes the long way.
 */
static inline int
csvwrite_put(struct csvwrite *w, const char *p, size_t n)
{
	if (w->tee == NULL && w->err == 0 && n <= CSVWRITE_BUF - w->len) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		return 0;
	}
	return csvwrite_put_slow(w, p, n);
}

/* csvwrite_put_slow - csvwrite_put with a tee, an error, or a flush. */
static int
csvwrite_put_slow(struct csvwrite *w, const char *p, size_t n)
{
	if (w->tee != NULL && csvwrite_put(w->tee, p, n) != 0)
		return -1;
	if (w->err) {
		errno = w->err;
		return -1;
	}
	if (n == 0)
		return 0;
	if (n > CSVWRITE_BUF - w->len) {
		if (csvwrite_flush(w) != 0 ||
		    (n >= CSVWRITE_BUF && csvwrite_write(w, p, n) != 0)) {
			errno = w->err;
			return -1;
		}
		if (n >= CSVWRITE_BUF)
			return 0;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

/* csvwrite_fullwidth_trigger - starts with ＝ ＋ － or ＠ (EF BC xx)? */
static bool
csvwrite_fullwidth_trigger(const unsigned char *s, size_t n)
{
	return n >= 3 && s[0] == 0xEF && s[1] == 0xBC &&
	    (s[2] == 0x9D || s[2] == 0x8B || s[2] == 0x8D || s[2] == 0xA0);
}

/*
 * csvwrite_plain_number - ^[+-]?[0-9][0-9 (),.-]*$ (validator/README,
 * "CSV facts"): the usual number-or-phone pattern plus ',' for
 * decimal-comma locales ("-12,50" in a ';' Excel export).
 * Without letters such a cell cannot call a function.
 */
static bool
csvwrite_plain_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || !ascii_isdigit((unsigned char)s[i]))
		return false;
	for (i++; i < n; i++) {
		char c = s[i];

		if (!ascii_isdigit((unsigned char)c) && c != ' ' && c != '(' &&
		    c != ')' && c != ',' && c != '.' && c != '-')
			return false;
	}
	return true;
}

bool
csvwrite_needs_guard(const char *s, size_t n, enum csvwrite_guard g)
{
	bool trigger;

	if (g == CSVWRITE_GUARD_OFF || n == 0)
		return false;
	switch (s[0]) {
	case '=': case '+': case '-': case '@': case '\t': case '\r':
		trigger = true;
		break;
	default:
		trigger = csvwrite_fullwidth_trigger(
		    (const unsigned char *)s, n);
		break;
	}
	if (!trigger)
		return false;
	return g == CSVWRITE_GUARD_STRICT || !csvwrite_plain_number(s, n);
}

struct csvwrite *
csvwrite_open(const char *path, const struct csvwrite_opts *o, struct diag *d)
{
	struct csvwrite *w;
	const char *eol = o && o->eol ? o->eol : "\n";
	size_t plen = strlen(path);
	mode_t mask;

	w = xcalloc(1, sizeof(*w));
	w->fd = -1;
	w->path = xstrdup(path);
	w->tmp = xmalloc(plen + sizeof(".tmp-XXXXXX"));
	memcpy(w->tmp, path, plen);
	memcpy(w->tmp + plen, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	w->delim = o && o->delim ? (char)o->delim : ',';
	w->eol_len = strlen(eol) > 2 ? 2 : strlen(eol);
	memcpy(w->eol, eol, w->eol_len);
	w->cls[(unsigned char)w->delim] |= CELL_QUOTE;
	w->cls['"'] |= CELL_QUOTE | CELL_ESCAPE;
	w->cls['\r'] |= CELL_QUOTE;
	w->cls['\n'] |= CELL_QUOTE;
	w->cls[0] |= CELL_ESCAPE;
	for (const char *t = "=+-@\t\r\xEF"; *t != '\0'; t++)
		w->cls[(unsigned char)*t] |= CELL_TRIGGER;
	if ((w->fd = mkstemp(w->tmp)) < 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot create: %s", path,
		    strerror(errno));
		csvwrite_free(w);
		return NULL;
	}
	(void)fcntl(w->fd, F_SETFD, FD_CLOEXEC);
	/*
	 * mkstemp makes 0600, but outputs are ordinary files. umask(2) can
	 * only be read by setting it.
	 */
	mask = umask(022);
	umask(mask);
	if (fchmod(w->fd, 0644 & ~mask) != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot create: %s", path,
		    strerror(errno));
		csvwrite_abort(w);
		return NULL;
	}
	w->buf = xmalloc(CSVWRITE_BUF);
	if (o && o->bom)
		(void)csvwrite_put(w, "\xEF\xBB\xBF", 3);
	return w;
}

int
csvwrite_raw(struct csvwrite *w, const char *p, size_t n)
{
	w->in_row = true;
	return csvwrite_put(w, p, n);
}

/*
 * csvwrite_escaped - cell content inside quotes (RFC 4180 2.7): each
 * quote doubled, NUL as U+FFFD.
 */
static int
csvwrite_escaped(struct csvwrite *w, const char *s, size_t n)
{
	size_t i, from;

	for (i = from = 0; i < n; i++) {
		if (s[i] != '"' && s[i] != '\0')
			continue;
		if (csvwrite_put(w, s + from, i - from) != 0 ||
		    csvwrite_put(w, s[i] ? "\"\"" : "\xEF\xBF\xBD",
		    s[i] ? 2 : 3) != 0)
			return -1;
		from = i + 1;
	}
	return csvwrite_put(w, s + from, n - from);
}

/*
 * csvwrite_plain - a cell that needs no quote and no guard, straight into
 * the buffer: false (nothing done) with a tee, an error, or no room.
 */
static inline bool
csvwrite_plain(struct csvwrite *w, const char *s, size_t n)
{
	if (w->tee != NULL || w->err != 0 || n >= CSVWRITE_BUF - w->len)
		return false;
	if (w->in_row)
		w->buf[w->len++] = w->delim;
	w->in_row = true;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return true;
}

/*
 * csvwrite_classes - the CELL_QUOTE and CELL_ESCAPE bits of s's bytes.
 * Eight bytes a step first: a word with none of the delimiter, '"', CR,
 * LF or NUL (the only bytes with those bits) needs no table look-ups.
 */
static unsigned char
csvwrite_classes(const struct csvwrite *w, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	const uint64_t dl = ones * (unsigned char)w->delim, dq = ones * '"';
	const uint64_t cr = ones * '\r', lf = ones * '\n';
	unsigned char acc = 0;
	size_t i = 0;

/* a byte of v is zero (exact: no byte is reported that is not) */
#define HASZERO(v)	(((v) - ones) & ~(v) & highs)
	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		if (HASZERO(v ^ dl) | HASZERO(v ^ dq) | HASZERO(v ^ cr) |
		    HASZERO(v ^ lf) | HASZERO(v))
			break;
	}
#undef HASZERO
	for (; i < n; i++)
		acc |= w->cls[(unsigned char)s[i]];
	return acc & (CELL_QUOTE | CELL_ESCAPE);
}

int
csvwrite_cell(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g)
{
	unsigned char acc = csvwrite_classes(w, s, n);
	bool quote, special;

	/* Most cells: nothing to quote or guard, and room in the buffer. */
	if ((acc & (CELL_QUOTE | CELL_ESCAPE)) == 0 &&
	    (n == 0 || g == CSVWRITE_GUARD_OFF ||
	    (w->cls[(unsigned char)s[0]] & CELL_TRIGGER) == 0) &&
	    csvwrite_plain(w, s, n))
		return 0;
	if (w->in_row && csvwrite_put(w, &w->delim, 1) != 0)
		return -1;
	w->in_row = true;
	quote = (acc & CELL_QUOTE) != 0;
	special = (acc & CELL_ESCAPE) != 0;
	if ((quote && csvwrite_put(w, "\"", 1) != 0) ||
	    (csvwrite_needs_guard(s, n, g) && csvwrite_put(w, "'", 1) != 0))
		return -1;
	if ((special ? csvwrite_escaped(w, s, n) : csvwrite_put(w, s, n)) != 0)
		return -1;
	return quote ? csvwrite_put(w, "\"", 1) : 0;
}

size_t
csvwrite_next_trigger(const struct csvwrite *w, const char *const *cell,
    const size_t *len, size_t n, size_t from)
{
	size_t i = from;

	while (i < n && (len[i] == 0 ||
	    (w->cls[(unsigned char)cell[i][0]] & CELL_TRIGGER) == 0))
		i++;
	return i;
}

bool
csvwrite_is_plain(const struct csvwrite *w, const char *s, size_t n)
{
	return csvwrite_classes(w, s, n) == 0 &&
	    (n == 0 || (w->cls[(unsigned char)s[0]] & CELL_TRIGGER) == 0);
}

char
csvwrite_delimiter(const struct csvwrite *w)
{
	return w->delim;
}

int
csvwrite_plain_cells(struct csvwrite *w, const char *p, size_t n, char delim)
{
	if (!w->in_row || w->delim != delim)
		return 1;
	return csvwrite_put(w, p, n);
}

int
csvwrite_cell_memo(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g, struct csvwrite_memo *m)
{
	if (s == m->s && n == m->n && w->delim == m->delim &&
	    csvwrite_plain(w, s, n))
		return 0;
	if (csvwrite_is_plain(w, s, n)) {
		m->s = s;
		m->n = n;
		m->delim = w->delim;
	}
	return csvwrite_cell(w, s, n, g);
}

int
csvwrite_cell_start(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g)
{
	if (w->in_row && csvwrite_put(w, &w->delim, 1) != 0)
		return -1;
	w->in_row = true;
	if (g == CSVWRITE_GUARD_AUTO)
		g = CSVWRITE_GUARD_STRICT;	/* the rest is not known */
	if (csvwrite_put(w, "\"", 1) != 0 ||
	    (csvwrite_needs_guard(s, n, g) && csvwrite_put(w, "'", 1) != 0))
		return -1;
	return csvwrite_escaped(w, s, n);
}

int
csvwrite_cell_more(struct csvwrite *w, const char *s, size_t n)
{
	return csvwrite_escaped(w, s, n);
}

int
csvwrite_cell_end(struct csvwrite *w)
{
	return csvwrite_put(w, "\"", 1);
}

int
csvwrite_delim(struct csvwrite *w)
{
	w->in_row = true;
	return csvwrite_put(w, &w->delim, 1);
}

int
csvwrite_end_row(struct csvwrite *w)
{
	w->in_row = false;
	if (csvwrite_put(w, w->eol, w->eol_len) != 0)
		return -1;
	w->rows++;
	if (w->tee != NULL)
		w->tee->rows++;
	return 0;
}

void
csvwrite_tee(struct csvwrite *w, struct csvwrite *t)
{
	w->tee = t;
}

const char *
csvwrite_tmp_path(const struct csvwrite *w)
{
	return w->tmp;
}

int
csvwrite_error(const struct csvwrite *w)
{
	return w->err;
}

uint64_t
csvwrite_rows(const struct csvwrite *w)
{
	return w->rows;
}

/* csvwrite_sync_dir - make the rename durable; not every file system can. */
static void
csvwrite_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		dir = xmemdup(path, slash == path ? 1 : (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

const char *
csvwrite_path(const struct csvwrite *w)
{
	return w->path;
}

int
csvwrite_finish(struct csvwrite *w, struct diag *d)
{
	int fd = w->fd;

	if (fd < 0)
		return 0;	/* finished already */
	if (w->err == 0 && csvwrite_flush(w) == 0 && fsync(fd) != 0)
		w->err = errno;
	w->fd = -1;
	if (close(fd) != 0 && w->err == 0)
		w->err = errno;	/* NFS reports write errors here */
	if (w->err != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot write: %s", w->path,
		    strerror(w->err));
		return -1;
	}
	return 0;
}

int
csvwrite_commit(struct csvwrite *w, struct diag *d)
{
	if (csvwrite_finish(w, d) != 0) {
		csvwrite_abort(w);
		return -1;
	}
	if (rename(w->tmp, w->path) != 0) {
		diag_set(d, DIAG_OUTPUT, "%s: cannot write: %s", w->path,
		    strerror(errno));
		csvwrite_abort(w);
		return -1;
	}
	csvwrite_sync_dir(w->path);
	csvwrite_free(w);
	return 0;
}

void
csvwrite_abort(struct csvwrite *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	(void)unlink(w->tmp);
	csvwrite_free(w);
}

/* csvwrite_free - release memory only. */
static void
csvwrite_free(struct csvwrite *w)
{
	free(w->buf);
	free(w->path);
	free(w->tmp);
	free(w);
}
