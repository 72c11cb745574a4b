/*
 * t_fileid - two spellings of one file are one file: relative and
 * absolute names, "dir/..", a symbolic link (to the file, to its
 * directory), a hard link; files that do not exist yet are compared by
 * their resolved entry. In a private temporary directory.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileid.h"
#include "tap.h"

static char dir[PATH_MAX];

/* at - dir/name in a static buffer (one of two, alternating). */
static const char *
at(const char *name)
{
	static char b[2][PATH_MAX + 64];
	static int k;

	k = !k;
	snprintf(b[k], sizeof(b[k]), "%s/%s", dir, name);
	return b[k];
}

/* same - whether fileid says a and b are one file (-1: an error). */
static int
same(const char *a, const char *b)
{
	struct fileid x, y;
	struct diag d = { 0 };
	int rc;

	if (fileid_get(a, &x, &d) != 0)
		return -1;
	if (fileid_get(b, &y, &d) != 0) {
		fileid_free(&x);
		return -1;
	}
	rc = fileid_same(&x, &y);
	fileid_free(&x);
	fileid_free(&y);
	return rc;
}

int
main(void)
{
	char tmpl[] = "/tmp/t_fileid.XXXXXX";
	char cwd[PATH_MAX];
	struct fileid id;
	struct diag d = { 0 };
	FILE *f;

	if (mkdtemp(tmpl) == NULL || realpath(tmpl, dir) == NULL) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(dir) != 0)
		return 1;
	f = fopen("list.csv", "w");
	if (f == NULL)
		return 1;
	fputs("email\n", f);
	fclose(f);
	if (mkdir("sub", 0700) != 0 || symlink("list.csv", "link.csv") != 0 ||
	    symlink("sub", "sublink") != 0 || link("list.csv", "hard.csv") != 0)
		return 1;

	is_int(same("list.csv", "./list.csv"), 1, "list.csv is ./list.csv");
	is_int(same("list.csv", at("list.csv")), 1,
	    "a relative and an absolute name");
	is_int(same("list.csv", "sub/../list.csv"), 1, "sub/../list.csv");
	is_int(same("list.csv", "link.csv"), 1, "a symbolic link to the file");
	is_int(same("list.csv", "hard.csv"), 1, "a hard link to the file");
	is_int(same("list.csv", "other.csv"), 0,
	    "a file that does not exist is another file");
	is_int(same("new.csv", "./new.csv"), 1,
	    "two spellings of one new file");
	is_int(same("sub/new.csv", "sublink/new.csv"), 1,
	    "a new file through a linked directory");
	is_int(same("sub/new.csv", "new.csv"), 0,
	    "the same name in another directory");
	is_int(same("new.csv", "new.csv.tmp"), 0, "a longer name");
	is_int(same("nodir/x.csv", "x.csv"), -1,
	    "a directory that does not exist is an error");
	ok(fileid_get("nodir/x.csv", &id, &d) == -1 && d.code == DIAG_USAGE &&
	    strstr(d.msg, "nodir/x.csv") != NULL,
	    "the error names the path: %s", d.msg);
	fileid_free(&id);
	ok(fileid_get("sub/", &id, &d) == -1, "a directory is not a file name");
	fileid_free(&id);
	ok(fileid_get(at("list.csv"), &id, &d) == 0 && id.exists &&
	    strcmp(id.entry, at("list.csv")) == 0, "entry is the resolved name");
	fileid_free(&id);

	(void)unlink("list.csv");
	(void)unlink("link.csv");
	(void)unlink("hard.csv");
	(void)unlink("sublink");
	(void)rmdir("sub");
	(void)chdir(cwd);
	(void)rmdir(dir);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
