#include "util/evloop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/diag.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

#define IDLE SIZE_MAX
/* slot values from FIRING up: index in loop->firing (due this round). */
#define FIRING (SIZE_MAX / 2)

struct evloop_watch {
	evloop_fd_cb cb;
	void *arg;
	uint64_t gen;		/* identity of this watch, for stale events */
};

struct evloop_ready {
	int fd;
	short revents;
	uint64_t gen;
};

struct evloop {
	struct pollfd *pfds;	/* dense: slots 0..nwatch-1 */
	struct evloop_watch *watches;	/* parallel to pfds */
	size_t nwatch;
	size_t capwatch;
	size_t *slot_of;	/* fd -> slot + 1, 0 when not watched */
	size_t nslot_of;
	uint64_t gen;
	struct evloop_ready *ready;	/* scratch copy for dispatch */
	struct evtimer **heap;	/* min-heap on (deadline, seq) */
	size_t nheap;
	size_t capheap;
	uint64_t seq;
	struct evtimer **firing;	/* due this round; NULL = cancelled */
	size_t nfiring;
	size_t capfiring;
	size_t nfiring_live;
};

static bool timer_before(const struct evtimer *a, const struct evtimer *b);
static void heap_place(struct evloop *loop, size_t i, struct evtimer *t);
static void heap_up(struct evloop *loop, size_t i);
static void heap_down(struct evloop *loop, size_t i);
static void heap_remove(struct evloop *loop, size_t i);
static void timer_detach(struct evloop *loop, struct evtimer *t);
static void watch_remove(struct evloop *loop, int fd);
static int next_wait(const struct evloop *loop, int max_wait_ms);
static void dispatch_fds(struct evloop *loop, size_t nready);
static void dispatch_timers(struct evloop *loop);

int64_t
evloop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct evloop *
evloop_new(void)
{
	return xcalloc(1, sizeof(struct evloop));
}

void
evloop_free(struct evloop *loop)
{
	if (loop == NULL)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		loop->heap[i]->slot = IDLE;
	for (size_t i = 0; i < loop->nfiring; i++)
		if (loop->firing[i] != NULL)
			loop->firing[i]->slot = IDLE;
	free(loop->firing);
	free(loop->pfds);
	free(loop->watches);
	free(loop->slot_of);
	free(loop->ready);
	free(loop->heap);
	free(loop);
}

/* watch_remove - drop fd's slot, moving the last slot into its place. */
static void
watch_remove(struct evloop *loop, int fd)
{
	size_t i, last;

	if ((size_t)fd >= loop->nslot_of || loop->slot_of[fd] == 0)
		return;
	i = loop->slot_of[fd] - 1;
	last = loop->nwatch - 1;
	if (i != last) {
		loop->pfds[i] = loop->pfds[last];
		loop->watches[i] = loop->watches[last];
		loop->slot_of[loop->pfds[i].fd] = i + 1;
	}
	loop->slot_of[fd] = 0;
	loop->nwatch--;
}

int
evloop_watch(struct evloop *loop, int fd, bool rd, bool wr, evloop_fd_cb cb,
    void *arg, struct diag *d)
{
	size_t i;

	if (fd < 0) {
		diag_set(d, DIAG_INTERNAL, "evloop_watch: bad fd %d", fd);
		return -1;
	}
	if (!rd && !wr) {
		watch_remove(loop, fd);
		return 0;
	}
	if ((size_t)fd >= loop->nslot_of) {
		size_t n = loop->nslot_of ? loop->nslot_of : 64;

		while (n <= (size_t)fd)
			n *= 2;
		loop->slot_of = xreallocarray(loop->slot_of, n,
		    sizeof(*loop->slot_of));
		memset(loop->slot_of + loop->nslot_of, 0,
		    (n - loop->nslot_of) * sizeof(*loop->slot_of));
		loop->nslot_of = n;
	}
	if (loop->slot_of[fd] == 0) {
		if (loop->nwatch == loop->capwatch) {
			size_t n = loop->capwatch ? loop->capwatch * 2 : 16;

			loop->pfds = xreallocarray(loop->pfds, n,
			    sizeof(*loop->pfds));
			loop->watches = xreallocarray(loop->watches, n,
			    sizeof(*loop->watches));
			loop->ready = xreallocarray(loop->ready, n,
			    sizeof(*loop->ready));
			loop->capwatch = n;
		}
		i = loop->nwatch++;
		loop->slot_of[fd] = i + 1;
		loop->pfds[i].fd = fd;
		loop->watches[i].gen = ++loop->gen;
	} else {
		i = loop->slot_of[fd] - 1;
	}
	loop->pfds[i].events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
	loop->pfds[i].revents = 0;
	loop->watches[i].cb = cb;
	loop->watches[i].arg = arg;
	return 0;
}

