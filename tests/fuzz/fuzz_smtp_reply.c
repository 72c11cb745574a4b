/*
 * fuzz_smtp_reply - libFuzzer entry point over smtp_reply_feed() and
 * smtp_reply_parse_text(), then smtp_classify() on every reply found.
 * Invariants, checked with abort(): feeding the input whole and feeding
 * it in pieces (sizes taken from the input itself) give the same replies
 * and the same error; *used never passes the bytes given and a 1 always
 * consumes at least one byte; every reply has a code 100-599, 1-200
 * lines, an enhanced code that is "" or starts with the code's first
 * digit, and a NUL-terminated text without control bytes; the verdict's
 * class, fault, advice and matched are set, and a 4xx is never permanent
 * nor mailbox_not_found/mailbox_disabled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/smtp_classify.h"
#include "smtp/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAXREPLIES 64

static struct smtp_phrases *fuzz_ph;
static int fuzz_loaded;
static struct smtp_reply fuzz_a[FUZZ_MAXREPLIES], fuzz_b[FUZZ_MAXREPLIES];
static struct smtp_reply_parser fuzz_p;

static void fuzz_check(const struct smtp_reply *r);
static int fuzz_run(const char *d, size_t n, size_t step,
    struct smtp_reply *out, int *err);

/* fuzz_check - the invariants of one reply and its verdict. */
static void
fuzz_check(const struct smtp_reply *r)
{
	struct smtp_verdict v;
	size_t tl = strnlen(r->text, sizeof(r->text));

	if (r->code < 100 || r->code > 599 || r->nlines < 1 ||
	    r->nlines > SMTP_REPLY_LINES_MAX || tl == sizeof(r->text))
		abort();
	if (r->enhanced[0] != '\0' && r->enhanced[0] - '0' != r->code / 100)
		abort();
	for (size_t i = 0; i < tl; i++) {
		unsigned char c = (unsigned char)r->text[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
	for (int st = 0; st < SMTPS_LAST; st++) {
		smtp_classify(fuzz_ph, (enum smtp_stage)st, r, &v);
		if ((unsigned)v.cls >= SMTPC_LAST ||
		    (unsigned)v.fault >= SMTPF_LAST || v.advice == NULL ||
		    v.matched == NULL)
			abort();
		if (r->code / 100 == 4 && (v.permanent ||
		    v.cls == SMTPC_MAILBOX_NOT_FOUND ||
		    v.cls == SMTPC_MAILBOX_DISABLED))
			abort();
		if (st != SMTPS_RCPT && v.fault == SMTPF_RECIPIENT)
			abort();
	}
}

/* fuzz_run - feed n bytes in pieces of step; the replies found. */
static int
fuzz_run(const char *d, size_t n, size_t step, struct smtp_reply *out,
    int *err)
{
	size_t off = 0;
	int nr = 0;

	smtp_reply_parser_init(&fuzz_p);
	*err = 0;
	while (off < n) {
		size_t len = n - off < step ? n - off : step, used;
		int r = smtp_reply_feed(&fuzz_p, d + off, len, &used,
		    &out[nr < FUZZ_MAXREPLIES ? nr : FUZZ_MAXREPLIES - 1]);

		if (used > len)
			abort();
		off += used;
		if (r == -1) {
			if (smtp_reply_error(&fuzz_p) == NULL)
				abort();
			*err = 1;
			return nr;
		}
		if (r == 1) {
			if (used == 0)
				abort();
			fuzz_check(&out[nr < FUZZ_MAXREPLIES ? nr :
			    FUZZ_MAXREPLIES - 1]);
			if (nr < FUZZ_MAXREPLIES)
				nr++;
		} else if (used != len) {
			abort();
		}
	}
	return nr;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply one;
	char *copy;
	int na, nb, ea, eb;
	size_t step;

	if (!fuzz_loaded) {
		const char *src = getenv("srcdir");
		char path[4096];

		fuzz_loaded = 1;
		snprintf(path, sizeof(path), "%s/lists/smtp-phrases.tsv",
		    src ? src : ".");
		fuzz_ph = smtp_phrases_load(path, NULL);
	}
	/* An exact-size copy, so a read past size is caught by ASan. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	if (size)
		memcpy(copy, data, size);
	step = size ? (size_t)data[0] % 7 + 1 : 1;
	na = fuzz_run(copy, size, size ? size : 1, fuzz_a, &ea);
	nb = fuzz_run(copy, size, step, fuzz_b, &eb);
	if (na != nb || ea != eb)
		abort();
	for (int i = 0; i < na && i < FUZZ_MAXREPLIES; i++)
		if (memcmp(&fuzz_a[i], &fuzz_b[i], sizeof(fuzz_a[i])) != 0 &&
		    (fuzz_a[i].code != fuzz_b[i].code ||
		    strcmp(fuzz_a[i].text, fuzz_b[i].text) != 0 ||
		    strcmp(fuzz_a[i].enhanced, fuzz_b[i].enhanced) != 0 ||
		    fuzz_a[i].nlines != fuzz_b[i].nlines))
			abort();
	if (smtp_reply_parse_text(copy, size, &one) >= 0)
		fuzz_check(&one);
	free(copy);
	return 0;
}
