#include "outputs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileid.h"
#include "util/xalloc.h"

int
outputs_check(const char *input, const struct outputs_name *o, size_t n,
    struct diag *d)
{
	struct fileid *id = xcalloc(n + 1, sizeof(*id));
	bool stdin_input = input == NULL || strcmp(input, "-") == 0;
	int rc = -1;

	/* id[0]: the input; id[i + 1]: output i */
	if (!stdin_input && fileid_get(input, &id[0], d) != 0) {
		d->code = DIAG_INPUT;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (o[i].path == NULL)
			continue;
		if (fileid_get(o[i].path, &id[i + 1], d) != 0) {
			d->code = DIAG_OUTPUT;	/* as a failed write would */
			goto done;
		}
		if (!stdin_input && fileid_same(&id[0], &id[i + 1])) {
			diag_set(d, DIAG_USAGE, "%s %s is the input file %s: "
			    "refusing to write over it", o[i].what, o[i].path,
			    input);
			goto done;
		}
		for (size_t k = 0; k < i; k++)
			if (o[k].path != NULL &&
			    fileid_same(&id[k + 1], &id[i + 1])) {
				diag_set(d, DIAG_USAGE, "%s %s and %s %s are "
				    "the same file", o[k].what, o[k].path,
				    o[i].what, o[i].path);
				goto done;
			}
	}
	rc = 0;
done:
	for (size_t i = 0; i <= n; i++)
		fileid_free(&id[i]);
	free(id);
	return rc;
}

void
outputs_abort(struct csvwrite **w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		csvwrite_abort(w[i]);
		w[i] = NULL;
	}
}

/* outputs_backup - name for a hard link to an old file while renaming. */
static char *
outputs_backup(const char *path)
{
	size_t n = strlen(path) + 48;
	char *b = xmalloc(n);

	snprintf(b, n, "%s.listscrub-old-%ld", path, (long)getpid());
	return b;
}

int
outputs_commit(struct csvwrite **w, size_t n, struct diag *d)
{
	char **path = xcalloc(n, sizeof(*path));
	char **old = xcalloc(n, sizeof(*old));	/* hard link to the old file */
	struct stat st;
	size_t done = 0;
	int rc = -1;

	/* 1. every file complete on disk before any name changes */
	for (size_t i = 0; i < n; i++)
		if (w[i] != NULL && csvwrite_finish(w[i], d) != 0)
			goto fail;
	/* 2. a name we cannot rename onto fails here, not half-way */
	for (size_t i = 0; i < n; i++) {
		if (w[i] == NULL)
			continue;
		path[i] = xstrdup(csvwrite_path(w[i]));
		if (lstat(path[i], &st) != 0)
			continue;	/* a new file: nothing to keep */
		if (S_ISDIR(st.st_mode)) {
			diag_set(d, DIAG_OUTPUT, "%s: cannot write: it is a "
			    "directory", path[i]);
			goto fail;
		}
		old[i] = outputs_backup(path[i]);
		(void)unlink(old[i]);
		if (link(path[i], old[i]) != 0) {
			/* no hard links here: the old file cannot come back */
			free(old[i]);
			old[i] = NULL;
		}
	}
	/* 3. the renames */
	for (done = 0; done < n; done++) {
		if (w[done] == NULL)
			continue;
		if (csvwrite_commit(w[done], d) != 0) {
			w[done] = NULL;	/* freed by csvwrite_commit */
			goto rollback;
		}
		w[done] = NULL;
	}
	rc = 0;
	goto cleanup;
rollback:
	for (size_t i = 0; i < done; i++) {
		if (path[i] == NULL)
			continue;
		if (old[i] != NULL ? rename(old[i], path[i]) != 0 :
		    unlink(path[i]) != 0) {
			size_t k = strlen(d->msg);

			snprintf(d->msg + k, sizeof(d->msg) - k, "; and %s "
			    "could not be put back (%s)%s%s", path[i],
			    strerror(errno), old[i] ? ": the old file is " : "",
			    old[i] ? old[i] : "");
		}
		/* put back, or kept under its backup name: never removed */
		free(old[i]);
		old[i] = NULL;
	}
fail:
	outputs_abort(w, n);
cleanup:
	for (size_t i = 0; i < n; i++) {
		if (old[i] != NULL)
			(void)unlink(old[i]);
		free(old[i]);
		free(path[i]);
	}
	free(old);
	free(path);
	return rc;
}
