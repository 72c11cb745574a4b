/*
 * t_classify - the verdict and the policy table, pinned case by case:
 * tests/data/classify/policy.tsv lists sub-status, role flag, policy and
 * the expected action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict/classify.h"
#include "tap.h"

/* check_dns - the DNS stage's evidence, and its place in the order. */
static void
check_dns(void)
{
	struct addr_result ar;
	struct evidence e = { 0 };
	struct verdict v;

	addr_result_init(&ar);
	ar.status = ADDR_OK;
	e.addr = &ar;
	e.dns = EVDNS_OK;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "domain_ok", "MX found: domain_ok");
	is_str(verdict_status_name(v.status), "valid", "domain_ok is valid");
	e.dns = EVDNS_IMPLICIT;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "domain_ok", "implicit MX: domain_ok");
	ok(strstr(v.reason, "implicit MX") != NULL, "implicit MX is recorded");
	e.role = true;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "role_based", "role beats domain_ok");
	e.dns = EVDNS_TIMEOUT;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "role_based",
	    "role beats dns_timeout (offline findings stand)");
	e.role = false;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "dns_timeout", "DNS timeout");
	is_str(verdict_status_name(v.status), "unknown", "a timeout is unknown");
	e.dns = EVDNS_ERROR;
	e.dns_detail = "MX lookup: SERVFAIL or refused";
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "dns_error", "server failure");
	is_str(v.reason, "The DNS lookup of the domain failed (server error); "
	    "try again later (MX lookup: SERVFAIL or refused).",
	    "the detail goes into the reason");
	e.disposable = true;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "disposable",
	    "disposable beats an unknown DNS answer");
	e.dns = EVDNS_NXDOMAIN;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "domain_not_found",
	    "a dead domain beats disposable");
	is_str(verdict_status_name(v.status), "invalid", "NXDOMAIN is invalid");
	e.dns = EVDNS_NULL_MX;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "null_mx", "null MX");
	e.dns = EVDNS_NO_HOST;
	e.dns_detail = "MX hosts have no address";
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "no_mail_host", "no mail host");
	is_str(v.reason, "The domain has no usable mail server (MX hosts have "
	    "no address).", "no_mail_host reason with detail");
	e.duplicate_of = 3;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "duplicate", "duplicate beats DNS");
	addr_result_free(&ar);
}

static void
check_evidence(void)
{
	struct addr_result ar;
	struct evidence e = { 0 };
	struct verdict v;

	addr_result_init(&ar);
	e.addr = &ar;
	ar.status = ADDR_OK;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "syntax_ok", "plain valid address");
	ok(v.flags_known, "flags known for a valid address");
	e.role = true;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "role_based", "role address");
	e.suggest = "gmail.com";
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "possible_typo", "typo beats role");
	ok(strstr(v.reason, "gmail.com") != NULL, "typo reason names the fix");
	e.disposable = true;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "disposable", "disposable beats typo");
	e.duplicate_of = 7;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "duplicate", "duplicate beats flags");
	ok(strstr(v.reason, "row 7") != NULL, "duplicate reason names the row");
	is_str(verdict_status_name(v.status), "skipped", "duplicate is skipped");
	ar.status = ADDR_BAD_SYNTAX;
	ar.detail = "The address has no @.";
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "bad_syntax", "invalid beats duplicate");
	is_str(v.reason, "The address has no @.", "detail is the reason");
	ok(!v.flags_known, "flags unknown for an invalid address");
	ar.status = ADDR_EMPTY;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "no_email", "empty cell");
	ar.status = ADDR_OK;
	ar.flags = ADDR_F_QUOTED_LOCAL | ADDR_F_SMTPUTF8;
	e = (struct evidence){ .addr = &ar };
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "quoted_local_part", "quoted first");
	ar.flags = ADDR_F_IP_LITERAL;
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "ip_literal", "ip literal");
	e.malformed = "stray quote at line 3, column 4";
	classify(&e, &v);
	is_str(verdict_sub_name(v.sub), "malformed_row", "malformed row");
	ok(strstr(v.reason, "line 3") != NULL, "malformed reason has the line");
	addr_result_free(&ar);
}

/*
 * check_offline_stands - an offline finding is the verdict whatever the
 * network does: DNS trouble and the unknown SMTP answers never hide it,
 * while a real negative answer still beats it.
 */
