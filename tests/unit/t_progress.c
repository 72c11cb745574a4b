/*
 * t_progress - the progress line: which mode, plain lines (no '\r', no
 * escape, each ended by '\n'), terminal redraws and their erasing, rate
 * limits, percent and ETA arithmetic, unknown and zero totals. A test
 * clock drives the time; the output goes to a memory stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/progress.h"
#include "tap.h"

static double fake_now;
static int clock_calls;

static double
fake_clock(void)
{
	clock_calls++;
	return fake_now;
}

/* A progress on a fresh memory stream, its clock at 0. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
	struct progress p;
};

static void
cap_open(struct cap *c, enum progress_mode mode)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (c->f == NULL) {
		printf("Bail out! open_memstream failed\n");
		exit(1);
	}
	progress_init(&c->p, mode, c->f);
	c->p.clock = fake_clock;
	fake_now = 0;
	clock_calls = 0;
}

/* cap_text - what was written so far (stays valid until the next call). */
static const char *
cap_text(struct cap *c)
{
	fflush(c->f);
	return c->len > 0 ? c->buf : "";
}

static void
cap_close(struct cap *c)
{
	fclose(c->f);
	free(c->buf);
}

/* at - tick at time t. */
static void
at(struct cap *c, double t, uint64_t count, uint64_t part)
{
	fake_now = t;
	progress_tick(&c->p, count, part);
}

static size_t
count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* plain_ok - no '\r', no ESC, not empty, and ends with '\n'. */
static int
plain_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strchr(s, '\r') == NULL && strchr(s, '\033') == NULL &&
	    s[n - 1] == '\n';
}

static void
test_mode(void)
{
	is_int(progress_mode_for(true, false, true), PROGRESS_MODE_TERMINAL,
	    "--progress on a terminal: redrawn");
	is_int(progress_mode_for(true, false, false), PROGRESS_MODE_PLAIN,
	    "--progress into a file: plain lines");
	is_int(progress_mode_for(false, true, true), PROGRESS_MODE_TERMINAL,
	    "default on a terminal: redrawn");
	is_int(progress_mode_for(false, true, false), PROGRESS_MODE_OFF,
	    "default into a file: nothing");
	is_int(progress_mode_for(false, false, true), PROGRESS_MODE_OFF,
	    "--no-progress (or -q) on a terminal: nothing");
}

static void
test_off(void)
{
	struct cap c;

	cap_open(&c, PROGRESS_MODE_OFF);
	progress_begin(&c.p, "DNS", "domains", 10);
	at(&c, 10, 5, 5);
	progress_end(&c.p);
	progress_begin_bytes(&c.p, "pass 1", "rows", 100);
	at(&c, 20, 5000, 50);
	progress_end(&c.p);
	is_str(cap_text(&c), "", "mode off: nothing written");
	is_int(clock_calls, 0, "mode off: the clock is never read");
	cap_close(&c);

	progress_begin(NULL, "DNS", "domains", 10);
	progress_tick(NULL, 1, 1);
	progress_end(NULL);
	ok(1, "a NULL progress is a no-op");
}

static void
test_plain(void)
{
	struct cap c;
	const char *s;

	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin(&c.p, "DNS", "domains", 1000);
	for (int i = 1; i < 50; i++)
		at(&c, i / 10.0, (uint64_t)i * 10, (uint64_t)i * 10);
	is_str(cap_text(&c), "", "plain: nothing in the first 5 s");
	at(&c, 5.0, 500, 500);
	is_str(cap_text(&c), "listscrub: DNS: 500/1000 domains, "
	    "100 domains/s, 50%, ETA 0:05\n",
	    "plain: at 5 s one line, count/total, rate, percent, ETA");
	at(&c, 6.0, 600, 600);
	at(&c, 9.9, 990, 990);
	is_int(count_char(cap_text(&c), '\n'), 1,
	    "plain: no second line within 5 s of the first");
	at(&c, 10.0, 999, 999);
	ok(strstr(cap_text(&c), "999/1000 domains, 100 domains/s, 99%, "
	    "ETA 0:00\n") != NULL, "plain: 99.9%% is shown as 99%%");
	fake_now = 12.5;
	progress_end(&c.p);
	s = cap_text(&c);
	ok(strstr(s, "listscrub: DNS: 999/1000 domains, 80 domains/s, 99%, "
	    "in 12.5 s\n") != NULL, "plain: the end writes a final line");
	is_int(count_char(s, '\n'), 3, "plain: three lines in all");
	ok(plain_ok(s), "plain: no \\r, no escape, ends with a newline");
	progress_end(&c.p);
	is_int(count_char(cap_text(&c), '\n'), 3,
	    "plain: a second end writes nothing");
	cap_close(&c);
}

