/*
 * t_dsn - validator/verdict/dsn.c: the recipients of delivery status
 * notifications written for this project in the formats of RFC 3464,
 * Postfix, Exim, Microsoft 365 and Google (tests/data/dsn: two failed
 * recipients, a delayed one, base64 / quoted-printable status parts),
 * then hostile input made here:
 * empty, not a DSN, folded and overlong fields, a missing closing
 * boundary, deep nesting, many recipients, long lines, NUL bytes and
 * random bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/bounce_text.h"
#include "verdict/dsn.h"
#include "tap.h"

#define MAXR	16

static struct dsn_rcpt R[MAXR];

/* slurp - the file src/tests/data/dsn/name; *n its length. */
static char *
slurp(const char *src, const char *name, size_t *n)
{
	char path[4096];
	char *s;
	FILE *f;
	long k;

	snprintf(path, sizeof(path), "%s/tests/data/dsn/%s", src, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	k = ftell(f);
	rewind(f);
	s = malloc((size_t)k + 1);
	*n = fread(s, 1, (size_t)k, f);
	s[*n] = '\0';
	fclose(f);
	return s;
}

static void
sample(const char *src, const char *name, size_t want, const char *rcpt,
    const char *action, const char *status, const char *dc)
{
	struct diag dg = { DIAG_OK, "" };
	size_t n = 0, total = 0;
	char *s = slurp(src, name, &n);
	int rc;

	if (s == NULL) {
		ok(0, "%s: cannot read", name);
		return;
	}
	memset(R, 0, sizeof(R));
	rc = dsn_parse(s, n, R, MAXR, &total, &dg);
	ok(rc == 0 && total == want, "%s: %zu recipient(s) (got %zu, rc %d)",
	    name, want, total, rc);
	is_str(R[0].recipient, rcpt, "%s: Final-Recipient", name);
	is_str(R[0].status, status, "%s: Status", name);
	ok(strncmp(R[0].diag, dc, strlen(dc)) == 0,
	    "%s: Diagnostic-Code starts '%s' (got '%s')", name, dc,
	    R[0].diag);
	is_str(R[0].action, action, "%s: Action", name);
	ok(dsn_looks_like_message(s, n), "%s: read as a message", name);
	free(s);
}

/*
 * noise - fill buf with 1 to 8192 pseudo-random bytes from the state *x,
 * one in eight of them taken from alpha (8 bytes); returns the length.
 */
static size_t
noise(char *buf, unsigned long *x, const char *alpha)
{
	size_t len = 1 + (*x >> 8) % 8192;

	for (size_t i = 0; i < len; i++) {
		*x = *x * 6364136223846793005UL + 1442695040888963407UL;
		buf[i] = (char)(*x >> 56);
		if ((*x >> 40 & 7) == 0)
			buf[i] = alpha[*x >> 33 & 7];
	}
	return len;
}

static int
parse(const char *s, size_t n, size_t *total)
{
	struct diag dg = { DIAG_OK, "" };

	memset(R, 0, sizeof(R));
	return dsn_parse(s, n, R, MAXR, total, &dg);
}

#define HDR "From: MAILER-DAEMON@example.org\r\n" \
    "Content-Type: multipart/report; report-type=delivery-status;\r\n" \
    "\tboundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n" \
    "It failed.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n" \
    "Reporting-MTA: dns; mx.example.org\r\n\r\n"

static void
hostile(void)
{
	static char big[1 << 20];
	size_t total = 0, n;
	const char *s;
	int rc;

	ok(parse("", 0, &total) == -1, "empty input: not a DSN");
	ok(!dsn_looks_like_message("", 0), "empty input: not a message");
	ok(!dsn_looks_like_message("550 5.1.1 User unknown", 22),
	    "a reply is not a message");
	s = "From: a@example.org\r\nSubject: hello\r\n\r\nJust a letter.\r\n";
	ok(dsn_looks_like_message(s, strlen(s)), "a letter is a message");
	ok(parse(s, strlen(s), &total) == -1, "a letter: not a DSN");

	/* Folded fields, a closing boundary missing, the status part last. */
	s = HDR "Final-Recipient: rfc822;\r\n  a@example.net\r\n"
	    "Action: Failed\r\nStatus: 5.1.1\r\n"
	    "Diagnostic-Code: smtp; 550-5.1.1 The email account that you\r\n"
	    "  tried to reach does not exist.\r\n";
	rc = parse(s, strlen(s), &total);
	ok(rc == 0 && total == 1, "no closing boundary: one recipient");
	is_str(R[0].recipient, "a@example.net", "folded Final-Recipient");
	is_str(R[0].action, "failed", "Action lower-cased");
	is_str(R[0].diag_type, "smtp", "diagnostic type");
	is_str(R[0].diag, "550-5.1.1 The email account that you tried to "
	    "reach does not exist.", "folded Diagnostic-Code unfolded");

	/* Many recipients: all counted, MAXR kept. */
	n = (size_t)snprintf(big, sizeof(big), "%s", HDR);
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "Final-Recipient: rfc822; u%d@example.net\r\nAction: failed"
		    "\r\nStatus: 5.1.1\r\n\r\n", i);
	rc = parse(big, n, &total);
	ok(rc == 0 && total == 3000, "3000 recipients counted (%zu)", total);
	is_str(R[MAXR - 1].recipient, "u15@example.net", "the first %d kept",
	    MAXR);

	/* An overlong field is cut, NUL-terminated; control bytes read ?. */
	n = (size_t)snprintf(big, sizeof(big), "%sFinal-Recipient: rfc822; ",
	    HDR);
	memset(big + n, 'x', 100000);
	n += 100000;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\nAction: failed"
	    "\r\nDiagnostic-Code: smtp; 550 \x1b[31mred\r\n");
	rc = parse(big, n, &total);
	ok(rc == 0 && total == 1 &&
	    strlen(R[0].recipient) == sizeof(R[0].recipient) - 1,
	    "an overlong Final-Recipient is cut");
	is_str(R[0].diag, "550 ?[31mred", "escape bytes neutralised");

	/* Deep nesting stops at DSN_DEPTH. */
	n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
		    i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n,
	    "Content-Type: message/delivery-status\r\n\r\n"
	    "Final-Recipient: rfc822; deep@example.net\r\nAction: failed\r\n");
	rc = parse(big, n, &total);
	ok(rc == -1, "200 nested multiparts: the status part is too deep");

	/* One 1 MiB line, and NUL bytes. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "X-A: ", 5);
	ok(parse(big, sizeof(big), &total) == -1, "a 1 MiB line: not a DSN");
	{
		static const char nul[] = HDR "Final-Recipient: rfc822; a\0b"
		    "@example.net\r\nAction: failed\r\n";

		rc = parse(nul, sizeof(nul) - 1, &total);
		ok(rc == 0 && total == 1 && strcmp(R[0].recipient, "a?b@"
		    "example.net") == 0, "a NUL byte reads ? (%s)",
		    R[0].recipient);
	}

	/* Random bytes, and random cuts of a real-looking report. */
	{
		unsigned long x = 12345;
		size_t hl = strlen(HDR);
		int crashes = 0;

		for (int it = 0; it < 300; it++) {
			size_t len = noise(big, &x, "\r\n:;-B \t");

			if (it % 2 == 0 && len > hl) {
				memcpy(big, HDR, hl);
			}
			(void)parse(big, len, &total);
			(void)dsn_looks_like_message(big, len);
		}
		ok(crashes == 0, "300 random inputs parsed without a crash");
	}
}

