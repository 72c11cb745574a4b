/*
 * addr_parse - RFC 5321 Mailbox syntax (see addr_parse.h). Two passes over
 * a short string: a byte scan that rejects unsafe bytes and counts the
 * characters that decide the error message, then the grammar itself.
 */
#include "address/addr_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/ascii.h"
#include "util/utf8.h"

static int parse_fail(struct addr_parsed *p, const char *detail);
static bool parse_dotstring(const char *s, size_t len);
static int parse_quoted(const char *s, size_t qend, struct buf *scratch,
    struct addr_parsed *p);
static int parse_dotlocal(const char *s, size_t at, struct addr_parsed *p);
static int parse_literal(const char *s, size_t len, struct addr_parsed *p);
static bool parse_plain(const char *s, size_t len, struct addr_parsed *p);
static void parse_reset(struct addr_parsed *p);
static int parse_grammar(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p);

/* Byte classes of ASCII for the scan and the Dot-string check. */
enum parse_cls {
	PX_OTHER,	/* printable, no say in the message: " . : [ \\ ] */
	PX_ATEXT,	/* RFC 5322 atext */
	PX_AT,		/* @ */
	PX_SEP,		/* , ; */
	PX_SPACE,	/* SP */
	PX_PAREN,	/* ( ) */
	PX_ANGLE,	/* < > */
	PX_CTRL		/* C0 and DEL */
};

#define A	PX_ATEXT
#define AT	PX_AT
#define SEP	PX_SEP
#define SP	PX_SPACE
#define PAR	PX_PAREN
#define ANG	PX_ANGLE
#define CT	PX_CTRL
static const unsigned char parse_cls[128] = {
	/* 0x00 ................ */
	CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
	/* 0x10 ................ */
	CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
	/* 0x20  !"#$%&'()*+,-./ */
	SP, A, 0, A, A, A, A, A, PAR, PAR, A, A, SEP, A, 0, A,
	/* 0x30 0123456789:;<=>? */
	A, A, A, A, A, A, A, A, A, A, 0, SEP, ANG, A, ANG, A,
	/* 0x40 @ABCDEFGHIJKLMNO */
	AT, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 0x50 PQRSTUVWXYZ[\]^_ */
	A, A, A, A, A, A, A, A, A, A, A, 0, 0, 0, A, A,
	/* 0x60 `abcdefghijklmno */
	A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
	/* 0x70 pqrstuvwxyz{|}~  */
	A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, CT,
};
#undef A
#undef AT
#undef SEP
#undef SP
#undef PAR
#undef ANG
#undef CT

/*
 * The bytes of a plain address besides its one '@': 0 for the atext of
 * parse_cls, 1 for '.', 2 for the rest ('@' too, and from 0x80 on).
 */
static const unsigned char plain_cls[256] = {
	/* 0x00 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0x10 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0x20 */ 2, 0, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 1, 0,
	/* 0x30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 2, 0,
	/* 0x40 */ 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0,
	/* 0x60 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	/* 0x80 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0x90 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xa0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xb0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xc0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xd0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xe0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	/* 0xf0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* parse_fail - record why and return the failure code. */
static int
parse_fail(struct addr_parsed *p, const char *detail)
{
	p->detail = detail;
	return -1;
}

enum addr_parse_cp
addr_parse_cpclass(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return ADDR_PARSE_CP_CONTROL;
	if (cp < 0xa0)
		return ADDR_PARSE_CP_OK;
	if (cp < 0x2000) {
		if (cp == 0xa0 || cp == 0x1680)
			return ADDR_PARSE_CP_SPACE;
		if (cp == 0xad || cp == 0x61c || cp == 0x180e)
			return ADDR_PARSE_CP_INVISIBLE;
		return ADDR_PARSE_CP_OK;
	}
	if (cp <= 0x206f) {
		if (cp <= 0x200a || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0x202f || cp == 0x205f)
			return ADDR_PARSE_CP_SPACE;
		if ((cp >= 0x200b && cp <= 0x200f) ||
		    (cp >= 0x202a && cp <= 0x202e) || cp >= 0x2060)
			return ADDR_PARSE_CP_INVISIBLE;
		return ADDR_PARSE_CP_OK;
	}
	if (cp == 0x3000)
		return ADDR_PARSE_CP_SPACE;
	if (cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	    (cp >= 0x1bca0 && cp <= 0x1bca3) ||
	    (cp >= 0x1d173 && cp <= 0x1d17a) ||
	    (cp >= 0xe0000 && cp <= 0xe007f))
		return ADDR_PARSE_CP_INVISIBLE;
	if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000 ||
	    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return ADDR_PARSE_CP_PRIVATE;
	return ADDR_PARSE_CP_OK;
}

/*
 * parse_dotstring - RFC 5321 Dot-string with RFC 6531 atext: non-empty
 * atoms of atext (or UTF-8, already checked) joined by single dots.
 */
static bool
parse_dotstring(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (c < 0x80 && parse_cls[c] != PX_ATEXT)
			return false;
	}
	return true;
}

