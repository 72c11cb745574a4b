/*
 * csvwrite - one output CSV file, written atomically and fast.
 *
 * Bytes go through a 256 KiB buffer to a temporary file in the target's
 * directory ("PATH.tmp-XXXXXX"); only csvwrite_commit puts the file under
 * its real name (fsync, rename), so a failed or interrupted run never
 * leaves a half-written output, and an older file of that name stays
 * intact until the new one is complete.
 * Original records pass through verbatim (csvwrite_raw); cells we write
 * get minimal RFC 4180 quoting and, on request, the formula guard
 * (validator/README, "CSV facts").
 * Owns: the file descriptor, the buffer, both names.
 * Fails: a write error is sticky: the failing call and every later one
 * return -1 with errno set, and csvwrite_commit reports it in a diag that
 * names the file. Nothing is printed.
 */
#ifndef LISTSCRUB_CSVWRITE_H
#define LISTSCRUB_CSVWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

enum csvwrite_guard {
	CSVWRITE_GUARD_OFF,	/* cells as they are */
	CSVWRITE_GUARD_AUTO,	/* formulas, not plain numbers and phones */
	CSVWRITE_GUARD_STRICT	/* guard every cell starting with a trigger */
};

struct csvwrite_opts {
	int delim;		/* 0 means ',' */
	const char *eol;	/* "\n" (also for NULL), "\r\n" or "\r" */
	bool bom;		/* start the file with a UTF-8 BOM */
};

struct csvwrite;

/*
 * csvwrite_open - create `path` atomically: writes go to a temporary
 * file in the same directory (path + ".tmp-XXXXXX", mkstemp, mode 0644
 * less the umask), csvwrite_commit renames it into place. path and o are
 * copied. NULL with d filled (DIAG_OUTPUT, naming path and the error)
 * when the temporary file cannot be created.
 */
struct csvwrite *csvwrite_open(const char *path, const struct csvwrite_opts *o,
    struct diag *d);

/*
 * csvwrite_raw - n bytes verbatim (an original record). They count as
 * content of the current row: a following csvwrite_cell puts a delimiter
 * first. 0, or -1 with errno.
 */
int csvwrite_raw(struct csvwrite *w, const char *p, size_t n);

/*
 * csvwrite_cell - a delimiter (unless first in the row) and the cell,
 * quoted only when RFC 4180 needs it (delimiter, quote, CR, LF), quotes
 * doubled; NUL bytes become U+FFFD; with g != OFF a cell for which
 * csvwrite_needs_guard() is true gets a ' in front (inside the quotes when
 * quoted). 0, or -1 with errno.
 */
int csvwrite_cell(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g);

/* A cell csvwrite_cell_memo wrote as it is: no quote, no guard. */
struct csvwrite_memo {
	const char *s;
	size_t n;
	char delim;
};

/*
 * csvwrite_cell_memo - csvwrite_cell for a cell whose bytes stay the same
 * as long as m is kept (a static or run-long string): when it is the
 * one m remembers, its bytes are not looked at again. The same bytes as
 * csvwrite_cell. 0, or -1 with errno.
 */
int csvwrite_cell_memo(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g, struct csvwrite_memo *m);

/*
 * csvwrite_is_plain - whether csvwrite_cell writes s as it is under any
 * guard (after the delimiter): nothing to quote, no guard trigger first.
 */
bool csvwrite_is_plain(const struct csvwrite *w, const char *s, size_t n);

/* csvwrite_delimiter - the delimiter w writes between cells. */
char csvwrite_delimiter(const struct csvwrite *w);

/*
 * csvwrite_plain_cells - n bytes of whole cells, each a delimiter then a
 * cell csvwrite_is_plain said is plain, written as they are after the
 * row's cells so far. 1, with nothing written, when they do not fit: w
 * has another delimiter than delim, or no cell yet in the row. 0, or -1
 * with errno.
 */
int csvwrite_plain_cells(struct csvwrite *w, const char *p, size_t n,
    char delim);

