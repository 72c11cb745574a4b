/*
 * dsn - the per-recipient fields of a delivery status notification
 * (RFC 3464 section 2.3, inside RFC 6522's multipart/report). The
 * contract is in dsn.h.
 */
#include "verdict/dsn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define DSN_TYPE_LEN	128
#define DSN_BOUNDARY_LEN	256

struct dsn_ctx {
	struct dsn_rcpt *out;
	size_t max;
	size_t total;
	size_t parts;
	bool found;		/* a delivery-status part was seen */
	bool want_text;		/* dsn_text_part: look for text/plain */
	char *text;		/* its decoded copy (first one only) */
	size_t textlen;
};

static size_t dsn_line(const char *s, size_t n, size_t pos, size_t *len);
static size_t dsn_header_end(const char *s, size_t n);
static bool dsn_field(const char *s, size_t n, const char *name, char *out,
    size_t outsz);
static void dsn_content_type(const char *v, char *type, size_t tsz,
    char *boundary, size_t bsz);
static size_t dsn_unbase64(const char *s, size_t n, char *out);
static size_t dsn_unqp(const char *s, size_t n, char *out);
static void dsn_after_semicolon(const char *v, char *out, size_t outsz,
    char *type, size_t tsz);
static bool dsn_is(const char *a, const char *b);
static bool dsn_boundary(const char *s, size_t len, const char *b,
    size_t bl);
static void dsn_copy(char *out, size_t outsz, const char *v);
static void dsn_status(const char *s, size_t n, struct dsn_ctx *c);
static void dsn_decode(const char *s, size_t body, size_t n,
    struct dsn_ctx *c);
static void dsn_entity(const char *s, size_t n, int depth,
    struct dsn_ctx *c);

/*
 * dsn_line - the line at pos: its length without CR LF in *len; returns
 * the offset of the next line.
 */
static size_t
dsn_line(const char *s, size_t n, size_t pos, size_t *len)
{
	const char *lf = memchr(s + pos, '\n', n - pos);
	size_t end = lf != NULL ? (size_t)(lf - s) : n;

	*len = end - pos;
	if (*len > 0 && s[end - 1] == '\r')
		(*len)--;
	return lf != NULL ? end + 1 : n;
}

/* dsn_header_end - the offset of the body (after the first blank line). */
static size_t
dsn_header_end(const char *s, size_t n)
{
	size_t pos = 0, len;

	while (pos < n) {
		size_t next = dsn_line(s, n, pos, &len);

		if (len == 0)
			return next;
		pos = next;
	}
	return n;
}

/* dsn_put - append byte ch to out (size outsz, at *o); controls read ?. */
static void
dsn_put(char *out, size_t outsz, size_t *o, unsigned char ch)
{
	if (*o + 1 >= outsz)
		return;
	if (ch == '\t')
		ch = ' ';
	if (ch < 0x20 || ch == 0x7f)
		ch = '?';
	if (ch == ' ' && (*o == 0 || out[*o - 1] == ' '))
		return;		/* fold white space runs, none leading */
	out[(*o)++] = (char)ch;
}

/*
 * dsn_field - the value of the first field NAME in the field block
 * s[0..n), unfolded (continuation lines joined with one space), cut to
 * outsz. Returns whether the field is there.
 */
static bool
dsn_field(const char *s, size_t n, const char *name, char *out,
    size_t outsz)
{
	size_t k = strlen(name), pos = 0, len, o = 0;

	out[0] = '\0';
	while (pos < n) {
		size_t next = dsn_line(s, n, pos, &len);

		if (len > k && s[pos + k] == ':' &&
		    ascii_ncasecmp(s + pos, name, k) == 0) {
			size_t i;

			for (i = pos + k + 1; i < pos + len; i++)
				dsn_put(out, outsz, &o, (unsigned char)s[i]);
			/* Folded continuation lines. */
			while (next < n && (s[next] == ' ' || s[next] == '\t')) {
				pos = next;
				next = dsn_line(s, n, pos, &len);
				dsn_put(out, outsz, &o, ' ');
				for (i = pos; i < pos + len; i++)
					dsn_put(out, outsz, &o,
					    (unsigned char)s[i]);
			}
			while (o > 0 && out[o - 1] == ' ')
				o--;
			out[o] = '\0';
			return true;
		}
		pos = next;
	}
	return false;
}

