/*
 * smtp_classify - SMTP reply -> class, fault, advice. The precedence and
 * the phrase-table format are in smtp_classify.h and lists/README.
 */
#include "verdict/smtp_classify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define PHRASE_MIN	2
#define PHRASE_MAX	200
#define WHEN_MAX	8	/* codes in a WHEN column */
#define LINE_MAX_LEN	4096

struct sc_rule {
	enum smtp_class cls;
	enum smtp_fault fault;
	char *phrase;		/* folded */
	size_t len;
	bool open_start;	/* leading '*': no word boundary before */
	bool open_end;		/* trailing '*': no word boundary after */
	unsigned nwhen;
	char when[WHEN_MAX][8];	/* "450", "4xx", "5.4.1" */
	char *matched;		/* "phrase '...' (file line N)" */
};

struct smtp_phrases {
	struct sc_rule *rule;
	unsigned n;
};

/* One phrase found in the reply text. */
struct sc_match {
	unsigned rule;
	size_t off, len;
	bool live;
};

/* The enhanced code split up; valid only when class != 0. */
struct sc_enh {
	int class, subject, detail;
};

static const char *const class_names[SMTPC_LAST] = {
	"accepted", "mailbox_not_found", "mailbox_disabled", "mailbox_full",
	"policy_blocked", "sender_rejected", "relay_denied", "rate_limited",
	"greylisted", "too_many_recipients", "temporary_error",
	"rejected_other"
};

static const char *const fault_names[SMTPF_LAST] = {
	"none", "recipient", "sender", "temporary"
};

static const char *const stage_names[SMTPS_LAST] = {
	"connect", "ehlo", "starttls", "mail", "rcpt"
};

static const char *const advice[SMTPC_LAST] = {
	"The server accepted the address: keep it (unless the domain "
	    "accepts every address).",
	"Remove the address: the mailbox does not exist.",
	"Remove the address: the mailbox is disabled and does not accept "
	    "mail.",
	"The mailbox is full: leave the address out of this send and retry "
	    "later; remove it only if it stays full for weeks.",
	"The receiving server refused the sender, not the address: check "
	    "the sending IP on blocklists and the sender's SPF, DKIM and "
	    "DMARC.",
	"The server refused the sender address (MAIL FROM), not the "
	    "recipient: check that the sender's domain exists and has SPF, "
	    "DKIM and DMARC, then retry.",
	"The server does not accept mail for this domain from you (relay "
	    "denied): check that you sent to the domain's own MX host; do not "
	    "remove the address on this reply alone.",
	"Temporary: the server is limiting your connections or messages; "
	    "slow down and retry later.",
	"Temporary: retry later from the same sender.",
	"Not about the address: send fewer recipients per message and "
	    "retry the rest.",
	"Temporary failure: retry later; do not remove the address.",
	"Refused permanently, but the reply does not say the address is "
	    "bad: review it by hand; do not remove it on this reply alone."
};

static const char advice_full_temp[] =
    "The mailbox is over quota right now: retry later; do not remove the "
    "address.";
static const char advice_252[] =
    "The server accepted the address without verifying it (252): the "
    "mailbox may or may not exist.";

static size_t sc_fold(const char *in, size_t n, char *out);
static bool sc_isword(unsigned char c);
static bool sc_when_token(const char *t, size_t n);
static bool sc_when(const struct sc_rule *r, const struct smtp_reply *rep);
static bool sc_find(const struct sc_rule *r, const char *t, size_t n,
    size_t *off);
static int sc_parse_line(struct smtp_phrases *ph, const char *path,
    const char *base, unsigned long lineno, char *p, size_t n,
    struct diag *d);
static void sc_set(struct smtp_verdict *v, enum smtp_class c,
    enum smtp_fault f, bool perm, const char *matched);
static void sc_enh_parse(const struct smtp_reply *r, struct sc_enh *e);
static const struct sc_enh_rule *sc_enh_rule(const struct sc_enh *e, int k);

const char *
smtp_class_name(enum smtp_class c)
{
	return (unsigned)c < SMTPC_LAST ? class_names[c] : "?";
}

const char *
smtp_class_advice(enum smtp_class c)
{
	return (unsigned)c < SMTPC_LAST ? advice[c] : "?";
}

const char *
smtp_fault_name(enum smtp_fault f)
{
	return (unsigned)f < SMTPF_LAST ? fault_names[f] : "?";
}

