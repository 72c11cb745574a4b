/*
 * t_infile - the kind of an input file from its bytes (workbooks,
 * archives, gzip, an OLE2 .xls header, CSV with a misleading name), the
 * refusal messages, and gunzip through zlib (multi-member, large,
 * damaged, cut short). The files are made by python3's zipfile and gzip
 * modules, as real tools write them; without python3 the test is skipped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slurp.h"
#include "tap.h"

#include "csv/infile.h"

/* Run with the scratch directory as argv[1]. */
static const char maker[] =
    "import gzip, io, sys, zipfile, os\n"
    "d = sys.argv[1]\n"
    "def p(n): return os.path.join(d, n)\n"
    "Z = zipfile.ZIP_DEFLATED\n"
    "# an Excel-written workbook: [Content_Types].xml first\n"
    "with zipfile.ZipFile(p('excel.xlsx'), 'w', Z) as z:\n"
    "    z.writestr('[Content_Types].xml', '<Types/>')\n"
    "    z.writestr('_rels/.rels', '<Relationships/>')\n"
    "    z.writestr('xl/workbook.xml', '<workbook/>')\n"
    "    z.writestr('xl/worksheets/sheet1.xml', '<worksheet/>')\n"
    "# openpyxl's order: docProps first, [Content_Types].xml last\n"
    "with zipfile.ZipFile(p('openpyxl.xlsx'), 'w', Z) as z:\n"
    "    z.writestr('docProps/app.xml', '<Properties>' + 'x' * 3000 + '</Properties>')\n"
    "    z.writestr('docProps/core.xml', '<cp/>')\n"
    "    z.writestr('xl/theme/theme1.xml', '<theme/>')\n"
    "    z.writestr('[Content_Types].xml', '<Types/>')\n"
    "# written to a stream that cannot seek: sizes after the data\n"
    "class W:\n"
    "    def __init__(s): s.b = io.BytesIO()\n"
    "    def write(s, x): return s.b.write(x)\n"
    "    def flush(s): pass\n"
    "w = W()\n"
    "with zipfile.ZipFile(w, 'w', Z) as z:\n"
    "    z.writestr('docProps/app.xml', '<Properties/>')\n"
    "    z.writestr('xl/workbook.xml', '<workbook/>')\n"
    "open(p('stream.xlsx'), 'wb').write(w.b.getvalue())\n"
    "def odf(name, mime):\n"
    "    with zipfile.ZipFile(p(name), 'w', Z) as z:\n"
    "        z.writestr(zipfile.ZipInfo('mimetype'), mime, zipfile.ZIP_STORED)\n"
    "        z.writestr('content.xml', '<office:document-content/>')\n"
    "        z.writestr('META-INF/manifest.xml', '<manifest/>')\n"
    "odf('sheet.ods', 'application/vnd.oasis.opendocument.spreadsheet')\n"
    "odf('letter.odt', 'application/vnd.oasis.opendocument.text')\n"
    "with zipfile.ZipFile(p('lists.zip'), 'w', Z) as z:\n"
    "    z.writestr('list.csv', 'Name,Email\\nAnn,ann@example.com\\n')\n"
    "open(p('empty.zip'), 'wb').write(b'PK\\x03\\x04')\n"
    "open(p('old.xls'), 'wb').write(bytes.fromhex('d0cf11e0a1b11ae1') + bytes(504))\n"
    "open(p('csv.xlsx'), 'wb').write(b'Name,Email\\nAnn,ann@example.com\\n')\n"
    "open(p('short.csv'), 'wb').write(b'P')\n"
    "one = b'Name,Email\\n' + b''.join(b'P%d,p%d@example.com\\n' % (i, i) for i in range(20000))\n"
    "open(p('plain.csv'), 'wb').write(one)\n"
    "open(p('one.csv.gz'), 'wb').write(gzip.compress(one))\n"
    "open(p('multi.gz'), 'wb').write(gzip.compress(b'a,b\\n') + gzip.compress(b'c,d\\n') + gzip.compress(b''))\n"
    "g = bytearray(gzip.compress(one))\n"
    "g[len(g) // 2] ^= 0x55\n"
    "open(p('damaged.gz'), 'wb').write(bytes(g))\n"
    "open(p('cut.gz'), 'wb').write(gzip.compress(one)[:-12])\n"
    "open(p('trailing.gz'), 'wb').write(gzip.compress(b'a\\n') + b'junk')\n"
    "open(p('notgz.gz'), 'wb').write(b'\\x1f\\x8b' + b'x' * 40)\n";

