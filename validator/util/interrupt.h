/*
 * interrupt - SIGINT, SIGTERM and SIGHUP become a request to stop, which
 * the run's loops check (interrupt_signal) so that it can remove its
 * temporary files and say what it had done; nothing else is done in the
 * handler. A second signal of the same kind while the first is being
 * handled ends the process at once, as the user expects of a second ^C.
 *
 * The flag is the one piece of process-wide state the program has: a
 * signal handler can reach nothing else (validator/README, "Conventions").
 * Handlers are installed without SA_RESTART, so a blocking read or poll
 * returns EINTR and the loop around it sees the request promptly.
 */
#ifndef LISTSCRUB_INTERRUPT_H
#define LISTSCRUB_INTERRUPT_H

#include "util/diag.h"

/* interrupt_install - catch the three signals. 0, or -1 with d set. */
int interrupt_install(struct diag *d);

/* interrupt_signal - the first signal caught since install, or 0. */
int interrupt_signal(void);

/* interrupt_exit_status - 128 + the signal (130 for SIGINT, 143 for SIGTERM). */
int interrupt_exit_status(int sig);

/* interrupt_name - "SIGINT", "SIGTERM", "SIGHUP", or "a signal". */
const char *interrupt_name(int sig);

/*
 * interrupt_check - 0 while no signal was caught; else -1 with d
 * (DIAG_INTERRUPT) "interrupted by SIGTERM while WHAT; nothing was
 * written", for the loops that prepare the input.
 */
int interrupt_check(const char *what, struct diag *d);

#endif
