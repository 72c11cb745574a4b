#include "verdict/verdict.h"

#include <string.h>

static const char *const status_names[STATUS_LAST] = {
	"valid", "invalid", "catch_all", "risky", "unknown", "skipped",
};

static const struct {
	const char *name;
	enum verdict_status status;
	const char *reason;
} subs[SUB_LAST] = {
	[SUB_SYNTAX_OK] = { "syntax_ok", STATUS_VALID,
	    "The address is well formed." },
	[SUB_BAD_SYNTAX] = { "bad_syntax", STATUS_INVALID,
	    "The address is not well formed." },
	[SUB_BAD_IDN] = { "bad_idn", STATUS_INVALID,
	    "The domain is not a valid internationalized domain name." },
	[SUB_TOO_LONG] = { "too_long", STATUS_INVALID,
	    "The address is longer than mail servers accept." },
	[SUB_RESERVED_DOMAIN] = { "reserved_domain", STATUS_INVALID,
	    "The domain is reserved for tests or examples and never receives mail." },
	[SUB_ROLE_BASED] = { "role_based", STATUS_RISKY,
	    "The address belongs to a role or team (like info@ or sales@), not a person." },
	[SUB_DISPOSABLE] = { "disposable", STATUS_RISKY,
	    "The domain is a disposable (throwaway) mail service." },
	[SUB_POSSIBLE_TYPO] = { "possible_typo", STATUS_RISKY,
	    "The domain looks like a misspelling of a popular mail domain." },
	[SUB_QUOTED_LOCAL_PART] = { "quoted_local_part", STATUS_RISKY,
	    "The part before the @ needs quotes; many systems cannot send to it." },
	[SUB_IP_LITERAL] = { "ip_literal", STATUS_RISKY,
	    "The address names a bare IP address instead of a domain." },
	[SUB_SMTPUTF8_LOCAL_PART] = { "smtputf8_local_part", STATUS_RISKY,
	    "The part before the @ has non-ASCII characters; many senders cannot deliver to it." },
	[SUB_DUPLICATE] = { "duplicate", STATUS_SKIPPED,
	    "The same address appears on an earlier row." },
	[SUB_NO_EMAIL] = { "no_email", STATUS_SKIPPED,
	    "The email cell is empty." },
	[SUB_MALFORMED_ROW] = { "malformed_row", STATUS_SKIPPED,
	    "The row could not be read as CSV." },
	[SUB_DOMAIN_OK] = { "domain_ok", STATUS_VALID,
	    "The domain has a mail server." },
	[SUB_NULL_MX] = { "null_mx", STATUS_INVALID,
	    "The domain says it accepts no mail (null MX record)." },
	[SUB_DOMAIN_NOT_FOUND] = { "domain_not_found", STATUS_INVALID,
	    "The domain does not exist." },
	[SUB_NO_MAIL_HOST] = { "no_mail_host", STATUS_INVALID,
	    "The domain has no usable mail server." },
	[SUB_DNS_TIMEOUT] = { "dns_timeout", STATUS_UNKNOWN,
	    "The DNS lookup of the domain timed out; try again later." },
	[SUB_DNS_ERROR] = { "dns_error", STATUS_UNKNOWN,
	    "The DNS lookup of the domain failed (server error); try again later." },
	[SUB_MAILBOX_OK] = { "mailbox_ok", STATUS_VALID,
	    "The mail server accepted the address." },
	[SUB_MAILBOX_NOT_FOUND] = { "mailbox_not_found", STATUS_INVALID,
	    "The mail server says the mailbox does not exist." },
	[SUB_MAILBOX_DISABLED] = { "mailbox_disabled", STATUS_INVALID,
	    "The mail server says the mailbox is disabled." },
	[SUB_MAILBOX_FULL] = { "mailbox_full", STATUS_RISKY,
	    "The mailbox is full; try again later." },
	[SUB_ACCEPT_ALL] = { "accept_all", STATUS_CATCH_ALL,
	    "The mail server accepts every address at this domain, so this one cannot be confirmed." },
	[SUB_POLICY_BLOCKED] = { "policy_blocked", STATUS_UNKNOWN,
	    "The mail server refused the sender, not the address (a problem of the sending setup)." },
	[SUB_GREYLISTED] = { "greylisted", STATUS_UNKNOWN,
	    "The mail server asked to try again later (greylisting)." },
	[SUB_TEMPORARY_ERROR] = { "temporary_error", STATUS_UNKNOWN,
	    "The mail server had a temporary problem; try again later." },
	[SUB_CONNECTION_FAILED] = { "connection_failed", STATUS_UNKNOWN,
	    "No mail server of the domain could be reached." },
	[SUB_TIMEOUT] = { "timeout", STATUS_UNKNOWN,
	    "The mail server did not answer in time." },
	[SUB_TLS_FAILED] = { "tls_failed", STATUS_UNKNOWN,
	    "The encrypted connection to the mail server failed." },
	[SUB_PROBE_BLOCKED] = { "probe_blocked", STATUS_UNKNOWN,
	    "The mail server refused our checks; the address was not checked." },
	[SUB_SMTPUTF8_UNSUPPORTED] = { "smtputf8_unsupported", STATUS_UNKNOWN,
	    "The address has non-ASCII characters and the mail server does not support them (SMTPUTF8)." },
	[SUB_SMTP_REJECTED] = { "smtp_rejected", STATUS_UNKNOWN,
	    "The mail server refused the address without saying it does not exist." },
};

