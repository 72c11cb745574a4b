/*
 * pipeline - one scrub run: read the input, find the email column, judge
 * every row (syntax, IDN, duplicates, list flags) and write each row to
 * exactly one output. Rows are streamed; memory grows with unique
 * addresses and domains only.
 *
 * Offline, every verdict is known when its row is read, so reading and
 * writing are one pass. Otherwise pass 1 collects the unique domains
 * (and, with --probe, the unique addresses), the DNS stage and the SMTP
 * stage fill the per-domain and per-address tables (domains, probe_targets) on
 * one event loop, and pass 2 re-reads the input and writes the outputs.
 */
#ifndef LISTSCRUB_PIPELINE_H
#define LISTSCRUB_PIPELINE_H

#include "util/diag.h"
#include "options.h"
#include "report/report.h"

/*
 * pipeline_run - the whole run. Outputs appear under their final names
 * only if the run succeeds. -1 with d filled: DIAG_USAGE/DIAG_INPUT for
 * the user's input (exit 2), others for the environment (exit 1).
 */
int pipeline_run(const struct options *o, struct report *rep, struct diag *d);

/*
 * pipeline_lists_default - the data tables' directory when no --lists-dir
 * is given: $LISTSCRUB_LISTS, else the installed one, else the source
 * tree's lists/.
 */
const char *pipeline_lists_default(void);

#endif
