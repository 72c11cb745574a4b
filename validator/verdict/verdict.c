#include "verdict/verdict.h"

#include <string.h>

/*
 * Each status with its meaning. The meanings are the documentation's
 * words: listscrub --help statuses prints them, and the README and
 * listscrub(1) carry that output (tests/options_doc.sh checks it).
 */
static const struct {
	const char *name;
	const char *meaning;	/* one line: at most 66 characters */
} statuses[STATUS_LAST] = {
	[STATUS_VALID] = { "valid",
	    "the address can receive mail, as far as it was checked" },
	[STATUS_INVALID] = { "invalid",
	    "the address cannot receive mail" },
	[STATUS_CATCH_ALL] = { "catch_all",
	    "(--probe) the domain takes mail for any address: unconfirmed" },
	[STATUS_RISKY] = { "risky",
	    "it may receive mail, but sending to it is a risk" },
	[STATUS_UNKNOWN] = { "unknown",
	    "not decided (DNS or SMTP trouble); never held against the address" },
	[STATUS_SKIPPED] = { "skipped",
	    "not judged: a repeated address, an empty cell or an unreadable row" },
};

/*
 * Each sub-status: its name, its status, the generic sentence of the
 * scrub_reason column (an output: change it only on purpose) and its
 * meaning for the documentation, unwrapped (--help statuses wraps it).
 */