static const char *const action_names[ACTION_LAST] = {
	"keep", "review", "remove", "retry_later",
};

static const char *const policy_names[POLICY_LAST] = {
	"standard", "strict", "lenient",
};

const char *
verdict_status_name(enum verdict_status s)
{
	return s < STATUS_LAST ? status_names[s] : "?";
}

const char *
verdict_sub_name(enum verdict_sub s)
{
	return s < SUB_LAST ? subs[s].name : "?";
}

const char *
verdict_action_name(enum verdict_action a)
{
	return a < ACTION_LAST ? action_names[a] : "?";
}

const char *
verdict_policy_name(enum verdict_policy p)
{
	return p < POLICY_LAST ? policy_names[p] : "?";
}

enum verdict_status
verdict_sub_status(enum verdict_sub s)
{
	return subs[s].status;
}

const char *
verdict_sub_reason(enum verdict_sub s)
{
	return subs[s].reason;
}

enum verdict_sub
verdict_sub_parse(const char *name, unsigned long len)
{
	for (int i = 0; i < SUB_LAST; i++)
		if (strlen(subs[i].name) == len &&
		    memcmp(subs[i].name, name, len) == 0)
			return (enum verdict_sub)i;
	return SUB_LAST;
}

enum verdict_policy
verdict_policy_parse(const char *name)
{
	for (int i = 0; i < POLICY_LAST; i++)
		if (strcmp(policy_names[i], name) == 0)
			return (enum verdict_policy)i;
	return POLICY_LAST;
}

enum verdict_action
verdict_action(enum verdict_policy p, enum verdict_sub s, bool role)
{
	enum verdict_status st = verdict_sub_status(s);

	if (st == STATUS_INVALID || st == STATUS_SKIPPED)
		return ACTION_REMOVE;
	switch (p) {
	case POLICY_STANDARD:
		if (s == SUB_DISPOSABLE || s == SUB_POSSIBLE_TYPO)
			return ACTION_REMOVE;
		if (s == SUB_MAILBOX_FULL)
			return ACTION_RETRY_LATER;
		return ACTION_KEEP;
	case POLICY_STRICT:
		if (st == STATUS_VALID)
			return role ? ACTION_REVIEW : ACTION_KEEP;
		if (s == SUB_MAILBOX_FULL)
			return ACTION_RETRY_LATER;
		if (st == STATUS_CATCH_ALL || st == STATUS_UNKNOWN ||
		    s == SUB_ROLE_BASED)
			return ACTION_REVIEW;
		return ACTION_REMOVE;
	case POLICY_LENIENT:
	case POLICY_LAST:
		break;
	}
	return s == SUB_MAILBOX_FULL ? ACTION_RETRY_LATER : ACTION_KEEP;
}
