/*
 * replay - run a fuzz target's entry point over saved inputs, without
 * libFuzzer, so every `make check` replays the corpus (c-ares' idea).
 * Usage: replay [FILE-OR-DIR...]  Prints TAP: one test per input file.
 * Without arguments it replays $srcdir/tests/fuzz/corpus/NAME for each
 * NAME of REPLAY_CORPUS (one name, or several separated by spaces: a
 * variant of a target also replays the corpus of the target it varies).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_n;

/* replay_file - feed one file to the target; a crash fails the test run. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		printf("not ok %d - %s: cannot open\n", ++replay_n, path);
		return 1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (data == NULL)
				abort();
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("ok %d - %s\n", ++replay_n, path);
	return 0;
}

int
main(int argc, char **argv)
{
	int bad = 0;
#ifdef REPLAY_CORPUS
	static char dflt[8][4096];
	static char *dargv[9];
	const char *src = getenv("srcdir");

	if (argc == 1) {
		const char *p = REPLAY_CORPUS;

		dargv[0] = argv[0];
		while (*p != '\0' && argc < 9) {
			size_t n = strcspn(p, " ");

			if (n > 0) {
				snprintf(dflt[argc - 1], sizeof(dflt[0]),
				    "%s/tests/fuzz/corpus/%.*s",
				    src ? src : ".", (int)n, p);
				dargv[argc] = dflt[argc - 1];
				argc++;
			}
			p += n;
			p += strspn(p, " ");
		}
		argv = dargv;
	}
#endif

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			bad |= replay_file(argv[i]);
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			bad |= replay_file(path);
		}
		closedir(d);
	}
	printf("1..%d\n", replay_n);
	return bad;
}
