/*
 * fuzz_addr - libFuzzer entry point over addr_check (normalize, parse,
 * IDN). Invariants, checked with abort() so both libFuzzer and the replay
 * driver report them: norm never holds a byte < 0x20 or 0x7f and never
 * passes 254 bytes; an OK result has its '@' at at < norm.len, a local
 * part of at most 64 octets, and checks OK again, unchanged, when its own
 * norm is fed back; the checker never reports an internal failure.
 * Two checkers (with and without allow_reserved) live for the whole run,
 * so the domain memo is exercised across inputs as in a real list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address/addr_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct addr_checker *fuzz_checker[2];
static struct addr_result fuzz_r, fuzz_again;

static void fuzz_invariants(struct addr_checker *c, const char *cell,
    size_t len);

/* fuzz_invariants - run one cell through c and check every invariant. */
static void
fuzz_invariants(struct addr_checker *c, const char *cell, size_t len)
{
	struct addr_result *r = &fuzz_r, *a = &fuzz_again;

	if (addr_check(c, cell, len, r) != 0)
		abort();
	if ((unsigned)r->status >= ADDR_STATUS_LAST || r->detail == NULL ||
	    r->norm.len > ADDR_ADDRESS_MAX)
		abort();
	for (size_t i = 0; i < r->norm.len; i++) {
		unsigned char ch = (unsigned char)r->norm.data[i];

		if (ch < 0x20 || ch == 0x7f)
			abort();
	}
	if (r->status == ADDR_EMPTY && r->norm.len != 0)
		abort();
	if (r->status != ADDR_OK)
		return;
	if (r->detail[0] != '\0' || r->at == 0 || r->at >= r->norm.len ||
	    r->norm.data[r->at] != '@' || r->at > ADDR_LOCAL_MAX ||
	    r->norm.len - r->at - 1 > ADDR_DOMAIN_MAX)
		abort();
	if (addr_check(c, r->norm.data, r->norm.len, a) != 0 ||
	    a->status != ADDR_OK || a->norm.len != r->norm.len ||
	    a->at != r->at ||
	    memcmp(a->norm.data, r->norm.data, r->norm.len) != 0)
		abort();
	/* Normalizing is done once: the re-check never trims or unwraps. */
	if (a->flags & (ADDR_F_TRIMMED | ADDR_F_UNWRAPPED))
		abort();
	if ((a->flags ^ r->flags) & (ADDR_F_QUOTED_LOCAL | ADDR_F_IP_LITERAL |
	    ADDR_F_SMTPUTF8))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cell;

	if (fuzz_checker[0] == NULL) {
		struct addr_opts strict = { .allow_reserved = false };
		struct addr_opts lax = { .allow_reserved = true };

		fuzz_checker[0] = addr_checker_new(&strict);
		fuzz_checker[1] = addr_checker_new(&lax);
		addr_result_init(&fuzz_r);
		addr_result_init(&fuzz_again);
	}
	/* An exact-size copy, so a read past len is caught by ASan. */
	cell = malloc(size ? size : 1);
	if (cell == NULL)
		abort();
	if (size)
		memcpy(cell, data, size);
	fuzz_invariants(fuzz_checker[0], cell, size);
	fuzz_invariants(fuzz_checker[1], cell, size);
	free(cell);
	return 0;
}