static void
check_offline_stands(void)
{
	static const struct probe_result unknowns[] = {
		{ .sub = SUB_POLICY_BLOCKED, .code = 550 },
		{ .sub = SUB_GREYLISTED, .code = 450 },
		{ .sub = SUB_TEMPORARY_ERROR, .code = 451 },
		{ .sub = SUB_SMTP_REJECTED, .code = 554 },
		{ .sub = SUB_TIMEOUT },
		{ .sub = SUB_CONNECTION_FAILED },
		{ .sub = SUB_TLS_FAILED },
		{ .sub = SUB_PROBE_BLOCKED },
	};
	static const struct probe_result utf8_no = {
		.sub = SUB_SMTPUTF8_UNSUPPORTED };
	static const struct {
		bool role, disposable;
		const char *suggest;
		unsigned flags;
		const char *want;
	} finds[] = {
		{ true, false, NULL, 0, "role_based" },
		{ false, true, NULL, 0, "disposable" },
		{ false, false, "gmail.com", 0, "possible_typo" },
		{ true, false, "gmail.com", 0, "possible_typo" },
		{ false, false, NULL, ADDR_F_QUOTED_LOCAL, "quoted_local_part" },
		{ false, false, NULL, ADDR_F_SMTPUTF8, "smtputf8_local_part" },
	};
	struct addr_result ar;
	struct verdict v;

	addr_result_init(&ar);
	ar.status = ADDR_OK;
	for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		struct evidence e = { .addr = &ar, .role = finds[i].role,
		    .disposable = finds[i].disposable,
		    .suggest = finds[i].suggest };

		ar.flags = finds[i].flags;
		e.dns = EVDNS_TIMEOUT;
		classify(&e, &v);
		is_str(verdict_sub_name(v.sub), finds[i].want,
		    "%s stands over dns_timeout", finds[i].want);
		e.dns = EVDNS_ERROR;
		classify(&e, &v);
		is_str(verdict_sub_name(v.sub), finds[i].want,
		    "%s stands over dns_error", finds[i].want);
		e.dns = EVDNS_OK;
		for (size_t u = 0; u < sizeof(unknowns) / sizeof(unknowns[0]);
		    u++) {
			e.smtp = &unknowns[u];
			classify(&e, &v);
			is_str(verdict_sub_name(v.sub), finds[i].want,
			    "%s stands over %s", finds[i].want,
			    verdict_sub_name(unknowns[u].sub));
		}
		if (finds[i].flags == ADDR_F_SMTPUTF8) {
			/* The server's answer to the form itself. */
			e.smtp = &utf8_no;
			classify(&e, &v);
			is_str(verdict_sub_name(v.sub), "smtputf8_unsupported",
			    "smtputf8_unsupported beats smtputf8_local_part");
		}
		e.smtp = NULL;
		e.dns = EVDNS_NXDOMAIN;
		classify(&e, &v);
		is_str(verdict_sub_name(v.sub), "domain_not_found",
		    "a real NXDOMAIN still beats %s", finds[i].want);
	}
	addr_result_free(&ar);
}

int
main(void)
{
	char path[4096], line[256];
	const char *src = getenv("srcdir");
	FILE *f;
	int n = 0;

	check_evidence();
	check_dns();
	check_offline_stands();
	snprintf(path, sizeof(path), "%s/tests/data/classify/policy.tsv",
	    src ? src : ".");
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return done_testing();
	}
	while (fgets(line, sizeof(line), f)) {
		char sub[64], pol[32], want[32];
		int role;
		struct classify_policy p = { 0 };
		struct verdict v = { 0 };

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %d %31s %31s", sub, &role, pol,
		    want) != 4) {
			ok(0, "parse line: %s", line);
			continue;
		}
		v.sub = verdict_sub_parse(sub, strlen(sub));
		p.policy = verdict_policy_parse(pol);
		if (v.sub == SUB_LAST || p.policy == POLICY_LAST) {
			ok(0, "known names in: %s", line);
			continue;
		}
		classify_action(&p, role, &v);
		is_str(verdict_action_name(v.action), want, "%s role=%d %s",
		    sub, role, pol);
		n++;
	}
	fclose(f);
	ok(n >= 3 * SUB_LAST, "every sub-status under every policy (%d)", n);
	{
		struct classify_policy p = { POLICY_STANDARD,
		    UINT64_C(1) << SUB_DISPOSABLE, UINT64_C(1) << SUB_ROLE_BASED };
		struct verdict v = { .sub = SUB_DISPOSABLE };

		classify_action(&p, false, &v);
		is_str(verdict_action_name(v.action), "keep", "--keep overrides");
		v.sub = SUB_ROLE_BASED;
		classify_action(&p, true, &v);
		is_str(verdict_action_name(v.action), "remove",
		    "--remove overrides");
	}
	return done_testing();
}
