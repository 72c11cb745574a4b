/*
 * bgjob - one function on a thread of its own, joined later. See bgjob.h.
 */
#include "util/bgjob.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct bgjob {
	bgjob_fn fn;
	void *arg;
	pthread_t thread;
	bool threaded;		/* else fn has run already */
	int rc;
	struct diag d;		/* fn's report, written on its thread */
};

static void *bgjob_main(void *arg);

static void *
bgjob_main(void *arg)
{
	struct bgjob *j = arg;

	j->rc = j->fn(j->arg, &j->d);
	return NULL;
}

struct bgjob *
bgjob_start(bgjob_fn fn, void *arg)
{
	struct bgjob *j = xcalloc(1, sizeof(*j));
	sigset_t all, old;

	j->fn = fn;
	j->arg = arg;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	j->threaded = pthread_create(&j->thread, NULL, bgjob_main, j) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!j->threaded)
		(void)bgjob_main(j);
	return j;
}

int
bgjob_join(struct bgjob *j, struct diag *d)
{
	int rc;

	if (j == NULL)
		return 0;
	if (j->threaded)
		pthread_join(j->thread, NULL);
	rc = j->rc;
	if (rc != 0 && d != NULL)
		*d = j->d;
	free(j);
	return rc;
}