const char *
smtp_stage_name(enum smtp_stage s)
{
	return (unsigned)s < SMTPS_LAST ? stage_names[s] : "?";
}

enum smtp_stage
smtp_stage_parse(const char *name)
{
	for (unsigned i = 0; i < SMTPS_LAST; i++)
		if (strcmp(name, stage_names[i]) == 0)
			return (enum smtp_stage)i;
	return SMTPS_LAST;
}

enum smtp_class
smtp_class_parse(const char *name)
{
	for (unsigned i = 0; i < SMTPC_LAST; i++)
		if (strcmp(name, class_names[i]) == 0)
			return (enum smtp_class)i;
	return SMTPC_LAST;
}

enum smtp_fault
smtp_fault_parse(const char *name)
{
	for (unsigned i = 0; i < SMTPF_LAST; i++)
		if (strcmp(name, fault_names[i]) == 0)
			return (enum smtp_fault)i;
	return SMTPF_LAST;
}

/*
 * sc_fold - the matching form of text: ASCII, Latin-1, Greek and Cyrillic
 * capitals lowered; typographic apostrophes (U+2018, U+2019) become "'";
 * NBSP and runs of white space become one space. out has room for n
 * bytes (the result is never longer); returns its length (no NUL added).
 */
static size_t
sc_fold(const char *in, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)in[i];

		if (c == 0xc2 && i + 1 < n && (unsigned char)in[i + 1] == 0xa0)
			c = ' ', i++;
		if (c == 0xe2 && i + 2 < n && (unsigned char)in[i + 1] == 0x80 &&
		    ((unsigned char)in[i + 2] == 0x98 ||
		    (unsigned char)in[i + 2] == 0x99))
			c = '\'', i += 2;
		if (ascii_isspace(c)) {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf && i + 1 < n &&
		    ((unsigned char)in[i + 1] & 0xc0) == 0x80) {
			unsigned cp = ((c & 0x1fu) << 6) |
			    ((unsigned char)in[i + 1] & 0x3fu);

			if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
			    (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) ||
			    (cp >= 0x410 && cp <= 0x42f))
				cp += 0x20;
			else if (cp >= 0x400 && cp <= 0x40f)
				cp += 0x50;
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
			i += 2;
			continue;
		}
		out[o++] = (char)ascii_tolower(c);
		i++;
	}
	return o;
}

/* sc_isword - a byte that belongs to a word (any non-ASCII byte does). */
static bool
sc_isword(unsigned char c)
{
	return ascii_isalnum(c) || c >= 0x80;
}

/*
 * sc_when_token - a valid WHEN entry: three of digit-or-x ("550", "4xx"),
 * or an enhanced code d.ddd.ddd with class 2, 4 or 5 ("5.4.1").
 */
static bool
sc_when_token(const char *t, size_t n)
{
	size_t i, d;

	if (n == 3) {
		for (i = 0; i < 3; i++)
			if (!ascii_isdigit((unsigned char)t[i]) && t[i] != 'x')
				return false;
		return true;
	}
	if (n < 5 || n > 9 || (t[0] != '2' && t[0] != '4' && t[0] != '5') ||
	    t[1] != '.')
		return false;
	i = 2;
	for (int part = 0; part < 2; part++) {
		for (d = 0; i < n && ascii_isdigit((unsigned char)t[i]); d++)
			i++;
		if (d == 0 || d > 3)
			return false;
		if (part == 0 && (i == n || t[i++] != '.'))
			return false;
	}
	return i == n;
}

/* sc_when - whether rule r may apply to reply rep (its WHEN column). */
static bool
sc_when(const struct sc_rule *r, const struct smtp_reply *rep)
{
	unsigned c = (unsigned)rep->code % 1000;
	char code[3] = { (char)('0' + c / 100), (char)('0' + c / 10 % 10),
	    (char)('0' + c % 10) };

	if (r->cls == SMTPC_GREYLISTED && rep->code / 100 != 4)
		return false;
	if (r->nwhen == 0)
		return true;
	for (unsigned i = 0; i < r->nwhen; i++) {
		const char *w = r->when[i];

		if (strchr(w, '.') != NULL) {
			if (strcmp(w, rep->enhanced) == 0)
				return true;
			continue;
		}
		if ((w[0] == 'x' || w[0] == code[0]) &&
		    (w[1] == 'x' || w[1] == code[1]) &&
		    (w[2] == 'x' || w[2] == code[2]))
			return true;
	}
	return false;
}

