/*
 * fuzz_dsn - libFuzzer entry point over dsn_looks_like_message() and
 * dsn_parse(). Invariants, checked with abort(): dsn_parse returns 0 or
 * -1; with -1 no recipient is counted; every stored field is
 * NUL-terminated inside its buffer and holds no control byte; there are
 * never more recipients than a quarter of the input's bytes (each needs
 * an "Action:" or "Final-Recipient:" field).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { DIAG_OK, "" };
	const char *s = (const char *)data;
	size_t total = 99;
	int rc;

	(void)dsn_looks_like_message(s, size);
	memset(fuzz_r, 0, sizeof(fuzz_r));
	rc = dsn_parse(s, size, fuzz_r, FUZZ_MAXR, &total, &d);
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
	return 0;
}
