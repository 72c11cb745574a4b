/*
 * rowflow - the rows of one reading of the input on three threads: a
 * reader parses the records and checks each one's address (the caller's
 * prepare function), the caller's thread judges them in order, and a
 * writer formats them into the output set (outset_row). Batches of rows
 * go round between the three. The files hold the bytes one thread doing
 * all of it would write (validator/README, "Offline speed").
 *
 * While a flow runs, the reader is the only user of the csvread and of
 * whatever prepare touches, and the writer the only user of the output
 * set; rowflow_finish and rowflow_abort give them back.
 */
#ifndef LISTSCRUB_ROWFLOW_H
#define LISTSCRUB_ROWFLOW_H

#include <stdint.h>

#include "address/addr_check.h"
#include "csv/csvread.h"
#include "csv/row_write.h"
#include "outset.h"
#include "util/diag.h"

/*
 * What the reader does with each record after parsing it: fill ar (a
 * result of the flow's own, reused). 0, or -1 with d, which ends the
 * flow there as a read error would.
 */
typedef int (*rowflow_prepare_fn)(void *arg, const struct csvrow *row,
    struct addr_result *ar, struct diag *d);

struct rowflow;

/*
 * rowflow_start - read the rest of in, prepared by prepare(arg, ...),
 * and write the judged rows to s with ctx c (copied; its checked_at
 * replaced per row). c->run_at must stay as it is while the flow runs:
 * a row given that same pointer as its time is written with it, not a
 * copy.
 * NULL with d when a thread cannot be made.
 */
struct rowflow *rowflow_start(struct csvread *in, rowflow_prepare_fn prepare,
    void *arg, struct outset *s, const struct row_write_ctx *c,
    struct diag *d);

/*
 * rowflow_next - the next record and its address, valid until the next
 * call; *bytes: the input read up to it (progress). 1; 0 at the end;
 * -1 with d on a read or prepare error (after every row before it), or
 * when a signal was caught while waiting (d then DIAG_INTERRUPT).
 */
int rowflow_next(struct rowflow *f, const struct csvrow **row,
    const struct addr_result **ar, uint64_t *bytes, struct diag *d);

/*
 * rowflow_peek - the address of the record n places after the one
 * rowflow_next gave last, while it is in the same batch; else NULL. For
 * prefetching: the judging thread's tables are too big for the caches.
 */
const struct addr_result *rowflow_peek(const struct rowflow *f, size_t n);

/*
 * rowflow_emit - the verdict on the record rowflow_next gave last: k for
 * file `file`. Call it once for every record, before the next. The
 * strings k's mx, provider and smtp point to, and the static names
 * verdicts and k->checked use, must outlive the flow; k->email may point
 * into the record's address; the rest is copied. 0, or -1 with d when
 * writing failed (on an earlier row; d names the file as outset_row does).
 */
int rowflow_emit(struct rowflow *f, enum outset_file file,
    const struct row_write_cols *k, const char *checked_at, struct diag *d);

/*
 * rowflow_finish - after rowflow_next said 0: wait until every row is
 * written, stop the threads, free f. *guarded: rows with an original
 * cell neutralized. 0, or -1 with d as rowflow_emit.
 */
int rowflow_finish(struct rowflow *f, uint64_t *guarded, struct diag *d);

/* rowflow_abort - stop the threads, leaving rows unwritten; free f.
 * NULL is fine. */
void rowflow_abort(struct rowflow *f);

#endif