/* sc_find - first occurrence of r's phrase in t at word boundaries. */
static bool
sc_find(const struct sc_rule *r, const char *t, size_t n, size_t *off)
{
	const char *p = t, *hit;
	bool wstart = sc_isword((unsigned char)r->phrase[0]) && !r->open_start;
	bool wend = sc_isword((unsigned char)r->phrase[r->len - 1]) &&
	    !r->open_end;

	while ((size_t)(p - t) < n &&
	    (hit = memmem(p, n - (size_t)(p - t), r->phrase, r->len)) != NULL) {
		size_t i = (size_t)(hit - t), e = i + r->len;

		if ((!wstart || i == 0 || !sc_isword((unsigned char)t[i - 1])) &&
		    (!wend || e == n || !sc_isword((unsigned char)t[e]))) {
			*off = i;
			return true;
		}
		p = hit + 1;
	}
	return false;
}

/* sc_parse_line - one table line (no newline); 0, or -1 with d set. */
static int
sc_parse_line(struct smtp_phrases *ph, const char *path, const char *base,
    unsigned long lineno, char *p, size_t n, struct diag *d)
{
	char *f[4] = { NULL, NULL, NULL, NULL };
	unsigned nf = 0;
	struct sc_rule r;
	char *s, *ph_text;
	size_t plen;
	char buf[PHRASE_MAX + 64];

	if (n > 0 && p[n - 1] == '\r')
		p[--n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			diag_set(d, DIAG_DATA, "%s:%lu: non-printable byte "
			    "0x%02x", path, lineno, c);
			return -1;
		}
	}
	s = p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	for (char *q = p; nf < 4; ) {
		f[nf++] = q;
		if ((q = strchr(q, '\t')) == NULL)
			break;
		*q++ = '\0';
		if (nf == 4) {
			diag_set(d, DIAG_DATA, "%s:%lu: more than four "
			    "tab-separated columns", path, lineno);
			return -1;
		}
	}
	if (nf < 3) {
		diag_set(d, DIAG_DATA, "%s:%lu: expected CLASS<TAB>FAULT<TAB>"
		    "phrase[<TAB>WHEN]", path, lineno);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	if ((r.cls = smtp_class_parse(f[0])) == SMTPC_LAST ||
	    r.cls == SMTPC_ACCEPTED) {
		diag_set(d, DIAG_DATA, "%s:%lu: unknown class '%s'", path,
		    lineno, f[0]);
		return -1;
	}
	if ((r.fault = smtp_fault_parse(f[1])) == SMTPF_LAST) {
		diag_set(d, DIAG_DATA, "%s:%lu: unknown fault '%s'", path,
		    lineno, f[1]);
		return -1;
	}
	switch (r.cls) {
	case SMTPC_MAILBOX_NOT_FOUND:
	case SMTPC_MAILBOX_DISABLED:
	case SMTPC_MAILBOX_FULL:
		if (r.fault == SMTPF_RECIPIENT)
			break;
		diag_set(d, DIAG_DATA, "%s:%lu: class %s needs fault "
		    "recipient", path, lineno, f[0]);
		return -1;
	case SMTPC_POLICY:
	case SMTPC_SENDER_REJECTED:
		if (r.fault == SMTPF_SENDER)
			break;
		diag_set(d, DIAG_DATA, "%s:%lu: class %s needs fault sender",
		    path, lineno, f[0]);
		return -1;
	case SMTPC_UNKNOWN_PERMANENT:
		if (r.fault == SMTPF_NONE && nf == 4)
			break;
		diag_set(d, DIAG_DATA, "%s:%lu: class %s needs fault none "
		    "and WHEN 5xx codes", path, lineno, f[0]);
		return -1;
	case SMTPC_RELAY_DENIED:
		if (r.fault == SMTPF_NONE || r.fault == SMTPF_SENDER)
			break;
		diag_set(d, DIAG_DATA, "%s:%lu: class %s needs fault none or "
		    "sender", path, lineno, f[0]);
		return -1;
	default:
		if (r.fault == SMTPF_TEMPORARY)
			break;
		diag_set(d, DIAG_DATA, "%s:%lu: class %s needs fault "
		    "temporary", path, lineno, f[0]);
		return -1;
	}
	ph_text = f[2];
	plen = strlen(ph_text);
	while (plen > 0 && (ph_text[plen - 1] == ' ' ||
	    ph_text[plen - 1] == '\t'))
		ph_text[--plen] = '\0';
	while (*ph_text == ' ')
		ph_text++, plen--;
	if (plen > 0 && ph_text[0] == '*')
		r.open_start = true, ph_text++, plen--;
	if (plen > 0 && ph_text[plen - 1] == '*')
		r.open_end = true, ph_text[--plen] = '\0';
	if (plen < PHRASE_MIN || plen > PHRASE_MAX) {
		diag_set(d, DIAG_DATA, "%s:%lu: phrase must be %d-%d bytes",
		    path, lineno, PHRASE_MIN, PHRASE_MAX);
		return -1;
	}
	r.phrase = xmalloc(plen + 1);
	r.len = sc_fold(ph_text, plen, r.phrase);
	r.phrase[r.len] = '\0';
	if (r.len < PHRASE_MIN || r.phrase[0] == ' ' ||
	    r.phrase[r.len - 1] == ' ') {
		diag_set(d, DIAG_DATA, "%s:%lu: phrase is blank", path,
		    lineno);
		free(r.phrase);
		return -1;
	}
	if (nf == 4) {
		char *w = f[3], *tok;

		while ((tok = strsep(&w, ",")) != NULL) {
			size_t tl;

			while (*tok == ' ')
				tok++;
			tl = strcspn(tok, " ");
			tok[tl] = '\0';
			if (tl == 0)
				continue;
			if (!sc_when_token(tok, tl) || r.nwhen == WHEN_MAX) {
				diag_set(d, DIAG_DATA, "%s:%lu: bad WHEN code "
				    "'%s' (want 550, 4xx or 5.4.1; at most "
				    "%d)", path, lineno, tok, WHEN_MAX);
				free(r.phrase);
				return -1;
			}
			memcpy(r.when[r.nwhen++], tok, tl + 1);
		}
	}
	/* A refusal of the message says nothing retryable: 5xx only. */
	for (unsigned i = 0; r.cls == SMTPC_UNKNOWN_PERMANENT && i <= r.nwhen;
	    i++)
		if (i == r.nwhen ? r.nwhen == 0 : r.when[i][0] != '5') {
			diag_set(d, DIAG_DATA, "%s:%lu: class %s needs WHEN "
			    "5xx codes", path, lineno, f[0]);
			free(r.phrase);
			return -1;
		}
	snprintf(buf, sizeof(buf), "phrase '%s' (%s line %lu)", r.phrase,
	    base, lineno);
	r.matched = xstrdup(buf);
	ph->rule = xreallocarray(ph->rule, ph->n + 1, sizeof(*ph->rule));
	ph->rule[ph->n++] = r;
	return 0;
}

