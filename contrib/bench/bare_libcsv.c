/*
 * bare_libcsv - the benchmark's baseline: how fast can libcsv alone read
 * a file? Reads FILE in 64 KiB chunks, parses it with libcsv (callbacks
 * that only count), and prints rows, fields, seconds and rows/s. Nothing
 * is copied or checked, so this is the ceiling listscrub is measured
 * against (contrib/bench/offline.sh).
 *
 *   cc -O2 -o bare_libcsv bare_libcsv.c -lcsv
 *   ./bare_libcsv list.csv
 *
 * Output, one line: "rows=N fields=N bytes=N seconds=S rows_per_s=R".
 * Exit status 0, or 1 when the file cannot be read or libcsv fails.
 */
#define _POSIX_C_SOURCE 200809L	/* clock_gettime under -std=c11 */

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK (64 * 1024)

struct counts {
	unsigned long long rows;
	unsigned long long fields;
};

static void
on_field(void *data, size_t len, void *ctx)
{
	struct counts *c = ctx;

	(void)data;
	(void)len;
	c->fields++;
}

static void
on_row(int term, void *ctx)
{
	struct counts *c = ctx;

	(void)term;
	c->rows++;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static char buf[CHUNK];
	struct csv_parser p;
	struct counts c = { 0, 0 };
	unsigned long long bytes = 0;
	size_t n;
	double t0, secs;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (csv_init(&p, 0) != 0) {
		fprintf(stderr, "csv_init failed\n");
		return 1;
	}
	t0 = now();
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		bytes += n;
		if (csv_parse(&p, buf, n, on_field, on_row, &c) != n) {
			fprintf(stderr, "%s: %s\n", argv[1],
			    csv_strerror(csv_error(&p)));
			return 1;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	csv_fini(&p, on_field, on_row, &c);
	secs = now() - t0;
	csv_free(&p);
	fclose(f);
	printf("rows=%llu fields=%llu bytes=%llu seconds=%.3f rows_per_s=%.0f\n",
	    c.rows, c.fields, bytes, secs, secs > 0 ? (double)c.rows / secs : 0.0);
	return 0;
}
