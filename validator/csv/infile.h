/*
 * infile - what kind of file the input is, before it is read as CSV.
 * Spreadsheet workbooks and archives are recognised by their first bytes
 * (not by the name) and refused with a message that names the format and
 * what to do; gzip-compressed input is read through zlib
 * (validator/README, "CSV facts").
 */
#ifndef LISTSCRUB_INFILE_H
#define LISTSCRUB_INFILE_H

#include <stdio.h>

#include "util/diag.h"

enum infile_kind {
	INFILE_TEXT,	/* anything else: read as CSV */
	INFILE_GZIP,	/* 1f 8b */
	INFILE_XLSX,	/* a ZIP whose entries are an Office Open XML workbook */
	INFILE_ODS,	/* a ZIP holding an OpenDocument spreadsheet */
	INFILE_ZIP,	/* any other ZIP archive */
	INFILE_XLS,	/* an OLE2 compound file: Excel 97-2003 .xls */
};

/*
 * infile_sniff - the kind of f, a seekable file, from its first bytes
 * (up to a few KiB: for a ZIP, the names of its first entries). f is
 * rewound to where it was. Cannot fail: unreadable means INFILE_TEXT,
 * and reading it as CSV then reports the error.
 */
enum infile_kind infile_sniff(FILE *f);

/* infile_kind_name - "gzip", "Excel workbook (.xlsx)", ... */
const char *infile_kind_name(enum infile_kind k);

/*
 * infile_refuse - for the kinds that cannot be read (XLSX, ODS, ZIP,
 * XLS): -1 with d (DIAG_INPUT) saying what `file` is and what to do
 * ("save it as CSV UTF-8 from the spreadsheet, or: soffice --headless
 * --convert-to csv FILE"; "unzip it first"). 0 for the others.
 */
int infile_refuse(enum infile_kind k, const char *file, struct diag *d);

/*
 * infile_gunzip - all of in (gzip, one or more members) decompressed
 * into an anonymous temporary file, rewound; in is not closed. NULL with
 * d: DIAG_INPUT "FILE: gzip data is damaged (...)" or DIAG_OUTPUT when the
 * temporary file cannot be written.
 */
FILE *infile_gunzip(FILE *in, const char *file, struct diag *d);

#endif
