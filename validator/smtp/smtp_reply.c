/*
 * smtp_reply - incremental SMTP reply parser and the pasted-text helper.
 * The contract is in smtp_reply.h; the wire rules are RFC 5321 4.2 and
 * RFC 3463 2 (see also validator/README, "SMTP facts").
 */
#include "smtp/smtp_reply.h"

#include <string.h>

#include "util/ascii.h"

/* The text being built: a bounded UTF-8-safe appender. */
struct sr_text {
	char *buf;		/* SMTP_REPLY_TEXT_MAX bytes */
	size_t *len;
	int *full;
};

static size_t sr_enhanced(const char *s, size_t n, int class);
static void sr_put(struct sr_text *t, unsigned char c);
static void sr_sep(struct sr_text *t);
static int sr_fail(struct smtp_reply_parser *p, const char *why);
static int sr_line(struct smtp_reply_parser *p, const char *s, size_t n,
    int *done);
static void sr_clear(struct smtp_reply_parser *p);
static int sr_scan(const char *s, size_t len, struct smtp_reply *out);

/*
 * sr_enhanced - length of a strict RFC 3463 code at s (n bytes):
 * class "." 1*3digit "." 1*3digit, followed by the end or a space; the
 * class must be the digit class ('2', '4' or '5'). 0 when there is none.
 */
