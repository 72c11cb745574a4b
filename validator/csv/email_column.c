/*
 * email_column - choose the email column. See email_column.h.
 */
#include "csv/email_column.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/csvread.h"
#include "util/ascii.h"
#include "util/diag.h"
#include "util/xalloc.h"

#define EMAIL_COLUMN_NAME_MAX 64	/* longer normalized names never match */

struct email_column {
	size_t ncols;
	uint64_t *filled;	/* non-empty cells per column */
	uint64_t *emails;	/* of them, cells that look like email */
};

struct email_column_word {
	const char *w;
	int cls;		/* 0 address word, 1 qualifier */
};

/*
 * Words an email column name is built from, normalized (validator/README,
 * "CSV facts").
 */
static const char *const email_column_cores[] = {
	"email", "courriel", "correo", "mail", "epost", "eposta",
};

static const struct email_column_word email_column_words[] = {
	{ "address", 0 }, { "addresse", 0 }, { "adresse", 0 }, { "adress", 0 },
	{ "adres", 0 }, { "addr", 0 }, { "adr", 0 }, { "adresa", 0 },
	{ "direccion", 0 }, { "de", 0 }, { "del", 0 }, { "electronico", 0 },
	{ "electronica", 0 }, { "electronique", 0 }, { "indirizzo", 0 },
	{ "id", 0 }, { "s", 0 },
	{ "value", 1 }, { "primary", 1 }, { "primaire", 1 }, { "principal", 1 },
	{ "principale", 1 }, { "main", 1 }, { "work", 1 }, { "personal", 1 },
	{ "perso", 1 }, { "home", 1 }, { "business", 1 }, { "contact", 1 },
	{ "user", 1 }, { "customer", 1 }, { "client", 1 }, { "subscriber", 1 },
	{ "member", 1 }, { "private", 1 }, { "privat", 1 }, { "prive", 1 },
	{ "office", 1 }, { "other", 1 }, { "alternate", 1 }, { "alt", 1 },
	{ "secondary", 1 }, { "company", 1 }, { "corporate", 1 },
	{ "billing", 1 }, { "your", 1 }, { "lead", 1 }, { "recipient", 1 },
	{ "person", 1 }, { "owner", 1 }, { "account", 1 }, { "student", 1 },
	{ "parent", 1 }, { "employee", 1 }, { "staff", 1 },
	{ "geschaftlich", 1 },
	{ "trabajo", 1 }, { "lavoro", 1 }, { "werk", 1 }, { "zakelijk", 1 },
};

/* Whole names that are not built from the words above (rank 1). */
static const char *const email_column_whole[] = {
	"sahkoposti", "sahkopostiosoite", "postaelettronica",
	"adresseelectronique",
	/* メールアドレス */
	("\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB\xE3\x82\xA2\xE3\x83\x89"
	    "\xE3\x83\xAC\xE3\x82\xB9"),
	"\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB",		/* メール */
	/* 電子メール */
	"\xE9\x9B\xBB\xE5\xAD\x90\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB",
	"\xE9\x82\xAE\xE7\xAE\xB1",			/* 邮箱 */
	"\xE7\x94\xB5\xE5\xAD\x90\xE9\x82\xAE\xE4\xBB\xB6",	/* 电子邮件 */
	"\xE7\x94\xB5\xE5\xAD\x90\xE9\x82\xAE\xE7\xAE\xB1",	/* 电子邮箱 */
	"\xEC\x9D\xB4\xEB\xA9\x94\xEC\x9D\xBC",		/* 이메일 */
};

/* U+00C0..U+00FF (UTF-8 C3 80..C3 BF) without accents; '-' = keep as is. */
static const char email_column_fold[] =
    "aaaaaa-ceeeeiiiidnooooo-ouuuuy--aaaaaa-ceeeeiiiidnooooo-ouuuuy-y";

static size_t email_column_norm(const char *s, size_t n, char *out);
static int email_column_tokens(const char *s, size_t n);
static int email_column_rank(const char *s, size_t n);
static bool email_column_candidate(const struct email_column *c, size_t i);
static bool email_column_beats(const struct email_column *c, size_t a,
    size_t b);

/*
 * email_column_norm - the comparable form of a header name into out
 * (EMAIL_COLUMN_NAME_MAX bytes); SIZE_MAX when longer.
 */
static size_t
email_column_norm(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char f = 0;

		if (ascii_isalnum(c))
			f = (char)ascii_tolower(c);
		else if (c == 0xC3 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0xBF) {
			f = email_column_fold[(unsigned char)s[i + 1] - 0x80];
			if (f != '-') {
				i++;
			} else {	/* no ASCII twin: keep both bytes */
				if (o + 2 > EMAIL_COLUMN_NAME_MAX)
					return SIZE_MAX;
				out[o++] = s[i++];
				f = s[i];
			}
		} else if (c == 0xC2 && i + 1 < n &&
		    (unsigned char)s[i + 1] == 0xA0) {
			i++;		/* NO-BREAK SPACE */
			continue;
		} else if (c == 0xEF && i + 2 < n &&
		    (unsigned char)s[i + 1] == 0xBB &&
		    (unsigned char)s[i + 2] == 0xBF) {
			i += 2;		/* a stray BOM */
			continue;
		} else if (c >= 0x80)
			f = (char)c;
		else
			continue;	/* space, punctuation, control */
		if (o + 1 > EMAIL_COLUMN_NAME_MAX)
			return SIZE_MAX;
		out[o++] = f;
	}
	return o;
}

