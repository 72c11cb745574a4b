#include "dns/providers.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define PROVIDERS_LINE_MAX 4096

/* One row: a pattern and the provider it names (an index). */
struct provider_row {
	char *pattern;		/* lower case, no trailing dot */
	size_t len;
	size_t provider;	/* index into providers.list */
};

struct providers {
	struct provider_row *rows;
	size_t nrows, caprows;
	struct provider *list;
	size_t nlist, caplist;
};

static const char *providers_pattern_bad(const char *s, size_t n);
static const char *providers_name_bad(const char *s, size_t n);
static const char *providers_rules(const char *s, size_t n,
    struct provider *pv, char *why, size_t whylen);
static const char *providers_code(const char *s, size_t n,
    struct provider_code *c);
static bool providers_same_rules(const struct provider *a,
    const struct provider *b);
static const char *providers_row(struct providers *p, char *line,
    size_t len, char *why, size_t whylen);
static int providers_fields(char *line, size_t len, char **f, size_t *fl);

/* providers_pattern_bad - why s is not a usable pattern, or NULL. */
static const char *
providers_pattern_bad(const char *s, size_t n)
{
	size_t dots = 0;

	if (n == 0)
		return "empty pattern";
	if (n > 253)
		return "pattern longer than 253 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (i + 1 == n || (i > 0 && s[i - 1] == '.'))
				return "pattern has an empty label or ends "
				    "with a dot";
			if (i > 0)
				dots++;
		} else if (!ascii_isalnum(c) && c != '-')
			return "pattern is not a lower-case A-label host name";
		else if (ascii_isalpha(c) && ascii_tolower(c) != c)
			return "pattern is not a lower-case A-label host name";
	}
	if (dots == 0)
		return "pattern needs at least two labels";
	return NULL;
}

/* providers_name_bad - why s is not a provider name, or NULL. */
static const char *
providers_name_bad(const char *s, size_t n)
{
	if (n == 0 || n > 40)
		return "provider name must be 1 to 40 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(ascii_isdigit(c) || (c >= 'a' && c <= 'z') || c == '_'))
			return "provider name must be lower-case letters, "
			    "digits and '_'";
	}
	return NULL;
}

/* providers_code - parse "450" or "450 4.2.1" (n bytes) into c. */
static const char *
providers_code(const char *s, size_t n, struct provider_code *c)
{
	size_t i = 0, dots = 0, digits = 0;

	memset(c, 0, sizeof(*c));
	ascii_trim(&s, &n);
	if (n < 3 || !ascii_isdigit((unsigned char)s[0]) ||
	    !ascii_isdigit((unsigned char)s[1]) ||
	    !ascii_isdigit((unsigned char)s[2]) || s[0] < '4' || s[0] > '5')
		return "throttle code must start with a 4xx or 5xx reply code";
	c->code = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 +
	    (s[2] - '0'));
	if (n == 3)
		return NULL;
	if (s[3] != ' ' || n == 4)
		return "throttle code: reply code, one space, enhanced code";
	s += 4;
	n -= 4;
	if (n >= sizeof(c->enhanced) || !ascii_isdigit((unsigned char)s[0]))
		return "throttle code: bad enhanced code";
	if (s[0] != (char)('0' + c->code / 100))
		return "throttle code: the enhanced code's class must match "
		    "the reply code";
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (digits == 0)
				return "throttle code: bad enhanced code";
			dots++;
			digits = 0;
		} else if (ascii_isdigit((unsigned char)s[i])) {
			if (++digits > 3)
				return "throttle code: bad enhanced code";
		} else
			return "throttle code: bad enhanced code";
	}
	if (dots != 2 || digits == 0)
		return "throttle code: bad enhanced code";
	memcpy(c->enhanced, s, n);
	c->enhanced[n] = '\0';
	return NULL;
}

/*
 * providers_rules - parse the rules field into pv. why (whylen bytes)
 * receives the offending rule for the message.
 */