/*
 * text - a free-text bounce: dsn_parse refuses it, dsn_text_part and
 * bounce_text_parse give want recipients, the first as rcpt with action,
 * status and a diag that contains dc.
 */
static void
text(const char *src, const char *name, size_t want, const char *rcpt,
    const char *action, const char *status, const char *dc)
{
	struct diag dg = { DIAG_OK, "" };
	size_t n = 0, tn = 0, total = 0;
	char *s = slurp(src, name, &n), *t;
	int rc;

	if (s == NULL) {
		ok(0, "%s: cannot read", name);
		return;
	}
	ok(parse(s, n, &total) == -1, "%s: not RFC 3464", name);
	t = dsn_text_part(s, n, &tn);
	ok(t != NULL && tn > 0, "%s: its text part", name);
	memset(R, 0, sizeof(R));
	rc = t == NULL ? -1 : bounce_text_parse(t, tn, R, MAXR, &total, &dg);
	ok(rc == 0 && total == want, "%s: %zu recipient(s) in the text (got "
	    "%zu, rc %d)", name, want, total, rc);
	is_str(R[0].recipient, rcpt, "%s: recipient", name);
	is_str(R[0].action, action, "%s: action", name);
	is_str(R[0].status, status, "%s: status", name);
	ok(strstr(R[0].diag, dc) != NULL, "%s: reply '%s' (got '%s')", name,
	    dc, R[0].diag);
	free(t);
	free(s);
}

