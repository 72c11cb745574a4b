# validator/sheet: The spreadsheet output (--xlsx), through libxlsxwriter.
validator_liblistscrub_a_SOURCES += %D%/xlsxbook.c %D%/xlsxbook.h
