/*
 * addr_idn - domain judgement with libidn2 2.3.3 and a per-domain memo
 * (see addr_idn.h). The memo key is the domain with ASCII letters folded,
 * so "Gmail.COM" and "gmail.com" share an entry; UTS #46 folds case anyway.
 */
#include "address/addr_idn.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* Longer input cannot map to 253 octets; it is refused without a memo. */
#define IDN_MAXIN	1024
#define IDN_MAXNAME	253
#define IDN_MAXLABEL	63

struct idn_memo {
	const char *alabel;	/* in keys or alabels storage, or "" */
	const char *detail;
	uint16_t alen;
	uint8_t status;
	uint8_t converted;
};

struct addr_idn {
	bool allow_reserved;
	struct strmap *keys;	/* folded input domain -> memo index */
	struct strmap *alabels;	/* A-labels that differ from their key */
	struct idn_memo *memo;
	size_t cap;
	uint64_t lookups;
	uint64_t misses;
};

struct idn_verdict {
	enum addr_idn_status status;
	const char *detail;
};

static const char idn_too_long_name[] =
    "The domain is longer than the 253-character limit.";
static const char idn_too_long_label[] =
    "A part of the domain between dots is longer than 63 characters "
    "(counted in its xn-- form for international names).";
static const char idn_bad_char[] =
    "The domain contains a character that is not allowed; only letters, "
    "digits, hyphens and dots are.";
static const char idn_hyphen[] =
    "A part of the domain starts or ends with a hyphen.";
static const char idn_2hyphen[] =
    "A part of the domain has -- in the third and fourth position, which "
    "only xn-- names may have.";

static int idn_verdict(struct idn_verdict *v, enum addr_idn_status s,
    const char *detail);
static bool idn_isldh(unsigned char c);
static int idn_precheck(const char *d, size_t len, struct idn_verdict *v);
static int idn_ldh(const char *d, size_t len, struct idn_verdict *v);
static int idn_error(int rc, const char *key, struct idn_verdict *v);
static int idn_reserved(const char *a, size_t len, struct idn_verdict *v);
static int idn_judge(struct addr_idn *t, const char *key, size_t len,
    struct idn_memo *m);
static bool idn_has_xn(const char *d, size_t len);

/* idn_verdict - fill v; returns 1 so checks can "return idn_verdict()". */
static int
idn_verdict(struct idn_verdict *v, enum addr_idn_status s, const char *detail)
{
	v->status = s;
	v->detail = detail;
	return 1;
}

/* idn_isldh - letter, digit or hyphen (input is already lower-case). */
static bool
idn_isldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || ascii_isdigit(c) || c == '-';
}

/*
 * idn_precheck - what libidn2 would wave through unchanged: dots in the
 * wrong place and ASCII that is not LDH (also inside Unicode names, where
 * libidn2 2.3.3 even encodes "ü_x" as "xn--_x-wka"). Returns 1 on a fault.
 */
static int
idn_precheck(const char *d, size_t len, struct idn_verdict *v)
{
	if (d[0] == '.')
		return idn_verdict(v, ADDR_IDN_SYNTAX,
		    "The domain starts with a dot.");
	if (d[len - 1] == '.')
		return idn_verdict(v, ADDR_IDN_SYNTAX,
		    "The domain ends with a dot.");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c >= 0x80 || idn_isldh(c))
			continue;
		if (c == '.') {
			if (d[i + 1] == '.')
				return idn_verdict(v, ADDR_IDN_SYNTAX,
				    "The domain has two dots in a row.");
			continue;
		}
		if (c == '_')
			return idn_verdict(v, ADDR_IDN_SYNTAX, "The domain "
			    "contains an underscore, which mail domains "
			    "cannot have.");
		return idn_verdict(v, ADDR_IDN_SYNTAX, idn_bad_char);
	}
	return 0;
}

/*
 * idn_ldh - host-name rules on an ASCII (A-label) name: RFC 1035/5890
 * labels, at least two of them, a TLD that is not a number. Returns 1 on
 * a fault.
 */
