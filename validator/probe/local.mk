# validator/probe: The SMTP stage: which address is asked where and
# when, and the answers.
validator_liblistscrub_a_SOURCES += \
	%D%/probe_sched.c %D%/probe_sched.h \
	%D%/probe_targets.c %D%/probe_targets.h
