/*
 * t_report - when a run is degraded (report_degraded): the thresholds of
 * validator/README, "Stages and passes", pinned at their edges, and the
 * line that says so at the top of the text summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "tap.h"

/* dns - n domains looked up, timeouts and errors among them. */
static void
dns(struct report *r, uint64_t n, uint64_t timeouts, uint64_t errors)
{
	report_init(r);
	r->dns_ran = true;
	r->dns.domains = n;
	r->dns.outcomes[MX_TIMEOUT] = timeouts;
	r->dns.outcomes[MX_ERROR] = errors;
	r->dns.outcomes[MX_OK] = n - timeouts - errors;
}

/* smtp - answered addresses, refused for the sender among them. */
static void
smtp(struct report *r, uint64_t answered, uint64_t refused)
{
	report_init(r);
	r->dns_ran = true;
	r->dns.domains = answered;
	r->dns.outcomes[MX_OK] = answered;
	r->smtp_ran = true;
	r->smtp_answered = answered;
	r->smtp_refused = refused;
}

int
main(void)
{
	struct report r;
	char why[400], *text = NULL;
	size_t len = 0;
	FILE *f;

	report_init(&r);
	ok(!report_degraded(&r, NULL, 0), "offline: never degraded");

	dns(&r, 50, 50, 0);
	ok(report_degraded(&r, why, sizeof(why)), "50 of 50 timed out");
	ok(strstr(why, "50 of 50 domains") != NULL, "why: %s", why);
	dns(&r, 5, 3, 0);
	ok(report_degraded(&r, NULL, 0), "3 of 5 (more than half, 5 domains)");
	dns(&r, 6, 2, 1);
	ok(!report_degraded(&r, NULL, 0), "3 of 6 (half): not degraded");
	dns(&r, 7, 2, 2);
	ok(report_degraded(&r, NULL, 0), "2 timeouts + 2 errors of 7");
	dns(&r, 4, 4, 0);
	ok(!report_degraded(&r, NULL, 0), "4 of 4: too few domains to say");
	dns(&r, 0, 0, 0);
	ok(!report_degraded(&r, NULL, 0), "no domain at all");

	smtp(&r, 10, 6);
	ok(report_degraded(&r, why, sizeof(why)),
	    "6 of 10 addresses refused for the sender");
	ok(strstr(why, "refused the sender for 6 of 10") != NULL, "why: %s",
	    why);
	smtp(&r, 10, 5);
	ok(!report_degraded(&r, NULL, 0), "5 of 10 (half): not degraded");
	smtp(&r, 4, 4);
	ok(!report_degraded(&r, NULL, 0), "4 of 4: too few addresses to say");
	smtp(&r, 5, 3);
	ok(report_degraded(&r, NULL, 0), "3 of 5");
	r.smtp_ran = false;
	ok(!report_degraded(&r, NULL, 0), "without --probe the SMTP side "
	    "does not count");

	/* The text summary: the line comes first. */
	dns(&r, 6, 6, 0);
	r.input = "list.csv";
	r.policy = "standard";
	r.cleaned_path = "c.csv";
	r.rejected_path = "r.csv";
	if ((f = open_memstream(&text, &len)) == NULL)
		return 1;
	report_text(&r, f);
	fclose(f);
	ok(strncmp(text, "listscrub: DEGRADED: the DNS lookup failed for 6 "
	    "of 6 domains", 58) == 0, "text: the first line says degraded");
	free(text);
	text = NULL;
	dns(&r, 6, 1, 0);
	r.input = "list.csv";
	r.policy = "standard";
	r.cleaned_path = "c.csv";
	r.rejected_path = "r.csv";
	if ((f = open_memstream(&text, &len)) == NULL)
		return 1;
	report_text(&r, f);
	fclose(f);
	ok(strstr(text, "DEGRADED") == NULL, "text: no line when not degraded");
	free(text);
	return done_testing();
}