/*
 * csvwrite_cell_start, csvwrite_cell_more, csvwrite_cell_end - one cell
 * written in pieces, for a cell too long to hold (the rest of a record
 * longer than max_record, streamed by csvread_tail): start writes a
 * delimiter (unless first in the row), an opening quote (such a cell is
 * always quoted: what comes later is not known yet), the guard's ' when
 * the first piece s needs it, and the first piece; more writes the next
 * piece; end the closing quote. Quotes are doubled and NUL bytes become
 * U+FFFD in every piece, as in csvwrite_cell. The guard is decided on the
 * first piece, which should hold the cell's first 3 bytes if it has that
 * many; AUTO counts as STRICT, since a plain number cannot be told before
 * the end. 0, or -1 with errno.
 */
int csvwrite_cell_start(struct csvwrite *w, const char *s, size_t n,
    enum csvwrite_guard g);
int csvwrite_cell_more(struct csvwrite *w, const char *s, size_t n);
int csvwrite_cell_end(struct csvwrite *w);

/* csvwrite_delim - just a delimiter (after csvwrite_raw, or padding). 0/-1. */
int csvwrite_delim(struct csvwrite *w);

/* csvwrite_end_row - the line ending; next cell is first in its row. 0/-1. */
int csvwrite_end_row(struct csvwrite *w);

/*
 * csvwrite_tee - from now on every byte written to w is written to t too
 * (same delimiter and line ends assumed), and every row ended counts in
 * t; t NULL stops it. A write error of t fails the write on w. For a row
 * that goes to two files: a truncated row's tail can be read only once.
 */
void csvwrite_tee(struct csvwrite *w, struct csvwrite *t);

/*
 * csvwrite_tmp_path - the temporary file's name, for a writer of another
 * format (the workbook) that writes the file by name; csvwrite_commit
 * still puts it in place.
 */
const char *csvwrite_tmp_path(const struct csvwrite *w);

/* csvwrite_error - the first write error (an errno value), or 0. */
int csvwrite_error(const struct csvwrite *w);

/* csvwrite_path - the name the file is committed to. */
const char *csvwrite_path(const struct csvwrite *w);

/* csvwrite_rows - rows ended so far (a header row counts). */
uint64_t csvwrite_rows(const struct csvwrite *w);

/*
 * csvwrite_finish - flush, fsync and close the temporary file, so that
 * nothing but the rename is left. 0, or -1 with d filled (DIAG_OUTPUT:
 * the path and strerror, for an earlier write error too); either way w
 * still needs csvwrite_commit or csvwrite_abort. Finishing every file of
 * a run before committing any is what makes the outputs one set: a write
 * error in one leaves every old file in place.
 */
int csvwrite_finish(struct csvwrite *w, struct diag *d);

/*
 * csvwrite_commit - csvwrite_finish if not done yet, then rename the
 * temporary file to its path (then fsync the directory, best effort).
 * Frees w in every case. 0, or -1 with d filled (DIAG_OUTPUT); the
 * temporary file is removed then.
 */
int csvwrite_commit(struct csvwrite *w, struct diag *d);

/* csvwrite_abort - remove the temporary file and free w. NULL ok. */
void csvwrite_abort(struct csvwrite *w);

/*
 * csvwrite_needs_guard - would this cell be prefixed under g? Triggers
 * (validator/README, "CSV facts"): a first byte = + - @ TAB CR, or a
 * first character FULLWIDTH ＝ ＋ － ＠ (U+FF1D U+FF0B U+FF0D U+FF20).
 * STRICT guards every trigger; AUTO leaves alone a cell that is a plain
 * signed number or phone number, ^[+-]?[0-9][0-9 (),.-]*$ ("-12.5",
 * "-12,50", "+44 20 7946 0958"; the usual pattern has no ',', but
 * decimal-comma locales need it); OFF guards nothing.
 */
bool csvwrite_needs_guard(const char *s, size_t n, enum csvwrite_guard g);
/*
 * csvwrite_next_trigger - the first of the cells from index from to n-1
 * (cell[i], len[i] bytes) whose first byte may start a trigger, else n:
 * csvwrite_needs_guard is false for every cell passed over, under any g.
 * One table look-up a cell, for rows whose cells are mostly plain.
 */
size_t csvwrite_next_trigger(const struct csvwrite *w,
    const char *const *cell, const size_t *len, size_t n, size_t from);

#endif
