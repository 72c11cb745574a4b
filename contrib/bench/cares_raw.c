/*
 * cares_raw - the DNS baseline: one MX query per input domain on one c-ares
 * channel, at most CONCURRENCY in flight, plain poll() loop, nothing else.
 * Channel options match validator/dns/mxlookup.c (NOSEARCH + EDNS 1232,
 * 1000 ms timeout, 2 tries, its receive buffer: RCVBUF bytes, default 4 MiB;
 * dns.sh passes listscrub's RCVBUF_BYTES).
 *
 *   cc -O2 -o cares_raw cares_raw.c -lcares
 *   cares_raw 127.0.0.1:53531 256 [RCVBUF] < domains.txt
 *
 * Prints: domains=N answered=N failed=N seconds=S per_s=R rcvbuf=B
 * so_rcvbuf=K (K: what the kernel granted the first socket, getsockopt;
 * Linux reports twice the bytes asked, capped by net.core.rmem_max)
 * "answered" = the server gave an answer (MX, NODATA or NXDOMAIN);
 * "failed" = timeout, SERVFAIL/REFUSED, bad response. Seconds cover the
 * query loop only (reading the input is not timed).
 */
#define _GNU_SOURCE
#include <arpa/nameser.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#define MAXFDS 1024

struct bench {
	ares_channel ch;
	struct pollfd fds[MAXFDS];
	int nfds;
	int so_rcvbuf;		/* granted to the first socket */
	size_t inflight, answered, failed;
};

static void
on_sock_state(void *data, ares_socket_t fd, int rd, int wr)
{
	struct bench *b = data;
	int i;

	for (i = 0; i < b->nfds; i++)
		if (b->fds[i].fd == fd)
			break;
	if (!rd && !wr) {
		if (i < b->nfds)
			b->fds[i] = b->fds[--b->nfds];
		return;
	}
	if (i == b->nfds) {
		if (b->so_rcvbuf == 0) {
			socklen_t len = sizeof(b->so_rcvbuf);

			if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b->so_rcvbuf,
			    &len) != 0)
				b->so_rcvbuf = -1;
		}
		if (b->nfds == MAXFDS) {
			fprintf(stderr, "cares_raw: too many sockets\n");
			exit(1);
		}
		b->nfds++;
	}
	b->fds[i].fd = fd;
	b->fds[i].events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
	b->fds[i].revents = 0;
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct bench *b = arg;

	(void)timeouts;
	(void)abuf;
	(void)alen;
	if (status == ARES_EDESTRUCTION)
		return;
	b->inflight--;
	if (status == ARES_SUCCESS || status == ARES_ENODATA ||
	    status == ARES_ENOTFOUND)
		b->answered++;
	else
		b->failed++;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct ares_options o;
	char **names = NULL, line[512];
	size_t n = 0, cap = 0, next = 0, conc;
	long rcvbuf = 4 * 1024 * 1024;
	double t0, secs;
	int rc;

	if (argc < 3 || argc > 4 ||
	    (conc = strtoul(argv[2], NULL, 10)) == 0 ||
	    (argc == 4 && (rcvbuf = strtol(argv[3], NULL, 10)) <= 0)) {
		fprintf(stderr, "usage: cares_raw SERVER:PORT CONCURRENCY "
		    "[RCVBUF] < domains.txt\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (len == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				return 1;
		}
		if ((names[n++] = strdup(line)) == NULL)
			return 1;
	}

	memset(&b, 0, sizeof(b));
	ares_library_init(ARES_LIB_INIT_ALL);
	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	o.timeout = 1000;
	o.tries = 2;
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = &b;
	o.socket_receive_buffer_size = (int)rcvbuf;
	o.ednspsz = 1232;
	rc = ares_init_options(&b.ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF |
	    ARES_OPT_EDNSPSZ);
	if (rc == ARES_SUCCESS)
		rc = ares_set_servers_ports_csv(b.ch, argv[1]);
	if (rc != ARES_SUCCESS) {
		fprintf(stderr, "cares_raw: %s\n", ares_strerror(rc));
		return 1;
	}

	t0 = now_s();
	while (next < n || b.inflight > 0) {
		struct pollfd ready[MAXFDS];
		struct timeval tv, *tvp;
		int nready, timeout_ms;

		while (next < n && b.inflight < conc) {
			b.inflight++;
			ares_query(b.ch, names[next++], ns_c_in, ns_t_mx,
			    on_answer, &b);
		}
		if (b.inflight == 0)
			continue;
		tvp = ares_timeout(b.ch, NULL, &tv);
		timeout_ms = tvp ? (int)(tvp->tv_sec * 1000 +
		    (tvp->tv_usec + 999) / 1000) : 1000;
		nready = poll(b.fds, (nfds_t)b.nfds, timeout_ms);
		if (nready <= 0) {
			ares_process_fd(b.ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		/* Copy first: callbacks change the fd set. */
		memcpy(ready, b.fds, (size_t)b.nfds * sizeof(ready[0]));
		for (int i = 0, k = b.nfds; i < k; i++) {
			short re = ready[i].revents;

			if (re == 0)
				continue;
			ares_process_fd(b.ch,
			    (re & (POLLIN | POLLERR | POLLHUP)) ?
			    ready[i].fd : ARES_SOCKET_BAD,
			    (re & POLLOUT) ? ready[i].fd : ARES_SOCKET_BAD);
		}
		/* Retransmits are due even while other sockets are busy. */
		ares_process_fd(b.ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	secs = now_s() - t0;

	printf("domains=%zu answered=%zu failed=%zu seconds=%.3f per_s=%.0f "
	    "rcvbuf=%ld so_rcvbuf=%d\n", n, b.answered, b.failed, secs,
	    secs > 0 ? (double)n / secs : 0.0, rcvbuf, b.so_rcvbuf);
	ares_destroy(b.ch);
	ares_library_cleanup();
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
