/*
 * rowflow - the rows of one reading on three threads. See rowflow.h.
 *
 * A batch goes round: free -> the reader fills it with records (bytes in
 * one arena, by offset, since the arena may grow while it fills) -> the
 * judging thread takes it, sets the pointers, judges every row and notes
 * each verdict beside it -> the writer writes it and frees it. Each
 * queue is first in, first out, so the rows keep their order.
 */
#include "rowflow.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv/row_copy.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

#define NBATCH		6
#define BATCH_ROWS	1024
#define BATCH_BYTES	(256 * 1024)	/* a fuller arena ends the batch */
#define NONE		SIZE_MAX	/* the offset of a NULL string */

/* The verdict on one row, as the judging thread noted it. */
struct job {
	enum outset_file f;
	struct row_write_cols k;	/* its strings set again by the writer */
	enum verdict_sub sub;
	enum verdict_status status;
	enum verdict_action action;
	bool flags_known;
	const char *reason;		/* static, or NULL: reason_off */
	/* in the batch's notes; at_off NONE: the run's start (ctx.run_at) */
	size_t reason_off, dym_off, at_off;
};

struct batch {
	/* the reader's */
	size_t n;
	struct csvrow *rows;		/* pointers set by the judging thread */
	struct addr_result *ars;	/* norm.data set by the judging thread */
	size_t *raw_off, *norm_off, *field0;
	uint64_t *bytes;
	struct row_copy **big;		/* truncated rows, whole; else NULL */
	char *arena;
	size_t used, cap;
	size_t *foff, *flen;		/* every row's fields, in turn */
	const char **fptr;
	size_t nf, fcap;
	int end;			/* 1: input ends after it; -1: err */
	struct diag err;
	/* the judging thread's */
	struct job *jobs;
	char *notes;
	size_t nused, ncap;
};

/* A first-in first-out queue of batches. */
struct bq {
	struct batch *b[NBATCH];
	size_t head, len;
};

struct rowflow {
	struct csvread *in;
	rowflow_prepare_fn prepare;
	void *arg;
	struct addr_result ar;		/* the reader's */
	struct outset *out;
	struct row_write_ctx ctx;	/* the writer's */
	pthread_t reader, writer;
	bool have_reader, have_writer;
	pthread_mutex_t mu;
	pthread_cond_t to_reader, to_judge, to_writer, written;
	struct batch batch[NBATCH];
	struct bq spare, full, judged;
	bool writing;			/* the writer holds a batch */
	bool stop;
	atomic_bool quit;		/* stop, for the reader between rows */
	atomic_bool failed;		/* the writer failed: werr says why */
	struct diag werr;
	uint64_t guarded;
	/* the judging thread's */
	struct batch *cur;
	size_t pos;			/* rows of cur given out */
	int end;			/* 0; 1 at the end; -1: err */
	struct diag err;
};

static void bq_push(struct bq *q, struct batch *b);
static struct batch *bq_pop(struct bq *q);
static size_t rowflow_str(char **a, size_t *used, size_t *cap,
    const char *s, size_t n);
static void rowflow_fields(struct batch *b, const struct csvrow *row,
    size_t raw_off);
static int rowflow_fill(struct rowflow *f, struct batch *b);
static void *rowflow_reader(void *arg);
static void rowflow_view(struct batch *b);
static int rowflow_write(struct rowflow *f, struct batch *b);
static void *rowflow_writer(void *arg);
static void rowflow_reset(struct batch *b);
static void rowflow_free(struct rowflow *f);

static void
bq_push(struct bq *q, struct batch *b)
{
	q->b[(q->head + q->len) % NBATCH] = b;
	q->len++;
}

static struct batch *
bq_pop(struct bq *q)
{
	struct batch *b;

	if (q->len == 0)
		return NULL;
	b = q->b[q->head];
	q->head = (q->head + 1) % NBATCH;
	q->len--;
	return b;
}

