# The program and the library every test links against. Each folder of
# validator/ is one layer and adds its sources below; a folder may use the
# layers listed before it, never those after it (validator/README,
# "Layers and modules"; tests/layers.sh checks the #include lines).
noinst_LIBRARIES += validator/liblistscrub.a
validator_liblistscrub_a_SOURCES = \
	validator/cache_main.c validator/cache_main.h \
	validator/preflight_main.c validator/preflight_main.h \
	validator/options.c validator/options.h \
	validator/outputs.c validator/outputs.h \
	validator/outset.c validator/outset.h \
	validator/options_table.c validator/options_table.h \
	validator/pipeline.c validator/pipeline.h \
	validator/recall.c validator/recall.h \
	validator/rowflow.c validator/rowflow.h \
	validator/shard.c validator/shard.h
include %D%/util/local.mk
include %D%/address/local.mk
include %D%/smtp/local.mk
include %D%/verdict/local.mk
include %D%/csv/local.mk
include %D%/dns/local.mk
include %D%/store/local.mk
include %D%/probe/local.mk
include %D%/preflight/local.mk
include %D%/report/local.mk
include %D%/sheet/local.mk
validator_liblistscrub_a_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS) $(IDN2_CFLAGS) $(CARES_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SQLITE_CFLAGS) $(XLSX_CFLAGS) $(ZLIB_CFLAGS)

LISTSCRUB_LIBS = validator/liblistscrub.a $(IDN2_LIBS) $(CARES_LIBS) $(CSV_LIBS) \
	$(OPENSSL_LIBS) $(SQLITE_LIBS) $(XLSX_LIBS) $(ZLIB_LIBS) $(SPF2_LIBS)

bin_PROGRAMS += validator/listscrub
validator_listscrub_SOURCES = validator/main.c
validator_listscrub_LDADD = $(LISTSCRUB_LIBS)

dist_man_MANS += validator/listscrub.1
# The design document (stages, layers, conventions, protocol facts).
EXTRA_DIST += validator/README
