/*
 * pipeline - one scrub run: read the input, find the email column, judge
 * every row (syntax, IDN, duplicates, list flags) and write each row to
 * exactly one output. Rows are streamed; memory grows with unique
 * addresses and domains only.
 *
 * Offline, every verdict is known when its row is read, so reading and
 * writing are one pass. Network stages (DNS, SMTP) will run between a
 * collecting pass and a writing pass over the same per-address and
 * per-domain tables (dedupe, domtab).
 */
#ifndef LISTSCRUB_PIPELINE_H
#define LISTSCRUB_PIPELINE_H

#include "diag.h"
#include "options.h"
#include "report.h"

/*
 * pipeline_run - the whole run. Outputs appear under their final names
 * only if the run succeeds. -1 with d filled: DIAG_USAGE/DIAG_INPUT for
 * the user's input (exit 2), others for the environment (exit 1).
 */
int pipeline_run(const struct options *o, struct report *rep, struct diag *d);

#endif
