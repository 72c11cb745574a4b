# validator/probe: The SMTP stage: which address is asked where and
# when, what trouble means for it and its host, and the answers.
validator_liblistscrub_a_SOURCES += \
	%D%/probe_addrsel.c %D%/probe_addrsel.h \
	%D%/probe_source.c %D%/probe_source.h \
	%D%/probe_sched.c %D%/probe_sched.h \
	%D%/probe_targets.c %D%/probe_targets.h \
	%D%/probe_trouble.c %D%/probe_trouble.h
