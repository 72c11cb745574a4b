/*
 * t_smtp_reply - unit tests for validator/smtp/smtp_reply.c: single and
 * multi-line replies, every split of a transcript (byte by byte and at
 * each offset), bare LF, pipelined replies in one buffer, the protocol
 * errors (code change, overlong line, endless reply, bad code), the
 * enhanced-code scan and its class check, text joining, control bytes,
 * truncation on a UTF-8 boundary, and smtp_reply_parse_text() on pasted
 * replies and bounce lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_reply.h"
#include "tap.h"

static struct smtp_reply_parser P;

/* feed_all - feed s in pieces of step bytes; replies into out[]. */
static int
feed_all(const char *s, size_t n, size_t step, struct smtp_reply *out,
    int max, int *err)
{
	size_t off = 0;
	int nr = 0;

	smtp_reply_parser_init(&P);
	*err = 0;
	while (off < n) {
		size_t len = n - off < step ? n - off : step, used;
		int r = smtp_reply_feed(&P, s + off, len, &used, &out[nr]);

		off += used;
		if (r == -1) {
			*err = 1;
			break;
		}
		if (r == 1 && nr + 1 < max)
			nr++;
	}
	return nr;
}

static void
check_basic(void)
{
	static const char gmail[] =
	    "550-5.1.1 The email account that you tried to reach does not "
	    "exist. Please try\r\n"
	    "550-5.1.1 double-checking the recipient's email address for "
	    "typos or\r\n"
	    "550-5.1.1 unnecessary spaces. Learn more at\r\n"
	    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser "
	    "a1si123 - gsmtp\r\n";
	static const char want[] =
	    "The email account that you tried to reach does not exist. "
	    "Please try double-checking the recipient's email address for "
	    "typos or unnecessary spaces. Learn more at "
	    "https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp";
	struct smtp_reply r[4];
	int err, n, bad = 0;

	n = feed_all("250 2.1.5 Ok\r\n", 14, 100, r, 4, &err);
	is_int(n, 1, "one reply");
	is_int(r[0].code, 250, "code 250");
	is_str(r[0].enhanced, "2.1.5", "enhanced 2.1.5");
	is_str(r[0].text, "Ok", "text without the enhanced code");
	is_int(r[0].nlines, 1, "one line");

	n = feed_all(gmail, sizeof(gmail) - 1, 4096, r, 4, &err);
	is_int(n, 1, "Gmail multi-line: one reply");
	is_int(r[0].nlines, 4, "four lines");
	is_str(r[0].enhanced, "5.1.1", "enhanced 5.1.1");
	is_str(r[0].text, want, "texts joined with one space, prefixes gone");
	/* Every piece size gives the same reply. */
	for (size_t step = 1; step <= 40; step++) {
		struct smtp_reply q[2];

		n = feed_all(gmail, sizeof(gmail) - 1, step, q, 2, &err);
		if (n != 1 || err || strcmp(q[0].text, want) != 0 ||
		    q[0].code != 550 || strcmp(q[0].enhanced, "5.1.1") != 0)
			bad++;
	}
	is_int(bad, 0, "split feeds (1..40 bytes, byte by byte first) agree");

	n = feed_all("220 mx.example ESMTP\n", 21, 1, r, 4, &err);
	ok(n == 1 && !err && r[0].code == 220 &&
	    strcmp(r[0].text, "mx.example ESMTP") == 0, "bare LF accepted");
	n = feed_all("354\r\n", 5, 1, r, 4, &err);
	ok(n == 1 && r[0].code == 354 && r[0].text[0] == '\0',
	    "code alone, empty text");
	n = feed_all("250-a\r\n250-\r\n250 b\r\n", 20, 3, r, 4, &err);
	is_str(r[0].text, "a b", "empty continuation texts skipped");
}

static void
check_pipelined(void)
{
	static const char t[] = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "550 5.1.1 <x@y>: Recipient address rejected: User unknown\r\n"
	    "452 4.5.3 Too many recipients\r\n";
	struct smtp_reply r;
	size_t off = 0, used;
	int codes[4], n = 0;

	smtp_reply_parser_init(&P);
	while (off < sizeof(t) - 1 && n < 4) {
		int k = smtp_reply_feed(&P, t + off, sizeof(t) - 1 - off,
		    &used, &r);

		off += used;
		if (k != 1)
			break;
		codes[n++] = r.code;
	}
	ok(n == 4 && codes[0] == 250 && codes[1] == 250 && codes[2] == 550 &&
	    codes[3] == 452, "four pipelined replies from one buffer, in order");
	ok(smtp_reply_feed(&P, "", 0, &used, &r) == 0 && used == 0,
	    "empty feed: need more");
}

