/*
 * wordlist - one data table from lists/ loaded into memory: a set of
 * entries (.txt, one per line) or a map key -> value (.tsv, two columns).
 *
 * File format (lists/README has the user-facing version):
 *   - UTF-8 text; an optional UTF-8 byte order mark is skipped.
 *   - Blank lines and lines whose first non-blank byte is '#' are ignored;
 *     '#' after a space or tab starts a comment to the end of the line.
 *   - Leading and trailing spaces and tabs are trimmed, and a CR before
 *     the newline (CRLF files); a CR anywhere else is an error.
 *   - WORDLIST_SET: one entry per line, no whitespace inside it.
 *   - WORDLIST_MAP: key TAB value, exactly one tab, both non-empty.
 *   - Entries (keys and values) are printable ASCII (0x21-0x7e); they are
 *     lower-cased (ASCII only) on load. Comments may hold any UTF-8 text
 *     but no control bytes other than tab.
 *   - A repeated entry is ignored; a repeated map key with a different
 *     value is an error.
 *   - No line may be longer than WORDLIST_LINE_MAX bytes.
 *
 * Owns: every key and value string (valid until wordlist_free()).
 * Fails: wordlist_load*() return NULL and fill a diag with DIAG_DATA and
 * "path:line: what" for a malformed line, or "path: why" when the file
 * cannot be opened or read. Out of memory exits (xalloc.h).
 * Memory: about 40 bytes per entry plus the text (the 120k-entry
 * disposable table takes about 6 MB).
 */
#ifndef LISTSCRUB_WORDLIST_H
#define LISTSCRUB_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define WORDLIST_LINE_MAX 4096

enum wordlist_kind {
	WORDLIST_SET,	/* one entry per line */
	WORDLIST_MAP	/* key<TAB>value per line */
};

struct wordlist;

/*
 * wordlist_check_fn - extra validation of one entry, called once per data
 * line after lower-casing. key is NUL-terminated (klen bytes); val is NULL
 * for a set. Returns NULL to accept the line, or a short static
 * description of what is wrong ("not a domain in A-label form"), which the
 * loader turns into "path:line: description: entry".
 */
typedef const char *(*wordlist_check_fn)(void *arg, const char *key,
    size_t klen, const char *val, size_t vlen);

/*
 * wordlist_load - load the table at path (borrowed) as kind.
 * Returns the table (free with wordlist_free), or NULL with d filled
 * (DIAG_DATA, naming path and, for a bad line, its line number).
 * An empty table (only comments) is valid.
 */
struct wordlist *wordlist_load(const char *path, enum wordlist_kind kind,
    struct diag *d);

/*
 * wordlist_load_checked - wordlist_load, with check (may be NULL) called
 * on every entry; arg is passed through to it. A non-NULL answer from
 * check fails the load with that line's number.
 */
struct wordlist *wordlist_load_checked(const char *path,
    enum wordlist_kind kind, wordlist_check_fn check, void *arg,
    struct diag *d);

/*
 * wordlist_has - whether key (len bytes, need not be NUL-terminated) is an
 * entry (a map's key). Case-insensitive for ASCII letters. len 0: false.
 */
bool wordlist_has(const struct wordlist *w, const char *key, size_t len);

/*
 * wordlist_get - for a map, the value of key (len bytes, ASCII
 * case-insensitive); for a set, the stored (lower-case) entry. NULL when
 * key is absent. The string is owned by w.
 */
const char *wordlist_get(const struct wordlist *w, const char *key,
    size_t len);

/* wordlist_count - number of distinct entries (map keys). */
size_t wordlist_count(const struct wordlist *w);

/*
 * wordlist_entry - entry (map key) number i, 0 <= i < wordlist_count(),
 * in the order of first appearance in the file; NULL when i is out of
 * range. Owned by w.
 */
const char *wordlist_entry(const struct wordlist *w, size_t i);

/*
 * wordlist_value - for a map, the value of entry i; NULL for a set or
 * when i is out of range. Owned by w.
 */
const char *wordlist_value(const struct wordlist *w, size_t i);

/* wordlist_free - release w and all its strings; NULL is allowed. */
void wordlist_free(struct wordlist *w);

#endif