/* rowflow_str - n bytes of s and a NUL at the end of arena *a; the offset. */
static size_t
rowflow_str(char **a, size_t *used, size_t *cap, const char *s, size_t n)
{
	size_t off = *used;

	if (*cap - *used < n + 1) {
		size_t c = *cap ? *cap : BATCH_BYTES;

		while (c - *used < n + 1)
			c *= 2;
		*a = xreallocarray(*a, c, 1);
		*cap = c;
	}
	if (n > 0)
		memcpy(*a + off, s, n);
	(*a)[off + n] = '\0';
	*used += n + 1;
	return off;
}

/*
 * rowflow_fields - row's fields in b's arena, its raw bytes at raw_off
 * already. Fields that lie one after the other, one byte apart (as
 * csvread splits them), and span as many bytes as the record are its
 * raw bytes between the delimiters (a record without a quote: nothing
 * was taken out), so they are found there, not copied: what reads them
 * after the flow goes by their lengths, not a NUL. Other fields that
 * lie one after the other are copied in one piece, each with its NUL,
 * the rest one at a time.
 */
static void
rowflow_fields(struct batch *b, const struct csvrow *row, size_t raw_off)
{
	const char *next;
	size_t base;

	if (row->nfields == 0)
		return;
	next = row->field[0];
	for (size_t i = 0; i < row->nfields && next != NULL; i++)
		next = row->field[i] == next ?
		    row->field[i] + row->field_len[i] + 1 : NULL;
	if (next != NULL &&
	    (size_t)(next - row->field[0]) - 1 == row->raw_len) {
		for (size_t i = 0; i < row->nfields; i++) {
			b->foff[b->nf] = raw_off +
			    (size_t)(row->field[i] - row->field[0]);
			b->flen[b->nf++] = row->field_len[i];
		}
		return;
	}
	if (next != NULL) {
		/* the last field's NUL is rowflow_str's */
		base = rowflow_str(&b->arena, &b->used, &b->cap,
		    row->field[0], (size_t)(next - row->field[0]) - 1);
		for (size_t i = 0; i < row->nfields; i++) {
			b->foff[b->nf] = base +
			    (size_t)(row->field[i] - row->field[0]);
			b->flen[b->nf++] = row->field_len[i];
		}
		return;
	}
	for (size_t i = 0; i < row->nfields; i++) {
		b->foff[b->nf] = rowflow_str(&b->arena, &b->used, &b->cap,
		    row->field[i], row->field_len[i]);
		b->flen[b->nf++] = row->field_len[i];
	}
}

/*
 * rowflow_fill - records into b until it is full or the input ends; 0
 * early when the flow stops (the input is a file: a pipe was copied to
 * one before, so no read waits for long).
 */
static int
rowflow_fill(struct rowflow *f, struct batch *b)
{
	while (b->n < BATCH_ROWS && b->used < BATCH_BYTES &&
	    !atomic_load_explicit(&f->quit, memory_order_relaxed)) {
		struct csvrow row, *v = &b->rows[b->n];
		struct addr_result *ar = &b->ars[b->n];
		int got = csvread_next(f->in, &row, &b->err);

		if (got == 0)
			return 1;
		if (got < 0)
			return -1;
		b->big[b->n] = NULL;
		if (row.truncated) {
			/* its tail is read now, before the next record */
			b->big[b->n] = xcalloc(1, sizeof(**b->big));
			row_copy_set(b->big[b->n], &row);
		}
		if (f->prepare(f->arg, b->big[b->n] ? &b->big[b->n]->row :
		    &row, &f->ar, &b->err) != 0) {
			if (b->big[b->n] != NULL) {
				row_copy_free(b->big[b->n]);
				free(b->big[b->n]);
				b->big[b->n] = NULL;
			}
			return -1;
		}
		/* the scalars now, the pointers when the batch is judged */
		v->raw_len = row.raw_len;
		v->nfields = row.nfields;
		v->line = row.line;
		v->lines = row.lines;
		v->malformed = row.malformed;
		v->truncated = row.truncated;
		v->offset = row.offset;
		v->tail = NULL;
		v->tail_arg = NULL;
		if (row.malformed)
			memcpy(v->why, row.why, sizeof(v->why));
		else
			v->why[0] = '\0';
		if (b->big[b->n] == NULL) {
			b->raw_off[b->n] = rowflow_str(&b->arena, &b->used,
			    &b->cap, row.raw, row.raw_len);
			if (b->nf + row.nfields > b->fcap) {
				size_t cap = b->fcap ? b->fcap : BATCH_ROWS * 8;

				while (cap < b->nf + row.nfields)
					cap *= 2;
				b->foff = xreallocarray(b->foff, cap,
				    sizeof(*b->foff));
				b->flen = xreallocarray(b->flen, cap,
				    sizeof(*b->flen));
				b->fptr = xreallocarray(b->fptr, cap,
				    sizeof(*b->fptr));
				b->fcap = cap;
			}
			b->field0[b->n] = b->nf;
			rowflow_fields(b, &row, b->raw_off[b->n]);
		}
		*ar = f->ar;
		ar->norm.cap = 0;
		ar->norm.data = NULL;
		b->norm_off[b->n] = f->ar.norm.data == NULL ? NONE :
		    rowflow_str(&b->arena, &b->used, &b->cap, f->ar.norm.data,
		    f->ar.norm.len);
		b->bytes[b->n] = csvread_bytes(f->in);
		b->n++;
	}
	return 0;
}

