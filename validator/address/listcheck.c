/*
 * listcheck - role, disposable, free-mail and typo checks over the lists/
 * tables. The contract and the suggestion rules are in listcheck.h; the
 * data files are described in lists/README.
 */
#include "address/listcheck.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/wordlist.h"
#include "util/xalloc.h"

#define DOMAIN_MAX	253	/* RFC 1035 2.3.4, without the root dot */
#define LABEL_MAX	63
#define SUGGEST_MIN	6	/* shorter domains get no distance guess */
#define LONG_NAME	10	/* both this long: distance 2 allowed */
#define BRAND_MIN	5	/* shortest first label to guess across names */
#define PATH_MAX_LEN	4096

/* A popular domain, with the lengths the distance search filters on. */
struct lc_pop {
	const char *name;	/* owned by the popular wordlist */
	size_t len;
	size_t brandlen;	/* length of the first label */
	size_t tldoff;		/* offset of the last label */
	uint64_t chars;		/* lc_chars of the name */
};

struct listcheck {
	struct wordlist *role;
	struct wordlist *disposable;
	struct wordlist *free;
	struct wordlist *popular;
	struct wordlist *typos;
	bool wildcards;		/* disposable has "*.name" entries */
	struct lc_pop *pop;	/* popular domains, shortest first */
	size_t npop;
	/* known names cut at a dot: free domains less a country TLD, the
	 * starts of popular domains (lc_truncated) */
	struct strmap *free_cut;
	struct strmap *brands;	/* first labels of the popular domains */
	/* pop_from[n]: the first popular domain long enough (len + 2 >= n)
	 * to be within reach of a name of n bytes */
	size_t pop_from[DOMAIN_MAX + 1];
	unsigned char ldh[256];	/* letters, digits, '-': 1 */
};

/*
 * Two-letter TLDs delegated in the root zone (ISO 3166 codes plus ac, eu,
 * su, uk), checked against the ICANN section of Debian's publicsuffix
 * 20230209. Used only to tell a real country TLD from a slip of the
 * finger.
 */
static const char cctlds[] =
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb be bf bg bh "
    "bi bj bm bn bo br bs bt bv bw by bz ca cc cd cf cg ch ci cl cm cn co "
    "cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg es et eu fi fj fm fo "
    "fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn "
    "hr ht hu id ie il im in io iq ir is it je jo jp ke kg ki km kn kp kr "
    "kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mn "
    "mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no nr nu nz "
    "om pa pe pf ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc "
    "sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg "
    "th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi "
    "vn vu wf ws ye yt za zm zw ";

/*
 * The generic TLDs that predate the 2012 expansion: real mail lives
 * there. Newer ones (cam, co-like traps) are left out on purpose.
 */
static const char *const gtlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz",
	"name", "pro", "aero", "coop", "museum", "mobi", "asia", "tel",
	"travel", "jobs", "cat", "post", "xxx", NULL
};

/* Real TLDs that are far more often a slip for com or net. */
static const char *const sliptlds[] = { "co", "cm", "om", "ne", "et", NULL };

static size_t lc_trim(const char *domain, size_t len);
static size_t lc_labels(const struct listcheck *l, const char *p,
    size_t n);