static int
idn_ldh(const char *d, size_t len, struct idn_verdict *v)
{
	size_t labels = 0, b = 0;
	bool alldigit = true, tlddigit = true;

	if (len > IDN_MAXNAME)
		return idn_verdict(v, ADDR_IDN_TOO_LONG, idn_too_long_name);
	if (len == 0 || d[len - 1] == '.')
		return idn_verdict(v, ADDR_IDN_SYNTAX,
		    "The domain ends with a dot.");
	while (b < len) {
		size_t e = b, n;

		tlddigit = true;
		for (; e < len && d[e] != '.'; e++) {
			unsigned char c = (unsigned char)d[e];

			if (!idn_isldh(c))
				return idn_verdict(v, ADDR_IDN_SYNTAX,
				    idn_bad_char);
			if (!ascii_isdigit(c))
				tlddigit = false;
		}
		n = e - b;
		if (n == 0)
			return idn_verdict(v, ADDR_IDN_SYNTAX, "The domain has "
			    "an empty part between two dots.");
		if (n > IDN_MAXLABEL)
			return idn_verdict(v, ADDR_IDN_TOO_LONG,
			    idn_too_long_label);
		if (d[b] == '-' || d[e - 1] == '-')
			return idn_verdict(v, ADDR_IDN_SYNTAX, idn_hyphen);
		if (n >= 4 && d[b + 2] == '-' && d[b + 3] == '-' &&
		    !(d[b] == 'x' && d[b + 1] == 'n'))
			return idn_verdict(v, ADDR_IDN_SYNTAX, idn_2hyphen);
		if (!tlddigit)
			alldigit = false;
		labels++;
		b = e + 1;
	}
	if (labels < 2)
		return idn_verdict(v, ADDR_IDN_SYNTAX, "The domain has no dot; "
		    "a mail domain has at least two parts, like example.com.");
	if (alldigit)
		return idn_verdict(v, ADDR_IDN_SYNTAX, "The domain looks like "
		    "an IP address, which must be written in brackets, like "
		    "user@[192.0.2.1].");
	if (tlddigit)
		return idn_verdict(v, ADDR_IDN_SYNTAX, "The last part of the "
		    "domain is a number, which cannot be a top-level domain.");
	return 0;
}

/*
 * idn_has_xn - whether a label of d starts with "xn--" (an A-label that
 * only libidn2 can judge).
 */
static bool
idn_has_xn(const char *d, size_t len)
{
	for (size_t b = 0; b + 4 <= len;) {
		const char *dot;

		if (memcmp(d + b, "xn--", 4) == 0)
			return true;
		if ((dot = memchr(d + b, '.', len - b)) == NULL)
			break;
		b = (size_t)(dot - d) + 1;
	}
	return false;
}

/*
 * idn_error - a libidn2 error as a verdict (validator/README,
 * "Address facts"). Returns -1 for failures that say nothing about the
 * name.
 */
