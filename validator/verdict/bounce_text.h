/*
 * bounce_text - the failed recipients of a bounce written as free text,
 * not as RFC 3464: qmail ("Hi. This is the qmail-send program"), Exim
 * ("This message was created automatically by mail delivery software",
 * "The following address(es) failed:") and Postfix without its
 * delivery-status part ("<addr>: host ... said: 550 ..."). The layouts
 * are in validator/README (explain).
 *
 * Input: the report's text (dsn_text_part()), any bytes. Pure and
 * bounded: one pass over the lines; reading stops at the copy of the
 * returned message; fields are cut to the dsn_rcpt buffers, control bytes
 * read as spaces.
 */
#ifndef LISTSCRUB_BOUNCE_TEXT_H
#define LISTSCRUB_BOUNCE_TEXT_H

#include <stddef.h>

#include "util/diag.h"
#include "verdict/dsn.h"

/*
 * bounce_text_parse - the recipients named in the text t[0..n): at most
 * max stored in out (recipient, action "failed" or "delayed", status: a
 * "#5.1.1" the text gives, diag: the words after the address, unfolded;
 * diag_type and remote_mta empty), *total counts all. Returns 0, or -1
 * with d set when no recipient is found in any of the three layouts.
 */
int bounce_text_parse(const char *t, size_t n, struct dsn_rcpt *out,
    size_t max, size_t *total, struct diag *d);

#endif
