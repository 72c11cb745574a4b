# validator/dns: The DNS stage: MX lookups with c-ares, the per-domain
# table, the mail host table.
validator_liblistscrub_a_SOURCES += \
	%D%/dnsstage.c %D%/dnsstage.h \
	%D%/domtab.c %D%/domtab.h \
	%D%/mxlookup.c %D%/mxlookup.h \
	%D%/mxtab.c %D%/mxtab.h
