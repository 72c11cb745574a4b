/*
 * wordlist - load one lists/ table into a strmap-backed set or map.
 * The format and the error contract are described in wordlist.h.
 */
#include "util/wordlist.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct wordlist {
	enum wordlist_kind kind;
	struct strmap *keys;	/* entries, ids in file order */
	struct strmap *vals;	/* map only: distinct values, interned */
	uint32_t *val;		/* map only: value id of each key id */
	size_t nval;		/* allocated length of val */
	size_t maxlen;		/* longest key: longer lookups miss at once */
};

/* Everything the line parser needs to name a bad line. */
struct wl_load {
	struct wordlist *w;
	const char *path;
	unsigned long lineno;
	wordlist_check_fn check;
	void *arg;
	struct diag *d;
	unsigned char plain[256];	/* wl_plain's bytes: 1 */
};

static bool wl_isblank(unsigned char c);
static bool wl_plain(const struct wl_load *ld, const char *p, size_t n);
static int wl_badbyte(struct wl_load *ld, const char *what, const char *p,
    size_t n);
static int wl_field(struct wl_load *ld, const char *what, char *p, size_t n);
static int wl_add(struct wl_load *ld, const char *key, size_t klen,
    const char *val, size_t vlen);
static int wl_line(struct wl_load *ld, char *p, size_t n);
static bool wl_lookup(const struct wordlist *w, const char *key, size_t len,
    uint32_t *id);

/* wl_isblank - the horizontal white space we trim and split on. */
static bool
wl_isblank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * wl_badbyte - reject control bytes (not tab) anywhere in a line: a NUL
 * or escape sequence means the file is not the text table we expect.
 */
static int
wl_badbyte(struct wl_load *ld, const char *what, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: non-printable byte 0x%02x in %s",
			    ld->path, ld->lineno, c, what);
			return -1;
		}
	}
	return 0;
}

/*
 * wl_field - validate one entry field (printable ASCII, no blanks) and
 * lower-case it in place.
 */
static int
wl_field(struct wl_load *ld, const char *what, char *p, size_t n)
{
	if (n == 0) {
		diag_set(ld->d, DIAG_DATA, "%s:%lu: empty %s", ld->path,
		    ld->lineno, what);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (wl_isblank(c)) {
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: white space inside %s '%.*s' (one entry "
			    "per line; a comment needs '#')", ld->path,
			    ld->lineno, what, (int)n, p);
			return -1;
		}
		if (c >= 0x80) {
			/* Domains must be A-labels; we never guess an IDNA. */
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: non-ASCII byte 0x%02x in %s (write "
			    "domains in A-label form, xn--...)", ld->path,
			    ld->lineno, c, what);
			return -1;
		}
		p[i] = (char)ascii_tolower(c);
	}
	return 0;
}

/* wl_add - store one validated entry; a conflicting map key fails. */
static int
wl_add(struct wl_load *ld, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	struct wordlist *w = ld->w;
	uint32_t id, vid;
	bool inserted;

	id = strmap_intern(w->keys, key, klen, &inserted);
	if (klen > w->maxlen)
		w->maxlen = klen;
	if (w->kind == WORDLIST_SET)
		return 0;
	if (!inserted) {
		const char *old = strmap_key(w->vals, w->val[id], NULL);

		if (strlen(old) != vlen || memcmp(old, val, vlen) != 0) {
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: key '%s' repeats with a different value "
			    "('%s' before, '%.*s' here)", ld->path, ld->lineno,
			    key, old, (int)vlen, val);
			return -1;
		}
		return 0;
	}
	if (id >= w->nval) {
		size_t n = w->nval ? w->nval * 2 : 256;

		w->val = xreallocarray(w->val, n, sizeof(*w->val));
		w->nval = n;
	}
	vid = strmap_intern(w->vals, val, vlen, NULL);
	w->val[id] = vid;
	return 0;
}

/*
 * wl_plain - a line every byte of which is visible ASCII other than '#'
 * and upper case: none of wl_line's trimming, comment or field rules can
 * change or refuse it. Most lines of a set are such (the disposable list
 * is a hundred thousand, read at every run's start): one table look-up a
 * byte, and no branch but the loop's.
 */
static bool
wl_plain(const struct wl_load *ld, const char *p, size_t n)
{
	unsigned all = n > 0;

	for (size_t i = 0; i < n; i++)
		all &= ld->plain[(unsigned char)p[i]];
	return all != 0;
}