static size_t
sr_enhanced(const char *s, size_t n, int class)
{
	size_t i = 0, d;

	if (n < 5 || s[0] != class || (class != '2' && class != '4' &&
	    class != '5') || s[1] != '.')
		return 0;
	i = 2;
	for (int part = 0; part < 2; part++) {
		for (d = 0; i < n && d < 4 && ascii_isdigit((unsigned char)s[i]);
		    d++)
			i++;
		if (d == 0 || d > 3)
			return 0;
		if (part == 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && s[i] != ' ')
		return 0;
	return i;
}

/*
 * sr_put - append one byte of text: controls dropped (TAB becomes a
 * space); when the text is full, cut back to a UTF-8 character boundary
 * and ignore everything after.
 */
static void
sr_put(struct sr_text *t, unsigned char c)
{
	size_t n = *t->len;

	if (*t->full)
		return;
	if (c == '\t')
		c = ' ';
	if (c < 0x20 || c == 0x7f)
		return;
	if (n + 1 < SMTP_REPLY_TEXT_MAX) {
		t->buf[n] = (char)c;
		t->buf[n + 1] = '\0';
		*t->len = n + 1;
		return;
	}
	*t->full = 1;
	/* c continues a character: drop that character's bytes so far. */
	if ((c & 0xc0) == 0x80) {
		size_t k = 0;

		while (n > 0 && k < 3 &&
		    ((unsigned char)t->buf[n - 1] & 0xc0) == 0x80)
			n--, k++;
		if (n > 0 && (unsigned char)t->buf[n - 1] >= 0xc0)
			n--;
	}
	while (n > 0 && t->buf[n - 1] == ' ')
		n--;
	t->buf[n] = '\0';
	*t->len = n;
}

/* sr_sep - one space between pieces of text, never leading or doubled. */
static void
sr_sep(struct sr_text *t)
{
	if (*t->len > 0 && t->buf[*t->len - 1] != ' ')
		sr_put(t, ' ');
}

static int
sr_fail(struct smtp_reply_parser *p, const char *why)
{
	p->error = why;
	return -1;
}

static void
sr_clear(struct smtp_reply_parser *p)
{
	memset(&p->cur, 0, sizeof(p->cur));
	p->textlen = 0;
	p->textfull = 0;
}

/*
 * sr_line - one line without its line end. Sets *done when it was the
 * last line of the reply. 0, or -1 with p->error set.
 */
static int
sr_line(struct smtp_reply_parser *p, const char *s, size_t n, int *done)
{
	struct sr_text t = { p->cur.text, &p->textlen, &p->textfull };
	size_t e, a, b;
	int code;
	char sep;

	*done = 0;
	if (n < 3)
		return sr_fail(p, "reply line shorter than a reply code");
	if (s[0] < '1' || s[0] > '5' || !ascii_isdigit((unsigned char)s[1]) ||
	    !ascii_isdigit((unsigned char)s[2]))
		return sr_fail(p, "reply code is not three digits 100-599");
	sep = n == 3 ? ' ' : s[3];
	if (sep != ' ' && sep != '-')
		return sr_fail(p, "no space or '-' after the reply code");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (p->cur.nlines > 0 && code != p->cur.code)
		return sr_fail(p, "continuation line changes the reply code");
	if (p->cur.nlines >= SMTP_REPLY_LINES_MAX)
		return sr_fail(p, "reply has more than 200 lines");
	p->cur.code = code;
	p->cur.nlines++;

	a = n > 4 ? 4 : n;
	if ((e = sr_enhanced(s + a, n - a, s[0])) > 0) {
		if (p->cur.enhanced[0] == '\0') {
			memcpy(p->cur.enhanced, s + a, e);
			p->cur.enhanced[e] = '\0';
		}
		a += e;
	}
	/* Trim blanks and controls at both ends of this line's text. */
	while (a < n && ((unsigned char)s[a] <= 0x20 || s[a] == 0x7f))
		a++;
	b = n;
	while (b > a && ((unsigned char)s[b - 1] <= 0x20 || s[b - 1] == 0x7f))
		b--;
	if (a < b) {
		sr_sep(&t);
		for (size_t i = a; i < b; i++)
			sr_put(&t, (unsigned char)s[i]);
	}
	*done = sep == ' ';
	return 0;
}

void
smtp_reply_parser_init(struct smtp_reply_parser *p)
{
	sr_clear(p);
	p->linelen = 0;
	p->error = NULL;
}

void
smtp_reply_parser_reset(struct smtp_reply_parser *p)
{
	smtp_reply_parser_init(p);
}

const char *
smtp_reply_error(const struct smtp_reply_parser *p)
{
	return p->error;
}

int
smtp_reply_feed(struct smtp_reply_parser *p, const char *buf, size_t len,
    size_t *used, struct smtp_reply *out)
{
	int done;

	*used = 0;
	if (p->error != NULL)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		size_t n = p->linelen;

		if (c != '\n') {
			/* Fail early on a bad code, not 4 KiB later. */
			if (n < 3 && (n == 0 ? (c < '1' || c > '5') :
			    !ascii_isdigit(c)) && !(c == '\r' && n > 0)) {
				*used = i;
				return sr_fail(p, "reply code is not three "
				    "digits 100-599");
			}
			if (n == SMTP_REPLY_LINE_MAX + 1) {
				*used = i;
				return sr_fail(p, "reply line longer than "
				    "4096 bytes");
			}
			p->line[p->linelen++] = (char)c;
			continue;
		}
		if (n > 0 && p->line[n - 1] == '\r')
			n--;
		p->linelen = 0;
		*used = i + 1;
		if (n > SMTP_REPLY_LINE_MAX)
			return sr_fail(p, "reply line longer than 4096 bytes");
		if (sr_line(p, p->line, n, &done) == -1)
			return -1;
		if (done) {
			*out = p->cur;
			sr_clear(p);
			return 1;
		}
	}
	*used = len;
	return 0;
}

/* sr_codeat - a stand-alone [245]dd code at s[i]? */
static int
sr_codeat(const char *s, size_t len, size_t i)
{
	unsigned char prev = i > 0 ? (unsigned char)s[i - 1] : ' ';

	if (i + 3 > len || (s[i] != '2' && s[i] != '4' && s[i] != '5') ||
	    !ascii_isdigit((unsigned char)s[i + 1]) ||
	    !ascii_isdigit((unsigned char)s[i + 2]))
		return 0;
	if (ascii_isalnum(prev) || prev >= 0x80 || prev == '.' ||
	    prev == '/' || prev == '=' || prev == '_' || prev == '#' ||
	    prev == '-' || prev == '+')
		return 0;
	if (i + 3 == len)
		return 1;
	return strchr(" -'\";,)\t\r\n", s[i + 3]) != NULL;
}