/*
 * dsn_content_type - the lower-cased type/subtype of a Content-Type value
 * and its boundary parameter ("" if none).
 */
static void
dsn_content_type(const char *v, char *type, size_t tsz, char *boundary,
    size_t bsz)
{
	size_t o = 0;
	const char *p;

	while (*v == ' ')
		v++;
	for (p = v; *p != '\0' && *p != ';' && *p != ' '; p++)
		if (o + 1 < tsz)
			type[o++] = (char)ascii_tolower((unsigned char)*p);
	type[o] = '\0';
	boundary[0] = '\0';
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		if (ascii_ncasecmp(p, "boundary=", 9) != 0)
			continue;
		p += 9;
		o = 0;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++)
				if (o + 1 < bsz)
					boundary[o++] = *p;
		} else {
			for (; *p != '\0' && *p != ';' && *p != ' '; p++)
				if (o + 1 < bsz)
					boundary[o++] = *p;
		}
		boundary[o] = '\0';
		return;
	}
}

/* dsn_unbase64 - decode s[0..n) into out (n bytes room); other bytes skip. */
static size_t
dsn_unbase64(const char *s, size_t n, char *out)
{
	unsigned long acc = 0;
	size_t o = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int v;

		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+')
			v = 62;
		else if (ch == '/')
			v = 63;
		else if (ch == '=')
			break;
		else
			continue;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	return o;
}

