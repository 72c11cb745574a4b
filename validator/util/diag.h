/*
 * diag - a caller-owned error report: what failed, with enough context
 * (file, line, field) for the one-line message main() prints.
 */
#ifndef LISTSCRUB_DIAG_H
#define LISTSCRUB_DIAG_H

enum diag_code {
	DIAG_OK = 0,
	DIAG_USAGE,	/* bad command line or unusable input: exit 2 */
	DIAG_INPUT,	/* cannot read or understand the input: exit 2 */
	DIAG_OUTPUT,	/* cannot write an output: exit 1 */
	DIAG_DATA,	/* a data table is missing or broken: exit 1 */
	DIAG_INTERNAL,	/* anything else: exit 1 */
	DIAG_INTERRUPT	/* a signal asked the run to stop: exit 128 + it */
};

struct diag {
	enum diag_code code;
	char msg[512];
};

/* diag_set - fill d (if not NULL) with code and a printf-style message. */
void diag_set(struct diag *d, enum diag_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
