/*
 * csvread - stream the records of a CSV file, keeping each record's raw
 * bytes (validator/README, "CSV facts").
 *
 * Owns: a read buffer (256 KiB, grown only when a record needs it, up to
 * max_record + 64 KiB), a libcsv parser, and the field storage of the
 * current record. Memory does not depend on the number of rows, only on
 * the longest record read (at most max_record): the rest of a longer
 * line is streamed through the same buffer (csvread_tail).
 *
 * How records are found: the input is split into physical lines (LF,
 * CRLF, or a bare CR). A record that starts with a line holding no quote
 * character is that line, split on the delimiter. Any other record is fed
 * to libcsv (CSV_STRICT | CSV_STRICT_FINI) one physical line at a time,
 * so its line numbers are known and a damaged record cannot swallow the
 * ones after it. libcsv is only the judge of record boundaries and
 * quoting errors here; the fields themselves are cut from the raw bytes:
 * unquoted cells are returned verbatim, spaces included (RFC 4180 2.4;
 * libcsv would trim them), quoted cells unescaped, with any spaces outside
 * the quotes dropped. libcsv's space trimming stays on, because without
 * it a space before an opening quote (`a, "b"`) is a strict error.
 *
 * Damaged records are data, not failures (validator/README,
 * "Conventions"): they come back as rows with malformed set, the raw
 * text, and a reason naming the line. Only I/O errors and unusable input
 * (empty, UTF-16/32) fail.
 */
#ifndef LISTSCRUB_CSVREAD_H
#define LISTSCRUB_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/diag.h"

#define CSVREAD_MAX_RECORD	(64 * 1024 * 1024)	/* default max_record */
#define CSVREAD_MAX_QUOTE_LINES	100		/* default max_quote_lines */

struct csvread_opts {
	int delim;		/* ',', ';', '\t', '|' (any byte but " CR
				   LF), or 0 = sniff from the first lines */
	size_t max_record;	/* bytes; a longer record is malformed
				   (default 64 MiB when 0) */
	unsigned max_quote_lines; /* physical lines a quoted field may span
				   (default 100 when 0) */
};

struct csvread_info {		/* what was detected, for the summary */
	int delim;
	bool bom;		/* input began with a UTF-8 BOM (stripped
				   before parsing) */
	const char *eol;	/* "\r\n" or "\n": the first line ending
				   seen, for the outputs ("\n" if none; a
				   bare CR gives "\n") */
	const char *eol_in;	/* the first line ending as it is in the
				   input: "\r\n", "\n" or "\r" ("\n" if
				   none), for the summary */
	bool sniffed;		/* delim came from sniffing */
	bool sep_line;		/* an Excel "sep=X" first line was skipped */
};

struct csvrow {
	/*
	 * The record's bytes as read, without its final line terminator
	 * (and without the BOM for the first record).
	 */
	const char *raw;
	size_t raw_len;
	size_t nfields;
	/*
	 * Parsed, unescaped fields (NUL-terminated copies; unquoted ones
	 * keep their spaces); valid until the next csvread_next.
	 */
	const char *const *field;
	const size_t *field_len;
	unsigned long line;	/* physical line where the record starts
				   (1-based) */
	unsigned long lines;	/* physical lines it spans */
	bool malformed;		/* could not be parsed: raw holds the
				   damaged text, nfields is 0 */
	bool truncated;		/* malformed and longer than max_record:
				   raw is only its first max_record bytes;
				   the rest of its line comes from tail */
	/*
	 * Truncated rows only: tail(tail_arg, &p, &n) gives the rest of the
	 * record's line, a piece at a time: 1 with the next piece in p and
	 * n (valid until the next call), 0 when the line is done, -1 on a
	 * read error (errno set). The first call may reuse the memory raw
	 * points to: copy or write raw first. Valid as long as the row is;
	 * what is not read is skipped. NULL for every other row.
	 */
	int (*tail)(void *tail_arg, const char **p, size_t *n);
	void *tail_arg;
	uint64_t offset;	/* input offset of raw[0] (the BOM counts) */
	/*
	 * Malformed: plain reason with position, e.g. "unterminated quoted
	 * field starting at line 12", "stray quote at line 7, column 14",
	 * "text after a closing quote at line 4, column 5", "NUL byte at
	 * line 3, column 5", "record longer than 1048576 bytes at line 9".
	 */
	char why[160];
};

struct csvread;

/*
 * csvread_open - start reading `in` (name is copied and used in
 * messages). Reads a prefix into the buffer (no seeking: pipes work) and
 * detects from it: a UTF-8 BOM (skipped), an Excel "sep=X" first line
 * (skipped; X becomes the delimiter unless o->delim is set), the first
 * line ending, and, when o->delim is 0, the delimiter: for each of
 * , ; TAB | the quote-aware field count of the first 50 records is
 * taken, and the candidate whose count (> 1) most records share wins;
 * ties go to the earlier one in that list, and ',' is the default.
 * o may be NULL (all defaults).
 * Returns NULL with d filled (DIAG_INPUT) on a read error, on empty input
 * (0 bytes, or only a BOM, a sep= line and blank lines), and on UTF-16 or
 * UTF-32 input ("NAME is UTF-16; run again with --encoding utf-16, or
 * save it as UTF-8 CSV"); DIAG_USAGE for
 * a delimiter that cannot be one (a quote, CR, LF, or not a byte).
 * The caller keeps `in` open until csvread_close.
 */
struct csvread *csvread_open(FILE *in, const char *name,
    const struct csvread_opts *o, struct diag *d);

/* csvread_info - what csvread_open detected; valid until csvread_close. */
const struct csvread_info *csvread_info(const struct csvread *r);

/*
 * csvread_next - the next record into *row: 1, 0 at end of input, -1 on
 * a read error (d names the file). Blank lines (empty, or only spaces and
 * tabs) outside quoted fields are skipped and counted. Every other line of
 * the input ends up in exactly one row, in input order. A malformed row
 * (stray quote, NUL byte, record longer than max_record, unterminated
 * quoted field) has nfields 0 and a reason in why. A quoted field that
 * is still open after max_quote_lines lines, max_record bytes or at the
 * end of input, or that runs into a line with a stray quote or a NUL
 * byte, makes only the record's first line malformed ("unterminated
 * quoted field starting at line N") and reading resumes on its second
 * line. A first line longer than max_record is a truncated row: raw is
 * its first max_record bytes and the rest of the line can be read with
 * csvread_tail (row->tail) before the next call, which skips whatever was
 * not read; either way it is never buffered whole. Everything row points
 * to is owned by r and valid until the next call.
 */
int csvread_next(struct csvread *r, struct csvrow *row, struct diag *d);

/*
 * csvread_tail - after csvread_next returned a truncated row, the next
 * piece of the rest of its line (the line end excluded): 1 with *p and *n
 * set (valid until the next call on r; the first call may move the bytes
 * raw pointed to), 0 when the line is done (and at once for any other
 * row), -1 on a read error (errno set; the next csvread_next reports it).
 * Pieces come from the read buffer: memory does not grow with the line.
 */
int csvread_tail(struct csvread *r, const char **p, size_t *n);

/* csvread_blank_lines - blank lines skipped so far. */
unsigned long csvread_blank_lines(const struct csvread *r);

/* csvread_bytes - input bytes consumed so far (BOM included). */
uint64_t csvread_bytes(const struct csvread *r);

/* csvread_close - free r and what it owns; does not fclose `in`. NULL ok. */
void csvread_close(struct csvread *r);

#endif
