/*
 * progress - a one-line progress display on standard error (rows, rows/s,
 * percent and ETA when the input size is known). Cheap to call per row.
 */
#ifndef LISTSCRUB_PROGRESS_H
#define LISTSCRUB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	bool on;
	FILE *out;
	uint64_t total_bytes;	/* 0 when unknown (a pipe) */
	double start, last;
	uint64_t next_check;
};

/* progress_init - total_bytes may be 0 (unknown). */
void progress_init(struct progress *p, bool on, FILE *out, uint64_t total_bytes);
/* progress_tick - maybe redraw; looks at the clock every few thousand rows. */
void progress_tick(struct progress *p, uint64_t rows, uint64_t bytes);
/* progress_done - erase the line. */
void progress_done(struct progress *p);
/* progress_now - monotonic seconds. */
double progress_now(void);

#endif