static int
idn_error(int rc, const char *key, struct idn_verdict *v)
{
	switch (rc) {
	case IDN2_MALLOC:
	case IDN2_NO_CODESET:
	case IDN2_ICONV_FAIL:
	case IDN2_INVALID_FLAGS:
		idn_verdict(v, ADDR_IDN_BAD, "The IDN library failed "
		    "internally (out of memory?).");
		return -1;
	case IDN2_TOO_BIG_DOMAIN:
		return idn_verdict(v, ADDR_IDN_TOO_LONG, idn_too_long_name);
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT:
		return idn_verdict(v, ADDR_IDN_TOO_LONG, idn_too_long_label);
	case IDN2_DISALLOWED:
		return idn_verdict(v, ADDR_IDN_BAD, "The domain contains a "
		    "character that domain names may not use (such as a "
		    "symbol or an emoji).");
	case IDN2_CONTEXTJ:
	case IDN2_CONTEXTJ_NO_RULE:
		return idn_verdict(v, ADDR_IDN_BAD, "The domain contains a "
		    "zero-width joiner or non-joiner where it is not allowed.");
	case IDN2_CONTEXTO:
	case IDN2_CONTEXTO_NO_RULE:
		return idn_verdict(v, ADDR_IDN_BAD, "The domain uses a special "
		    "character (such as a middle dot or a Greek or Hebrew "
		    "sign) where it is not allowed.");
	case IDN2_BIDI:
		return idn_verdict(v, ADDR_IDN_BAD, "The domain mixes "
		    "right-to-left and left-to-right text in a way that is "
		    "not allowed.");
	case IDN2_HYPHEN_STARTEND:
		return idn_verdict(v, ADDR_IDN_BAD, idn_hyphen);
	case IDN2_2HYPHEN:
		return idn_verdict(v, ADDR_IDN_BAD, idn_2hyphen);
	case IDN2_LEADING_COMBINING:
		return idn_verdict(v, ADDR_IDN_BAD, "A part of the domain "
		    "starts with a combining mark (an accent with no letter "
		    "before it).");
	case IDN2_UNASSIGNED:
		return idn_verdict(v, ADDR_IDN_BAD, "The domain contains a "
		    "character that is not assigned in Unicode.");
	case IDN2_ENCODING_ERROR:
		return idn_verdict(v, ADDR_IDN_BAD,
		    "The domain is not valid UTF-8 text.");
	default:
		break;
	}
	if (strstr(key, "xn--") != NULL)
		return idn_verdict(v, ADDR_IDN_BAD, "A part of the domain that "
		    "starts with xn-- is not a valid encoded international "
		    "name.");
	return idn_verdict(v, ADDR_IDN_BAD,
	    "The domain is not a valid international domain name.");
}

/*
 * idn_reserved - special-use names (RFC 2606, 6761, 6762, 7686) on the
 * final A-label name. Returns 1 when a is one of them.
 */
static int
idn_reserved(const char *a, size_t len, struct idn_verdict *v)
{
	static const struct {
		const char *tld;
		const char *detail;
	} tlds[] = {
		{ "test", "The domain ends in .test, which is reserved for "
		    "testing and never receives mail." },
		{ "example", "The domain ends in .example, which is reserved "
		    "for documentation and never receives mail." },
		{ "invalid", "The domain ends in .invalid, which is reserved "
		    "for names that must not work." },
		{ "localhost", "The domain ends in .localhost, which always "
		    "means this computer." },
		{ "local", "The domain ends in .local, which is for names on a "
		    "local network (mDNS), not internet mail." },
		{ "onion", "The domain ends in .onion, a Tor address that "
		    "internet mail cannot reach." },
		{ "arpa", "The domain ends in .arpa, which is reserved for "
		    "internet infrastructure and never receives mail." },
	};
	static const char *const names[] = {
		"example.com", "example.net", "example.org"
	};
	const char *tld = a + len;
	size_t tlen;

	while (tld > a && tld[-1] != '.')
		tld--;
	tlen = (size_t)(a + len - tld);
	for (size_t i = 0; i < sizeof(tlds) / sizeof(tlds[0]); i++)
		if (strlen(tlds[i].tld) == tlen &&
		    memcmp(tlds[i].tld, tld, tlen) == 0)
			return idn_verdict(v, ADDR_IDN_RESERVED,
			    tlds[i].detail);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (len >= n && memcmp(a + len - n, names[i], n) == 0 &&
		    (len == n || a[len - n - 1] == '.'))
			return idn_verdict(v, ADDR_IDN_RESERVED, "example.com, "
			    "example.net and example.org are reserved for "
			    "documentation and never receive mail.");
	}
	return 0;
}

/*
 * idn_judge - first sight of domain key (folded, NUL-terminated storage
 * owned by the memo): run every check and fill m. Returns -1 on an
 * internal failure.
 */
