# validator/verdict: The verdict vocabulary and the pure policy that
# turns evidence (and SMTP replies) into verdicts.
validator_liblistscrub_a_SOURCES += \
	%D%/bounce_text.c %D%/bounce_text.h \
	%D%/classify.c %D%/classify.h \
	%D%/dsn.c %D%/dsn.h \
	%D%/explain.c %D%/explain.h \
	%D%/smtp_classify.c %D%/smtp_classify.h \
	%D%/verdict.c %D%/verdict.h