/* sr_enhat - a stand-alone enhanced code at s[i]? Its length or 0. */
static size_t
sr_enhat(const char *s, size_t len, size_t i)
{
	unsigned char prev = i > 0 ? (unsigned char)s[i - 1] : ' ';
	size_t e = 0, j;

	if (i >= len || ascii_isalnum(prev) || prev >= 0x80 || prev == '.')
		return 0;
	/* Stop the token at the first byte that cannot belong to it. */
	for (j = i; j < len && (ascii_isdigit((unsigned char)s[j]) ||
	    s[j] == '.'); j++)
		;
	if (j < len && (ascii_isalnum((unsigned char)s[j]) ||
	    (unsigned char)s[j] >= 0x80))
		return 0;
	/* A trailing '.' ends a sentence ("Status: 5.1.1."). */
	if (j > i && s[j - 1] == '.')
		j--;
	e = sr_enhanced(s + i, j - i, s[i]);
	return e == j - i ? e : 0;
}

/*
 * sr_scan - the bounce-line reading of smtp_reply_parse_text(): find the
 * code (or an enhanced code) anywhere, take the text after it.
 */
static int
sr_scan(const char *s, size_t len, struct smtp_reply *out)
{
	size_t textlen = 0, i, j, e = 0, elen;
	int full = 0, inferred = 0;
	struct sr_text t = { out->text, &textlen, &full };

	memset(out, 0, sizeof(*out));
	for (i = 0; i < len; i++)
		if (sr_codeat(s, len, i))
			break;
	if (i < len) {
		out->code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 +
		    (s[i + 2] - '0');
		j = i + 3;
		if (j < len && (s[j] == ' ' || s[j] == '-'))
			j++;
		if ((e = sr_enhanced(s + j, len - j, s[i])) == 0 &&
		    (e = sr_enhat(s, len, j)) > 0 && s[j] != s[i])
			e = 0;
	} else {
		for (i = 0; i < len; i++)
			if (ascii_isdigit((unsigned char)s[i]) &&
			    (e = sr_enhat(s, len, i)) > 0)
				break;
		if (i == len)
			return -1;
		out->code = s[i] == '2' ? 250 : (s[i] - '0') * 100 + 50;
		inferred = 1;
		j = i;
	}
	if (e > 0) {
		memcpy(out->enhanced, s + j, e);
		out->enhanced[e] = '\0';
		j += e;
	}
	elen = e;
	out->nlines = 1;
	for (i = j; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && out->nlines < SMTP_REPLY_LINES_MAX)
			out->nlines++;
		if (c <= 0x20 || c == 0x7f) {
			sr_sep(&t);
			continue;
		}
		/* Drop "550-5.1.1 " repeats of a flattened multi-line reply. */
		if ((i == j || (unsigned char)s[i - 1] <= 0x20) &&
		    i + 4 <= len && s[i] == '0' + out->code / 100 &&
		    s[i + 1] == '0' + out->code / 10 % 10 &&
		    s[i + 2] == '0' + out->code % 10 && !inferred &&
		    (s[i + 3] == '-' || s[i + 3] == ' ')) {
			size_t k = i + 4;

			if (elen > 0 && k + elen <= len &&
			    memcmp(s + k, out->enhanced, elen) == 0 &&
			    (k + elen == len || s[k + elen] == ' ' ||
			    s[k + elen] == '\r' || s[k + elen] == '\n')) {
				i = k + elen - 1;
				continue;
			}
			if (elen == 0 && s[i + 3] == '-') {
				i = k - 1;
				continue;
			}
		}
		sr_put(&t, c);
	}
	while (textlen > 0 && out->text[textlen - 1] == ' ')
		out->text[--textlen] = '\0';
	return inferred;
}

int
smtp_reply_parse_text(const char *s, size_t len, struct smtp_reply *out)
{
	struct smtp_reply_parser p;
	size_t used, i = 0;
	int r;

	while (i < len && ascii_isspace((unsigned char)s[i]))
		i++;
	if (len - i >= 3 && s[i] >= '1' && s[i] <= '5' &&
	    ascii_isdigit((unsigned char)s[i + 1]) &&
	    ascii_isdigit((unsigned char)s[i + 2]) &&
	    (len - i == 3 || s[i + 3] == ' ' || s[i + 3] == '-' ||
	    s[i + 3] == '\r' || s[i + 3] == '\n')) {
		smtp_reply_parser_init(&p);
		r = smtp_reply_feed(&p, s + i, len - i, &used, out);
		if (r == 0)
			r = smtp_reply_feed(&p, "\n", 1, &used, out);
		if (r == 1)
			return 0;
	}
	return sr_scan(s, len, out);	/* zeroes *out when it finds none */
}
