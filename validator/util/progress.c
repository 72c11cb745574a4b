#include "util/progress.h"

#include <time.h>

double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, bool on, FILE *out, uint64_t total_bytes)
{
	p->on = on;
	p->out = out;
	p->total_bytes = total_bytes;
	p->start = p->last = progress_now();
	p->next_check = 4096;
}

void
progress_tick(struct progress *p, uint64_t rows, uint64_t bytes)
{
	double now, rate;

	if (!p->on || rows < p->next_check)
		return;
	p->next_check = rows + 4096;
	now = progress_now();
	if (now - p->last < 0.2)
		return;
	p->last = now;
	rate = (double)rows / (now - p->start);
	fprintf(p->out, "\rlistscrub: %llu rows, %.0f rows/s",
	    (unsigned long long)rows, rate);
	if (p->total_bytes > 0 && bytes > 0 && bytes <= p->total_bytes) {
		double frac = (double)bytes / (double)p->total_bytes;
		double left = (now - p->start) * (1 - frac) / frac;

		fprintf(p->out, ", %3.0f%%, ETA %d:%02d", frac * 100,
		    (int)left / 60, (int)left % 60);
	}
	fputs("   ", p->out);
	fflush(p->out);
}

void
progress_done(struct progress *p)
{
	if (p->on && p->last > p->start)
		fputs("\r\033[K", p->out);
}