static int
dsn_hex(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = ascii_tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* dsn_unqp - decode quoted-printable s[0..n) into out (n bytes room). */
static size_t
dsn_unqp(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '=') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 < n && (hi = dsn_hex((unsigned char)s[i + 1])) >= 0 &&
		    (lo = dsn_hex((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (i + 1 < n && s[i + 1] == '\n') {
			i++;
		} else if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* dsn_copy - v into out, cut to outsz (a cut never splits the NUL). */
static void
dsn_copy(char *out, size_t outsz, const char *v)
{
	size_t k = strlen(v);

	if (k >= outsz)
		k = outsz - 1;
	memcpy(out, v, k);
	out[k] = '\0';
}

/*
 * dsn_after_semicolon - "type; value": the value (trimmed) into out and
 * the lower-cased type into type (if not NULL). No ';': all is the value.
 */
static void
dsn_after_semicolon(const char *v, char *out, size_t outsz, char *type,
    size_t tsz)
{
	const char *semi = strchr(v, ';');
	size_t o = 0;

	if (type != NULL)
		type[0] = '\0';
	if (semi != NULL && type != NULL) {
		for (const char *p = v; p < semi; p++)
			if (*p != ' ' && o + 1 < tsz)
				type[o++] = (char)ascii_tolower(
				    (unsigned char)*p);
		type[o] = '\0';
	}
	v = semi != NULL ? semi + 1 : v;
	while (*v == ' ')
		v++;
	dsn_copy(out, outsz, v);
}

/*
 * dsn_status - the field groups of a delivery-status body (blank-line
 * separated); a group with Final-Recipient, Original-Recipient or Action
 * is one recipient.
 */
static void
dsn_status(const char *s, size_t n, struct dsn_ctx *c)
{
	size_t pos = 0;

	c->found = true;
	while (pos < n) {
		size_t start, len, end = n;
		size_t next = dsn_line(s, n, pos, &len);
		char v[sizeof(((struct dsn_rcpt *)0)->diag)];
		struct dsn_rcpt r;
		bool fr, orr, act;

		if (len == 0) {
			pos = next;
			continue;
		}
		/* The group runs to the next blank line. */
		start = pos;
		while (pos < n) {
			next = dsn_line(s, n, pos, &len);
			if (len == 0) {
				end = pos;
				pos = next;
				break;
			}
			pos = next;
		}
		memset(&r, 0, sizeof(r));
		fr = dsn_field(s + start, end - start, "Final-Recipient", v,
		    sizeof(v));
		if (fr)
			dsn_after_semicolon(v, r.recipient,
			    sizeof(r.recipient), NULL, 0);
		orr = dsn_field(s + start, end - start, "Original-Recipient",
		    v, sizeof(v));
		if (!fr && orr)
			dsn_after_semicolon(v, r.recipient,
			    sizeof(r.recipient), NULL, 0);
		act = dsn_field(s + start, end - start, "Action", v,
		    sizeof(v));
		if (!fr && !orr && !act)
			continue;	/* the per-message group */
		for (size_t i = 0; v[i] != '\0' && act &&
		    i + 1 < sizeof(r.action); i++)
			r.action[i] = (char)ascii_tolower((unsigned char)v[i]);
		if (dsn_field(s + start, end - start, "Status", v, sizeof(v)))
			dsn_copy(r.status, sizeof(r.status), v);
		if (dsn_field(s + start, end - start, "Diagnostic-Code", v,
		    sizeof(v)))
			dsn_after_semicolon(v, r.diag, sizeof(r.diag),
			    r.diag_type, sizeof(r.diag_type));
		if (dsn_field(s + start, end - start, "Remote-MTA", v,
		    sizeof(v)))
			dsn_after_semicolon(v, r.remote_mta,
			    sizeof(r.remote_mta), NULL, 0);
		if (c->total < c->max)
			c->out[c->total] = r;
		c->total++;
	}
}

/* dsn_is - ASCII case-insensitive equality. */
static bool
dsn_is(const char *a, const char *b)
{
	size_t k = strlen(b);

	return strlen(a) == k && ascii_ncasecmp(a, b, k) == 0;
}

/*
 * dsn_boundary - is the line s[0..len) "--" b, optionally "--", then only
 * white space (RFC 2046 section 5.1.1)?
 */
static bool
dsn_boundary(const char *s, size_t len, const char *b, size_t bl)
{
	size_t i = bl + 2;

	if (len < bl + 2 || s[0] != '-' || s[1] != '-' ||
	    memcmp(s + 2, b, bl) != 0)
		return false;
	if (len >= i + 2 && s[i] == '-' && s[i + 1] == '-')
		i += 2;
	for (; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* dsn_entity - one MIME entity s[0..n) (header and body), depth deep. */
/*
 * dsn_decode - keep in c a decoded copy of the body s[body..n) of an
 * entity whose header is s[0..body): base64 and quoted-printable decoded,
 * anything else as it is.
 */
static void
dsn_decode(const char *s, size_t body, size_t n, struct dsn_ctx *c)
{
	char cte[64];

	c->text = xmalloc(n - body + 1);
	cte[0] = '\0';
	dsn_field(s, body, "Content-Transfer-Encoding", cte, sizeof(cte));
	if (dsn_is(cte, "base64"))
		c->textlen = dsn_unbase64(s + body, n - body, c->text);
	else if (dsn_is(cte, "quoted-printable"))
		c->textlen = dsn_unqp(s + body, n - body, c->text);
	else {
		memcpy(c->text, s + body, n - body);
		c->textlen = n - body;
	}
	c->text[c->textlen] = '\0';
}

static void
dsn_entity(const char *s, size_t n, int depth, struct dsn_ctx *c)
{
	char ct[1024], cte[64], type[DSN_TYPE_LEN], b[DSN_BOUNDARY_LEN];
	size_t body = dsn_header_end(s, n), bl;

	if (depth > DSN_DEPTH || c->parts++ >= DSN_PARTS)
		return;
	if (!dsn_field(s, body, "Content-Type", ct, sizeof(ct))) {
		/* A part without one is text/plain (RFC 2045 5.2). */
		if (c->want_text && c->text == NULL && depth > 0)
			dsn_decode(s, body, n, c);
		return;
	}
	dsn_content_type(ct, type, sizeof(type), b, sizeof(b));
	if (c->want_text) {
		if (c->text == NULL && strcmp(type, "text/plain") == 0)
			dsn_decode(s, body, n, c);
		/* The returned message's text is not the report's. */
		if (strcmp(type, "message/rfc822") == 0)
			return;
	} else if (strcmp(type, "message/delivery-status") == 0 ||
	    strcmp(type, "message/global-delivery-status") == 0) {
		char *dec;
		size_t dn;

		dsn_field(s, body, "Content-Transfer-Encoding", cte,
		    sizeof(cte));
		if (dsn_is(cte, "base64") || dsn_is(cte, "quoted-printable")) {
			dec = xmalloc(n - body + 1);
			dn = cte[0] == 'b' || cte[0] == 'B' ?
			    dsn_unbase64(s + body, n - body, dec) :
			    dsn_unqp(s + body, n - body, dec);
			dsn_status(dec, dn, c);
			free(dec);
		} else {
			dsn_status(s + body, n - body, c);
		}
		return;
	}
	if (strcmp(type, "message/rfc822") == 0) {
		dsn_entity(s + body, n - body, depth + 1, c);
		return;
	}
	if (strncmp(type, "multipart/", 10) != 0 || b[0] == '\0')
		return;
	bl = strlen(b);
	{
		size_t pos = body, len, part = 0;
		bool in = false;

		while (pos < n) {
			size_t next = dsn_line(s, n, pos, &len);

			if (dsn_boundary(s + pos, len, b, bl)) {
				bool close = len >= bl + 4 &&
				    s[pos + bl + 2] == '-' &&
				    s[pos + bl + 3] == '-';

				if (in) {
					size_t e = pos;

					/* The CRLF before the line is the
					 * boundary's. */
					if (e > part && s[e - 1] == '\n')
						e--;
					if (e > part && s[e - 1] == '\r')
						e--;
					dsn_entity(s + part, e - part,
					    depth + 1, c);
				}
				if (close)
					return;
				in = true;
				part = next;
			}
			pos = next;
		}
		if (in && part < n)
			dsn_entity(s + part, n - part, depth + 1, c);
	}
}

bool
dsn_looks_like_message(const char *s, size_t n)
{
	size_t i, len, next;

	/* An mbox "From " line may come first. */
	if (n > 5 && memcmp(s, "From ", 5) == 0) {
		next = dsn_line(s, n, 0, &len);
		s += next;
		n -= next;
	}
	/* Then a header field: a name of printable ASCII without ':' and
	 * white space, then ':'. */
	dsn_line(s, n, 0, &len);
	for (i = 0; i < len && s[i] > 0x20 && s[i] < 0x7f && s[i] != ':'; i++)
		;
	if (i == 0 || i >= len || s[i] != ':')
		return false;
	if (ascii_isdigit((unsigned char)s[0]))
		return false;
	/* And a blank line with something after it: one pasted field line
	 * ("Diagnostic-Code: smtp; 550 ...") is a reply, not a message. */
	for (i = dsn_header_end(s, n); i < n; i++)
		if (!ascii_isspace((unsigned char)s[i]))
			return true;
	return false;
}

int
dsn_parse(const char *s, size_t n, struct dsn_rcpt *out, size_t max,
    size_t *total, struct diag *d)
{
	struct dsn_ctx c = { out, max, 0, 0, false, false, NULL, 0 };
	size_t body = dsn_header_end(s, n);
	char ct[64];

	dsn_entity(s, n, 0, &c);
	/* No MIME: fields pasted without the message around them. */
	if (!c.found && !dsn_field(s, body, "Content-Type", ct, sizeof(ct))) {
		size_t pos = 0, len;

		while (pos < n) {
			size_t next = dsn_line(s, n, pos, &len);

			if ((len > 16 && ascii_ncasecmp(s + pos,
			    "Final-Recipient:", 16) == 0) ||
			    (len > 14 && ascii_ncasecmp(s + pos,
			    "Reporting-MTA:", 14) == 0)) {
				dsn_status(s + pos, n - pos, &c);
				break;
			}
			pos = next;
		}
	}
	*total = c.total;
	if (!c.found) {
		diag_set(d, DIAG_INPUT, "not a delivery status notification: "
		    "no message/delivery-status part (RFC 3464) and no "
		    "Final-Recipient field");
		return -1;
	}
	return 0;
}

char *
dsn_text_part(const char *s, size_t n, size_t *len)
{
	struct dsn_ctx c = { NULL, 0, 0, 0, false, true, NULL, 0 };
	size_t body = dsn_header_end(s, n);
	char ct[64];

	/* A message without MIME: its body is the text. */
	if (!dsn_field(s, body, "Content-Type", ct, sizeof(ct)))
		dsn_decode(s, body, n, &c);
	else
		dsn_entity(s, n, 0, &c);
	*len = c.textlen;
	return c.text;
}
