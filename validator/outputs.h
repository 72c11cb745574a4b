/*
 * outputs - the run's output files as one set (validator/README, "Stages
 * and passes"). Before anything is created, every output is compared
 * with the input and with the others as files, not as strings (util/
 * fileid): "./list.csv", a link to it or a hard link are the same file,
 * and a run that would write over its input or write two outputs to one
 * file is refused. At the end every file is finished (flushed, synced)
 * before any is renamed into place, and when a rename fails the files
 * already renamed are put back, so a failed or interrupted run leaves
 * every old file as it was.
 */
#ifndef LISTSCRUB_OUTPUTS_H
#define LISTSCRUB_OUTPUTS_H

#include <stddef.h>

#include "csv/csvwrite.h"
#include "util/diag.h"

struct outputs_name {
	const char *path;	/* NULL: this output is not written */
	const char *what;	/* how the user named it: "--cleaned (-o)" */
};

/*
 * outputs_check - 0 when input (NULL or "-": standard input) and the n
 * named outputs are all different files; else -1 with d (DIAG_USAGE)
 * naming the two, or naming an output whose directory does not exist.
 * Nothing is created or changed.
 */
int outputs_check(const char *input, const struct outputs_name *o, size_t n,
    struct diag *d);

/*
 * outputs_commit - put the n files of w (NULL entries are skipped) in
 * place as one set, as described above. Frees every w[i] and sets it to
 * NULL in every case. 0, or -1 with d (DIAG_OUTPUT) naming the file that
 * failed; then no old file has changed and no temporary file is left
 * (the one exception, said in d: a rename failed and putting an earlier
 * file back failed too).
 */
int outputs_commit(struct csvwrite **w, size_t n, struct diag *d);

/* outputs_abort - remove every temporary file of w; frees and clears w. */
void outputs_abort(struct csvwrite **w, size_t n);

#endif
