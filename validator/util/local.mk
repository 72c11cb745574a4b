# validator/util: Generic helpers: memory, buffers, hash tables, errors,
# the event loop, data tables, progress. They know nothing of mail.
validator_liblistscrub_a_SOURCES += \
	%D%/ascii.h \
	%D%/bgjob.c %D%/bgjob.h \
	%D%/buf.c %D%/buf.h \
	%D%/diag.c %D%/diag.h \
	%D%/evloop.c %D%/evloop.h \
	%D%/fileid.c %D%/fileid.h \
	%D%/interrupt.c %D%/interrupt.h \
	%D%/progress.c %D%/progress.h \
	%D%/strmap.c %D%/strmap.h \
	%D%/utf8.c %D%/utf8.h \
	%D%/wordlist.c %D%/wordlist.h \
	%D%/xalloc.c %D%/xalloc.h