static const char *
providers_rules(const char *s, size_t n, struct provider *pv, char *why,
    size_t whylen)
{
	if (n == 1 && s[0] == '-')
		return NULL;
	while (n > 0) {
		const char *e = memchr(s, ';', n);
		size_t len = e ? (size_t)(e - s) : n;
		const char *w = s;
		size_t wl = len;

		ascii_trim(&w, &wl);
		snprintf(why, whylen, "%.*s", (int)(wl > 60 ? 60 : wl), w);
		if (wl == 10 && memcmp(w, "accept_all", 10) == 0)
			pv->accept_all = true;
		else if (wl == 17 && memcmp(w, "no_catch_all_test", 17) == 0)
			pv->no_catch_all_test = true;
		else if (wl > 18 && memcmp(w, "max_rcpt_per_conn=", 18) == 0) {
			unsigned v = 0;

			for (size_t i = 18; i < wl; i++) {
				if (!ascii_isdigit((unsigned char)w[i]) ||
				    v > 100)
					return "max_rcpt_per_conn needs a "
					    "number from 1 to 100";
				v = v * 10 + (unsigned)(w[i] - '0');
			}
			if (v < 1 || v > 100)
				return "max_rcpt_per_conn needs a number "
				    "from 1 to 100";
			pv->max_rcpt = v;
		} else if (wl > 15 && memcmp(w, "throttle_codes=", 15) == 0) {
			const char *c = w + 15;
			size_t cl = wl - 15;

			while (cl > 0) {
				const char *ce = memchr(c, ',', cl);
				size_t one = ce ? (size_t)(ce - c) : cl;
				const char *bad;

				if (pv->nthrottle == PROVIDERS_THROTTLE_MAX)
					return "more than 8 throttle codes";
				bad = providers_code(c, one,
				    &pv->throttle[pv->nthrottle]);
				if (bad)
					return bad;
				pv->nthrottle++;
				if (ce == NULL)
					break;
				cl -= one + 1;
				c = ce + 1;
				if (cl == 0)
					return "throttle_codes ends with a "
					    "comma";
			}
		} else if (wl == 0)
			return "empty rule (two ';' in a row?)";
		else
			return "unknown rule (accept_all, max_rcpt_per_conn=N, "
			    "throttle_codes=..., no_catch_all_test)";
		if (e == NULL)
			break;
		n -= len + 1;
		s = e + 1;
		if (n == 0) {
			snprintf(why, whylen, ";");
			return "rules end with ';'";
		}
	}
	if (pv->accept_all && pv->no_catch_all_test)
		return "accept_all and no_catch_all_test contradict each other";
	return NULL;
}

/* providers_same_rules - whether a and b probe alike. */
static bool
providers_same_rules(const struct provider *a, const struct provider *b)
{
	if (a->accept_all != b->accept_all ||
	    a->no_catch_all_test != b->no_catch_all_test ||
	    a->max_rcpt != b->max_rcpt || a->nthrottle != b->nthrottle)
		return false;
	for (size_t i = 0; i < a->nthrottle; i++)
		if (a->throttle[i].code != b->throttle[i].code ||
		    strcmp(a->throttle[i].enhanced,
		    b->throttle[i].enhanced) != 0)
			return false;
	return true;
}

/*
 * providers_fields - split line at TABs into f/fl (4 slots); the count,
 * or -1 for more than 4.
 */
static int
providers_fields(char *line, size_t len, char **f, size_t *fl)
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n == 4)
				return -1;
			f[n] = line + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* providers_row - add one data line; NULL, or what is wrong with it. */
