# validator/csv: Reading and writing the user's file: CSV reader and
# writer, the email column, rows in and out, input encodings and kinds.
validator_liblistscrub_a_SOURCES += \
	%D%/columns.c %D%/columns.h \
	%D%/csvread.c %D%/csvread.h \
	%D%/csvwrite.c %D%/csvwrite.h \
	%D%/email_column.c %D%/email_column.h \
	%D%/encoding.c %D%/encoding.h \
	%D%/infile.c %D%/infile.h \
	%D%/row_copy.c %D%/row_copy.h \
	%D%/row_write.c %D%/row_write.h