static void *
rowflow_reader(void *arg)
{
	struct rowflow *f = arg;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct batch *b;
		int end;

		while (f->spare.len == 0 && !f->stop)
			pthread_cond_wait(&f->to_reader, &f->mu);
		if (f->stop)
			break;
		b = bq_pop(&f->spare);
		pthread_mutex_unlock(&f->mu);
		end = rowflow_fill(f, b);
		pthread_mutex_lock(&f->mu);
		b->end = end;
		bq_push(&f->full, b);
		pthread_cond_signal(&f->to_judge);
		if (end != 0)
			break;
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* rowflow_view - the pointers of b's rows, now that its arena is still. */
static void
rowflow_view(struct batch *b)
{
	for (size_t i = 0; i < b->nf; i++)
		b->fptr[i] = b->arena + b->foff[i];
	for (size_t i = 0; i < b->n; i++) {
		struct csvrow *v = &b->rows[i];

		if (b->big[i] != NULL)
			*v = b->big[i]->row;
		else {
			v->raw = b->arena + b->raw_off[i];
			v->field = b->fptr + b->field0[i];
			v->field_len = b->flen + b->field0[i];
		}
		b->ars[i].norm.data = b->norm_off[i] == NONE ? NULL :
		    b->arena + b->norm_off[i];
	}
}

/* rowflow_write - every row of b into the output set. */
static int
rowflow_write(struct rowflow *f, struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct job *j = &b->jobs[i];
		struct verdict v;
		bool guarded;

		v.sub = j->sub;
		v.status = j->status;
		v.action = j->action;
		v.flags_known = j->flags_known;
		v.reason = j->reason;
		if (v.reason == NULL) {
			/* made for the row: in its own buffer again, so that
			 * row_write sees it is not a static string */
			snprintf(v.reason_buf, sizeof(v.reason_buf), "%s",
			    b->notes + j->reason_off);
			v.reason = v.reason_buf;
		}
		j->k.v = &v;
		j->k.did_you_mean = j->dym_off == NONE ? NULL :
		    b->notes + j->dym_off;
		f->ctx.checked_at = j->at_off == NONE ? f->ctx.run_at :
		    b->notes + j->at_off;
		if (outset_row(f->out, j->f, &f->ctx, &b->rows[i], &j->k,
		    &guarded, &f->werr) != 0)
			return -1;
		f->guarded += guarded;
	}
	return 0;
}

/* rowflow_reset - b emptied, for the reader again. */
static void
rowflow_reset(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->big[i] != NULL) {
			row_copy_free(b->big[i]);
			free(b->big[i]);
			b->big[i] = NULL;
		}
	b->n = b->used = b->nf = b->nused = 0;
	b->end = 0;
}

