/*
 * listscrub - clean a mailing list exported as CSV: every row goes to the
 * cleaned or the rejected file (or the review file), with its original
 * columns untouched and the verdict columns appended. See listscrub(1).
 * "listscrub explain" says what an SMTP reply or bounce line means.
 */
#include <stdio.h>
#include <string.h>

#include "util/diag.h"
#include "verdict/explain.h"
#include "options.h"
#include "pipeline.h"
#include "report/report.h"

int
main(int argc, char **argv)
{
	struct options o;
	struct report rep;
	struct diag d = { DIAG_OK, "" };
	int rc;

	/* listscrub explain [--json] [REPLY...]: what an SMTP reply means. */
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return explain_main(argc - 1, argv + 1,
		    pipeline_lists_default());
	switch (options_parse(argc, argv, &o, &d)) {
	case OPTIONS_EXIT:
		options_free(&o);
		return 0;
	case OPTIONS_ERROR:
		fprintf(stderr, "listscrub: %s\n", d.msg);
		options_free(&o);
		return 2;
	case OPTIONS_RUN:
		break;
	}
	report_init(&rep);
	rc = pipeline_run(&o, &rep, &d);
	if (rc != 0) {
		fprintf(stderr, "listscrub: %s\n", d.msg);
		options_free(&o);
		return d.code == DIAG_USAGE || d.code == DIAG_INPUT ? 2 : 1;
	}
	if (!o.quiet)
		report_text(&rep, stderr);
	if (o.summary && report_write(&rep, o.summary, &d) != 0) {
		fprintf(stderr, "listscrub: %s\n", d.msg);
		options_free(&o);
		return 1;
	}
	/*
	 * Completed, degraded: the network mostly failed (validator/README,
	 * "Stages and passes"). The one line is said even under --quiet,
	 * since it explains the exit status a scheduled job alerts on.
	 */
	if (report_degraded(&rep, NULL, 0)) {
		if (o.quiet) {
			char why[400];

			report_degraded(&rep, why, sizeof(why));
			fprintf(stderr, "listscrub: %s\n", why);
		}
		options_free(&o);
		return 3;
	}
	options_free(&o);
	return 0;
}