/* text_hostile - free text made here: letters, limits, odd bytes. */
static void
text_hostile(void)
{
	static char big[1 << 20];
	struct diag dg = { DIAG_OK, "" };
	size_t total = 9, n, tn;
	const char *s;
	char *t;
	int rc;

	s = "Hello,\nsee you at <lunch@example.org> tomorrow.\n";
	ok(bounce_text_parse(s, strlen(s), R, MAXR, &total, &dg) == -1 &&
	    total == 0, "a letter: no recipient");
	s = "  a@example.org\n    550 5.1.1 unknown\n";
	ok(bounce_text_parse(s, strlen(s), R, MAXR, &total, &dg) == -1,
	    "an indented address without Exim's 'address(es) failed': none");
	s = "<a@example.org>: 550 5.1.1 no\n"
	    "--- Below this line is a copy of the message.\n"
	    "<b@example.org>: 550 5.1.1 quoted\n";
	rc = bounce_text_parse(s, strlen(s), R, MAXR, &total, &dg);
	ok(rc == 0 && total == 1, "the returned copy is not read (%zu)",
	    total);
	s = "<a b@example.org>: 550\n<@example.org>: 550\n<a@>: 550\n";
	ok(bounce_text_parse(s, strlen(s), R, MAXR, &total, &dg) == -1,
	    "no address: a blank, no local part, no domain");
	/* A long block: the diag is cut, still a string. */
	n = (size_t)snprintf(big, sizeof(big), "<a@example.org>: 550 ");
	memset(big + n, 'x', 10000);
	n += 10000;
	rc = bounce_text_parse(big, n, R, MAXR, &total, &dg);
	ok(rc == 0 && strlen(R[0].diag) == sizeof(R[0].diag) - 1,
	    "an overlong reply is cut to the buffer (%zu)", strlen(R[0].diag));
	/* Many recipients: all counted, MAXR kept. */
	n = 0;
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "<r%d@example.net>: 550 5.1.1 no\n\n", i);
	rc = bounce_text_parse(big, n, R, MAXR, &total, &dg);
	ok(rc == 0 && total == 3000 && strcmp(R[MAXR - 1].recipient,
	    "r15@example.net") == 0, "3000 recipients counted, %d kept",
	    MAXR);
	/* Control bytes in the words read as spaces. */
	s = "<a@example.org>: 550\x01 5.1.1\x7f gone (#5.1.1)\n";
	rc = bounce_text_parse(s, strlen(s), R, MAXR, &total, &dg);
	ok(rc == 0 && strcmp(R[0].diag, "550 5.1.1 gone (#5.1.1)") == 0 &&
	    strcmp(R[0].status, "5.1.1") == 0, "control bytes read as spaces "
	    "('%s'), status from '#5.1.1'", R[0].diag);
	/* No MIME: the body is the text; a letter has no bounce in it. */
	s = "From: a@example.org\r\n\r\nJust a letter.\r\n";
	t = dsn_text_part(s, strlen(s), &tn);
	ok(t != NULL && strcmp(t, "Just a letter.\r\n") == 0,
	    "a message without MIME: its body is the text");
	ok(bounce_text_parse(t, tn, R, MAXR, &total, &dg) == -1,
	    "... and no bounce");
	free(t);
	/* MIME without a text/plain part: no text. */
	s = "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
	    "Content-Type: image/png\r\n\r\nxx\r\n--B--\r\n";
	t = dsn_text_part(s, strlen(s), &tn);
	ok(t == NULL, "no text/plain part: no text");
	free(t);
	/* Random bytes. */
	{
		unsigned long x = 777;

		for (int it = 0; it < 300; it++) {
			size_t len = noise(big, &x, "\n<>@: -#");

			rc = bounce_text_parse(big, len, R, MAXR, &total, &dg);
			if (rc != 0 && rc != -1)
				break;
			free(dsn_text_part(big, len, &tn));
		}
		ok(rc == 0 || rc == -1, "300 random texts read without a "
		    "crash");
	}
}

