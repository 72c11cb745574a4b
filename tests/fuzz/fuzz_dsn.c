/*
 * fuzz_dsn - libFuzzer entry point over dsn_looks_like_message(),
 * dsn_parse(), dsn_text_part() and bounce_text_parse(). Invariants,
 * checked with abort(): the parsers return 0 or -1; with -1 no recipient
 * is counted; every stored field is NUL-terminated inside its buffer and
 * holds no control byte; there are never more recipients than a quarter
 * of the input's bytes (each needs an "Action:" or "Final-Recipient:"
 * field, or a line with "<a@b>:" or an indented address); the text part
 * is NUL-terminated at its length and no longer than the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/bounce_text.h"
#include "verdict/dsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAXR 8

static struct dsn_rcpt fuzz_r[FUZZ_MAXR];

/* fuzz_field - s (size n) is a clean C string. */
static void
fuzz_field(const char *s, size_t n)
{
	size_t k = strnlen(s, n);

	if (k >= n)
		abort();
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

/* fuzz_check - rc and the stored recipients keep the invariants. */
static void
fuzz_check(int rc, size_t total, size_t size)
{
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && total != 0)
		abort();
	if (total > size / 4 + 1)
		abort();
	for (size_t i = 0; i < FUZZ_MAXR && i < total; i++) {
		fuzz_field(fuzz_r[i].recipient, sizeof(fuzz_r[i].recipient));
		fuzz_field(fuzz_r[i].action, sizeof(fuzz_r[i].action));
		fuzz_field(fuzz_r[i].status, sizeof(fuzz_r[i].status));
		fuzz_field(fuzz_r[i].diag_type, sizeof(fuzz_r[i].diag_type));
		fuzz_field(fuzz_r[i].diag, sizeof(fuzz_r[i].diag));
		fuzz_field(fuzz_r[i].remote_mta, sizeof(fuzz_r[i].remote_mta));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { DIAG_OK, "" };
	const char *s = (const char *)data;
	size_t total = 99, tn = 0;
	char *text;
	int rc;

	(void)dsn_looks_like_message(s, size);
	memset(fuzz_r, 0, sizeof(fuzz_r));
	rc = dsn_parse(s, size, fuzz_r, FUZZ_MAXR, &total, &d);
	fuzz_check(rc, total, size);
	text = dsn_text_part(s, size, &tn);
	if (text != NULL && (tn > size || text[tn] != '\0'))
		abort();
	total = 99;
	memset(fuzz_r, 0, sizeof(fuzz_r));
	rc = bounce_text_parse(text != NULL ? text : s, text != NULL ? tn :
	    size, fuzz_r, FUZZ_MAXR, &total, &d);
	fuzz_check(rc, total, size);
	free(text);
	return 0;
}