/* wl_line - parse one line (without its newline); 0 or -1 with diag. */
static int
wl_line(struct wl_load *ld, char *p, size_t n)
{
	char *key, *val = NULL, *tab;
	size_t klen, vlen = 0;
	const char *why;

	/* a set's entry as it should be: the rules below would keep it */
	if (ld->w->kind == WORDLIST_SET && wl_plain(ld, p, n)) {
		key = p;
		klen = n;
		goto check;
	}
	if (ld->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	/* CRLF files (edited on Windows) are fine; a stray CR is not. */
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (wl_badbyte(ld, "the line", p, n) == -1)
		return -1;
	while (n > 0 && wl_isblank((unsigned char)*p))
		p++, n--;
	if (n == 0 || *p == '#')
		return 0;
	/* A '#' after white space starts a trailing comment. */
	for (size_t i = 1; i < n; i++)
		if (p[i] == '#' && wl_isblank((unsigned char)p[i - 1])) {
			n = i;
			break;
		}
	while (n > 0 && wl_isblank((unsigned char)p[n - 1]))
		n--;
	p[n] = '\0';

	key = p;
	klen = n;
	if (ld->w->kind == WORDLIST_MAP) {
		tab = memchr(p, '\t', n);
		if (tab == NULL) {
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: expected key<TAB>value, found no tab in "
			    "'%s'", ld->path, ld->lineno, p);
			return -1;
		}
		if (memchr(tab + 1, '\t', n - (size_t)(tab + 1 - p)) != NULL) {
			diag_set(ld->d, DIAG_DATA,
			    "%s:%lu: expected key<TAB>value, found more than "
			    "one tab", ld->path, ld->lineno);
			return -1;
		}
		*tab = '\0';
		klen = (size_t)(tab - p);
		val = tab + 1;
		vlen = n - klen - 1;
	}
	if (wl_field(ld, val != NULL ? "key" : "entry", key, klen) == -1 ||
	    (val != NULL && wl_field(ld, "value", val, vlen) == -1))
		return -1;
check:
	if (ld->check != NULL &&
	    (why = ld->check(ld->arg, key, klen, val, vlen)) != NULL) {
		if (val != NULL)
			diag_set(ld->d, DIAG_DATA, "%s:%lu: %s: %s\t%s",
			    ld->path, ld->lineno, why, key, val);
		else
			diag_set(ld->d, DIAG_DATA, "%s:%lu: %s: %s",
			    ld->path, ld->lineno, why, key);
		return -1;
	}
	return wl_add(ld, key, klen, val, vlen);
}

struct wordlist *
wordlist_load_checked(const char *path, enum wordlist_kind kind,
    wordlist_check_fn check, void *arg, struct diag *d)
{
	struct wl_load ld = { NULL, path, 0, check, arg, d, { 0 } };
	struct wordlist *w = NULL;
	char line[WORDLIST_LINE_MAX + 1], block[65536];
	size_t n = 0, got;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		diag_set(d, DIAG_DATA, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	for (int c = 0x21; c < 0x7f; c++)
		ld.plain[c] = c != '#' && !(c >= 'A' && c <= 'Z');
	w = xcalloc(1, sizeof(*w));
	w->kind = kind;
	w->keys = strmap_new();
	if (kind == WORDLIST_MAP)
		w->vals = strmap_new();
	ld.w = w;

	/* In blocks, a line at a time: the disposable table is 120,000 lines. */
	while ((got = fread(block, 1, sizeof(block), fp)) > 0) {
		const char *p = block, *end = block + got;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t k = (size_t)((nl != NULL ? nl : end) - p);

			if (k > WORDLIST_LINE_MAX - n) {
				diag_set(d, DIAG_DATA,
				    "%s:%lu: line longer than %d bytes", path,
				    ld.lineno + 1, WORDLIST_LINE_MAX);
				goto fail;
			}
			memcpy(line + n, p, k);
			n += k;
			if (nl == NULL)
				break;
			ld.lineno++;
			line[n] = '\0';
			if (wl_line(&ld, line, n) == -1)
				goto fail;
			n = 0;
			p = nl + 1;
		}
	}
	if (ferror(fp)) {
		diag_set(d, DIAG_DATA, "%s: read error: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (n > 0) {		/* a last line without a newline */
		ld.lineno++;
		line[n] = '\0';
		if (wl_line(&ld, line, n) == -1)
			goto fail;
	}
	fclose(fp);
	return w;

fail:
	fclose(fp);
	wordlist_free(w);
	return NULL;
}

struct wordlist *
wordlist_load(const char *path, enum wordlist_kind kind, struct diag *d)
{
	return wordlist_load_checked(path, kind, NULL, NULL, d);
}

/*
 * wl_lookup - find key case-insensitively: the stored keys are lower
 * case (wl_field), key is folded as it is read.
 */
static bool
wl_lookup(const struct wordlist *w, const char *key, size_t len,
    uint32_t *id)
{
	/* Stored keys are never longer than maxlen <= WORDLIST_LINE_MAX. */
	if (len == 0 || len > w->maxlen)
		return false;
	return strmap_find_folded(w->keys, key, len, id) == 1;
}

bool
wordlist_has(const struct wordlist *w, const char *key, size_t len)
{
	uint32_t id;

	return wl_lookup(w, key, len, &id);
}

const char *
wordlist_get(const struct wordlist *w, const char *key, size_t len)
{
	uint32_t id;

	if (!wl_lookup(w, key, len, &id))
		return NULL;
	if (w->kind == WORDLIST_MAP)
		return strmap_key(w->vals, w->val[id], NULL);
	return strmap_key(w->keys, id, NULL);
}

size_t
wordlist_count(const struct wordlist *w)
{
	return strmap_count(w->keys);
}

const char *
wordlist_entry(const struct wordlist *w, size_t i)
{
	if (i >= strmap_count(w->keys))
		return NULL;
	return strmap_key(w->keys, (uint32_t)i, NULL);
}

const char *
wordlist_value(const struct wordlist *w, size_t i)
{
	if (w->kind != WORDLIST_MAP || i >= strmap_count(w->keys))
		return NULL;
	return strmap_key(w->vals, w->val[i], NULL);
}

void
wordlist_free(struct wordlist *w)
{
	if (w == NULL)
		return;
	strmap_free(w->keys);
	strmap_free(w->vals);
	free(w->val);
	free(w);
}
