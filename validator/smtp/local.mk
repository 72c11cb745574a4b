# validator/smtp: The SMTP wire: reply parser, one client session, the
# TLS context. No verdicts here.
validator_liblistscrub_a_SOURCES += \
	%D%/smtp_reply.c %D%/smtp_reply.h \
	%D%/smtp_session.c %D%/smtp_session.h \
	%D%/socks5.c %D%/socks5.h \
	%D%/tlsctx.c %D%/tlsctx.h
