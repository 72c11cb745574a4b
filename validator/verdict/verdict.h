/*
 * verdict - the user-facing vocabulary: statuses, sub-statuses and actions,
 * defined once here. The meaning of each status and sub-status lives here
 * too: `listscrub --help statuses` prints it, and the README and
 * listscrub(1) carry that text (tests/options_doc.sh checks they agree).
 * Names are part of the user contract: never rename, only add.
 */
#ifndef LISTSCRUB_VERDICT_H
#define LISTSCRUB_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

enum verdict_status {
	STATUS_VALID,
	STATUS_INVALID,
	STATUS_CATCH_ALL,
	STATUS_RISKY,
	STATUS_UNKNOWN,
	STATUS_SKIPPED,
	STATUS_LAST
};

/*
 * Sub-statuses; each belongs to exactly one status (verdict_sub_status).
 * At most 64: --keep/--remove keep a bit per sub-status.
 */
enum verdict_sub {
	SUB_SYNTAX_OK,
	SUB_BAD_SYNTAX,
	SUB_BAD_IDN,
	SUB_TOO_LONG,
	SUB_RESERVED_DOMAIN,
	SUB_ROLE_BASED,
	SUB_DISPOSABLE,
	SUB_POSSIBLE_TYPO,
	SUB_QUOTED_LOCAL_PART,
	SUB_IP_LITERAL,
	SUB_SMTPUTF8_LOCAL_PART,
	SUB_DUPLICATE,
	SUB_NO_EMAIL,
	SUB_MALFORMED_ROW,
	/* DNS stage */
	SUB_DOMAIN_OK,
	SUB_NULL_MX,
	SUB_DOMAIN_NOT_FOUND,
	SUB_NO_MAIL_HOST,
	SUB_DNS_TIMEOUT,
	SUB_DNS_ERROR,
	/* SMTP stage */
	SUB_MAILBOX_OK,
	SUB_MAILBOX_NOT_FOUND,
	SUB_MAILBOX_DISABLED,
	SUB_MAILBOX_FULL,
	SUB_ACCEPT_ALL,
	SUB_POLICY_BLOCKED,
	SUB_GREYLISTED,
	SUB_TEMPORARY_ERROR,
	SUB_CONNECTION_FAILED,
	SUB_TIMEOUT,
	SUB_TLS_FAILED,
	SUB_PROBE_BLOCKED,
	SUB_SMTPUTF8_UNSUPPORTED,
	SUB_SMTP_REJECTED,
	SUB_PROXY_FAILED,
	SUB_PROVIDER_ACCEPTS_ALL,
	SUB_THROTTLED,
	SUB_LAST
};

enum verdict_action {
	ACTION_KEEP,
	ACTION_REVIEW,
	ACTION_REMOVE,
	ACTION_RETRY_LATER,
	ACTION_LAST
};

enum verdict_policy {
	POLICY_STANDARD,
	POLICY_STRICT,
	POLICY_LENIENT,
	POLICY_LAST
};

const char *verdict_status_name(enum verdict_status s);
const char *verdict_sub_name(enum verdict_sub s);
const char *verdict_action_name(enum verdict_action a);
const char *verdict_policy_name(enum verdict_policy p);
/* verdict_sub_status - the status a sub-status belongs to. */
enum verdict_status verdict_sub_status(enum verdict_sub s);
/* verdict_sub_reason - the generic plain-English sentence for s. */
const char *verdict_sub_reason(enum verdict_sub s);
/*
 * verdict_status_meaning, verdict_sub_meaning - what s means, for the
 * documentation (--help statuses): a status's meaning is one short line,
 * a sub-status's is a phrase or two, unwrapped. "?" for an unknown s.
 */
const char *verdict_status_meaning(enum verdict_status s);
const char *verdict_sub_meaning(enum verdict_sub s);
/* verdict_status_parse - STATUS_LAST if name (len bytes) is not a status. */
enum verdict_status verdict_status_parse(const char *name, unsigned long len);
/* verdict_sub_parse - SUB_LAST if name is not a sub-status. */
enum verdict_sub verdict_sub_parse(const char *name, unsigned long len);
/* verdict_policy_parse - POLICY_LAST if name is not a policy. */
enum verdict_policy verdict_policy_parse(const char *name);

/*
 * verdict_action - what the policy does with a row, before overrides.
 * role: the address is role-based (strict sends it to review even when
 * its sub-status is something else that would be kept).
 */
enum verdict_action verdict_action(enum verdict_policy p, enum verdict_sub s,
    bool role);

#endif