/*
 * parse_quoted - the Quoted-string s[0..qend) (quotes included), checked
 * against qtextSMTP / quoted-pairSMTP. Sets p->local to the unquoted
 * content when that is a dot-string, else to a minimally quoted copy.
 */
static int
parse_quoted(const char *s, size_t qend, struct buf *scratch,
    struct addr_parsed *p)
{
	size_t clen;

	buf_reset(scratch);
	for (size_t i = 1; i < qend - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			c = (unsigned char)s[++i];
			if (c < 0x20 || c > 0x7e)
				return parse_fail(p, "A backslash in the "
				    "quoted part before the @ escapes a "
				    "character that cannot be escaped.");
		} else if (c >= 0x80)
			p->flags |= ADDR_PARSE_UTF8;
		if (buf_addc(scratch, (char)c) != 0)
			return parse_fail(p, "The part before the @ is too "
			    "long.");
	}
	clen = scratch->len;
	if (clen == 0)
		return parse_fail(p, "The quotes before the @ are empty.");
	if (parse_dotstring(scratch->data, clen)) {
		p->local = scratch->data;
		p->local_len = clen;
		return 0;
	}

	/* Minimal quoting: only '"' and '\' need a backslash. */
	if (buf_addc(scratch, '"') != 0)
		return parse_fail(p, "The part before the @ is too long.");
	for (size_t i = 0; i < clen; i++) {
		char c = scratch->data[i];

		if (((c == '"' || c == '\\') && buf_addc(scratch, '\\') != 0) ||
		    buf_addc(scratch, c) != 0)
			return parse_fail(p, "The part before the @ is too "
			    "long.");
	}
	if (buf_addc(scratch, '"') != 0)
		return parse_fail(p, "The part before the @ is too long.");
	p->local = scratch->data + clen;
	p->local_len = scratch->len - clen;
	p->flags |= ADDR_PARSE_QUOTED;
	return 0;
}

/* parse_dotlocal - an unquoted local part s[0..at). */
static int
parse_dotlocal(const char *s, size_t at, struct addr_parsed *p)
{
	if (at == 0)
		return parse_fail(p, "There is nothing before the @.");
	if (s[0] == '.')
		return parse_fail(p, "The part before the @ starts with a "
		    "dot.");
	for (size_t i = 0; i < at; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (i + 1 < at && s[i + 1] == '.')
				return parse_fail(p, "The part before the @ "
				    "has two dots in a row.");
		} else if (c >= 0x80)
			p->flags |= ADDR_PARSE_UTF8;
		else if (c == '"')
			return parse_fail(p, "The part before the @ mixes "
			    "quoted and unquoted text.");
		else if (parse_cls[c] != PX_ATEXT)
			return parse_fail(p, "The part before the @ contains "
			    "a character that is only allowed inside quotes "
			    "(: [ ] or \\).");
	}
	if (s[at - 1] == '.')
		return parse_fail(p, "The part before the @ ends with a dot.");
	p->local = s;
	p->local_len = at;
	return 0;
}

