# validator/store: The result store: what earlier runs learned, in one
# SQLite file, and its maintenance (`listscrub cache`).
validator_liblistscrub_a_SOURCES += \
	%D%/store.c %D%/store.h \
	%D%/part.c %D%/part.h \
	%D%/store_admin.c %D%/store_admin.h
