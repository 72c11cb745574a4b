/*
 * listscrub - clean a mailing list exported as CSV: every row goes to the
 * cleaned or the rejected file (or the review file), with its original
 * columns untouched and the verdict columns appended. See listscrub(1).
 * "listscrub explain" says what an SMTP reply or bounce line means.
 * "listscrub merge" writes the outputs of a list probed in shards.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/interrupt.h"
#include "util/utf8.h"
#include "verdict/explain.h"
#include "cache_main.h"
#include "options.h"
#include "pipeline.h"
#include "preflight/preflight.h"
#include "preflight_main.h"
#include "probe/probe_sched.h"
#include "probe/probe_source.h"
#include "report/report.h"

/*
 * main_error - the one-line message of a failed run on standard error,
 * with control bytes and bidi characters escaped: it may quote file
 * names and header cells (validator/README, "Conventions").
 */
static void
main_error(const struct diag *d)
{
	struct buf b;

	buf_init(&b, 4 * sizeof(d->msg));
	(void)utf8_escape(d->msg, strlen(d->msg), &b);
	fprintf(stderr, "listscrub: %s\n", buf_str(&b));
	buf_free(&b);
}

/*
 * main_preflight - the sender preflight of a --probe run into *p: 0 to go
 * on, else the exit status, with the explanation said on stderr. A
 * blocking failure stops the run before its first connection unless
 * --force: of the MAIL FROM domain (every probe refused) or of any one
 * probing IP (the probes of the mail hosts that IP is picked for refused;
 * validator/README, "Probe etiquette").
 */
static int
main_preflight(const struct options *o, struct preflight_result *p)
{
	struct preflight_opts po;
	struct probe_sources given;
	const struct probe_sources *src = &o->sources;
	const char *ips[PROBE_SOURCE_MAX];
	struct diag d = { DIAG_OK, "" };
	char blocked[PROBE_SOURCE_MAX * 48];
	size_t nb, nblocked;

	memset(&po, 0, sizeof(po));
	po.helo = o->helo;
	po.mail_from = o->mail_from;
	/* --preflight-address names the probing IPs as receivers see them
	 * (behind NAT); else every --source-address; else the default
	 * route's */
	if (o->preflight_address != NULL) {
		if (probe_source_parse(o->preflight_address, &given,
		    &d) != 0) {
			main_error(&d);
			return 2;
		}
		src = &given;
	}
	for (size_t i = 0; i < src->n; i++)
		ips[i] = src->src[i].text;
	po.sources = ips;
	po.nsources = src->n;
	po.dnsbl = o->dnsbl;
	po.servers = o->dns_servers;
	po.nservers = (size_t)o->ndns_servers;
	po.port25 = o->port25_test;
	po.timeout_ms = o->dns_timeout_ms;
	if (preflight_run(&po, p, &d) != 0) {
		main_error(&d);
		fprintf(stderr, "listscrub: the sender preflight cannot run; "
		    "give --preflight-address IP, or skip it with "
		    "--no-preflight\n");
		return d.code == DIAG_USAGE ? 2 : 1;
	}
	nb = preflight_blocking(p);
	if (nb == 0)
		return 0;
	nblocked = preflight_blocking_ips(p, blocked, sizeof(blocked));
	if (o->force) {
		fprintf(stderr, "listscrub: preflight: %zu blocking "
		    "failure%s%s%s%s; probing anyway (--force)\n", nb,
		    nb == 1 ? "" : "s", nblocked > 0 ? " (" : "",
		    nblocked > 0 ? blocked : "", nblocked > 0 ? ")" : "");
		return 0;
	}
	preflight_write_text(stderr, p);
	if (preflight_domain_blocking(p) || nblocked == p->nip)
		fprintf(stderr, "listscrub: preflight: stopped before the "
		    "first connection: receivers would refuse every probe. "
		    "Fix the failing check%s above, or probe anyway with "
		    "--force.\n", nb == 1 ? "" : "s");
	else
		fprintf(stderr, "listscrub: preflight: stopped before the "
		    "first connection: receivers would refuse the probes "
		    "sent from %s (each mail host keeps one source "
		    "address). Fix the failing check%s above, leave %s out "
		    "of --source-address, or probe anyway with --force.\n",
		    blocked, nb == 1 ? "" : "s", nblocked == 1 ? "it" :
		    "them");
	return PREFLIGHT_EXIT_BLOCKED;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct report rep;
	struct preflight_result pre;
	struct diag d = { DIAG_OK, "" };
	enum options_result orc;
	bool merge;
	int rc;

	memset(&pre, 0, sizeof(pre));
	/* listscrub explain [--json] [REPLY...]: what an SMTP reply means. */
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return explain_main(argc - 1, argv + 1,
		    pipeline_lists_default());
	/* listscrub preflight ...: the sender preflight on its own. */
	if (argc > 1 && strcmp(argv[1], "preflight") == 0)
		return preflight_main(argc - 1, argv + 1);
	/* listscrub cache ...: look after the result store. */
	if (argc > 1 && strcmp(argv[1], "cache") == 0)
		return cache_main(argc - 1, argv + 1);
	/* listscrub merge [OPTIONS] INPUT PART...: the outputs of shards. */
	merge = argc > 1 && strcmp(argv[1], "merge") == 0;
	orc = merge ? options_parse_merge(argc - 1, argv + 1, &o, &d) :
	    options_parse(argc, argv, &o, &d);
	switch (orc) {
	case OPTIONS_EXIT:
		options_free(&o);
		return 0;
	case OPTIONS_ERROR:
		main_error(&d);
		options_free(&o);
		return 2;
	case OPTIONS_RUN:
		break;
	}
	/* --max-connections over the open-file limit: refused before any
	 * work, not found out in the SMTP stage */
	if (o.probe && probe_fd_check(o.max_connections, &d) != 0) {
		main_error(&d);
		options_free(&o);
		return 2;
	}
	report_init(&rep);
	/* The sender preflight: before the first connection of a --probe
	 * run (README, "Sender preflight"). */
	if (o.probe && o.preflight) {
		rc = main_preflight(&o, &pre);
		if (rc != 0) {
			options_free(&o);
			preflight_result_free(&pre);
			return rc;
		}
		rep.preflight = &pre;
	}
	if (interrupt_install(&d) != 0) {
		main_error(&d);
		options_free(&o);
		preflight_result_free(&pre);
		return 1;
	}
	rc = pipeline_run(&o, &rep, &d);
	if (rc != 0) {
		main_error(&d);
		options_free(&o);
		preflight_result_free(&pre);
		if (d.code == DIAG_INTERRUPT)
			return interrupt_exit_status(interrupt_signal());
		return d.code == DIAG_USAGE || d.code == DIAG_INPUT ? 2 : 1;
	}
	if (!o.quiet && o.shards == 0)	/* a shard said its one line */
		report_text(&rep, stderr);
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
		preflight_result_free(&pre);
		return 3;
	}
	options_free(&o);
	preflight_result_free(&pre);
	return 0;
}
