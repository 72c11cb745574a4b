# validator/preflight: The sender preflight: is the probing IP listed on
# DNS blocklists, has it forward-confirmed reverse DNS, does the MAIL FROM
# domain's SPF authorise it, DMARC and MX, outbound port 25.
validator_liblistscrub_a_SOURCES += \
	%D%/pfcodes.c %D%/pfcodes.h \
	%D%/preflight.c %D%/preflight.h
