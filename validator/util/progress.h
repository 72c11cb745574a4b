/*
 * progress - the progress line of a long stage on standard error: its
 * name, how far it got, the rate, and the percent and ETA when the total
 * is known. It knows nothing of what a stage does: each stage begins it
 * with its name, unit and total, and ticks it with counts.
 *
 * On a terminal one line is redrawn in place (\r, erase to the end of the
 * line) at most PROGRESS_TERMINAL_MS apart and erased when the stage ends,
 * so that whatever follows on standard error starts on a clean line. Into
 * a file or pipe (--progress forced) it writes plain lines instead, each
 * ended by '\n', no '\r' and no escape sequence: at most one per
 * PROGRESS_PLAIN_MS, and one when the stage ends, so that a log keeps the
 * name and the final counts of every stage (validator/README, "Stages and
 * passes").
 */
#ifndef LISTSCRUB_PROGRESS_H
#define LISTSCRUB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_TERMINAL_MS 200	/* redraws: at most 5 a second */
#define PROGRESS_PLAIN_MS 5000		/* plain lines: one every 5 s */

enum progress_mode {
	PROGRESS_MODE_OFF,
	PROGRESS_MODE_TERMINAL,		/* redrawn in place */
	PROGRESS_MODE_PLAIN		/* one complete line at a time */
};

/* Fields are private to progress.c but clock: tests set their own. */
struct progress {
	enum progress_mode mode;
	FILE *out;
	double (*clock)(void);	/* seconds; progress_now unless a test's */
	const char *stage, *unit;	/* NULL: no stage begun */
	uint64_t total;		/* units, or bytes; 0: unknown */
	bool bytes;		/* total counts bytes, not units */
	uint64_t count, part;	/* the last tick's */
	double start, last;	/* the stage's start, the last line's time */
	uint64_t next_check, stride;
	bool drawn;		/* a terminal line is showing */
};

/*
 * progress_mode_for - the mode for standard error: forced (--progress)
 * or asked for when it is a terminal (auto), plain when forced into
 * something that is not one.
 */
enum progress_mode progress_mode_for(bool forced, bool wanted, bool tty);

/* progress_init - no stage yet; mode OFF makes every call a no-op. */
void progress_init(struct progress *p, enum progress_mode mode, FILE *out);

/*
 * progress_begin - a stage of total units (0: unknown), ticked with the
 * units done, e.g. ("DNS", "domains", 1200). Ends a stage still begun.
 * p may be NULL here and in every call below: nothing is shown.
 */
void progress_begin(struct progress *p, const char *stage, const char *unit,
    uint64_t total);

/*
 * progress_begin_bytes - a stage that reads total_bytes of a file (0:
 * unknown, a pipe), ticked per row with the rows and the bytes read: the
 * line counts rows, the percent is of the bytes. Looks at the clock only
 * every few thousand rows.
 */
void progress_begin_bytes(struct progress *p, const char *stage,
    const char *unit, uint64_t total_bytes);

/*
 * progress_tick - count units done and part of the total (the bytes read;
 * for progress_begin the same as count); draws when it is time.
 */
void progress_tick(struct progress *p, uint64_t count, uint64_t part);

/*
 * progress_end - the stage is over: a terminal line is erased, a plain
 * one written with the final counts. Call it on every path out of a
 * stage (a no-op when none is begun) and before anything else goes to
 * standard error.
 */
void progress_end(struct progress *p);

/* progress_now - monotonic seconds. */
double progress_now(void);

#endif