static char dir[] = "/tmp/t_infile.XXXXXX";

static bool make_files(void);
static enum infile_kind sniff(const char *name);
static void kinds(void);
static void refusals(void);
static char *gunzip(const char *name, size_t *n, struct diag *d);
static void gunzips(void);

/* make_files - run the python maker into dir; false without python3. */
static bool
make_files(void)
{
	char cmd[256];
	FILE *p;

	if (system("python3 -c '' 2>/dev/null") != 0)
		return false;
	snprintf(cmd, sizeof(cmd), "python3 - %s", dir);
	if ((p = popen(cmd, "w")) == NULL)
		return false;
	fputs(maker, p);
	return pclose(p) == 0;
}

/* sniff - the kind of dir/name, read from offset 0; -1 if unreadable. */
static enum infile_kind
sniff(const char *name)
{
	char path[256];
	FILE *f;
	enum infile_kind k;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return (enum infile_kind)-1;
	k = infile_sniff(f);
	c = getc(f);
	/* rewound: the first byte is read again */
	if (ftell(f) != 1 || c == EOF)
		k = (enum infile_kind)-2;
	fclose(f);
	return k;
}

static void
kinds(void)
{
	static const struct {
		const char *file;
		enum infile_kind k;
		const char *why;
	} cases[] = {
		{ "excel.xlsx", INFILE_XLSX, "[Content_Types].xml first" },
		{ "openpyxl.xlsx", INFILE_XLSX, "docProps first, then xl/" },
		{ "stream.xlsx", INFILE_XLSX, "sizes after the data (bit 3)" },
		{ "sheet.ods", INFILE_ODS, "mimetype says spreadsheet" },
		{ "letter.odt", INFILE_ZIP, "an OpenDocument text is a ZIP" },
		{ "lists.zip", INFILE_ZIP, "a ZIP holding a CSV" },
		{ "empty.zip", INFILE_ZIP, "a bare ZIP signature" },
		{ "old.xls", INFILE_XLS, "OLE2 header" },
		{ "one.csv.gz", INFILE_GZIP, "gzip" },
		{ "csv.xlsx", INFILE_TEXT, "CSV named .xlsx: bytes, not name" },
		{ "plain.csv", INFILE_TEXT, "CSV" },
		{ "short.csv", INFILE_TEXT, "a 1-byte file" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(sniff(cases[i].file), cases[i].k, "sniff %s: %s (%s)",
		    cases[i].file, infile_kind_name(cases[i].k),
		    cases[i].why);
	{
		/* from the middle: the position is kept */
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/plain.csv", dir);
		f = fopen(path, "rb");
		fseek(f, 5, SEEK_SET);
		(void)infile_sniff(f);
		is_int(ftell(f), 5, "sniff: the file is put back where it was");
		fclose(f);
	}
}

static void
refusals(void)
{
	struct diag d = { 0 };

	is_int(infile_refuse(INFILE_XLSX, "in/list.xlsx", &d), -1,
	    "refuse: xlsx");
	ok(d.code == DIAG_INPUT && strstr(d.msg, "in/list.xlsx is an Excel "
	    "workbook (.xlsx)") && strstr(d.msg, "CSV UTF-8 from Excel or "
	    "LibreOffice (File > Save As)") && strstr(d.msg, "soffice "
	    "--headless --convert-to csv in/list.xlsx"), "refuse: xlsx names "
	    "the file, the format and both ways out");
	is_int(infile_refuse(INFILE_ODS, "s.ods", &d), -1, "refuse: ods");
	ok(strstr(d.msg, "OpenDocument spreadsheet (.ods)") && strstr(d.msg,
	    "--convert-to csv s.ods"), "refuse: ods message");
	is_int(infile_refuse(INFILE_XLS, "-", &d), -1, "refuse: xls");
	ok(strstr(d.msg, "standard input is an Excel 97-2003 workbook "
	    "(.xls)") && strstr(d.msg, "--convert-to csv FILE"),
	    "refuse: xls on standard input: no '-' in the command");
	is_int(infile_refuse(INFILE_ZIP, "a.zip", &d), -1, "refuse: zip");
	ok(strstr(d.msg, "a.zip is a ZIP archive") && strstr(d.msg,
	    "unzip it first"), "refuse: zip says unzip it first");
	d.code = DIAG_OK;
	ok(infile_refuse(INFILE_TEXT, "x", &d) == 0 &&
	    infile_refuse(INFILE_GZIP, "x", &d) == 0 && d.code == DIAG_OK,
	    "refuse: text and gzip are read");
}

/* gunzip - dir/name through infile_gunzip, the result in memory. */
static char *
gunzip(const char *name, size_t *n, struct diag *d)
{
	char path[256];
	FILE *f, *o;
	char *s = NULL;
	size_t cap = 0, got;

	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	/* the pipeline sniffs first: read through stdio, then rewound */
	(void)infile_sniff(f);
	o = infile_gunzip(f, name, d);
	fclose(f);
	if (o == NULL)
		return NULL;
	do {
		if (cap - *n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((s = realloc(s, cap)) == NULL)
				abort();
		}
		got = fread(s + *n, 1, cap - *n, o);
		*n += got;
	} while (got > 0);
	fclose(o);
	return s;
}

static void
gunzips(void)
{
	struct diag d = { 0 };
	char path[256], *plain, *s;
	size_t pn = 0, n;

	snprintf(path, sizeof(path), "%s/plain.csv", dir);
	plain = slurp(path, &pn);
	s = gunzip("one.csv.gz", &n, &d);
	ok(s && plain && n == pn && memcmp(s, plain, n) == 0,
	    "gunzip: %zu bytes (several blocks) as gzip wrote them", pn);
	free(s);
	s = gunzip("multi.gz", &n, &d);
	ok(s && n == 8 && memcmp(s, "a,b\nc,d\n", 8) == 0,
	    "gunzip: three members (one empty) read as one stream");
	free(s);
	s = gunzip("damaged.gz", &n, &d);
	ok(s == NULL && d.code == DIAG_INPUT && strstr(d.msg,
	    "damaged.gz: gzip data is damaged ("), "gunzip: a flipped byte: "
	    "'%s'", d.msg);
	free(s);
	s = gunzip("cut.gz", &n, &d);
	ok(s == NULL && d.code == DIAG_INPUT && strstr(d.msg,
	    "cut.gz: gzip data is damaged") && strstr(d.msg, "cut short"),
	    "gunzip: cut short: '%s'", d.msg);
	free(s);
	s = gunzip("trailing.gz", &n, &d);
	ok(s == NULL && d.code == DIAG_INPUT && strstr(d.msg,
	    "gzip data is damaged"), "gunzip: bytes after the data: '%s'",
	    d.msg);
	free(s);
	s = gunzip("notgz.gz", &n, &d);
	ok(s == NULL && d.code == DIAG_INPUT && strstr(d.msg,
	    "notgz.gz: gzip data is damaged"), "gunzip: gzip magic, then "
	    "junk: '%s'", d.msg);
	free(s);
	free(plain);
}

int
main(void)
{
	char cmd[300];
	int rc;

	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a scratch directory\n");
		return 0;
	}
	if (!make_files()) {
		printf("1..0 # SKIP python3 cannot make the test files\n");
		rmdir(dir);
		return 0;
	}
	kinds();
	refusals();
	gunzips();
	rc = done_testing();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return rc;
}
