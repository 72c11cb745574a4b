# Data tables, installed under $(pkgdatadir); the samples ship in the tarball.
dist_pkgdata_DATA = \
	lists/disposable.txt \
	lists/free.txt \
	lists/popular.txt \
	lists/providers.tsv \
	lists/role.txt \
	lists/smtp-phrases.tsv \
	lists/typos.tsv
EXTRA_DIST += lists/README \
	lists/sample/README \
	lists/sample/contacts.csv \
	lists/sample/excel-semicolon.csv \
	lists/sample/google-sheets.csv \
	lists/sample/messy.csv \
	lists/sample/mailworld.csv \
	lists/sample/tab-separated.tsv