/*
 * email_column_tokens - can s be cut into digits and email_column_words? -1 if
 * not, else 0 when only address words were needed, 1 with a qualifier.
 * Dynamic programming from the end: cls[i] is the answer for s + i.
 */
static int
email_column_tokens(const char *s, size_t n)
{
	int cls[EMAIL_COLUMN_NAME_MAX + 1];

	cls[n] = 0;
	for (size_t i = n; i-- > 0;) {
		cls[i] = -1;
		if (ascii_isdigit((unsigned char)s[i])) {
			size_t j = i;

			while (j < n && ascii_isdigit((unsigned char)s[j]))
				j++;
			if (cls[j] >= 0)
				cls[i] = 1;
		}
		for (size_t k = 0; k < sizeof(email_column_words) /
		    sizeof(email_column_words[0]); k++) {
			const struct email_column_word *w = &email_column_words[k];
			size_t l = strlen(w->w);
			int c;

			if (l > n - i || memcmp(s + i, w->w, l) != 0 ||
			    cls[i + l] < 0)
				continue;
			c = w->cls > cls[i + l] ? w->cls : cls[i + l];
			if (cls[i] < 0 || c < cls[i])
				cls[i] = c;
		}
	}
	return cls[0];
}

/*
 * email_column_rank - 0 for "email", 1 for an email word with address words
 * only (or a whole name), 2 with qualifiers, -1 for no email column.
 */
static int
email_column_rank(const char *s, size_t n)
{
	if (n == 5 && memcmp(s, "email", 5) == 0)
		return 0;
	for (size_t k = 0; k < sizeof(email_column_whole) / sizeof(email_column_whole[0]);
	    k++)
		if (n == strlen(email_column_whole[k]) &&
		    memcmp(s, email_column_whole[k], n) == 0)
			return 1;
	for (size_t k = 0; k < sizeof(email_column_cores) / sizeof(email_column_cores[0]);
	    k++) {
		size_t l = strlen(email_column_cores[k]);

		for (size_t at = 0; at + l <= n; at++) {
			int pre, post;

			if (memcmp(s + at, email_column_cores[k], l) != 0)
				continue;
			pre = email_column_tokens(s, at);
			post = email_column_tokens(s + at + l, n - at - l);
			if (pre >= 0 && post >= 0)
				return 1 + (pre > post ? pre : post);
		}
	}
	return -1;
}

int
email_column_header(const char *const *fields, const size_t *lens, size_t n,
    int *others)
{
	char name[EMAIL_COLUMN_NAME_MAX];
	int best = -1, best_rank = INT_MAX, matches = 0;

	if (n > INT_MAX)
		n = INT_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t l = email_column_norm(fields[i], lens[i], name);
		int rank;

		if (l == SIZE_MAX || (rank = email_column_rank(name, l)) < 0)
			continue;
		matches++;
		if (rank < best_rank) {
			best_rank = rank;
			best = (int)i;
		}
	}
	if (others)
		*others = best >= 0 ? matches - 1 : 0;
	return best;
}

bool
email_column_looks_like_email(const char *s, size_t n)
{
	size_t at = SIZE_MAX, dot = SIZE_MAX;

	ascii_trim(&s, &n);
	/* "Name <a@b.c>": judge what is inside the brackets. */
	if (n > 2 && s[n - 1] == '>') {
		const char *lt = memchr(s, '<', n);

		while (lt != NULL) {
			const char *next = memchr(lt + 1, '<',
			    (size_t)(s + n - lt - 1));

			if (next == NULL)
				break;
			lt = next;
		}
		if (lt != NULL) {
			n = (size_t)(s + n - 1 - (lt + 1));
			s = lt + 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f)
			return false;
		if (c == '@') {
			if (at != SIZE_MAX)
				return false;
			at = i;
		} else if (c == '.' && at != SIZE_MAX && i > at + 1 &&
		    i + 1 < n)
			dot = i;
	}
	return at != SIZE_MAX && at > 0 && dot != SIZE_MAX;
}

struct email_column *
email_column_new(void)
{
	return xcalloc(1, sizeof(struct email_column));
}

void
email_column_add(struct email_column *c, const char *const *fields, const size_t *lens,
    size_t n)
{
	if (n > EMAIL_COLUMN_MAX_COLUMNS)
		n = EMAIL_COLUMN_MAX_COLUMNS;
	if (n > c->ncols) {
		c->filled = xreallocarray(c->filled, n, sizeof(*c->filled));
		c->emails = xreallocarray(c->emails, n, sizeof(*c->emails));
		memset(c->filled + c->ncols, 0,
		    (n - c->ncols) * sizeof(*c->filled));
		memset(c->emails + c->ncols, 0,
		    (n - c->ncols) * sizeof(*c->emails));
		c->ncols = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i];
		size_t l = lens[i];

		while (l > 0 && ascii_isspace((unsigned char)*s))
			s++, l--;
		if (l == 0)
			continue;
		c->filled[i]++;
		if (email_column_looks_like_email(s, l))
			c->emails[i]++;
	}
}

