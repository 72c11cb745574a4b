# validator/report: The run's summary (text, JSON, CSV) and the HTML report.
validator_liblistscrub_a_SOURCES += \
	%D%/report.c %D%/report.h \
	%D%/report_html.c %D%/report_html.h
