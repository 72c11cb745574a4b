/*
 * dsn - read a delivery status notification (RFC 3464): a bounce message
 * whose multipart/report holds a message/delivery-status part (or
 * message/global-delivery-status, RFC 6533), and give its per-recipient
 * fields: Final-Recipient (else Original-Recipient), Action, Status,
 * Diagnostic-Code (type and text), Remote-MTA.
 *
 * Pure and bounded: the input is a byte string (not necessarily NUL
 * terminated, any bytes); MIME parts nest at most DSN_DEPTH deep and a
 * message has at most DSN_PARTS parts; folded header lines are unfolded;
 * the status part may be base64 or quoted-printable; every field is cut
 * to its buffer. No recursion beyond DSN_DEPTH, no allocation beyond one
 * copy of the status part. A bare delivery-status body (fields only, as
 * pasted from a bounce) is read too.
 */
#ifndef LISTSCRUB_DSN_H
#define LISTSCRUB_DSN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define DSN_DEPTH	8
#define DSN_PARTS	1000

struct dsn_rcpt {
	char recipient[320];	/* the address, without "rfc822;" */
	char action[32];	/* failed, delayed, delivered, relayed, ... */
	char status[32];	/* the enhanced code, as written */
	char diag_type[32];	/* smtp, x-unix, ... ("" if none) */
	char diag[2048];	/* the Diagnostic-Code text, unfolded */
	char remote_mta[256];	/* the Remote-MTA name, without "dns;" */
};

/*
 * dsn_looks_like_message - does s start with a header section (after an
 * optional mbox "From " line, a header field line; then a blank line and
 * more text)? explain reads such input as a message rather than as one
 * reply.
 */
bool dsn_looks_like_message(const char *s, size_t n);

/*
 * dsn_parse - the recipients of the DSN in s[0..n): at most max of them
 * are stored in out, *total counts all. Returns 0, or -1 when s holds no
 * delivery-status part (d says why, in words for the user).
 */
int dsn_parse(const char *s, size_t n, struct dsn_rcpt *out, size_t max,
    size_t *total, struct diag *d);

/*
 * dsn_text_part - a decoded copy (malloc'd, NUL-terminated, *len bytes;
 * the caller frees it) of the message's first text/plain part outside a
 * returned message/rfc822, or of its body when it has no Content-Type;
 * NULL when there is none. The same bounds as dsn_parse.
 */
char *dsn_text_part(const char *s, size_t n, size_t *len);

#endif
