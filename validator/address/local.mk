# validator/address: One address on its own: normalize, parse (RFC
# 5321/6531), IDN, duplicates, the list flags.
validator_liblistscrub_a_SOURCES += \
	%D%/addr_check.c %D%/addr_check.h \
	%D%/addr_idn.c %D%/addr_idn.h \
	%D%/addr_norm.c %D%/addr_norm.h \
	%D%/addr_parse.c %D%/addr_parse.h \
	%D%/dedupe.c %D%/dedupe.h \
	%D%/listcheck.c %D%/listcheck.h