static const char *
providers_row(struct providers *p, char *line, size_t len, char *why,
    size_t whylen)
{
	char *f[4];
	size_t fl[4], i;
	struct provider pv;
	const char *bad;
	int n = providers_fields(line, len, f, fl);

	why[0] = '\0';
	if (n != 4)
		return "want 4 fields separated by one TAB each: pattern, "
		    "provider, rules, source";
	for (int k = 0; k < 4; k++) {
		const char *s = f[k];
		size_t l = fl[k];

		ascii_trim(&s, &l);
		if (l != fl[k] || l == 0)
			return "empty field, or spaces around a field";
	}
	if ((bad = providers_pattern_bad(f[0], fl[0])) != NULL) {
		snprintf(why, whylen, "%.*s", (int)(fl[0] > 60 ? 60 : fl[0]),
		    f[0]);
		return bad;
	}
	if ((bad = providers_name_bad(f[1], fl[1])) != NULL) {
		snprintf(why, whylen, "%.*s", (int)(fl[1] > 60 ? 60 : fl[1]),
		    f[1]);
		return bad;
	}
	for (i = 0; i < fl[3]; i++)
		if ((unsigned char)f[3][i] < 0x20 || f[3][i] == 0x7f)
			return "control byte in the source";
	memset(&pv, 0, sizeof(pv));
	if ((bad = providers_rules(f[2], fl[2], &pv, why, whylen)) != NULL)
		return bad;
	if ((fl[3] >= 10 && memcmp(f[3], "unsourced:", 10) == 0) &&
	    (pv.accept_all || pv.no_catch_all_test || pv.max_rcpt ||
	    pv.nthrottle)) {
		snprintf(why, whylen, "%.*s", (int)(fl[2] > 60 ? 60 : fl[2]),
		    f[2]);
		return "a probe rule needs a source (the row says unsourced)";
	}
	for (i = 0; i < p->nrows; i++)
		if (p->rows[i].len == fl[0] &&
		    memcmp(p->rows[i].pattern, f[0], fl[0]) == 0) {
			snprintf(why, whylen, "%.*s", (int)fl[0], f[0]);
			return "pattern listed twice";
		}
	for (i = 0; i < p->nlist; i++)
		if (strlen(p->list[i].name) == fl[1] &&
		    memcmp(p->list[i].name, f[1], fl[1]) == 0)
			break;
	if (i < p->nlist) {
		if (!providers_same_rules(&p->list[i], &pv)) {
			snprintf(why, whylen, "%.*s", (int)fl[1], f[1]);
			return "rules differ from an earlier row of this "
			    "provider";
		}
	} else {
		if (p->nlist == PROVIDERS_MAX)
			return "more than 250 providers";
		if (p->nlist == p->caplist) {
			p->caplist = p->caplist ? 2 * p->caplist : 16;
			p->list = xreallocarray(p->list, p->caplist,
			    sizeof(*p->list));
		}
		f[1][fl[1]] = '\0';
		f[3][fl[3]] = '\0';
		pv.name = xstrdup(f[1]);
		pv.source = xstrdup(f[3]);
		p->list[p->nlist++] = pv;
	}
	if (p->nrows == p->caprows) {
		p->caprows = p->caprows ? 2 * p->caprows : 32;
		p->rows = xreallocarray(p->rows, p->caprows, sizeof(*p->rows));
	}
	f[0][fl[0]] = '\0';
	p->rows[p->nrows].pattern = xstrdup(f[0]);
	p->rows[p->nrows].len = fl[0];
	p->rows[p->nrows].provider = i;
	p->nrows++;
	return NULL;
}