int
main(void)
{
	const char *src = getenv("srcdir");

	if (src == NULL)
		src = ".";
	sample(src, "rfc3464-plain.eml", 1, "nobody-here@example.net",
	    "failed", "5.1.1", "550 5.1.1 user unknown");
	is_str(R[0].diag_type, "smtp", "rfc3464-plain: diagnostic type");
	is_str(R[0].remote_mta, "mx1.example.net", "rfc3464-plain: Remote-MTA");
	sample(src, "rfc3464-base64.eml", 1, "nobody-here@example.net",
	    "failed", "5.1.1", "550 5.1.1 user unknown");
	is_str(R[0].diag, "550 5.1.1 user unknown",
	    "rfc3464-base64: Diagnostic-Code decoded whole");
	sample(src, "rfc3464-qp.eml", 1, "nobody-here@example.net",
	    "failed", "5.1.1", "550 5.1.1 user unknown");
	is_str(R[0].diag, "550 5.1.1 user unknown",
	    "rfc3464-qp: Diagnostic-Code decoded whole (=20 read as spaces)");
	sample(src, "postfix-two-rcpts.eml", 2, "ghost@example.net",
	    "failed", "5.1.1", "550 5.1.1 user unknown");
	is_str(R[1].recipient, "packed@example.net",
	    "postfix-two-rcpts: the second recipient");
	is_str(R[1].status, "5.2.2", "postfix-two-rcpts: the second Status");
	is_str(R[1].diag, "552 5.2.2 Mailbox full",
	    "postfix-two-rcpts: the second Diagnostic-Code");
	sample(src, "exim.eml", 1, "rcpt7@example.test", "failed", "5.0.0",
	    "550 Bad SPF records for [example.org:192.0.2.2]");
	sample(src, "m365.eml", 1, "gone.user@example.net", "failed", "5.1.10",
	    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found");
	sample(src, "google.eml", 1, "big.inbox@example.test", "failed",
	    "5.3.4", "552 5.3.4 Message too large");
	sample(src, "postfix-delayed.eml", 1, "slow@example.net", "delayed",
	    "4.3.2", "452 4.3.2 Connection rate limit exceeded.");
	hostile();
	text(src, "qmail.eml", 2, "nobody@example.net", "failed", "",
	    "Remote host said: 550 5.1.1 <nobody@example.net>: Recipient "
	    "address rejected");
	is_str(R[1].recipient, "full@example.org", "qmail: the second");
	is_str(R[1].status, "5.1.1", "qmail: the second's status (#5.1.1)");
	text(src, "exim-text.eml", 2, "nobody@example.net", "failed", "",
	    "after RCPT TO:<nobody@example.net>: host mx.example.net "
	    "[192.0.2.25]: 550 5.1.1");
	is_str(R[1].recipient, "blocked@example.org", "exim-text: the second");
	ok(strstr(R[1].diag, "blocked using zen.spamhaus.org") != NULL,
	    "exim-text: the second's reply");
	text(src, "exim-deferred.eml", 1, "slow@example.net", "delayed", "",
	    "450 4.7.1 <slow@example.net>: Recipient address rejected: "
	    "Greylisted");
	text(src, "postfix-text.eml", 1, "nobody@example.net", "failed", "",
	    "said: 550 5.1.1 <nobody@example.net>: Recipient address "
	    "rejected: User unknown in local recipient table (in reply to "
	    "RCPT TO command)");
	text_hostile();
	return done_testing();
}