/* email_column_candidate - at least half the non-empty cells look like email. */
static bool
email_column_candidate(const struct email_column *c, size_t i)
{
	return c->emails[i] > 0 && c->emails[i] * 2 >= c->filled[i];
}

/*
 * email_column_beats - whether candidate a ranks before candidate b: more
 * address-like cells, then the higher share, then the leftmost.
 */
static bool
email_column_beats(const struct email_column *c, size_t a, size_t b)
{
	/* Shares compared exactly: ea/fa > eb/fb as ea*fb > eb*fa. */
	if (c->emails[a] != c->emails[b])
		return c->emails[a] > c->emails[b];
	if (c->emails[a] * c->filled[b] != c->emails[b] * c->filled[a])
		return c->emails[a] * c->filled[b] >
		    c->emails[b] * c->filled[a];
	return a < b;
}

int
email_column_best(const struct email_column *c, double *share)
{
	int best = -1;

	for (size_t i = 0; i < c->ncols && i < INT_MAX; i++)
		if (email_column_candidate(c, i) &&
		    (best < 0 || email_column_beats(c, i, (size_t)best)))
			best = (int)i;
	if (share)
		*share = best < 0 ? 0 : (double)c->emails[best] /
		    (double)c->filled[best];
	return best;
}

size_t
email_column_candidates(const struct email_column *c, int *cols, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ncols && i < INT_MAX; i++) {
		size_t at;

		if (!email_column_candidate(c, i))
			continue;
		/* Insertion sort into the first max places, best first. */
		for (at = n < max ? n : max; at > 0 &&
		    email_column_beats(c, i, (size_t)cols[at - 1]); at--)
			if (at < max)
				cols[at] = cols[at - 1];
		if (at < max)
			cols[at] = (int)i;
		n++;
	}
	return n;
}

void
email_column_counts(const struct email_column *c, size_t col,
    uint64_t *filled, uint64_t *emails)
{
	*filled = col < c->ncols ? c->filled[col] : 0;
	*emails = col < c->ncols ? c->emails[col] : 0;
}

bool
email_column_refuse(const struct email_column *c, size_t col)
{
	uint64_t filled, emails;

	email_column_counts(c, col, &filled, &emails);
	return filled >= EMAIL_COLUMN_REFUSE_MIN &&
	    emails * EMAIL_COLUMN_REFUSE_RATIO < filled;
}

const char *
email_column_why(const struct email_column *c, int first, int second)
{
	size_t a = (size_t)first, b = (size_t)second;

	if (first < 0 || second < 0 || a >= c->ncols || b >= c->ncols)
		return "";
	if (c->emails[a] != c->emails[b])
		return "most address-like cells";
	if (c->emails[a] * c->filled[b] != c->emails[b] * c->filled[a])
		return "highest share of address-like cells";
	return "leftmost of equals";
}

void
email_column_label(const struct csvrow *h, size_t col, char *buf, size_t n)
{
	if (h != NULL && col < h->nfields)
		snprintf(buf, n, "%zu '%.*s'", col + 1, (int)(h->field_len[col] >
		    40 ? 40 : h->field_len[col]), h->field[col]);
	else
		snprintf(buf, n, "%zu", col + 1);
}

void
email_column_refusal(const struct email_column *c, size_t col, bool by_name,
    const char *input, size_t rows, const struct csvrow *h, struct diag *d)
{
	int cols[4];
	size_t n = email_column_candidates(c, cols, 4), used = 0;
	uint64_t filled, emails;
	char label[64], others[300];

	others[0] = '\0';
	for (size_t i = 0; i < n && i < 4; i++) {
		uint64_t f, e;
		int w;

		email_column_label(h, (size_t)cols[i], label, sizeof(label));
		email_column_counts(c, (size_t)cols[i], &f, &e);
		w = snprintf(others + used, sizeof(others) - used,
		    "%s%s (%llu of %llu)", i ? ", " : "", label,
		    (unsigned long long)e, (unsigned long long)f);
		if (w < 0 || (size_t)w >= sizeof(others) - used)
			break;
		used += (size_t)w;
	}
	email_column_label(h, col, label, sizeof(label));
	email_column_counts(c, col, &filled, &emails);
	diag_set(d, by_name ? DIAG_INPUT : DIAG_USAGE, "%s: column %s%s holds "
	    "no addresses: %llu of its %llu non-empty cells in the first %zu "
	    "rows look like one; %s%s (choose with --column)", input, label,
	    by_name ? " (chosen by its name)" : "",
	    (unsigned long long)emails, (unsigned long long)filled, rows,
	    n > 0 ? "addresses are in column " :
	    "no column looks like it holds addresses", others);
}

void
email_column_free(struct email_column *c)
{
	if (c == NULL)
		return;
	free(c->filled);
	free(c->emails);
	free(c);
}
