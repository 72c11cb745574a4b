#include "classify.h"

#include <stdio.h>

static enum verdict_sub classify_sub(const struct evidence *e);

/* classify_sub - the single sub-status a row gets, most serious first. */
static enum verdict_sub
classify_sub(const struct evidence *e)
{
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
	if (e->disposable)
		return SUB_DISPOSABLE;
	if (e->suggest)
		return SUB_POSSIBLE_TYPO;
	if (e->addr->flags & ADDR_F_IP_LITERAL)
		return SUB_IP_LITERAL;
	if (e->addr->flags & ADDR_F_QUOTED_LOCAL)
		return SUB_QUOTED_LOCAL_PART;
	if (e->addr->flags & ADDR_F_SMTPUTF8)
		return SUB_SMTPUTF8_LOCAL_PART;
	if (e->role)
		return SUB_ROLE_BASED;
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
	uint32_t bit = 1u << v->sub;

	if (p->keep_subs & bit)
		v->action = ACTION_KEEP;
	else if (p->remove_subs & bit)
		v->action = ACTION_REMOVE;
	else
		v->action = verdict_action(p->policy, v->sub, role);
}