struct smtp_phrases *
smtp_phrases_load(const char *path, struct diag *d)
{
	struct smtp_phrases *ph;
	char line[LINE_MAX_LEN + 2];
	unsigned long lineno = 0;
	const char *base = strrchr(path, '/');
	FILE *fp;

	base = base ? base + 1 : path;
	if ((fp = fopen(path, "rb")) == NULL) {
		diag_set(d, DIAG_DATA, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	ph = xcalloc(1, sizeof(*ph));
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strlen(line);
		char *p = line;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			diag_set(d, DIAG_DATA, "%s:%lu: line longer than %d "
			    "bytes", path, lineno, LINE_MAX_LEN);
			goto fail;
		}
		if (n != strlen(line)) {
			diag_set(d, DIAG_DATA, "%s:%lu: NUL byte", path,
			    lineno);
			goto fail;
		}
		if (lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3, n -= 3;
		if (sc_parse_line(ph, path, base, lineno, p, n, d) == -1)
			goto fail;
	}
	if (ferror(fp)) {
		diag_set(d, DIAG_DATA, "%s: read error: %s", path,
		    strerror(errno));
		goto fail;
	}
	fclose(fp);
	return ph;
fail:
	fclose(fp);
	smtp_phrases_free(ph);
	return NULL;
}

unsigned
smtp_phrases_count(const struct smtp_phrases *ph)
{
	return ph ? ph->n : 0;
}

void
smtp_phrases_free(struct smtp_phrases *ph)
{
	if (ph == NULL)
		return;
	for (unsigned i = 0; i < ph->n; i++) {
		free(ph->rule[i].phrase);
		free(ph->rule[i].matched);
	}
	free(ph->rule);
	free(ph);
}

static void
sc_set(struct smtp_verdict *v, enum smtp_class c, enum smtp_fault f,
    bool perm, const char *matched)
{
	v->cls = c;
	v->fault = f;
	v->permanent = perm;
	v->matched = matched;
	v->advice = advice[c];
	if (c == SMTPC_MAILBOX_FULL && !perm)
		v->advice = advice_full_temp;
}

/* sc_enh_parse - split r->enhanced when its class matches the code. */
static void
sc_enh_parse(const struct smtp_reply *r, struct sc_enh *e)
{
	const char *s = r->enhanced;
	char *end;
	long sub, det;

	memset(e, 0, sizeof(*e));
	if (s[0] < '2' || s[0] > '5' || s[1] != '.' ||
	    s[0] - '0' != r->code / 100)
		return;
	sub = strtol(s + 2, &end, 10);
	if (end == s + 2 || *end != '.')
		return;
	det = strtol(end + 1, &end, 10);
	if (*end != '\0' || sub > 999 || det > 999)
		return;
	e->class = s[0] - '0';
	e->subject = (int)sub;
	e->detail = (int)det;
}

/*
 * What an enhanced code says about the address it answered (RFC 3463, the
 * RFC 5248 registry), by subject and detail (-1: any); only for a reply
 * of class only (0: either). The first entry that fits decides. transient:
 * never permanent, whatever the basic code.
 */
static const struct sc_enh_rule {
	int subject, detail, only;
	enum smtp_class cls;
	enum smtp_fault fault;
	bool transient;
	const char *why;
} enh_rules[] = {
	{ 7, -1, 0, SMTPC_POLICY, SMTPF_SENDER, false, "enhanced code x.7.x "
	    "(security or policy status, RFC 3463)" },
	{ 4, 5, 0, SMTPC_RATE_LIMITED, SMTPF_TEMPORARY, true, "enhanced code "
	    "x.4.5 (mail system congestion, RFC 3463: only useful as a "
	    "transient error)" },
	{ 3, 1, 0, SMTPC_TEMPORARY, SMTPF_TEMPORARY, true, "enhanced code "
	    "x.3.1 (mail system full, RFC 3463: only useful as a transient "
	    "error)" },
	{ 1, 7, 0, SMTPC_SENDER_REJECTED, SMTPF_SENDER, false, "enhanced code "
	    "x.1.7/x.1.8 (bad sender's address, RFC 3463)" },
	{ 1, 8, 0, SMTPC_SENDER_REJECTED, SMTPF_SENDER, false, "enhanced code "
	    "x.1.7/x.1.8 (bad sender's address, RFC 3463)" },
	{ 5, 3, 0, SMTPC_TOO_MANY_RCPTS, SMTPF_TEMPORARY, true, "enhanced code "
	    "x.5.3 (too many recipients, RFC 3463)" },
	{ 2, 2, 0, SMTPC_MAILBOX_FULL, SMTPF_RECIPIENT, false, "enhanced code "
	    "x.2.2 (mailbox full, RFC 3463)" },
	{ 1, 1, 5, SMTPC_MAILBOX_NOT_FOUND, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.1.1 (bad destination mailbox address, RFC 3463)" },
	{ 1, 2, 5, SMTPC_MAILBOX_NOT_FOUND, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.1.2 (bad destination system address, RFC 3463)" },
	{ 1, 3, 5, SMTPC_MAILBOX_NOT_FOUND, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.1.3 (bad destination mailbox address syntax, RFC 3463)" },
	{ 1, 6, 5, SMTPC_MAILBOX_NOT_FOUND, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.1.6 (mailbox has moved, no forwarding address, RFC "
	    "3463)" },
	{ 1, 10, 5, SMTPC_MAILBOX_NOT_FOUND, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.1.10 (recipient not found; null MX in RFC 7505)" },
	{ 2, 1, 5, SMTPC_MAILBOX_DISABLED, SMTPF_RECIPIENT, false, "enhanced "
	    "code 5.2.1 (mailbox disabled, RFC 3463)" },
	{ 2, 3, 5, SMTPC_UNKNOWN_PERMANENT, SMTPF_NONE, false, "enhanced code "
	    "5.2.3/5.3.4 (message too large, RFC 3463): the message, not the "
	    "address" },
	{ 3, 4, 5, SMTPC_UNKNOWN_PERMANENT, SMTPF_NONE, false, "enhanced code "
	    "5.2.3/5.3.4 (message too large, RFC 3463): the message, not the "
	    "address" },
	{ 4, 7, 5, SMTPC_UNKNOWN_PERMANENT, SMTPF_NONE, false, "enhanced code "
	    "5.4.7 (delivery time expired, RFC 3463): the message, not the "
	    "address" },
	{ 1, -1, 4, SMTPC_TEMPORARY, SMTPF_TEMPORARY, true, "enhanced code "
	    "4.1.x (address status, transient)" },
	{ 2, -1, 4, SMTPC_TEMPORARY, SMTPF_TEMPORARY, true, "enhanced code "
	    "4.2.x (mailbox status, transient)" },
};

/* sc_enh_rule - the rule of enh_rules for e in a reply of class k, or NULL. */
static const struct sc_enh_rule *
sc_enh_rule(const struct sc_enh *e, int k)
{
	for (size_t i = 0; i < sizeof(enh_rules) / sizeof(enh_rules[0]); i++)
		if (enh_rules[i].subject == e->subject &&
		    (enh_rules[i].detail == -1 ||
		    enh_rules[i].detail == e->detail) &&
		    (enh_rules[i].only == 0 || enh_rules[i].only == k))
			return &enh_rules[i];
	return NULL;
}

void
smtp_classify(const struct smtp_phrases *ph, enum smtp_stage st,
    const struct smtp_reply *r, struct smtp_verdict *v)
{
	static const enum smtp_fault order4[] = { SMTPF_TEMPORARY,
	    SMTPF_SENDER, SMTPF_NONE };
	static const enum smtp_fault order5[] = { SMTPF_SENDER, SMTPF_NONE,
	    SMTPF_TEMPORARY };
	char text[SMTP_REPLY_TEXT_MAX];
	size_t tlen = 0, nm = 0;
	struct sc_match *m = NULL, mbuf[64];
	const struct sc_rule *hit = NULL, *rhit = NULL;
	const struct sc_enh_rule *er;
	struct sc_enh e;
	int k = r->code / 100;
	bool perm = k == 5;

	memset(v, 0, sizeof(*v));
	if (k == 2 || k == 3) {
		sc_set(v, SMTPC_ACCEPTED, SMTPF_NONE, false,
		    "basic code 2xx/3xx (positive reply)");
		if (r->code == 252)
			v->advice = advice_252;
		return;
	}
	if (k != 4 && k != 5) {
		sc_set(v, SMTPC_TEMPORARY, SMTPF_TEMPORARY, false,
		    "not a final reply code (expected 2xx-5xx)");
		return;
	}
	sc_enh_parse(r, &e);

	/* Find every eligible phrase, then drop those inside longer ones. */
	if (ph != NULL && ph->n > 0) {
		tlen = sc_fold(r->text, strnlen(r->text, sizeof(r->text)),
		    text);
		m = ph->n <= sizeof(mbuf) / sizeof(mbuf[0]) ? mbuf :
		    xreallocarray(NULL, ph->n, sizeof(*m));
		for (unsigned i = 0; i < ph->n; i++) {
			size_t off;

			if (sc_when(&ph->rule[i], r) &&
			    sc_find(&ph->rule[i], text, tlen, &off))
				m[nm++] = (struct sc_match){ i, off,
				    ph->rule[i].len, true };
		}
		for (size_t a = 0; a < nm; a++)
			for (size_t b = 0; b < nm; b++)
				if (m[b].len > m[a].len &&
				    m[b].off <= m[a].off &&
				    m[a].off + m[a].len <= m[b].off + m[b].len)
					m[a].live = false;
		/* Step 1: the first group (by code class) with a live match. */
		for (size_t g = 0; g < 3 && hit == NULL; g++) {
			enum smtp_fault f = k == 4 ? order4[g] : order5[g];

			for (size_t a = 0; a < nm && hit == NULL; a++)
				if (m[a].live && ph->rule[m[a].rule].fault == f)
					hit = &ph->rule[m[a].rule];
		}
		for (size_t a = 0; a < nm && rhit == NULL; a++)
			if (m[a].live &&
			    ph->rule[m[a].rule].fault == SMTPF_RECIPIENT)
				rhit = &ph->rule[m[a].rule];
		if (m != mbuf)
			free(m);
	}
	if (hit != NULL) {
		enum smtp_class c = hit->cls;

		if (st != SMTPS_RCPT && st != SMTPS_MAIL &&
		    (c == SMTPC_SENDER_REJECTED || c == SMTPC_RELAY_DENIED))
			c = SMTPC_POLICY;
		sc_set(v, c, c == SMTPC_POLICY ? SMTPF_SENDER : hit->fault,
		    perm && c != SMTPC_TOO_MANY_RCPTS, hit->matched);
		return;
	}

	/* Step 2: replies to anything but RCPT never blame the recipient. */
	if (st != SMTPS_RCPT) {
		if (r->code == 421)
			sc_set(v, SMTPC_RATE_LIMITED, SMTPF_TEMPORARY, false,
			    "basic code 421 (service closing the channel)");
		else if (e.subject == 7 && st != SMTPS_STARTTLS)
			sc_set(v, SMTPC_POLICY, SMTPF_SENDER, perm,
			    enh_rules[0].why);
		else if (k == 4)
			sc_set(v, SMTPC_TEMPORARY, SMTPF_TEMPORARY, false,
			    "basic code 4xx (transient), not to RCPT");
		else if (st == SMTPS_MAIL)
			sc_set(v, SMTPC_SENDER_REJECTED, SMTPF_SENDER, true,
			    "basic code 5xx in reply to MAIL FROM");
		else if (st == SMTPS_STARTTLS)
			sc_set(v, SMTPC_UNKNOWN_PERMANENT, SMTPF_NONE, true,
			    "basic code 5xx in reply to STARTTLS");
		else
			sc_set(v, SMTPC_POLICY, SMTPF_SENDER, true,
			    "basic code 5xx at connection or EHLO");
		return;
	}

	/* Step 3: 421 closes the session whatever it says. */
	if (r->code == 421) {
		sc_set(v, SMTPC_RATE_LIMITED, SMTPF_TEMPORARY, false,
		    "basic code 421 (service closing the channel)");
		return;
	}

	/* Step 4: the enhanced code. */
	if (e.class != 0 && (er = sc_enh_rule(&e, k)) != NULL) {
		/*
		 * x.7.13 is "user account disabled" (RFC 5248 registry), the
		 * authenticated user's account: only words that name the
		 * recipient and say its account is disabled make it the
		 * recipient's. Any other x.7.x is the sender's side.
		 */
		if (e.subject == 7 && e.detail == 13 && k == 5 &&
		    rhit != NULL && rhit->cls == SMTPC_MAILBOX_DISABLED &&
		    memmem(text, tlen, "recipient", 9) != NULL)
			er = NULL;
		/*
		 * A code and words that both blame the mailbox: the words
		 * are the more precise ("550 5.2.1 User unknown", "552 5.1.1
		 * mailbox is full" are common).
		 */
		else if (k == 5 && er->fault == SMTPF_RECIPIENT && rhit != NULL)
			er = NULL;
		if (er == NULL) {
			sc_set(v, rhit->cls, SMTPF_RECIPIENT, true,
			    rhit->matched);
			return;
		}
		sc_set(v, er->cls, er->fault, perm && !er->transient, er->why);
		return;
	}

	/* Step 5: recipient phrases. */
	if (rhit != NULL) {
		if (k == 5)
			sc_set(v, rhit->cls, SMTPF_RECIPIENT, true,
			    rhit->matched);
		else if (rhit->cls == SMTPC_MAILBOX_FULL)
			sc_set(v, SMTPC_MAILBOX_FULL, SMTPF_RECIPIENT, false,
			    rhit->matched);
		else
			sc_set(v, SMTPC_TEMPORARY, SMTPF_TEMPORARY, false,
			    rhit->matched);
		return;
	}

	/* Step 6: the basic code. */
	if (k == 4)
		sc_set(v, SMTPC_TEMPORARY, SMTPF_TEMPORARY, false,
		    "basic code 4xx (transient)");
	else if (r->code == 530)
		sc_set(v, SMTPC_RELAY_DENIED, SMTPF_NONE, true,
		    "basic code 530 (authentication required, RFC 4954 "
		    "section 6): the server takes this mail from its own "
		    "users only");
	else if (r->code == 552)
		sc_set(v, SMTPC_TEMPORARY, SMTPF_TEMPORARY, false,
		    "basic code 552 to RCPT (RFC 5321 4.5.3.1.10: treat as "
		    "temporary)");
	else
		sc_set(v, SMTPC_UNKNOWN_PERMANENT, SMTPF_NONE, true,
		    "basic code 5xx without recipient evidence");
}
