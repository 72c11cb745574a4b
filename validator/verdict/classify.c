#include "verdict/classify.h"

#include <stdio.h>
#include <string.h>

static enum verdict_sub classify_sub(const struct evidence *e);
static void classify_detail(struct verdict *v, const char *detail);

/* classify_detail - the sub-status's sentence with detail: "Text (x)." */
static void
classify_detail(struct verdict *v, const char *detail)
{
	const char *base = verdict_sub_reason(v->sub);

	snprintf(v->reason_buf, sizeof(v->reason_buf), "%.*s (%s).",
	    (int)strlen(base) - 1, base, detail);
	v->reason = v->reason_buf;
}

/* classify_sub - the single sub-status a row gets, most serious first. */
static enum verdict_sub
classify_sub(const struct evidence *e)
{
	enum verdict_sub smtp = e->smtp != NULL ?
	    (enum verdict_sub)e->smtp->sub : SUB_LAST;

	if (e->malformed)
		return SUB_MALFORMED_ROW;
	switch (e->addr->status) {
	case ADDR_EMPTY:
		return SUB_NO_EMAIL;
	case ADDR_BAD_SYNTAX:
		return SUB_BAD_SYNTAX;
	case ADDR_BAD_IDN:
		return SUB_BAD_IDN;
	case ADDR_TOO_LONG:
		return SUB_TOO_LONG;
	case ADDR_RESERVED:
		return SUB_RESERVED_DOMAIN;
	case ADDR_OK:
	case ADDR_STATUS_LAST:
		break;
	}
	if (e->duplicate_of)
		return SUB_DUPLICATE;
	switch (e->dns) {	/* facts about the domain come first */
	case EVDNS_NULL_MX:
		return SUB_NULL_MX;
	case EVDNS_NXDOMAIN:
		return SUB_DOMAIN_NOT_FOUND;
	case EVDNS_NO_HOST:
		return SUB_NO_MAIL_HOST;
	default:
		break;
	}
	if (smtp == SUB_MAILBOX_NOT_FOUND || smtp == SUB_MAILBOX_DISABLED)
		return smtp;
	if (e->disposable)
		return SUB_DISPOSABLE;
	if (e->suggest)
		return SUB_POSSIBLE_TYPO;
	/*
	 * smtputf8_unsupported is the server's answer to the local part's
	 * form itself (RFC 6531 3.4), not the prober's trouble.
	 */
	if (smtp == SUB_MAILBOX_FULL || smtp == SUB_ACCEPT_ALL ||
	    smtp == SUB_PROVIDER_ACCEPTS_ALL ||
	    smtp == SUB_SMTPUTF8_UNSUPPORTED)
		return smtp;
	/*
	 * Offline findings stand whatever the network does: the prober's
	 * trouble (DNS failures, the other unknown SMTP answers) never hides
	 * them (validator/README, "The verdict model").
	 */
	if (e->addr->flags & ADDR_F_IP_LITERAL)
		return SUB_IP_LITERAL;
	if (e->addr->flags & ADDR_F_QUOTED_LOCAL)
		return SUB_QUOTED_LOCAL_PART;
	if (e->addr->flags & ADDR_F_SMTPUTF8)
		return SUB_SMTPUTF8_LOCAL_PART;
	if (e->role)
		return SUB_ROLE_BASED;
	if (e->dns == EVDNS_TIMEOUT)
		return SUB_DNS_TIMEOUT;
	if (e->dns == EVDNS_ERROR)
		return SUB_DNS_ERROR;
	/* The rest of the SMTP answers: the unknowns. */
	if (smtp != SUB_LAST && smtp != SUB_MAILBOX_OK)
		return smtp;
	if (smtp == SUB_MAILBOX_OK)
		return smtp;
	if (e->dns == EVDNS_OK || e->dns == EVDNS_IMPLICIT)
		return SUB_DOMAIN_OK;
	return SUB_SYNTAX_OK;
}

void
classify(const struct evidence *e, struct verdict *v)
{
	v->sub = classify_sub(e);
	v->status = verdict_sub_status(v->sub);
	v->action = ACTION_KEEP;
	v->flags_known = !e->malformed && e->addr->status == ADDR_OK;
	v->reason = verdict_sub_reason(v->sub);
	switch (v->sub) {
	case SUB_MALFORMED_ROW:
		snprintf(v->reason_buf, sizeof(v->reason_buf),
		    "The row could not be read as CSV: %s.", e->malformed);
		v->reason = v->reason_buf;
		break;
	case SUB_BAD_SYNTAX:
	case SUB_BAD_IDN:
	case SUB_TOO_LONG:
	case SUB_RESERVED_DOMAIN:
		if (e->addr->detail && e->addr->detail[0])
			v->reason = e->addr->detail;
		break;
	case SUB_DUPLICATE:
		snprintf(v->reason_buf, sizeof(v->reason_buf),
		    "The same address appears on row %llu.",
		    (unsigned long long)e->duplicate_of);
		v->reason = v->reason_buf;
		break;
	case SUB_DOMAIN_OK:
		if (e->dns == EVDNS_IMPLICIT)
			v->reason = "The domain has no MX record but its own "
			    "address takes mail (implicit MX).";
		break;
	case SUB_NO_MAIL_HOST:
	case SUB_DNS_TIMEOUT:
	case SUB_DNS_ERROR:
		if (e->dns_detail && e->dns_detail[0])
			classify_detail(v, e->dns_detail);
		break;
	case SUB_MAILBOX_OK:
	case SUB_MAILBOX_NOT_FOUND:
	case SUB_MAILBOX_DISABLED:
	case SUB_MAILBOX_FULL:
	case SUB_ACCEPT_ALL:
	case SUB_POLICY_BLOCKED:
	case SUB_GREYLISTED:
	case SUB_TEMPORARY_ERROR:
	case SUB_THROTTLED:
	case SUB_SMTP_REJECTED:
		if (e->smtp != NULL && e->smtp->code > 0) {
			char said[PROBE_TEXT_MAX + 32];

			/* The server's own words, as it said them. */
			snprintf(said, sizeof(said), "%u%s%s %s", e->smtp->code,
			    e->smtp->enhanced[0] ? " " : "", e->smtp->enhanced,
			    e->smtp->text ? e->smtp->text : "");
			classify_detail(v, said);
		}
		break;
	case SUB_POSSIBLE_TYPO:
		snprintf(v->reason_buf, sizeof(v->reason_buf),
		    "The domain looks like a misspelling of %s.", e->suggest);
		v->reason = v->reason_buf;
		break;
	default:
		break;
	}
}

void
classify_action(const struct classify_policy *p, bool role, struct verdict *v)
{
	uint64_t bit = UINT64_C(1) << v->sub;

	if (p->keep_subs & bit)
		v->action = ACTION_KEEP;
	else if (p->remove_subs & bit)
		v->action = ACTION_REMOVE;
	else
		v->action = verdict_action(p->policy, v->sub, role);
}