size_t
evloop_nwatched(const struct evloop *loop)
{
	return loop->nwatch;
}

void
evtimer_init(struct evtimer *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = IDLE;
}

bool
evtimer_armed(const struct evtimer *t)
{
	return t->slot != IDLE;
}

size_t
evloop_ntimers(const struct evloop *loop)
{
	return loop->nheap + loop->nfiring_live;
}

/* timer_before - heap order: earlier deadline, then earlier arming. */
static bool
timer_before(const struct evtimer *a, const struct evtimer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

/* heap_place - store t at heap index i and tell t where it is. */
static void
heap_place(struct evloop *loop, size_t i, struct evtimer *t)
{
	loop->heap[i] = t;
	t->slot = i;
}

/* heap_up - move the timer at i towards the root while it is earlier. */
static void
heap_up(struct evloop *loop, size_t i)
{
	struct evtimer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_place(loop, i, t);
}

/* heap_down - move the timer at i towards the leaves while it is later. */
static void
heap_down(struct evloop *loop, size_t i)
{
	struct evtimer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap &&
		    timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_place(loop, i, loop->heap[c]);
		i = c;
	}
	heap_place(loop, i, t);
}

/* heap_remove - take the timer at index i out of the heap. */
static void
heap_remove(struct evloop *loop, size_t i)
{
	struct evtimer *t = loop->heap[i], *moved;
	size_t last = --loop->nheap;

	t->slot = IDLE;
	if (i == last)
		return;
	moved = loop->heap[last];
	heap_place(loop, i, moved);
	heap_up(loop, i);
	heap_down(loop, moved->slot);
}

/* timer_detach - take t out of the heap or the firing list: idle. */
static void
timer_detach(struct evloop *loop, struct evtimer *t)
{
	if (t->slot == IDLE)
		return;
	if (t->slot >= FIRING) {
		loop->firing[t->slot - FIRING] = NULL;
		loop->nfiring_live--;
		t->slot = IDLE;
	} else {
		heap_remove(loop, t->slot);
	}
}

void
evloop_timer_set(struct evloop *loop, struct evtimer *t, int64_t deadline_ms,
    evloop_timer_cb cb, void *arg)
{
	timer_detach(loop, t);
	t->deadline = deadline_ms;
	t->seq = ++loop->seq;
	t->cb = cb;
	t->arg = arg;
	if (loop->nheap == loop->capheap) {
		size_t n = loop->capheap ? loop->capheap * 2 : 64;

		loop->heap = xreallocarray(loop->heap, n, sizeof(*loop->heap));
		loop->capheap = n;
	}
	heap_place(loop, loop->nheap++, t);
	heap_up(loop, t->slot);
}

void
evloop_timer_cancel(struct evloop *loop, struct evtimer *t)
{
	timer_detach(loop, t);
}

