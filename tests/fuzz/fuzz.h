/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point and
 * CHECK, an invariant that aborts (so libFuzzer keeps the input) with the
 * file, line and condition.
 */
#ifndef LISTSCRUB_FUZZ_H
#define LISTSCRUB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			    __FILE__, __LINE__, #c);			\
			abort();					\
		}							\
	} while (0)

#endif
