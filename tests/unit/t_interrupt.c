/*
 * t_interrupt - a caught SIGTERM is a request, not an end: the flag says
 * which signal came first, a blocking read returns EINTR, and the exit
 * status is 128 + the signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/interrupt.h"
#include "tap.h"

/*
 * child_interrupt - SIGINT to pid once it sleeps (state S in
 * /proc/PID/stat: the blocking read, the only place it waits), or after
 * 10 s.
 */
static void
child_interrupt(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		const char *p;

		if (f != NULL)
			fclose(f);
		buf[n] = '\0';
		/* the state follows the ")" that ends the command name */
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
		    p[2] == 'S')
			break;
		usleep(1000);
	}
	kill(pid, SIGINT);
}

int
main(void)
{
	struct diag d = { 0 };
	int fds[2];
	char c;
	ssize_t n;

	signal(SIGHUP, SIG_IGN);	/* as under nohup: stays ignored */
	/* a background job of a shell starts with SIGINT ignored, which
	 * interrupt_install keeps: the SIGINT below must be caught */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	ok(interrupt_install(&d) == 0, "install");
	is_int(interrupt_signal(), 0, "no signal yet");
	raise(SIGHUP);
	is_int(interrupt_signal(), 0, "an ignored SIGHUP stays ignored");
	raise(SIGTERM);
	is_int(interrupt_signal(), SIGTERM, "SIGTERM is recorded, not fatal");
	raise(SIGINT);
	is_int(interrupt_signal(), SIGTERM, "the first signal is kept");
	if (pipe(fds) != 0)
		return 1;
	/* A blocking read sees EINTR: no SA_RESTART. A second SIGTERM would
	 * end the process (a repeat), so a child sends SIGINT once we block:
	 * a fixed delay lost the race on a loaded machine (the signal came
	 * before the read, which then waited for ever). */
	if (fork() == 0) {
		child_interrupt(getppid());
		_exit(0);
	}
	errno = 0;
	n = read(fds[0], &c, 1);
	ok(n == -1 && errno == EINTR, "a blocking read returns EINTR");
	is_int(interrupt_exit_status(SIGINT), 130, "SIGINT exits 130");
	is_int(interrupt_exit_status(SIGTERM), 143, "SIGTERM exits 143");
	ok(strcmp(interrupt_name(SIGHUP), "SIGHUP") == 0, "names");
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
