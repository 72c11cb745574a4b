# validator/report: The run's summary (text, JSON, CSV).
validator_liblistscrub_a_SOURCES += \
	%D%/report.c %D%/report.h