struct providers *
providers_load(const char *path, struct diag *d)
{
	FILE *f = fopen(path, "r");
	struct providers *p = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned long lineno = 0;
	char why[80];

	if (f == NULL) {
		diag_set(d, DIAG_DATA, "%s: %s", path, strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	while ((got = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)got;
		char *s = line;
		const char *bad;

		lineno++;
		if (lineno == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			len -= 3;
		}
		if (len > 0 && s[len - 1] == '\n')
			len--;
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len > PROVIDERS_LINE_MAX) {
			diag_set(d, DIAG_DATA, "%s:%lu: line longer than %d "
			    "bytes", path, lineno, PROVIDERS_LINE_MAX);
			goto fail;
		}
		if (memchr(s, '\0', len) != NULL) {
			diag_set(d, DIAG_DATA, "%s:%lu: NUL byte", path,
			    lineno);
			goto fail;
		}
		{
			const char *t = s;
			size_t tl = len;

			ascii_trim(&t, &tl);
			if (tl == 0 || t[0] == '#')
				continue;
		}
		if ((bad = providers_row(p, s, len, why, sizeof(why))) !=
		    NULL) {
			diag_set(d, DIAG_DATA, "%s:%lu: %s%s%s", path, lineno,
			    bad, why[0] ? ": " : "", why);
			goto fail;
		}
	}
	if (ferror(f)) {
		diag_set(d, DIAG_DATA, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	return p;
fail:
	free(line);
	fclose(f);
	providers_free(p);
	return NULL;
}

const struct provider *
providers_match(const struct providers *p, const char *host, size_t len)
{
	const struct provider_row *best = NULL;

	if (p == NULL || host == NULL)
		return NULL;
	if (len > 0 && host[len - 1] == '.')
		len--;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct provider_row *r = &p->rows[i];
		bool hit;

		if (r->pattern[0] == '.')
			/* ".x.y": strictly below x.y */
			hit = len > r->len && ascii_ncasecmp(host + len - r->len,
			    r->pattern, r->len) == 0;
		else
			/* "x.y": x.y itself or below it */
			hit = (len == r->len && ascii_ncasecmp(host,
			    r->pattern, len) == 0) ||
			    (len > r->len && host[len - r->len - 1] == '.' &&
			    ascii_ncasecmp(host + len - r->len, r->pattern,
			    r->len) == 0);
		if (hit && (best == NULL || r->len > best->len))
			best = r;
	}
	return best ? &p->list[best->provider] : NULL;
}

size_t
providers_count(const struct providers *p)
{
	return p ? p->nlist : 0;
}

const struct provider *
providers_at(const struct providers *p, size_t i)
{
	return p && i < p->nlist ? &p->list[i] : NULL;
}

size_t
providers_rows(const struct providers *p)
{
	return p ? p->nrows : 0;
}

bool
provider_throttles(const struct provider *pv, unsigned code,
    const char *enhanced)
{
	if (pv == NULL)
		return false;
	for (size_t i = 0; i < pv->nthrottle; i++) {
		const struct provider_code *c = &pv->throttle[i];

		if (c->code != code)
			continue;
		if (c->enhanced[0] == '\0' ||
		    (enhanced != NULL && strcmp(c->enhanced, enhanced) == 0))
			return true;
	}
	return false;
}

void
provider_rules_text(const struct provider *pv, char *buf, size_t n)
{
	size_t at = 0;

#define ADD(...) do {							\
	if (at < n) {							\
		int w_ = snprintf(buf + at, n - at, __VA_ARGS__);	\
		if (w_ > 0)						\
			at += (size_t)w_;				\
	}								\
} while (0)
	if (n == 0)
		return;
	buf[0] = '\0';
	if (pv != NULL && pv->accept_all)
		ADD("accepts all: not asked");
	if (pv != NULL && pv->max_rcpt > 0)
		ADD("%s%u recipient%s per connection", at ? "; " : "",
		    pv->max_rcpt, pv->max_rcpt == 1 ? "" : "s");
	if (pv != NULL && pv->nthrottle > 0) {
		ADD("%sthrottling replies retried (", at ? "; " : "");
		for (size_t i = 0; i < pv->nthrottle; i++)
			ADD("%s%u%s%s", i ? ", " : "", pv->throttle[i].code,
			    pv->throttle[i].enhanced[0] ? " " : "",
			    pv->throttle[i].enhanced);
		ADD(")");
	}
	if (pv != NULL && pv->no_catch_all_test)
		ADD("%sno catch-all test", at ? "; " : "");
	if (at == 0)
		ADD("none");
#undef ADD
}

void
providers_free(struct providers *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nrows; i++)
		free(p->rows[i].pattern);
	for (size_t i = 0; i < p->nlist; i++) {
		free((void *)(uintptr_t)p->list[i].name);
		free((void *)(uintptr_t)p->list[i].source);
	}
	free(p->rows);
	free(p->list);
	free(p);
}