static const struct {
	const char *name;
	enum verdict_status status;
	const char *reason;
	const char *meaning;
} subs[SUB_LAST] = {
	[SUB_SYNTAX_OK] = { "syntax_ok", STATUS_VALID,
	    "The address is well formed.",
	    "well-formed address, nothing suspicious" },
	[SUB_BAD_SYNTAX] = { "bad_syntax", STATUS_INVALID,
	    "The address is not well formed.",
	    "not an address: no @, spaces, two dots in a row, comments, "
	    "control characters, several addresses in one cell, ..." },
	[SUB_BAD_IDN] = { "bad_idn", STATUS_INVALID,
	    "The domain is not a valid internationalized domain name.",
	    "the domain is not a valid internationalized domain name "
	    "(IDNA2008/UTS #46, libidn2)" },
	[SUB_TOO_LONG] = { "too_long", STATUS_INVALID,
	    "The address is longer than mail servers accept.",
	    "over 64 octets before the @, 253 in the domain or 254 in all "
	    "(after IDN conversion)" },
	[SUB_RESERVED_DOMAIN] = { "reserved_domain", STATUS_INVALID,
	    "The domain is reserved for tests or examples and never receives mail.",
	    ".test, .example, .invalid, .localhost, .local, .onion, .arpa, "
	    "example.com/net/org: special-use names that never receive mail "
	    "(see --allow-reserved)" },
	[SUB_ROLE_BASED] = { "role_based", STATUS_RISKY,
	    "The address belongs to a role or team (like info@ or sales@), not a person.",
	    "a role or team address (info@, sales@ ...), not a person" },
	[SUB_DISPOSABLE] = { "disposable", STATUS_RISKY,
	    "The domain is a disposable (throwaway) mail service.",
	    "a disposable (throwaway) mail domain" },
	[SUB_POSSIBLE_TYPO] = { "possible_typo", STATUS_RISKY,
	    "The domain looks like a misspelling of a popular mail domain.",
	    "the domain looks like a misspelling of a popular mail domain "
	    "(see scrub_did_you_mean)" },
	[SUB_QUOTED_LOCAL_PART] = { "quoted_local_part", STATUS_RISKY,
	    "The part before the @ needs quotes; many systems cannot send to it.",
	    "legal, but needs quotes (\"john doe\"@x.com); many senders "
	    "cannot deliver to it" },
	[SUB_IP_LITERAL] = { "ip_literal", STATUS_RISKY,
	    "The address names a bare IP address instead of a domain.",
	    "user@[192.0.2.1]: legal, but no MX and usually blocked" },
	[SUB_SMTPUTF8_LOCAL_PART] = { "smtputf8_local_part", STATUS_RISKY,
	    "The part before the @ has non-ASCII characters; many senders cannot deliver to it.",
	    "non-ASCII before the @ (RFC 6531); many ESPs cannot import or "
	    "send to it" },
	[SUB_DUPLICATE] = { "duplicate", STATUS_SKIPPED,
	    "The same address appears on an earlier row.",
	    "the same address (local part compared without case, domain in "
	    "A-label form) is on an earlier row; the first occurrence wins" },
	[SUB_NO_EMAIL] = { "no_email", STATUS_SKIPPED,
	    "The email cell is empty.",
	    "the email cell is empty" },
	[SUB_MALFORMED_ROW] = { "malformed_row", STATUS_SKIPPED,
	    "The row could not be read as CSV.",
	    "the row could not be read as CSV (unterminated quote, text "
	    "after a closing quote, NUL byte, a record over "
	    "--max-record-size); its raw text is the first cell and the "
	    "reason names the line" },
	[SUB_DOMAIN_OK] = { "domain_ok", STATUS_VALID,
	    "The domain has a mail server.",
	    "well-formed, and the domain has a mail server: MX hosts with "
	    "addresses, or no MX but an A/AAAA record of its own (implicit "
	    "MX, RFC 5321 5.1; the reason says so)" },
	[SUB_NULL_MX] = { "null_mx", STATUS_INVALID,
	    "The domain says it accepts no mail (null MX record).",
	    "the domain publishes \"MX 0 .\" (RFC 7505): it accepts no mail" },
	[SUB_DOMAIN_NOT_FOUND] = { "domain_not_found", STATUS_INVALID,
	    "The domain does not exist.",
	    "the domain does not exist (NXDOMAIN)" },
	[SUB_NO_MAIL_HOST] = { "no_mail_host", STATUS_INVALID,
	    "The domain has no usable mail server.",
	    "no usable mail server: no MX and no address, or MX hosts that "
	    "do not resolve, are IP addresses, or resolve only to "
	    "loopback/private/link-local addresses (unless "
	    "--allow-reserved)" },
	[SUB_DNS_TIMEOUT] = { "dns_timeout", STATUS_UNKNOWN,
	    "The DNS lookup of the domain timed out; try again later.",
	    "the DNS did not answer in time; run again later" },
	[SUB_DNS_ERROR] = { "dns_error", STATUS_UNKNOWN,
	    "The DNS lookup of the domain failed (server error); try again later.",
	    "the DNS failed (SERVFAIL, refused, no resolver reachable, a "
	    "broken answer); run again later" },
	[SUB_MAILBOX_OK] = { "mailbox_ok", STATUS_VALID,
	    "The mail server accepted the address.",
	    "(--probe) the mail server accepted the address, and refused a "
	    "random one at the same domain" },
	[SUB_MAILBOX_NOT_FOUND] = { "mailbox_not_found", STATUS_INVALID,
	    "The mail server says the mailbox does not exist.",
	    "(--probe) 5.1.1 / 5.1.10 or a clear \"user unknown\" text: the "
	    "mailbox does not exist" },
	[SUB_MAILBOX_DISABLED] = { "mailbox_disabled", STATUS_INVALID,
	    "The mail server says the mailbox is disabled.",
	    "(--probe) 5.2.1: the mailbox is disabled" },
	[SUB_MAILBOX_FULL] = { "mailbox_full", STATUS_RISKY,
	    "The mailbox is full; try again later.",
	    "(--probe) 5.2.2 / 4.2.2 / over quota: action retry_later" },
	[SUB_ACCEPT_ALL] = { "accept_all", STATUS_CATCH_ALL,
	    "The mail server accepts every address at this domain, so this one cannot be confirmed.",
	    "(--probe) the server accepts every address at the domain; this "
	    "one is unconfirmed" },
	[SUB_POLICY_BLOCKED] = { "policy_blocked", STATUS_UNKNOWN,
	    "The mail server refused the sender, not the address (a problem of the sending setup).",
	    "(--probe) the server refused the SENDER (blocklisted IP, rDNS, "
	    "SPF/DKIM/DMARC, relay denied): a problem of the sending setup, "
	    "listed in the summary's \"sender-side problems\"; never held "
	    "against the address" },
	[SUB_GREYLISTED] = { "greylisted", STATUS_UNKNOWN,
	    "The mail server asked to try again later (greylisting).",
	    "(--probe) still deferred (4.7.1 ...) after --retries" },
	[SUB_TEMPORARY_ERROR] = { "temporary_error", STATUS_UNKNOWN,
	    "The mail server had a temporary problem; try again later.",
	    "(--probe) another 4xx, or a lost connection that kept failing" },
	[SUB_CONNECTION_FAILED] = { "connection_failed", STATUS_UNKNOWN,
	    "No mail server of the domain could be reached.",
	    "(--probe) no mail host could be reached" },
	[SUB_TIMEOUT] = { "timeout", STATUS_UNKNOWN,
	    "The mail server did not answer in time.",
	    "(--probe) the mail host did not answer in time" },
	[SUB_TLS_FAILED] = { "tls_failed", STATUS_UNKNOWN,
	    "The encrypted connection to the mail server failed.",
	    "(--probe) TLS failed (or was required and not offered)" },
	[SUB_PROBE_BLOCKED] = { "probe_blocked", STATUS_UNKNOWN,
	    "The mail server refused our checks; the address was not checked.",
	    "(--probe) the host refused us repeatedly (421, policy); we "
	    "stopped asking it" },
	[SUB_SMTPUTF8_UNSUPPORTED] = { "smtputf8_unsupported", STATUS_UNKNOWN,
	    "The address has non-ASCII characters and the mail server does not support them (SMTPUTF8).",
	    "(--probe) a non-ASCII local part and a server without SMTPUTF8" },
	[SUB_SMTP_REJECTED] = { "smtp_rejected", STATUS_UNKNOWN,
	    "The mail server refused the address without saying it does not exist.",
	    "(--probe) a 5xx that does not say the mailbox is missing: not "
	    "enough to remove" },
	[SUB_PROXY_FAILED] = { "proxy_failed", STATUS_UNKNOWN,
	    "The --proxy could not reach the mail server for us (unreachable, credentials refused, CONNECT refused, or it stopped); the address was not checked.",
	    "(--probe with --proxy) the SOCKS5 proxy failed: it could not "
	    "be reached, refused the credentials or the CONNECT, answered "
	    "garbage or stopped; our trouble, never the address's" },
	[SUB_PROVIDER_ACCEPTS_ALL] = { "provider_accepts_all", STATUS_CATCH_ALL,
	    "The mailbox provider accepts every address at the time of the check, so this one was not asked and cannot be confirmed.",
	    "(--probe) the domain's mail host belongs to a provider that "
	    "accepts every recipient (accept_all in lists/providers.tsv: "
	    "Yahoo/AOL, Mail.ru): the address is not asked" },
	[SUB_THROTTLED] = { "throttled", STATUS_UNKNOWN,
	    "The mail server asked us to slow down (rate limit) every time we asked; the address was not checked. Try again later.",
	    "(--probe) the host kept asking us to slow down (421 4.7.28, "
	    "or a provider's throttle_codes) until --retries ran out; our "
	    "sending rate, never the address's" },
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
	return s < STATUS_LAST ? statuses[s].name : "?";
}

const char *
verdict_status_meaning(enum verdict_status s)
{
	return s < STATUS_LAST ? statuses[s].meaning : "?";
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

const char *
verdict_sub_meaning(enum verdict_sub s)
{
	return s < SUB_LAST ? subs[s].meaning : "?";
}

enum verdict_status
verdict_status_parse(const char *name, unsigned long len)
{
	for (int i = 0; i < STATUS_LAST; i++)
		if (strlen(statuses[i].name) == len &&
		    memcmp(statuses[i].name, name, len) == 0)
			return (enum verdict_status)i;
	return STATUS_LAST;
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
