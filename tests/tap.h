/*
 * tap.h - a minimal TAP emitter for the unit tests (libtap is not packaged
 * in Debian). Use plan() or done_testing(), ok(), is_int(), is_str().
 */
#ifndef LISTSCRUB_TAP_H
#define LISTSCRUB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline void
plan(int n)
{
	printf("1..%d\n", n);
}

static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_int(got, want, ...)                                              \
	do {                                                                 \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                      \
			diag("got %lld, want %lld", tap_g_, tap_w_);         \
	} while (0)

#define is_str(got, want, ...)                                              \
	do {                                                                 \
		const char *tap_g_ = (got), *tap_w_ = (want);                \
		if (!ok(tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0,     \
		    __VA_ARGS__))                                            \
			diag("got '%s', want '%s'", tap_g_ ? tap_g_ : "(null)", \
			    tap_w_ ? tap_w_ : "(null)");                     \
	} while (0)

/* done_testing - print the plan after the fact; exit status = failures. */
static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
