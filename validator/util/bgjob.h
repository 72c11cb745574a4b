/*
 * bgjob - one function run on a thread of its own while the caller goes
 * on, then joined: work that is needed later and shares nothing with
 * what runs meanwhile (the offline pass reads lists/ this way).
 */
#ifndef LISTSCRUB_BGJOB_H
#define LISTSCRUB_BGJOB_H

#include "util/diag.h"

struct bgjob;

/* The work: 0, or -1 with d. It must touch nothing the caller uses. */
typedef int (*bgjob_fn)(void *arg, struct diag *d);

/*
 * bgjob_start - run fn(arg) on a new thread, with every signal blocked
 * (they stay with the caller). When no thread can start, fn runs at
 * once, here: the result is the same, only later. Never NULL.
 */
struct bgjob *bgjob_start(bgjob_fn fn, void *arg);

/*
 * bgjob_join - wait for the work to end and free j: its result, and its
 * report in d when it failed. NULL is a job that never started: 0.
 */
int bgjob_join(struct bgjob *j, struct diag *d);

#endif