static void *
rowflow_writer(void *arg)
{
	struct rowflow *f = arg;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct batch *b;
		bool skip;

		while (f->judged.len == 0 && !f->stop)
			pthread_cond_wait(&f->to_writer, &f->mu);
		if ((b = bq_pop(&f->judged)) == NULL)
			break;
		f->writing = true;
		skip = f->stop || atomic_load(&f->failed);
		pthread_mutex_unlock(&f->mu);
		/* after a failure nothing more is written: the run fails */
		if (!skip && rowflow_write(f, b) != 0)
			atomic_store(&f->failed, true);
		pthread_mutex_lock(&f->mu);
		rowflow_reset(b);
		bq_push(&f->spare, b);
		f->writing = false;
		pthread_cond_signal(&f->to_reader);
		pthread_cond_signal(&f->written);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* rowflow_free - what start made; the threads are gone. */
static void
rowflow_free(struct rowflow *f)
{
	for (size_t i = 0; i < NBATCH; i++) {
		struct batch *b = &f->batch[i];

		rowflow_reset(b);
		free(b->rows);
		free(b->ars);
		free(b->raw_off);
		free(b->norm_off);
		free(b->field0);
		free(b->bytes);
		free(b->big);
		free(b->arena);
		free(b->foff);
		free(b->flen);
		free(b->fptr);
		free(b->jobs);
		free(b->notes);
	}
	addr_result_free(&f->ar);
	row_write_memo_free(f->ctx.memo);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->to_reader);
	pthread_cond_destroy(&f->to_judge);
	pthread_cond_destroy(&f->to_writer);
	pthread_cond_destroy(&f->written);
	free(f);
}

struct rowflow *
rowflow_start(struct csvread *in, rowflow_prepare_fn prepare, void *arg,
    struct outset *s, const struct row_write_ctx *c, struct diag *d)
{
	struct rowflow *f = xcalloc(1, sizeof(*f));
	sigset_t all, old;
	int rc;

	f->in = in;
	f->prepare = prepare;
	f->arg = arg;
	f->out = s;
	f->ctx = *c;
	f->ctx.memo = row_write_memo_new();
	addr_result_init(&f->ar);
	atomic_init(&f->failed, false);
	atomic_init(&f->quit, false);
	for (size_t i = 0; i < NBATCH; i++) {
		struct batch *b = &f->batch[i];

		b->rows = xcalloc(BATCH_ROWS, sizeof(*b->rows));
		b->ars = xcalloc(BATCH_ROWS, sizeof(*b->ars));
		b->raw_off = xcalloc(BATCH_ROWS, sizeof(*b->raw_off));
		b->norm_off = xcalloc(BATCH_ROWS, sizeof(*b->norm_off));
		b->field0 = xcalloc(BATCH_ROWS, sizeof(*b->field0));
		b->bytes = xcalloc(BATCH_ROWS, sizeof(*b->bytes));
		b->big = xcalloc(BATCH_ROWS, sizeof(*b->big));
		b->jobs = xcalloc(BATCH_ROWS, sizeof(*b->jobs));
		bq_push(&f->spare, b);
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->to_reader, NULL);
	pthread_cond_init(&f->to_judge, NULL);
	pthread_cond_init(&f->to_writer, NULL);
	pthread_cond_init(&f->written, NULL);
	/* signals stay with the judging thread, which checks for them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&f->writer, NULL, rowflow_writer, f);
	f->have_writer = rc == 0;
	if (rc == 0) {
		rc = pthread_create(&f->reader, NULL, rowflow_reader, f);
		f->have_reader = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		diag_set(d, DIAG_INTERNAL, "cannot start a thread: %s",
		    strerror(rc));
		rowflow_abort(f);
		return NULL;
	}
	return f;
}

int
rowflow_next(struct rowflow *f, const struct csvrow **row,
    const struct addr_result **ar, uint64_t *bytes, struct diag *d)
{
	struct batch *b = f->cur;

	if (b != NULL && f->pos == b->n) {
		/* every row judged: to the writer */
		pthread_mutex_lock(&f->mu);
		f->end = b->end;
		if (b->end < 0)
			f->err = b->err;
		bq_push(&f->judged, b);
		pthread_cond_signal(&f->to_writer);
		pthread_mutex_unlock(&f->mu);
		f->cur = b = NULL;
	}
	if (b == NULL) {
		if (f->end > 0)
			return 0;
		if (f->end < 0) {
			*d = f->err;
			return -1;
		}
		pthread_mutex_lock(&f->mu);
		while (f->full.len == 0) {
			struct timespec t;

			/* a signal does not end a wait: look every 0.1 s */
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_nsec += 100 * 1000 * 1000;
			if (t.tv_nsec >= 1000 * 1000 * 1000) {
				t.tv_sec++;
				t.tv_nsec -= 1000 * 1000 * 1000;
			}
			(void)pthread_cond_timedwait(&f->to_judge, &f->mu, &t);
			if (f->full.len == 0 && interrupt_signal() != 0) {
				pthread_mutex_unlock(&f->mu);
				diag_set(d, DIAG_INTERRUPT, "interrupted");
				return -1;
			}
		}
		f->cur = b = bq_pop(&f->full);
		pthread_mutex_unlock(&f->mu);
		f->pos = 0;
		rowflow_view(b);
		/* a batch may end with no row: the end, or an error */
		return rowflow_next(f, row, ar, bytes, d);
	}
	*row = &b->rows[f->pos];
	*ar = &b->ars[f->pos];
	*bytes = b->bytes[f->pos];
	f->pos++;
	return 1;
}

