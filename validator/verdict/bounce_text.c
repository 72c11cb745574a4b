/*
 * bounce_text - failed recipients of a free-text bounce (qmail, Exim,
 * Postfix without a delivery-status part). The contract is in
 * bounce_text.h, the layouts in validator/README.
 */
#include "verdict/bounce_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/ascii.h"

struct bt {
	struct dsn_rcpt *out;
	size_t max, total;
	struct dsn_rcpt *cur;	/* the open block's record (NULL: not kept) */
	bool open;		/* a recipient's block is being read */
	bool exim;		/* ... in Exim's layout (ends by indent) */
	size_t indent;		/* the Exim recipient line's indent */
	size_t o;		/* bytes in cur->diag */
};

static size_t bt_line(const char *t, size_t n, size_t pos, size_t *len);
static bool bt_stop(const char *s, size_t n);
static bool bt_addr(const char *s, size_t n);
static void bt_open(struct bt *b, const char *addr, size_t n, bool delayed);
static void bt_add(struct bt *b, const char *s, size_t n);
static void bt_close(struct bt *b);

/* bt_line - the line at pos: its length without CR LF; the next pos. */
static size_t
bt_line(const char *t, size_t n, size_t pos, size_t *len)
{
	const char *nl = memchr(t + pos, '\n', n - pos);
	size_t end = nl ? (size_t)(nl - t) : n;

	*len = end - pos;
	if (*len > 0 && t[end - 1] == '\r')
		(*len)--;
	return nl ? end + 1 : n;
}

/*
 * bt_stop - the line that starts the copy of the returned message
 * ("--- Below this line is a copy of the message.", "------ This is a
 * copy of the message, including all the headers. ------").
 */
static bool
bt_stop(const char *s, size_t n)
{
	if (n < 3 || !((s[0] == '-' && s[1] == '-' && s[2] == '-') ||
	    (s[0] == '=' && s[1] == '=' && s[2] == '=')))
		return false;
	return ascii_has(s, n, "copy") || ascii_has(s, n, "original") ||
	    ascii_has(s, n, "below this line") || ascii_has(s, n, "unsent") ||
	    ascii_has(s, n, "returned message");
}

/* bt_addr - s[0..n) reads as one address: local@domain, no blanks. */
static bool
bt_addr(const char *s, size_t n)
{
	const char *at;

	if (n < 3 || n >= sizeof(((struct dsn_rcpt *)0)->recipient))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '<' || s[i] == '>')
			return false;
	at = memchr(s, '@', n);
	return at != NULL && at != s && at != s + n - 1;
}

/* bt_open - start the block of the recipient s[0..n). */
static void
bt_open(struct bt *b, const char *s, size_t n, bool delayed)
{
	bt_close(b);
	b->open = true;
	b->o = 0;
	b->total++;
	if (b->total > b->max) {
		b->cur = NULL;
		return;
	}
	b->cur = &b->out[b->total - 1];
	memset(b->cur, 0, sizeof(*b->cur));
	memcpy(b->cur->recipient, s, n);
	snprintf(b->cur->action, sizeof(b->cur->action), "%s",
	    delayed ? "delayed" : "failed");
}

/* bt_add - append a line's words to the open diag, one space between. */
static void
bt_add(struct bt *b, const char *s, size_t n)
{
	char *d;

	if (b->cur == NULL)
		return;
	d = b->cur->diag;
	for (size_t i = 0; i < n && b->o + 1 < sizeof(b->cur->diag); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && (b->o == 0 || d[b->o - 1] == ' '))
			continue;
		d[b->o++] = (char)c;
	}
	if (b->o > 0 && d[b->o - 1] != ' ' && b->o + 1 < sizeof(b->cur->diag))
		d[b->o++] = ' ';
	d[b->o] = '\0';
}

