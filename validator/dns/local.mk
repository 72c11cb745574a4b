# validator/dns: The DNS stage: MX lookups with c-ares, the per-domain
# table, the mail host table.
validator_liblistscrub_a_SOURCES += \
	%D%/dnsstage.c %D%/dnsstage.h \
	%D%/domains.c %D%/domains.h \
	%D%/mailhosts.c %D%/mailhosts.h \
	%D%/mxlookup.c %D%/mxlookup.h \
	%D%/providers.c %D%/providers.h \
	%D%/shard_owner.c %D%/shard_owner.h
