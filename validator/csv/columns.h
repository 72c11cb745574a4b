/*
 * columns - the verdict columns a run appends: their names (defined here,
 * once; new ones are only ever added at the end) and the selection a run
 * writes (--columns). A selection is a list of names and named sets:
 * "all" (the default: every column, previous_status and changed only
 * when the run compares with earlier statuses; provider is written after
 * tls, before those two) and "minimal" (status,
 * sub_status, action, reason). Names are given without the prefix.
 */
#ifndef LISTSCRUB_COLUMNS_H
#define LISTSCRUB_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

enum column {
	COL_ROW, COL_EMAIL, COL_STATUS, COL_SUB_STATUS, COL_ACTION,
	COL_REASON, COL_DID_YOU_MEAN, COL_ROLE, COL_DISPOSABLE, COL_FREE,
	COL_CHECKED, COL_CHECKED_AT, COL_DUPLICATE_OF, COL_MX, COL_CATCH_ALL,
	COL_SMTP_CODE, COL_SMTP_ENHANCED, COL_SMTP_RESPONSE, COL_TLS,
	COL_PREVIOUS_STATUS, COL_CHANGED, COL_PROVIDER,
	COL_LAST
};

struct columns {
	enum column id[COL_LAST];	/* in the order written */
	size_t n;
	/* "all" was asked for (or nothing): previous_status and changed
	   follow when the run compares (columns_finish) */
	bool all;
};

/* columns_name - the column's name without prefix ("sub_status"). */
const char *columns_name(enum column c);

/*
 * columns_lookup - which column the len bytes at s name (ASCII letters in
 * any case); COL_LAST for none.
 */
enum column columns_lookup(const char *s, size_t len);

/*
 * columns_parse - the selection spec (NULL or "" means "all"): names and
 * sets separated by commas, spaces around them ignored; a column named
 * twice is written once, where first named. -1 with d (DIAG_USAGE) for
 * an unknown name, listing the known ones.
 */
int columns_parse(const char *spec, struct columns *c, struct diag *d);

/*
 * columns_finish - the selection as written by a run: with "all",
 * previous_status and changed are added when changes is true.
 */
void columns_finish(struct columns *c, bool changes);

/* columns_find - the position of column id in c, or -1. */
long columns_find(const struct columns *c, enum column id);

#endif