static int
idn_judge(struct addr_idn *t, const char *key, size_t len, struct idn_memo *m)
{
	struct idn_verdict v = { ADDR_IDN_OK, "" };
	char *out = NULL;
	size_t olen;
	int rc;

	m->alabel = "";
	m->alen = 0;
	m->converted = 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] >= 0x80)
			m->converted = 1;
	/* A NUL (not LDH) stops here, before libidn2 sees a C string. */
	if (idn_precheck(key, len, &v) ||
	    (!m->converted && idn_ldh(key, len, &v)))
		goto done;
	/*
	 * A host name of lower-case LDH labels with no xn-- label is its own
	 * A-label form: UTS #46 maps those bytes to themselves and libidn2
	 * copies ASCII labels as they are (validator/README, "Address
	 * facts"). Most domains are such names; they skip the library.
	 */
	if (!m->converted && !idn_has_xn(key, len)) {
		m->alabel = key;
		m->alen = (uint16_t)len;
		if (!t->allow_reserved)
			idn_reserved(key, len, &v);
		goto done;
	}
	rc = idn2_to_ascii_8z(key, &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		if (idn_error(rc, key, &v) < 0) {
			m->status = (uint8_t)v.status;
			m->detail = v.detail;
			return -1;
		}
		goto done;
	}
	/* Our own LDH check on the A-label form: libidn2 passes a..b, "_". */
	olen = strlen(out);
	ascii_lower(out, olen);
	if (idn_ldh(out, olen, &v))
		goto done;
	if (olen == len && memcmp(out, key, len) == 0)
		m->alabel = key;
	else
		m->alabel = strmap_key(t->alabels,
		    strmap_intern(t->alabels, out, olen, NULL), NULL);
	m->alen = (uint16_t)olen;
	if (!t->allow_reserved)
		idn_reserved(out, olen, &v);
done:
	idn2_free(out);
	m->status = (uint8_t)v.status;
	m->detail = v.detail;
	return 0;
}

struct addr_idn *
addr_idn_new(bool allow_reserved)
{
	struct addr_idn *t = xcalloc(1, sizeof(*t));

	t->allow_reserved = allow_reserved;
	t->keys = strmap_new();
	t->alabels = strmap_new();
	return t;
}

int
addr_idn_domain(struct addr_idn *t, const char *d, size_t len,
    struct addr_idn_result *r)
{
	struct idn_memo *m;
	uint32_t id;
	bool inserted;
	int rc = 0;

	t->lookups++;
	r->alabel = "";
	r->alabel_len = 0;
	r->converted = false;
	if (len == 0) {
		r->status = ADDR_IDN_SYNTAX;
		r->detail = "There is nothing after the @.";
		return 0;
	}
	if (len > IDN_MAXIN) {
		r->status = ADDR_IDN_TOO_LONG;
		r->detail = idn_too_long_name;
		return 0;
	}

	/* folded as it is read: no copy unless it is new */
	id = strmap_intern_folded(t->keys, d, len, &inserted);
	if (inserted) {
		t->misses++;
		if (id >= t->cap) {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->memo = xreallocarray(t->memo, t->cap,
			    sizeof(*t->memo));
		}
		t->memo[id].detail = NULL;
	}
	m = &t->memo[id];
	/* detail NULL: never judged, or an internal failure last time. */
	if (m->detail == NULL)
		rc = idn_judge(t, strmap_key(t->keys, id, NULL), len, m);
	r->status = (enum addr_idn_status)m->status;
	r->detail = m->detail;
	r->alabel = m->alabel;
	r->alabel_len = m->alen;
	r->converted = m->converted != 0;
	r->memo_id = id;
	if (rc != 0)
		m->detail = NULL;	/* not a fact about the name */
	return rc;
}

void
addr_idn_prefetch(struct addr_idn *t, const char *d, size_t len)
{
	if (len == 0 || len > IDN_MAXIN)
		return;
	strmap_prefetch(t->keys, d, len, true);	/* the key: folded */
}

void
addr_idn_stats(const struct addr_idn *t, uint64_t *lookups, uint64_t *misses)
{
	*lookups = t->lookups;
	*misses = t->misses;
}

size_t
addr_idn_count(const struct addr_idn *t)
{
	return strmap_count(t->keys);
}

void
addr_idn_free(struct addr_idn *t)
{
	if (t == NULL)
		return;
	strmap_free(t->keys);
	strmap_free(t->alabels);
	free(t->memo);
	free(t);
}
