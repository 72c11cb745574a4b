# The program and the library every test links against.
noinst_LIBRARIES += validator/liblistscrub.a
validator_liblistscrub_a_SOURCES = \
	validator/addr_check.c validator/addr_check.h \
	validator/addr_idn.c validator/addr_idn.h \
	validator/addr_norm.c validator/addr_norm.h \
	validator/addr_parse.c validator/addr_parse.h \
	validator/ascii.h \
	validator/buf.c validator/buf.h \
	validator/classify.c validator/classify.h \
	validator/colpick.c validator/colpick.h \
	validator/csvread.c validator/csvread.h \
	validator/csvwrite.c validator/csvwrite.h \
	validator/dedupe.c validator/dedupe.h \
	validator/diag.c validator/diag.h \
	validator/dnsstage.c validator/dnsstage.h \
	validator/domtab.c validator/domtab.h \
	validator/evloop.c validator/evloop.h \
	validator/explain.c validator/explain.h \
	validator/listcheck.c validator/listcheck.h \
	validator/mxlookup.c validator/mxlookup.h \
	validator/mxtab.c validator/mxtab.h \
	validator/options.c validator/options.h \
	validator/pipeline.c validator/pipeline.h \
	validator/probe_sched.c validator/probe_sched.h \
	validator/probeset.c validator/probeset.h \
	validator/progress.c validator/progress.h \
	validator/report.c validator/report.h \
	validator/rowsave.c validator/rowsave.h \
	validator/rowwrite.c validator/rowwrite.h \
	validator/smtp_classify.c validator/smtp_classify.h \
	validator/smtp_reply.c validator/smtp_reply.h \
	validator/smtp_session.c validator/smtp_session.h \
	validator/strmap.c validator/strmap.h \
	validator/tlsctx.c validator/tlsctx.h \
	validator/verdict.c validator/verdict.h \
	validator/wordlist.c validator/wordlist.h \
	validator/xalloc.c validator/xalloc.h
validator_liblistscrub_a_CFLAGS = $(AM_CFLAGS) $(IDN2_CFLAGS) $(CARES_CFLAGS) \
	$(OPENSSL_CFLAGS)

LISTSCRUB_LIBS = validator/liblistscrub.a $(IDN2_LIBS) $(CARES_LIBS) $(CSV_LIBS) \
	$(OPENSSL_LIBS)

bin_PROGRAMS += validator/listscrub
validator_listscrub_SOURCES = validator/main.c
validator_listscrub_LDADD = $(LISTSCRUB_LIBS)

dist_man_MANS += validator/listscrub.1