static void
check_errors(void)
{
	struct smtp_reply r[2];
	char *big;
	size_t n, used;
	int err;

	feed_all("550-5.1.1 a\r\n551 5.1.1 b\r\n", 26, 1, r, 2, &err);
	ok(err, "continuation line changing the code: error");
	is_str(smtp_reply_error(&P), "continuation line changes the reply code",
	    "error text");
	ok(smtp_reply_feed(&P, "250 ok\r\n", 8, &used, r) == -1,
	    "a failed parser stays failed");
	smtp_reply_parser_reset(&P);
	ok(smtp_reply_feed(&P, "250 ok\r\n", 8, &used, r) == 1,
	    "reset clears the failure");

	big = malloc(8192);
	memcpy(big, "550 ", 4);
	memset(big + 4, 'a', 8000);
	feed_all(big, 8004, 512, r, 2, &err);
	ok(err, "line over 4096 bytes without CRLF: error");
	is_str(smtp_reply_error(&P), "reply line longer than 4096 bytes",
	    "error text");
	/* Exactly 4096 bytes plus CRLF is fine. */
	memset(big + 4, 'a', 4092);
	memcpy(big + 4096, "\r\n", 2);
	n = (size_t)feed_all(big, 4098, 4098, r, 2, &err);
	ok(n == 1 && !err && strlen(r[0].text) == SMTP_REPLY_TEXT_MAX - 1,
	    "4096-byte line accepted, text cut to %d bytes",
	    SMTP_REPLY_TEXT_MAX - 1);
	free(big);

	big = malloc(201 * 8);
	for (int i = 0; i < 201; i++)
		memcpy(big + i * 8, "421-x\r\n\0", 8);
	n = 0;
	for (int i = 0; i < 201; i++)
		memmove(big + n, big + i * 8, 7), n += 7;
	feed_all(big, n, 64, r, 2, &err);
	ok(err, "endless multi-line reply (201 lines): error");
	is_str(smtp_reply_error(&P), "reply has more than 200 lines",
	    "error text");
	free(big);

	feed_all("HTTP/1.1 200 OK\r\n", 17, 17, r, 2, &err);
	ok(err, "non-digit code: error");
	smtp_reply_parser_init(&P);
	ok(smtp_reply_feed(&P, "H", 1, &used, r) == -1,
	    "non-digit code fails at the first byte");
	feed_all("650 x\r\n", 7, 7, r, 2, &err);
	ok(err, "code 650: error");
	feed_all("25\r\n", 4, 4, r, 2, &err);
	ok(err, "two-digit code: error");
	feed_all("250x\r\n", 6, 6, r, 2, &err);
	ok(err, "no space or dash after the code: error");
}

static void
check_text(void)
{
	struct smtp_reply r[2];
	char line[2100];
	int err;

	feed_all("250 4.1.1 text\r\n", 16, 16, r, 2, &err);
	ok(r[0].enhanced[0] == '\0' && strcmp(r[0].text, "4.1.1 text") == 0,
	    "enhanced class differs from the code: ignored, kept in text");
	feed_all("550 5.1.1x bad\r\n", 16, 16, r, 2, &err);
	ok(r[0].enhanced[0] == '\0', "5.1.1x is no enhanced code");
	feed_all("550 5.1234.1 bad\r\n", 18, 18, r, 2, &err);
	ok(r[0].enhanced[0] == '\0', "4-digit subject is no enhanced code");
	feed_all("550 5.7.26 DMARC\r\n", 18, 18, r, 2, &err);
	is_str(r[0].enhanced, "5.7.26", "two-digit detail");
	feed_all("550 5.1.1\r\n", 11, 11, r, 2, &err);
	ok(strcmp(r[0].enhanced, "5.1.1") == 0 && r[0].text[0] == '\0',
	    "enhanced code alone");
	feed_all("550 a\x01\x1b[0mb\x7f\tc\rd\r\n", 18, 18, r, 2, &err);
	is_str(r[0].text, "a[0mb cd", "controls dropped, TAB a space");
	feed_all("550-  a  \r\n550   b\r\n", 20, 20, r, 2, &err);
	is_str(r[0].text, "a b", "line texts trimmed");

	/* Truncation inside a 2-byte character: the character is dropped. */
	memcpy(line, "550 ", 4);
	memset(line + 4, 'a', SMTP_REPLY_TEXT_MAX - 2);
	memcpy(line + 4 + SMTP_REPLY_TEXT_MAX - 2, "\xc3\xbc tail\r\n", 9);
	feed_all(line, 4 + SMTP_REPLY_TEXT_MAX - 2 + 9, 7, r, 2, &err);
	ok(!err && strlen(r[0].text) == SMTP_REPLY_TEXT_MAX - 2 &&
	    r[0].text[SMTP_REPLY_TEXT_MAX - 3] == 'a',
	    "truncated on a UTF-8 boundary (no half character)");
	memset(line + 4, 'a', SMTP_REPLY_TEXT_MAX - 3);
	memcpy(line + 4 + SMTP_REPLY_TEXT_MAX - 3, "\xe2\x80\x99 x\r\n", 7);
	feed_all(line, 4 + SMTP_REPLY_TEXT_MAX - 3 + 7, 100, r, 2, &err);
	ok(!err && strlen(r[0].text) == SMTP_REPLY_TEXT_MAX - 3,
	    "3-byte character cut after 2 bytes: dropped whole");
}