/* bt_close - end the open block; its status is a "#5.1.1" it gives. */
static void
bt_close(struct bt *b)
{
	struct dsn_rcpt *r = b->cur;

	b->open = false;
	b->cur = NULL;
	if (r == NULL)
		return;
	while (b->o > 0 && r->diag[b->o - 1] == ' ')
		r->diag[--b->o] = '\0';
	for (const char *h = strchr(r->diag, '#'); h != NULL;
	    h = strchr(h + 1, '#')) {
		size_t k = 1, dots = 0;

		if (h[1] != '2' && h[1] != '4' && h[1] != '5')
			continue;
		while ((ascii_isdigit((unsigned char)h[k]) || h[k] == '.') &&
		    k < sizeof(r->status))
			dots += h[k++] == '.';
		if (dots == 2 && h[k - 1] != '.' && h[2] == '.') {
			memcpy(r->status, h + 1, k - 1);
			r->status[k - 1] = '\0';
			break;
		}
	}
}

int
bounce_text_parse(const char *t, size_t n, struct dsn_rcpt *out, size_t max,
    size_t *total, struct diag *d)
{
	struct bt b = { out, max, 0, NULL, false, false, 0, 0 };
	bool list = false, delayed = false;
	size_t pos = 0, len;

	while (pos < n) {
		size_t next = bt_line(t, n, pos, &len), ind = 0, wl, tl;
		const char *w, *gt;

		while (ind < len && (t[pos + ind] == ' ' || t[pos + ind] == '\t'))
			ind++;
		w = t + pos + ind;
		wl = len - ind;
		pos = next;
		if (wl == 0) {
			bt_close(&b);
			continue;
		}
		if (bt_stop(w, wl))
			break;
		/* qmail and Postfix: "<addr>:" at the start of a line. */
		if (ind <= 2 && w[0] == '<' &&
		    (gt = memchr(w, '>', wl)) != NULL &&
		    (size_t)(gt - w) + 1 < wl && gt[1] == ':' &&
		    bt_addr(w + 1, (size_t)(gt - w) - 1)) {
			bt_open(&b, w + 1, (size_t)(gt - w) - 1, delayed);
			b.exim = false;
			bt_add(&b, gt + 2, wl - (size_t)(gt - w) - 2);
			continue;
		}
		/* Exim: an indented address under "address(es) failed:". */
		for (tl = 0; tl < wl && w[tl] != ' ' && w[tl] != '\t'; tl++)
			;
		if (list && ind >= 1 && (!b.open || !b.exim ||
		    ind <= b.indent) && bt_addr(w, tl > 0 && w[tl - 1] == ':' ?
		    tl - 1 : tl)) {
			bt_open(&b, w, tl > 0 && w[tl - 1] == ':' ? tl - 1 : tl,
			    delayed);
			b.exim = true;
			b.indent = ind;
			bt_add(&b, w + tl, wl - tl);
			continue;
		}
		if (b.open && (!b.exim || ind > b.indent)) {
			bt_add(&b, w, wl);
			continue;
		}
		bt_close(&b);
		if (b.total == 0) {
			if (ascii_has(w, wl, "address(es) failed") ||
			    ascii_has(w, wl, "address(es) deferred") ||
			    ascii_has(w, wl, "following address(es)") ||
			    ascii_has(w, wl, "not yet been delivered"))
				list = true;
			if (ascii_has(w, wl, "temporary error") ||
			    ascii_has(w, wl, "address(es) deferred") ||
			    ascii_has(w, wl, "not yet been delivered") ||
			    ascii_has(w, wl, "still being retried") ||
			    ascii_has(w, wl, "warning only"))
				delayed = true;
		}
	}
	bt_close(&b);
	*total = b.total;
	if (b.total == 0) {
		diag_set(d, DIAG_INPUT, "not a bounce explain can read: no "
		    "message/delivery-status part (RFC 3464), no Final-Recipient "
		    "field, and no failed recipient in qmail's, Exim's or "
		    "Postfix's wording");
		return -1;
	}
	return 0;
}