static void
test_terminal(void)
{
	struct cap c;
	const char *s;
	size_t n;

	cap_open(&c, PROGRESS_MODE_TERMINAL);
	progress_begin(&c.p, "SMTP", "addresses", 40);
	at(&c, 0.1, 1, 1);
	is_str(cap_text(&c), "", "terminal: nothing in the first 0.2 s");
	at(&c, 0.2, 2, 2);
	is_str(cap_text(&c), "\rlistscrub: SMTP: 2/40 addresses, "
	    "10 addresses/s, 5%, ETA 0:04\033[K",
	    "terminal: redrawn in place, the rest of the line erased");
	at(&c, 0.3, 3, 3);
	is_int(count_char(cap_text(&c), '\r'), 1,
	    "terminal: at most one redraw per 0.2 s");
	at(&c, 0.45, 4, 4);
	is_int(count_char(cap_text(&c), '\r'), 2,
	    "terminal: redrawn again 0.2 s later");
	at(&c, 0.5, 4, 4);
	progress_end(&c.p);
	s = cap_text(&c);
	n = strlen(s);
	ok(n >= 4 && strcmp(s + n - 4, "\r\033[K") == 0,
	    "terminal: the end erases the line");
	is_int(count_char(s, '\n'), 0, "terminal: no newline ever");
	cap_close(&c);

	cap_open(&c, PROGRESS_MODE_TERMINAL);
	progress_begin(&c.p, "DNS", "domains", 3);
	at(&c, 0.05, 3, 3);
	progress_end(&c.p);
	is_str(cap_text(&c), "",
	    "terminal: a stage shorter than a redraw leaves nothing");
	cap_close(&c);
}

static void
test_bytes(void)
{
	struct cap c;

	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin_bytes(&c.p, "pass 1", "rows", 1000000);
	clock_calls = 0;
	for (uint64_t r = 1; r < 4096; r++)
		at(&c, 6.0, r, r * 10);
	is_int(clock_calls, 0, "rows: the clock is not read per row");
	at(&c, 1.0, 4096, 40960);
	is_int(clock_calls, 1, "rows: it is read every few thousand rows");
	at(&c, 2.0, 8192, 250000);
	is_str(cap_text(&c), "", "rows: nothing before 5 s");
	at(&c, 5.0, 20480, 250000);
	is_str(cap_text(&c), "listscrub: pass 1: 20480 rows, 4096 rows/s, "
	    "25%, ETA 0:15\n",
	    "rows: counted in rows, percent and ETA from the bytes");
	cap_close(&c);

	/* a pipe: size unknown */
	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin_bytes(&c.p, "pass 2", "rows", 0);
	at(&c, 8.0, 8192, 123456);
	is_str(cap_text(&c), "listscrub: pass 2: 8192 rows, 1024 rows/s\n",
	    "rows, size unknown: no percent, no ETA");
	cap_close(&c);
}

static void
test_arithmetic(void)
{
	struct cap c;
	const char *s;

	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin(&c.p, "SMTP", "addresses", 1000);
	at(&c, 100, 10, 10);
	is_str(cap_text(&c), "listscrub: SMTP: 10/1000 addresses, "
	    "0.1 addresses/s, 1%, ETA 2:45:00\n",
	    "ETA of 9900 s is 2:45:00; a slow rate has a decimal");
	at(&c, 200, 1000, 5000);
	ok(strstr(cap_text(&c), "1000/1000 addresses, 5.0 addresses/s, "
	    "100%\n") != NULL, "done beyond the total: 100%%, no ETA");
	cap_close(&c);

	/* zero totals: no division, no nan, no inf */
	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin(&c.p, "DNS", "domains", 0);
	at(&c, 5, 0, 0);
	fake_now = 5;
	progress_end(&c.p);
	s = cap_text(&c);
	is_str(s, "listscrub: DNS: 0 domains, 0.0 domains/s\n"
	    "listscrub: DNS: 0 domains, 0.0 domains/s, in 5.0 s\n",
	    "zero total: counts and rate only");
	ok(strstr(s, "nan") == NULL && strstr(s, "inf") == NULL,
	    "zero total: no nan, no inf");
	cap_close(&c);

	/* a stage that ends at once */
	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin(&c.p, "SMTP", "addresses", 0);
	progress_end(&c.p);
	is_str(cap_text(&c), "listscrub: SMTP: 0 addresses, in 0.0 s\n",
	    "no time passed: no rate");
	cap_close(&c);

	/* a new stage ends the one still begun */
	cap_open(&c, PROGRESS_MODE_PLAIN);
	progress_begin_bytes(&c.p, "pass 1", "rows", 100);
	fake_now = 2;
	progress_tick(&c.p, 10, 100);
	progress_begin(&c.p, "DNS", "domains", 4);
	fake_now = 3;
	progress_end(&c.p);
	is_str(cap_text(&c), "listscrub: pass 1: 10 rows, 5.0 rows/s, 100%, "
	    "in 2.0 s\nlistscrub: DNS: 0/4 domains, 0.0 domains/s, 0%, "
	    "in 1.0 s\n", "begin ends the stage before, with its counts");
	cap_close(&c);
}

int
main(void)
{
	test_mode();
	test_off();
	test_plain();
	test_terminal();
	test_bytes();
	test_arithmetic();
	return done_testing();
}
