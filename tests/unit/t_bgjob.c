/*
 * t_bgjob - util/bgjob.h: the work runs (on a thread of its own, with
 * every signal blocked there), its result and report come back at the
 * join, a failure keeps its message, a NULL job joins as done.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util/bgjob.h"

struct work {
	int fail;
	int ran;
	pthread_t self;		/* the thread it ran on */
	int int_blocked;	/* SIGINT blocked there */
};

static int
job(void *arg, struct diag *d)
{
	struct work *w = arg;
	sigset_t now;

	w->ran++;
	w->self = pthread_self();
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	w->int_blocked = sigismember(&now, SIGINT) == 1;
	if (w->fail) {
		diag_set(d, DIAG_DATA, "lists/x.txt:%d: broken", 7);
		return -1;
	}
	return 0;
}

int
main(void)
{
	struct work ok_w = { 0 }, bad_w = { 0 };
	struct diag d = { 0 };
	struct bgjob *j;
	sigset_t before, after;

	pthread_sigmask(SIG_SETMASK, NULL, &before);
	j = bgjob_start(job, &ok_w);
	ok(j != NULL, "a job starts");
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	ok(sigismember(&after, SIGINT) == sigismember(&before, SIGINT),
	    "the caller's signal mask is as it was");
	is_int(bgjob_join(j, &d), 0, "its result at the join: 0");
	is_int(ok_w.ran, 1, "the work ran once");
	ok(!pthread_equal(ok_w.self, pthread_self()),
	    "on a thread of its own");
	ok(ok_w.int_blocked, "with SIGINT blocked there: signals stay with the caller");
	is_int(d.code, DIAG_OK, "no report when it worked");

	bad_w.fail = 1;
	j = bgjob_start(job, &bad_w);
	is_int(bgjob_join(j, &d), -1, "a failure: -1 at the join");
	is_int(d.code, DIAG_DATA, "its report's code");
	is_str(d.msg, "lists/x.txt:7: broken", "its report's message");

	bad_w.ran = 0;
	j = bgjob_start(job, &bad_w);
	is_int(bgjob_join(j, NULL), -1, "joined without a report: -1 still");
	is_int(bad_w.ran, 1, "and it ran");
	is_int(bgjob_join(NULL, &d), 0, "a job never started joins as done");
	return done_testing();
}