/*
 * parse_literal - "[IPv4]" or "[IPv6:addr]" (the tag in any case); other
 * RFC 5321 General-address-literals have no registered tag and are refused.
 */
static int
parse_literal(const char *s, size_t len, struct addr_parsed *p)
{
	char text[ADDR_PARSE_LITMAX];
	unsigned char bin[16];
	const char *in;
	size_t n;
	int v6;

	if (memchr(s, ']', len) == NULL)
		return parse_fail(p, "The [ after the @ is never closed.");
	if (len < 2 || s[len - 1] != ']')
		goto bad;
	in = s + 1;
	n = len - 2;
	v6 = n >= 5 && ascii_ncasecmp(in, "IPv6:", 5) == 0;
	if (v6) {
		in += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(text) || memchr(in, '\0', n) != NULL)
		goto bad;
	memcpy(text, in, n);
	text[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, bin) != 1 ||
	    inet_ntop(v6 ? AF_INET6 : AF_INET, bin, text, sizeof(text)) == NULL)
		goto bad;
	n = (size_t)snprintf(p->lit, sizeof(p->lit), "[%s%s]",
	    v6 ? "IPv6:" : "", text);
	if (n >= sizeof(p->lit))
		goto bad;
	p->lit_len = n;
	p->flags |= ADDR_PARSE_LITERAL;
	return 0;
bad:
	return parse_fail(p, "The address in [ ] after the @ is not a valid "
	    "IP address.");
}

/*
 * parse_plain - the common address in one pass each side of its '@':
 * ASCII atext and dots, one '@' with something on each side, a local
 * part that is a Dot-string, a domain that is not a [literal]. Fills p
 * as the grammar below would and says true; false for anything else,
 * which the grammar then judges (and words the error for).
 */
static bool
parse_plain(const char *s, size_t len, struct addr_parsed *p)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *at = len > 0 ? memchr(s, '@', len) : NULL;
	unsigned bad = 0, dom = 0, prev = 1;	/* as if after a dot */
	size_t local, i;

	if (at == NULL || at == s || at == s + len - 1 || at[-1] == '.')
		return false;
	local = (size_t)(at - s);
	/* bit 1: a byte not allowed; bit 0: a dot after a dot (or first) */
	for (i = 0; i < local; i++) {
		unsigned k = plain_cls[u[i]];

		bad |= k & (prev | 2);
		prev = k;
	}
	for (i = local + 1; i < len; i++)	/* dots free; a second @ not */
		dom |= plain_cls[u[i]];
	if (bad != 0 || (dom & 2) != 0)
		return false;
	p->local = s;
	p->local_len = local;
	p->dom_off = local + 1;
	p->dom_len = len - local - 1;
	return true;
}

/* parse_reset - p as a parse begins: nothing found yet. */
static void
parse_reset(struct addr_parsed *p)
{
	p->local = NULL;
	p->local_len = 0;
	p->dom_off = p->dom_len = 0;
	p->flags = 0;
	p->lit[0] = '\0';
	p->lit_len = 0;
	p->detail = NULL;
}

int
addr_parse(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p)
{
	parse_reset(p);
	if (parse_plain(s, len, p))
		return 0;
	return parse_grammar(s, len, scratch, p);
}

int
addr_parse_full(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p)
{
	parse_reset(p);
	return parse_grammar(s, len, scratch, p);
}

