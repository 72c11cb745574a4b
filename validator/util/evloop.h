/*
 * evloop - the program's single event loop: poll() over watched file
 * descriptors plus a min-heap of timers. No global state; one loop per run.
 * The DNS stage (mxlookup) and the SMTP stage drive their sockets with it.
 *
 * Ownership: the loop owns only its own arrays. Timers (struct evtimer) are
 * embedded in the caller's objects and must stay in place while armed.
 * Callbacks run only from evloop_run_once(), never from the call that
 * registered them; a deferred call is a timer armed with deadline 0.
 */
#ifndef LISTSCRUB_EVLOOP_H
#define LISTSCRUB_EVLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct evloop;

/* An fd is ready: rd also when the fd reported POLLERR/POLLHUP/POLLNVAL. */
typedef void (*evloop_fd_cb)(void *arg, int fd, bool rd, bool wr);
typedef void (*evloop_timer_cb)(void *arg);

/*
 * evtimer - one timer, embedded by its owner. Fields are private to
 * evloop.c; initialise with evtimer_init() (or zero it and call
 * evtimer_init before first use).
 */
struct evtimer {
	int64_t deadline;	/* evloop_now_ms() clock */
	uint64_t seq;		/* arming order: equal deadlines fire FIFO */
	size_t slot;		/* index in the heap, SIZE_MAX when idle */
	evloop_timer_cb cb;
	void *arg;
};

/* evloop_now_ms - CLOCK_MONOTONIC in milliseconds. */
int64_t evloop_now_ms(void);

/* evloop_new - an empty loop (OOM exits, see xalloc.h). */
struct evloop *evloop_new(void);

/*
 * evloop_free - release the loop. Watches and armed timers are dropped
 * without calling anything; free the modules that use the loop first.
 * evloop_free(NULL) is a no-op.
 */
void evloop_free(struct evloop *loop);

/*
 * evloop_watch - set the interest in fd: rd/wr say which events to report
 * to cb(arg, fd, rd, wr). Calling it again for the same fd replaces the
 * interest, cb and arg; rd == wr == false stops watching fd (a no-op when
 * it was not watched). Stop watching before closing an fd.
 * Returns 0, or -1 with d set when fd is negative.
 */
int evloop_watch(struct evloop *loop, int fd, bool rd, bool wr,
    evloop_fd_cb cb, void *arg, struct diag *d);

/* evloop_nwatched - how many fds are watched now. */
size_t evloop_nwatched(const struct evloop *loop);

/* evtimer_init - mark t idle; needed once before the first evloop_timer_set. */
void evtimer_init(struct evtimer *t);

/*
 * evloop_timer_set - (re)arm t to call cb(arg) once, at deadline_ms on the
 * evloop_now_ms() clock (a past deadline, e.g. 0, fires on the next
 * evloop_run_once without waiting). Re-arming an armed timer moves it.
 * O(log n) in the number of armed timers.
 */
void evloop_timer_set(struct evloop *loop, struct evtimer *t,
    int64_t deadline_ms, evloop_timer_cb cb, void *arg);

/* evloop_timer_cancel - disarm t; a no-op when idle. O(log n). */
void evloop_timer_cancel(struct evloop *loop, struct evtimer *t);

/* evtimer_armed - whether t is waiting to fire. */
bool evtimer_armed(const struct evtimer *t);

/* evloop_ntimers - how many timers are armed. */
size_t evloop_ntimers(const struct evloop *loop);

/*
 * evloop_run_once - one round: poll for at most max_wait_ms (negative: no
 * limit but the next timer; with nothing watched and no timer it returns at
 * once), call the callbacks of the ready fds, then those of the due timers.
 * The ready list is copied first, so callbacks may change the watch set
 * freely; an fd unwatched (or re-watched after being closed) during the
 * round is not reported stale events. A timer re-armed by a callback in the
 * same round fires in a later round, so a zero-delay re-arm cannot spin.
 * Not re-entrant: never call it from one of its callbacks.
 * Returns 0 (EINTR included), or -1 with d set when poll() fails, or
 * (DIAG_INTERRUPT) when a signal asked the run to stop (util/interrupt):
 * the stage running the loop then ends at once and says so.
 */
int evloop_run_once(struct evloop *loop, int max_wait_ms, struct diag *d);

#endif
