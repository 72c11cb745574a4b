/*
 * tlsctx - the OpenSSL client context the SMTP sessions share: TLS 1.2
 * minimum, verify paths, verify mode (validator/README, "SMTP facts").
 * One SSL_CTX per run; every smtp_session makes its SSL from it.
 * Fails by returning NULL with the OpenSSL error text in the diag.
 */
#ifndef LISTSCRUB_TLSCTX_H
#define LISTSCRUB_TLSCTX_H

#include <openssl/ssl.h>

#include "smtp/smtp_session.h"

struct diag;

/*
 * tlsctx_new - a client SSL_CTX for mode: TLS 1.2 or later; CA
 * certificates from cafile (a PEM bundle) or, when cafile is NULL, the
 * system default paths; SSL_VERIFY_PEER for SMTP_TLS_VERIFY, else
 * SSL_VERIFY_NONE (the session still records the verify result).
 * Partial writes and moving write buffers are enabled (the session's
 * output buffer may move between retries). Returns the context (the
 * caller owns one reference: tlsctx_free), or NULL with d set.
 */
SSL_CTX *tlsctx_new(enum smtp_tls mode, const char *cafile, struct diag *d);

/* tlsctx_free - drop the caller's reference; NULL is a no-op. Sessions
 * still running hold their own references through their SSL. */
void tlsctx_free(SSL_CTX *ctx);

#endif
