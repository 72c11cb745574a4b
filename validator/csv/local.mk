# validator/csv: Reading and writing the user's file: CSV reader and
# writer, the email column, rows in and out.
validator_liblistscrub_a_SOURCES += \
	%D%/colpick.c %D%/colpick.h \
	%D%/csvread.c %D%/csvread.h \
	%D%/csvwrite.c %D%/csvwrite.h \
	%D%/rowsave.c %D%/rowsave.h \
	%D%/rowwrite.c %D%/rowwrite.h
