#include "util/fileid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

int
fileid_get(const char *path, struct fileid *id, struct diag *d)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;
	char *dir, *real;
	struct stat st;
	size_t n;

	memset(id, 0, sizeof(*id));
	if (*name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		diag_set(d, DIAG_USAGE, "%s: not a file name", path);
		return -1;
	}
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xmemdup(path, (size_t)(slash - path));
	real = realpath(dir, NULL);
	if (real == NULL) {
		diag_set(d, DIAG_USAGE, "%s: directory %s: %s", path, dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	n = strlen(real) + 1 + strlen(name) + 1;
	id->entry = xmalloc(n);
	/* "/" + name, not "//name", for a file in the root directory */
	(void)snprintf(id->entry, n, "%s/%s", strcmp(real, "/") == 0 ? "" :
	    real, name);
	free(real);
	if (stat(path, &st) == 0) {
		id->exists = true;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
	return 0;
}

bool
fileid_same(const struct fileid *a, const struct fileid *b)
{
	if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino)
		return true;
	return a->entry != NULL && b->entry != NULL &&
	    strcmp(a->entry, b->entry) == 0;
}

void
fileid_free(struct fileid *id)
{
	free(id->entry);
	id->entry = NULL;
}