static const char *lc_check_role(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
static const char *lc_check_domain(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
static const char *lc_check_disposable(void *arg, const char *key,
    size_t klen, const char *val, size_t vlen);
static const char *lc_check_popular(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
static const char *lc_check_typo(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
static struct wordlist *lc_load(const char *dir, const char *name,
    enum wordlist_kind kind, wordlist_check_fn check, void *arg,
    struct diag *d);
static int lc_popcmp(const void *a, const void *b);
static void lc_index_popular(struct listcheck *l);
static bool lc_inlist(const char *const *list, const char *p, size_t n);
static bool lc_realtld(const char *p, size_t n);
static size_t lc_tldoff(const char *p, size_t n);
static size_t lc_brandlen(const char *p, size_t n);
static size_t lc_distance(const char *a, size_t n, const char *b, size_t m,
    size_t k);
static uint64_t lc_chars(const char *p, size_t n);
static bool lc_reachable(uint64_t a, uint64_t b, size_t k);
static bool lc_truncated(const struct listcheck *l, const char *s,
    size_t len);
static const char *lc_suggest(const struct listcheck *l, const char *domain,
    size_t len, const struct listcheck_domain *known);

/* lc_trim - length without one trailing root dot ("gmail.com."). */
static size_t
lc_trim(const char *domain, size_t len)
{
	if (len > 0 && domain[len - 1] == '.')
		len--;
	return len;
}

/*
 * lc_labels - how many labels p has when it is a domain name: LDH labels
 * of 1-63 bytes, no hyphen at either end, at most DOMAIN_MAX bytes; 0
 * when it is not one. Input is lower case. (Once a line: the disposable
 * list alone has a hundred thousand, read at every run's start.)
 */
static size_t
lc_labels(const struct listcheck *l, const char *p, size_t n)
{
	const char *end = p + n;
	size_t labels = 0;

	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	for (;;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t ll = (size_t)((dot != NULL ? dot : end) - p);
		unsigned all = ll > 0 && ll <= LABEL_MAX;

		/* a label at a time, one look-up a byte */
		for (size_t i = 0; i < ll; i++)
			all &= l->ldh[(unsigned char)p[i]];
		if (!all || p[0] == '-' || p[ll - 1] == '-')
			return 0;
		labels++;
		if (dot == NULL)
			return labels;
		p = dot + 1;
	}
}

/* lc_check_role - role.txt holds local parts, never whole addresses. */
static const char *
lc_check_role(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	(void)arg, (void)val, (void)vlen;
	if (memchr(key, '@', klen) != NULL)
		return "a role entry is a local part, without '@'";
	if (klen > 64)	/* RFC 5321 4.5.3.1.1 */
		return "local part longer than 64 bytes";
	return NULL;
}

/* lc_check_domain - free.txt entries: A-label names with a dot. */
static const char *
lc_check_domain(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	size_t labels = lc_labels(arg, key, klen);

	(void)val, (void)vlen;
	if (labels == 0)
		return "not a domain in A-label form";
	/* A bare TLD would claim every domain under it. */
	if (labels < 2)
		return "a single label is a top-level domain, not a mail "
		    "domain";
	return NULL;
}

/* lc_check_disposable - like lc_check_domain, "*." prefix allowed. */
static const char *
lc_check_disposable(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	if (klen > 2 && key[0] == '*' && key[1] == '.') {
		key += 2;
		klen -= 2;
	}
	return lc_check_domain(arg, key, klen, val, vlen);
}

/* lc_check_popular - a popular domain must be a free-mail domain too. */
static const char *
lc_check_popular(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	const struct listcheck *l = arg;
	const char *why;

	if ((why = lc_check_domain(arg, key, klen, val, vlen)) != NULL)
		return why;
	if (!wordlist_has(l->free, key, klen))
		return "popular domain missing from free.txt";
	return NULL;
}

/*
 * lc_check_typo - both sides are domains; the wrong side must not be a
 * provider we know, the right side must be one (catches a typo in the
 * typo table, and a swapped pair).
 */
static const char *
lc_check_typo(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	const struct listcheck *l = arg;

	/* The wrong side may lack a dot: "gmailcom" is a real slip. */
	if (lc_labels(l, key, klen) == 0)
		return "misspelling is not a domain in A-label form";
	if (lc_labels(l, val, vlen) < 2)
		return "correction is not a domain in A-label form";
	if (klen == vlen && memcmp(key, val, klen) == 0)
		return "maps a domain to itself";
	if (wordlist_has(l->popular, key, klen))
		return "misspelling is listed in popular.txt";
	if (wordlist_has(l->free, key, klen))
		return "misspelling is listed in free.txt";
	if (!wordlist_has(l->free, val, vlen) &&
	    !wordlist_has(l->popular, val, vlen))
		return "correction is in neither free.txt nor popular.txt";
	return NULL;
}

/* lc_load - load dir/name, building the path within a bounded buffer. */
static struct wordlist *
lc_load(const char *dir, const char *name, enum wordlist_kind kind,
    wordlist_check_fn check, void *arg, struct diag *d)
{
	struct wordlist *w = NULL;
	struct buf path;

	buf_init(&path, PATH_MAX_LEN);
	if (buf_addstr(&path, dir) == -1 || buf_addc(&path, '/') == -1 ||
	    buf_addstr(&path, name) == -1)
		diag_set(d, DIAG_DATA, "%s/%s: path too long", dir, name);
	else
		w = wordlist_load_checked(buf_str(&path), kind, check, arg, d);
	buf_free(&path);
	return w;
}

/* lc_popcmp - order popular domains by length, then by name. */
static int
lc_popcmp(const void *a, const void *b)
{
	const struct lc_pop *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* lc_index_popular - the length-sorted array the distance search uses. */
static void
lc_index_popular(struct listcheck *l)
{
	l->npop = wordlist_count(l->popular);
	l->pop = xcalloc(l->npop ? l->npop : 1, sizeof(*l->pop));
	for (size_t i = 0; i < l->npop; i++) {
		struct lc_pop *p = &l->pop[i];

		p->name = wordlist_entry(l->popular, i);
		p->len = strlen(p->name);
		p->brandlen = lc_brandlen(p->name, p->len);
		p->tldoff = lc_tldoff(p->name, p->len);
		p->chars = lc_chars(p->name, p->len);
	}
	qsort(l->pop, l->npop, sizeof(*l->pop), lc_popcmp);
	l->brands = strmap_new();
	for (size_t i = 0; i < l->npop; i++)
		(void)strmap_intern(l->brands, l->pop[i].name,
		    l->pop[i].brandlen, NULL);
	for (size_t n = 0, i = 0; n <= DOMAIN_MAX; n++) {
		while (i < l->npop && l->pop[i].len + 2 < n)
			i++;
		l->pop_from[n] = i;
	}
}

/*
 * lc_index_free_cut - every free-mail domain that ends in a country TLD,
 * without it (outlook.co from outlook.co.il): lc_truncated asks once per
 * new domain, and one lookup here stands for one per country code.
 */
static void
lc_index_free_cut(struct listcheck *l)
{
	l->free_cut = strmap_new();
	/* yahoo.co of yahoo.co.uk: every start of a popular name at a dot */
	for (size_t i = 0; i < l->npop; i++)
		for (size_t n = 1; n < l->pop[i].len; n++)
			if (l->pop[i].name[n] == '.')
				(void)strmap_intern(l->free_cut,
				    l->pop[i].name, n, NULL);
	for (size_t i = 0; i < wordlist_count(l->free); i++) {
		const char *f = wordlist_entry(l->free, i);
		size_t n = strlen(f);

		if (n < 4 || n > DOMAIN_MAX || f[n - 3] != '.')
			continue;
		for (const char *c = cctlds; *c != '\0'; c += 3)
			if (c[0] == f[n - 2] && c[1] == f[n - 1]) {
				(void)strmap_intern(l->free_cut, f, n - 3,
				    NULL);
				break;
			}
	}
}

struct listcheck *
listcheck_load(const char *dir, struct diag *d)
{
	struct listcheck *l = xcalloc(1, sizeof(*l));

	for (int c = 0; c < 256; c++)
		l->ldh[c] = ascii_isalnum((unsigned char)c) || c == '-';
	/* free before popular, both before typos: the checks cross-refer. */
	if ((l->role = lc_load(dir, "role.txt", WORDLIST_SET, lc_check_role,
	    l, d)) == NULL ||
	    (l->disposable = lc_load(dir, "disposable.txt", WORDLIST_SET,
	    lc_check_disposable, l, d)) == NULL ||
	    (l->free = lc_load(dir, "free.txt", WORDLIST_SET,
	    lc_check_domain, l, d)) == NULL ||
	    (l->popular = lc_load(dir, "popular.txt", WORDLIST_SET,
	    lc_check_popular, l, d)) == NULL ||
	    (l->typos = lc_load(dir, "typos.tsv", WORDLIST_MAP, lc_check_typo,
	    l, d)) == NULL) {
		listcheck_free(l);
		return NULL;
	}
	for (size_t i = 0; i < wordlist_count(l->disposable); i++)
		if (wordlist_entry(l->disposable, i)[0] == '*') {
			l->wildcards = true;
			break;
		}
	lc_index_popular(l);
	lc_index_free_cut(l);
	return l;
}

bool
listcheck_role(const struct listcheck *l, const char *local, size_t len)
{
	const char *plus;

	if (len == 0)
		return false;
	/* "info" quoted is the same mailbox as info (RFC 5321 4.1.2). */
	if (len > 2 && local[0] == '"' && local[len - 1] == '"' &&
	    memchr(local, '\\', len) == NULL) {
		local++;
		len -= 2;
	}
	if (wordlist_has(l->role, local, len))
		return true;
	/* RFC 5233 subaddress: info+news@ reaches info@. */
	plus = memchr(local, '+', len);
	return plus != NULL && plus > local &&
	    wordlist_has(l->role, local, (size_t)(plus - local));
}

bool
listcheck_disposable(const struct listcheck *l, const char *domain,
    size_t len)
{
	char wild[2 + DOMAIN_MAX];

	len = lc_trim(domain, len);
	if (len == 0 || len > DOMAIN_MAX)
		return false;
	if (wordlist_has(l->disposable, domain, len))
		return true;
	/* Walk up the parents: x.y.example.com, y.example.com, example.com. */
	for (size_t i = 0; i < len; i++) {
		const char *parent = domain + i + 1;
		size_t plen = len - i - 1;

		if (domain[i] != '.')
			continue;
		if (memchr(parent, '.', plen) == NULL)
			break;	/* a bare TLD is never listed */
		if (wordlist_has(l->disposable, parent, plen))
			return true;
		if (l->wildcards) {
			wild[0] = '*';
			wild[1] = '.';
			memcpy(wild + 2, parent, plen);
			if (wordlist_has(l->disposable, wild, plen + 2))
				return true;
		}
	}
	return false;
}

bool
listcheck_freemail(const struct listcheck *l, const char *domain, size_t len)
{
	return wordlist_has(l->free, domain, lc_trim(domain, len));
}

/* lc_inlist - whether p (n bytes) is one of the NULL-terminated list. */
static bool
lc_inlist(const char *const *list, const char *p, size_t n)
{
	if (n == 0)
		return false;	/* no entry is empty; p[0] may not be ours */
	for (; *list != NULL; list++)
		if ((*list)[0] == p[0] && strlen(*list) == n &&
		    memcmp(*list, p, n) == 0)
			return true;
	return false;
}

/* lc_realtld - a TLD we must not "correct" (see listcheck.h). */
static bool
lc_realtld(const char *p, size_t n)
{
	if (lc_inlist(sliptlds, p, n))
		return false;
	if (n == 2) {
		for (const char *c = cctlds; *c != '\0'; c += 3)
			if (c[0] == p[0] && c[1] == p[1])
				return true;
		return false;
	}
	return lc_inlist(gtlds, p, n);
}

/* lc_tldoff - offset of the last label (0 when there is no dot). */
static size_t
lc_tldoff(const char *p, size_t n)
{
	for (size_t i = n; i > 0; i--)
		if (p[i - 1] == '.')
			return i;
	return 0;
}

/* lc_brandlen - length of the first label. */
static size_t
lc_brandlen(const char *p, size_t n)
{
	const char *dot = memchr(p, '.', n);

	return dot != NULL ? (size_t)(dot - p) : n;
}

/*
 * lc_distance - optimal string alignment distance of a and b, or k + 1
 * as soon as it must exceed k. Rows are at most DOMAIN_MAX + 1 long.
 * Exiting when a whole row is above k is safe: a swap reaches back two
 * rows, but never below the minimum of the row in between.
 */
static size_t
lc_distance(const char *a, size_t n, const char *b, size_t m, size_t k)
{
	size_t rows[3][DOMAIN_MAX + 1];
	size_t *pp = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if ((n > m ? n - m : m - n) > k || n > DOMAIN_MAX || m > DOMAIN_MAX)
		return k + 1;
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t rowmin;

		cur[0] = i;
		rowmin = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > k)
			return k + 1;
		t = pp, pp = prev, prev = cur, cur = t;
	}
	return prev[m] > k ? k + 1 : prev[m];
}

/*
 * lc_chars - the classes of bytes in p as a bit set: a-z, 0-9, '-' and
 * '.' a bit each, any other byte one of 26 shared bits.
 */
static uint64_t
lc_chars(const char *p, size_t n)
{
	uint64_t set = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)p[i];
		unsigned bit;

		if (c >= 'a' && c <= 'z')
			bit = c - 'a';
		else if (c >= '0' && c <= '9')
			bit = 26 + c - '0';
		else if (c == '-')
			bit = 36;
		else if (c == '.')
			bit = 37;
		else
			bit = 38 + c % 26;
		set |= UINT64_C(1) << bit;
	}
	return set;
}

/*
 * lc_reachable - whether names with byte classes a and b may be within k
 * edits: a class in one name and not the other needs an edit (a deletion
 * or substitution) of its own for each, so more than k such classes on
 * either side rule the pair out. Cheaper than lc_distance, which it
 * screens for.
 */
static bool
lc_reachable(uint64_t a, uint64_t b, size_t k)
{
	uint64_t x = a & ~b, y = b & ~a;

	/* clear k lowest bits of each: what is left is one too many */
	for (size_t i = 0; i < k; i++) {
		x &= x - 1;
		y &= y - 1;
	}
	return x == 0 && y == 0;
}

/*
 * lc_truncated - whether s is a known domain cut at a dot: the start of a
 * popular domain (yahoo.co for yahoo.co.uk) or s plus a country code is
 * free mail (outlook.co for outlook.co.il). Such a name is ambiguous.
 */
static bool
lc_truncated(const struct listcheck *l, const char *s, size_t len)
{
	uint32_t id;

	/* one lookup: lc_index_free_cut put both kinds in one table */
	return strmap_find(l->free_cut, s, len, &id) == 1;
}

const char *
listcheck_suggest(const struct listcheck *l, const char *domain, size_t len)
{
	return lc_suggest(l, domain, len, NULL);
}

void
listcheck_domain(const struct listcheck *l, const char *domain, size_t len,
    struct listcheck_domain *out)
{
	out->disposable = listcheck_disposable(l, domain, len);
	out->free_mail = listcheck_freemail(l, domain, len);
	out->suggest = lc_suggest(l, domain, len, out);
}

/*
 * lc_suggest - listcheck_suggest; known (may be NULL) holds domain's
 * disposable and free-mail answers, asked of the tables already: they
 * stand for the lower-cased name's when domain has no capitals.
 */
static const char *
lc_suggest(const struct listcheck *l, const char *domain, size_t len,
    const struct listcheck_domain *known)
{
	char s[DOMAIN_MAX];
	const struct lc_pop *best = NULL;
	size_t bestd = SIZE_MAX, brandlen, tldoff;
	const char *fix;
	bool tie = false, samebrand, realtld;
	uint64_t chars;
	uint32_t id;

	len = lc_trim(domain, len);
	if (len == 0 || len > DOMAIN_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		s[i] = (char)ascii_tolower((unsigned char)domain[i]);
	if (known != NULL && memcmp(s, domain, len) != 0)
		known = NULL;	/* capitals: the answers were for another key */

	if ((fix = wordlist_get(l->typos, s, len)) != NULL)
		return fix;
	if (len < SUGGEST_MIN || wordlist_has(l->popular, s, len) ||
	    (known != NULL ? known->free_mail || known->disposable :
	    wordlist_has(l->free, s, len) || listcheck_disposable(l, s, len)) ||
	    lc_truncated(l, s, len))
		return NULL;

	brandlen = lc_brandlen(s, len);
	tldoff = lc_tldoff(s, len);
	realtld = lc_realtld(s + tldoff, len - tldoff);
	samebrand = strmap_find(l->brands, s, brandlen, &id) == 1;
	chars = lc_chars(s, len);

	/* k is at most 2: names shorter than len - 2 are out of reach */
	for (size_t i = l->pop_from[len]; i < l->npop; i++) {
		const struct lc_pop *p = &l->pop[i];
		size_t k = len >= LONG_NAME && p->len >= LONG_NAME ? 2 : 1;
		size_t dist;

		if (p->len + k < len)
			continue;
		if (p->len > len + k)
			break;	/* sorted by length: the rest are longer */
		if (samebrand ? (p->brandlen != brandlen ||
		    memcmp(p->name, s, brandlen) != 0) :
		    p->brandlen < BRAND_MIN)
			continue;
		/* Never trade one real TLD for another (gmx.at, gmx.de). */
		if (realtld && (p->len - p->tldoff != len - tldoff ||
		    memcmp(p->name + p->tldoff, s + tldoff, len - tldoff) != 0))
			continue;
		if (!lc_reachable(chars, p->chars, k))
			continue;
		dist = lc_distance(s, len, p->name, p->len, k);
		if (dist > k)
			continue;
		/*
		 * Two edits only as one slip in the name and one after it
		 * (hotmial.con): two inside the name turn the many real
		 * "<word>mail.com" domains into hotmail.com.
		 */
		if (dist == 2 && (brandlen == len ||
		    lc_distance(s, brandlen, p->name, p->brandlen, 1) > 1 ||
		    lc_distance(s + brandlen, len - brandlen,
		    p->name + p->brandlen, p->len - p->brandlen, 1) > 1))
			continue;
		if (dist < bestd) {
			best = p;
			bestd = dist;
			tie = false;
		} else if (dist == bestd)
			tie = true;
	}
	return best != NULL && !tie ? best->name : NULL;
}

void
listcheck_free(struct listcheck *l)
{
	if (l == NULL)
		return;
	wordlist_free(l->role);
	wordlist_free(l->disposable);
	wordlist_free(l->free);
	wordlist_free(l->popular);
	wordlist_free(l->typos);
	strmap_free(l->free_cut);
	strmap_free(l->brands);
	free(l->pop);
	free(l);
}
