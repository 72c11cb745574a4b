#include "util/progress.h"

#include <stdarg.h>
#include <time.h>

#define BYTES_STRIDE 4096	/* rows between looks at the clock */

static void progress_line(struct progress *p, double now, bool end);
static void progress_time(char *buf, size_t n, double s);
static void progress_add(char *line, size_t *len, size_t cap,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum progress_mode
progress_mode_for(bool forced, bool wanted, bool tty)
{
	if (!forced && !(wanted && tty))
		return PROGRESS_MODE_OFF;
	return tty ? PROGRESS_MODE_TERMINAL : PROGRESS_MODE_PLAIN;
}

void
progress_init(struct progress *p, enum progress_mode mode, FILE *out)
{
	*p = (struct progress){ .mode = mode, .out = out,
	    .clock = progress_now };
}

/* progress_start - the common part of the two begins. */
static void
progress_start(struct progress *p, const char *stage, const char *unit,
    uint64_t total, bool bytes)
{
	if (p == NULL || p->mode == PROGRESS_MODE_OFF)
		return;
	progress_end(p);
	p->stage = stage;
	p->unit = unit;
	p->total = total;
	p->bytes = bytes;
	p->count = p->part = 0;
	/* a stage ticked per row looks at the clock now and then; one ticked
	 * per event-loop round at every tick, so that a stalled stage's rate
	 * and ETA still move */
	p->stride = bytes ? BYTES_STRIDE : 0;
	p->next_check = p->stride;
	p->start = p->last = p->clock();
	p->drawn = false;
}

void
progress_begin(struct progress *p, const char *stage, const char *unit,
    uint64_t total)
{
	progress_start(p, stage, unit, total, false);
}

void
progress_begin_bytes(struct progress *p, const char *stage,
    const char *unit, uint64_t total_bytes)
{
	progress_start(p, stage, unit, total_bytes, true);
}

void
progress_tick(struct progress *p, uint64_t count, uint64_t part)
{
	double now, every;

	if (p == NULL || p->stage == NULL)
		return;
	p->count = count;
	p->part = part;
	if (count < p->next_check)
		return;
	p->next_check = count + p->stride;
	now = p->clock();
	every = (p->mode == PROGRESS_MODE_TERMINAL ? PROGRESS_TERMINAL_MS :
	    PROGRESS_PLAIN_MS) / 1000.0;
	if (now - p->last < every)
		return;
	p->last = now;
	progress_line(p, now, false);
}

void
progress_end(struct progress *p)
{
	if (p == NULL || p->stage == NULL)
		return;
	if (p->mode == PROGRESS_MODE_PLAIN)
		progress_line(p, p->clock(), true);
	else if (p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->stage = NULL;
	p->drawn = false;
}

/* progress_add - append to line, cut at its end. */
static void
progress_add(char *line, size_t *len, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(line + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (w > 0)
		*len += (size_t)w < cap - *len ? (size_t)w : cap - *len - 1;
}

/* progress_time - s as M:SS, or H:MM:SS from an hour on. */
static void
progress_time(char *buf, size_t n, double s)
{
	unsigned long t = s > 0 && s < 1e9 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
		    t % 60);
	else
		snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
}

/*
 * progress_line - "listscrub: STAGE: COUNT[/TOTAL] UNIT, RATE UNIT/s,
 * P%, ETA M:SS"; at the end "in S s" instead of the ETA. A terminal line
 * is drawn over the last one; a plain line is a line.
 */
static void
progress_line(struct progress *p, double now, bool end)
{
	char l[256], t[32];
	size_t n = 0, cap = sizeof(l);
	double took = now - p->start;

	progress_add(l, &n, cap, "listscrub: %s: %llu", p->stage,
	    (unsigned long long)p->count);
	if (!p->bytes && p->total > 0)
		progress_add(l, &n, cap, "/%llu",
		    (unsigned long long)p->total);
	progress_add(l, &n, cap, " %s", p->unit);
	if (took > 0) {
		double rate = (double)p->count / took;

		/* a slow SMTP stage asks a few addresses a second */
		progress_add(l, &n, cap, rate < 10 ? ", %.1f %s/s" :
		    ", %.0f %s/s", rate, p->unit);
	}
	if (p->total > 0) {
		uint64_t part = p->part < p->total ? p->part : p->total;
		double frac = (double)part / (double)p->total;

		/* rounded down: 100% only when it is all done */
		progress_add(l, &n, cap, ", %d%%", (int)(frac * 100));
		if (!end && frac > 0 && frac < 1) {
			progress_time(t, sizeof(t), took * (1 - frac) / frac);
			progress_add(l, &n, cap, ", ETA %s", t);
		}
	}
	if (end)
		progress_add(l, &n, cap, ", in %.1f s", took > 0 ? took : 0);
	if (p->mode == PROGRESS_MODE_PLAIN)
		fprintf(p->out, "%s\n", l);
	else {
		fprintf(p->out, "\r%s\033[K", l);
		p->drawn = true;
	}
	fflush(p->out);
}