/* parse_grammar - addr_parse by the whole grammar, p reset. */
static int
parse_grammar(const char *s, size_t len, struct buf *scratch,
    struct addr_parsed *p)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t qend = 0, at = 0, nat = 0, i;
	bool sep = false, space = false, paren = false, angle = false;
	bool atat = false, unterminated = false, brk = false, tab = false;

	if (len == 0)
		return parse_fail(p, "The address is empty.");

	/* A quoted local part can only open the string (no obs forms). */
	if (s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++)
			if (s[i] == '\\' && i + 1 < len)
				i++;
		unterminated = i >= len;
		qend = unterminated ? len : i + 1;
	}

	/* Pass 1: unsafe bytes anywhere; telling characters outside quotes. */
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80 && parse_cls[c] <= PX_ATEXT)
			continue;	/* the common case: nothing to note */
		if (c >= 0x80) {
			if ((n = utf8_decode(u + i, len - i, &cp)) == 0)
				return parse_fail(p, "The address is not valid "
				    "UTF-8 text (was the file saved in another "
				    "encoding?).");
			switch (addr_parse_cpclass(cp)) {
			case ADDR_PARSE_CP_OK:
				break;
			case ADDR_PARSE_CP_CONTROL:
				return parse_fail(p, "The address contains a "
				    "control character.");
			case ADDR_PARSE_CP_INVISIBLE:
				return parse_fail(p, "The address contains an "
				    "invisible or text-direction character "
				    "(such as a zero-width space).");
			case ADDR_PARSE_CP_SPACE:
				return parse_fail(p, "The address contains a "
				    "special space character (such as a "
				    "non-breaking space).");
			case ADDR_PARSE_CP_PRIVATE:
				return parse_fail(p, "The address contains a "
				    "private-use or non-character code point.");
			}
			i += n - 1;
			continue;
		}
		switch (parse_cls[c]) {
		case PX_OTHER:
		case PX_ATEXT:	/* handled above */
			break;
		case PX_CTRL:
			if (c == '\0')
				return parse_fail(p, "The address contains a "
				    "NUL byte.");
			if (c == '\r' || c == '\n')
				brk = true;	/* judged below: a list? */
			else if (c == '\t')
				tab = true;
			else
				return parse_fail(p, "The address contains a "
				    "control character.");
			break;
		case PX_AT:
			if (i < qend)
				break;
			if (nat++ == 0)
				at = i;
			else if (u[i - 1] == '@')
				atat = true;
			break;
		case PX_SEP:
			sep |= i >= qend;
			break;
		case PX_SPACE:
			space |= i >= qend;
			break;
		case PX_PAREN:
			paren |= i >= qend;
			break;
		case PX_ANGLE:
			angle |= i >= qend;
			break;
		}
	}

	if (nat >= 2 && (sep || space || brk || tab))
		return parse_fail(p, "The cell seems to hold more than one "
		    "address.");
	if (brk)
		return parse_fail(p, "The address contains a line break.");
	if (tab)
		return parse_fail(p, "The address contains a tab.");
	if (unterminated)
		return parse_fail(p, "A quote before the @ is never closed.");
	if (qend == len && nat == 0 && memchr(s + 1, '@', len - 2) != NULL)
		return parse_fail(p, "The whole address is inside quotes.");
	if (paren)
		return parse_fail(p, "The address contains a comment in "
		    "parentheses, which mail servers do not accept.");
	if (angle)
		return parse_fail(p, "The address contains a < or > that does "
		    "not enclose the whole address.");
	if (sep)
		return parse_fail(p, "The address contains a comma or "
		    "semicolon.");
	if (space)
		return parse_fail(p, "The address contains a space.");
	if (nat == 0)
		return parse_fail(p, "There is no @ in the address.");
	if (atat)
		return parse_fail(p, "The address has two @ signs in a row.");
	if (nat >= 2)
		return parse_fail(p, "The address has more than one @.");

	if (qend > 0) {
		if (at != qend)
			return parse_fail(p, "The part before the @ mixes "
			    "quoted and unquoted text.");
		if (parse_quoted(s, qend, scratch, p) != 0)
			return -1;
	} else if (parse_dotlocal(s, at, p) != 0)
		return -1;

	if (at + 1 == len)
		return parse_fail(p, "There is nothing after the @.");
	p->dom_off = at + 1;
	p->dom_len = len - at - 1;
	if (s[at + 1] == '[')
		return parse_literal(s + at + 1, len - at - 1, p);
	return 0;
}