/* next_wait - poll timeout: max_wait_ms bounded by the earliest timer. */
static int
next_wait(const struct evloop *loop, int max_wait_ms)
{
	int64_t until;

	if (loop->nheap == 0)
		return max_wait_ms;
	until = loop->heap[0]->deadline - evloop_now_ms();
	if (until <= 0)
		return 0;
	if (until > INT_MAX)
		until = INT_MAX;
	if (max_wait_ms >= 0 && max_wait_ms < until)
		return max_wait_ms;
	return (int)until;
}

/*
 * dispatch_fds - call back the fds poll() marked, from a copy of the ready
 * list; a watch removed or replaced meanwhile is skipped (gen differs).
 */
static void
dispatch_fds(struct evloop *loop, size_t nready)
{
	size_t n = 0;

	for (size_t i = 0; i < loop->nwatch && n < nready; i++) {
		if (loop->pfds[i].revents == 0)
			continue;
		loop->ready[n].fd = loop->pfds[i].fd;
		loop->ready[n].revents = loop->pfds[i].revents;
		loop->ready[n].gen = loop->watches[i].gen;
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		/* Copy: a callback may grow (move) loop->ready. */
		struct evloop_ready r = loop->ready[k];
		struct evloop_watch *w;
		size_t i;
		bool rd, wr;

		if ((size_t)r.fd >= loop->nslot_of || loop->slot_of[r.fd] == 0)
			continue;
		i = loop->slot_of[r.fd] - 1;
		w = &loop->watches[i];
		if (w->gen != r.gen)
			continue;
		/* Errors and hang-ups are reported as readable: the read
		 * tells the owner what happened (ICMP unreachable etc.). */
		rd = ((r.revents & POLLIN) && (loop->pfds[i].events & POLLIN)) ||
		    (r.revents & (POLLERR | POLLHUP | POLLNVAL));
		wr = (r.revents & POLLOUT) && (loop->pfds[i].events & POLLOUT);
		if (rd || wr)
			w->cb(w->arg, r.fd, rd, wr);
	}
}

/*
 * dispatch_timers - fire the timers due now, earliest first. They move to
 * the firing list first, so a timer armed (or re-armed) by a callback
 * waits for the next round, and one cancelled by an earlier callback in
 * this round is skipped (its entry is NULL).
 */
static void
dispatch_timers(struct evloop *loop)
{
	int64_t now = evloop_now_ms();

	loop->nfiring = 0;
	while (loop->nheap > 0 && loop->heap[0]->deadline <= now) {
		struct evtimer *t = loop->heap[0];

		heap_remove(loop, 0);
		if (loop->nfiring == loop->capfiring) {
			size_t n = loop->capfiring ? loop->capfiring * 2 : 64;

			loop->firing = xreallocarray(loop->firing, n,
			    sizeof(*loop->firing));
			loop->capfiring = n;
		}
		t->slot = FIRING + loop->nfiring;
		loop->firing[loop->nfiring++] = t;
		loop->nfiring_live++;
	}
	for (size_t i = 0; i < loop->nfiring; i++) {
		struct evtimer *t = loop->firing[i];

		if (t == NULL)
			continue;
		loop->firing[i] = NULL;
		loop->nfiring_live--;
		t->slot = IDLE;
		t->cb(t->arg);
	}
	loop->nfiring = 0;
}

int
evloop_run_once(struct evloop *loop, int max_wait_ms, struct diag *d)
{
	int wait = next_wait(loop, max_wait_ms);
	int n;

	if (interrupt_signal() != 0) {
		diag_set(d, DIAG_INTERRUPT, "interrupted by %s",
		    interrupt_name(interrupt_signal()));
		return -1;
	}
	if (loop->nwatch == 0 && loop->nheap == 0)
		return 0;
	n = poll(loop->pfds, (nfds_t)loop->nwatch, wait);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		diag_set(d, DIAG_INTERNAL, "poll: %s", strerror(errno));
		return -1;
	}
	if (n > 0)
		dispatch_fds(loop, (size_t)n);
	dispatch_timers(loop);
	return 0;
}
