#include "util/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_caught;

static const int interrupt_sigs[] = { SIGINT, SIGTERM, SIGHUP };

/* interrupt_handler - record the first signal; a repeat ends the process. */
static void
interrupt_handler(int sig)
{
	if (interrupt_caught == sig) {
		/* a second ^C: the default action, at once */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (interrupt_caught == 0)
		interrupt_caught = sig;
}

int
interrupt_install(struct diag *d)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocking calls see EINTR */
	for (size_t i = 0; i < sizeof(interrupt_sigs) /
	    sizeof(interrupt_sigs[0]); i++) {
		struct sigaction old;

		if (sigaction(interrupt_sigs[i], NULL, &old) != 0) {
			diag_set(d, DIAG_INTERNAL, "sigaction: %s",
			    strerror(errno));
			return -1;
		}
		/* nohup and shells that ignore a signal for us: keep that */
		if (old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(interrupt_sigs[i], &sa, NULL) != 0) {
			diag_set(d, DIAG_INTERNAL, "sigaction: %s",
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
interrupt_signal(void)
{
	return interrupt_caught;
}

int
interrupt_exit_status(int sig)
{
	return 128 + sig;
}

const char *
interrupt_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int
interrupt_check(const char *what, struct diag *d)
{
	int sig = interrupt_signal();

	if (sig == 0)
		return 0;
	diag_set(d, DIAG_INTERRUPT, "interrupted by %s while %s; nothing was "
	    "written", interrupt_name(sig), what);
	return -1;
}