static void
check_parse_text(void)
{
	struct smtp_reply r;
	int k;

	k = smtp_reply_parse_text("550 5.1.1 <x@y>: Recipient address "
	    "rejected: User unknown", 57, &r);
	ok(k == 0 && r.code == 550 && strcmp(r.enhanced, "5.1.1") == 0 &&
	    strcmp(r.text, "<x@y>: Recipient address rejected: User unknown")
	    == 0, "a reply without line end");
	k = smtp_reply_parse_text("  550-5.1.1 a\n550 5.1.1 b\n(in reply to "
	    "RCPT TO command)\n", 50, &r);
	ok(k == 0 && r.nlines == 2 && strcmp(r.text, "a b") == 0,
	    "multi-line paste, trailing note ignored");
	k = smtp_reply_parse_text("Remote Server returned '550 5.1.1 "
	    "RESOLVER.ADR.RecipNotFound; not found'", 72, &r);
	ok(k == 0 && r.code == 550 && strcmp(r.enhanced, "5.1.1") == 0 &&
	    strcmp(r.text, "RESOLVER.ADR.RecipNotFound; not found'") == 0,
	    "Exchange NDR line: code and enhanced code found");
	{
		static const char s[] = "host mx[192.0.2.250] said: 550-5.1.1 "
		    "The email account that you tried to reach does not "
		    "exist. 550-5.1.1 Please try 550 5.1.1 again - gsmtp (in "
		    "reply to RCPT TO command)";

		k = smtp_reply_parse_text(s, sizeof(s) - 1, &r);
		ok(k == 0 && r.code == 550 && strstr(r.text, "550") == NULL &&
		    strstr(r.text, "exist. Please try again") != NULL,
		    "Postfix bounce: 250 in the IP skipped, repeats removed");
		if (strstr(r.text, "550") != NULL)
			diag("text: %s", r.text);
	}
	k = smtp_reply_parse_text("Diagnostic-Code: smtp; 5.1.1 user unknown",
	    41, &r);
	ok(k == 1 && r.code == 550 && strcmp(r.enhanced, "5.1.1") == 0 &&
	    strcmp(r.text, "user unknown") == 0,
	    "enhanced code only: code 550 inferred");
	k = smtp_reply_parse_text("Status: 4.2.2.", 14, &r);
	ok(k == 1 && r.code == 450 && strcmp(r.enhanced, "4.2.2") == 0,
	    "sentence dot after an enhanced code");
	k = smtp_reply_parse_text("no code here, 2024 or 1.2.3.4", 29, &r);
	ok(k == -1 && r.code == 0, "no code: -1");
	k = smtp_reply_parse_text("", 0, &r);
	ok(k == -1, "empty input: -1");
	k = smtp_reply_parse_text("550-unfinished", 14, &r);
	ok(k == 0 && r.code == 550 && strcmp(r.text, "unfinished") == 0,
	    "unfinished multi-line paste read as a bounce line");
}

int
main(void)
{
	check_basic();
	check_pipelined();
	check_errors();
	check_text();
	check_parse_text();
	return done_testing();
}