const struct addr_result *
rowflow_peek(const struct rowflow *f, size_t n)
{
	const struct batch *b = f->cur;

	if (b == NULL || f->pos == 0 || f->pos - 1 + n >= b->n)
		return NULL;
	return &b->ars[f->pos - 1 + n];
}

int
rowflow_emit(struct rowflow *f, enum outset_file file,
    const struct row_write_cols *k, const char *checked_at, struct diag *d)
{
	struct batch *b = f->cur;
	struct job *j = &b->jobs[f->pos - 1];

	j->f = file;
	j->k = *k;
	j->sub = k->v->sub;
	j->status = k->v->status;
	j->action = k->v->action;
	j->flags_known = k->v->flags_known;
	/* a reason made for this row is in the verdict's own buffer */
	if (k->v->reason == k->v->reason_buf) {
		j->reason = NULL;
		j->reason_off = rowflow_str(&b->notes, &b->nused, &b->ncap,
		    k->v->reason, strlen(k->v->reason));
	} else
		j->reason = k->v->reason;
	j->dym_off = k->did_you_mean == NULL ? NONE : rowflow_str(&b->notes,
	    &b->nused, &b->ncap, k->did_you_mean, strlen(k->did_you_mean));
	/* most rows: the run's start, the same string for every row */
	j->at_off = checked_at == f->ctx.run_at ? NONE : rowflow_str(&b->notes,
	    &b->nused, &b->ncap, checked_at, strlen(checked_at));
	/* acquire: the writer stored werr before it set failed */
	if (atomic_load(&f->failed)) {
		pthread_mutex_lock(&f->mu);
		*d = f->werr;
		pthread_mutex_unlock(&f->mu);
		return -1;
	}
	return 0;
}

int
rowflow_finish(struct rowflow *f, uint64_t *guarded, struct diag *d)
{
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	while (f->judged.len > 0 || f->writing)
		pthread_cond_wait(&f->written, &f->mu);
	if (atomic_load(&f->failed)) {
		*d = f->werr;
		rc = -1;
	}
	*guarded = f->guarded;
	pthread_mutex_unlock(&f->mu);
	rowflow_abort(f);
	return rc;
}

void
rowflow_abort(struct rowflow *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	atomic_store(&f->quit, true);
	atomic_store(&f->failed, true);
	pthread_cond_broadcast(&f->to_reader);
	pthread_cond_broadcast(&f->to_writer);
	pthread_mutex_unlock(&f->mu);
	if (f->have_reader)
		pthread_join(f->reader, NULL);
	if (f->have_writer)
		pthread_join(f->writer, NULL);
	rowflow_free(f);
}
