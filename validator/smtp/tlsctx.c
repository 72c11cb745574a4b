/*
 * NAME
 *	tlsctx - the OpenSSL client context for the SMTP sessions
 * DESCRIPTION
 *	See tlsctx.h. The OpenSSL 3.0 calls used and their behaviour on
 *	non-blocking sockets: validator/README, "SMTP facts".
 */
#include "smtp/tlsctx.h"

#include <openssl/err.h>

#include "util/diag.h"

static void tlsctx_err(struct diag *d, const char *what);

/* tlsctx_err - put what + the oldest queued OpenSSL error into d. */
static void
tlsctx_err(struct diag *d, const char *what)
{
	char e[256];
	unsigned long code = ERR_get_error();

	if (code != 0)
		ERR_error_string_n(code, e, sizeof(e));
	else
		snprintf(e, sizeof(e), "unknown error");
	ERR_clear_error();
	diag_set(d, DIAG_INTERNAL, "TLS: %s: %s", what, e);
}

SSL_CTX *
tlsctx_new(enum smtp_tls mode, const char *cafile, struct diag *d)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		tlsctx_err(d, "SSL_CTX_new");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		tlsctx_err(d, "cannot require TLS 1.2");
		goto fail;
	}
	if (cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
			tlsctx_err(d, "cannot load the CA file");
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		tlsctx_err(d, "cannot load the system CA paths");
		goto fail;
	}
	SSL_CTX_set_verify(ctx,
	    mode == SMTP_TLS_VERIFY ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* a server that closes without close_notify (after 421 or 221)
	 * reads as EOF, not as an error */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
tlsctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}
