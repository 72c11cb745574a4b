/*
 * infile - sniffing the kind of input file by its first bytes, refusing
 * workbooks and archives, and gunzip through zlib (validator/README, "CSV
 * facts").
 */
#include "csv/infile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

#include "util/interrupt.h"
#include "util/xalloc.h"

#define INFILE_SNIFF	16384	/* bytes looked at for the kind */
#define INFILE_BLOCK	65536	/* gunzip's read and write blocks */
#define ZIP_LOCAL	30	/* a ZIP local file header's fixed part */
#define ODS_MIME	"application/vnd.oasis.opendocument.spreadsheet"

static const unsigned char ole2_magic[8] = {
	0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1
};

static enum infile_kind infile_zip(const unsigned char *b, size_t n);
static uint32_t infile_le(const unsigned char *p, int bytes);
static const char *infile_cmd_name(const char *file);

/* infile_le - a little-endian number of 2 or 4 bytes (ZIP headers). */
static uint32_t
infile_le(const unsigned char *p, int bytes)
{
	uint32_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * infile_zip - a ZIP's kind from the names of its first entries (APPNOTE
 * 4.3.7, the local file header): an Office Open XML workbook has
 * "[Content_Types].xml" and "xl/..." parts; an OpenDocument file's first
 * entry is "mimetype", stored, holding its media type (ODF 1.2 part 3,
 * 3.3).
 */
static enum infile_kind
infile_zip(const unsigned char *b, size_t n)
{
	size_t off = 0;

	while (off + ZIP_LOCAL <= n && memcmp(b + off, "PK\3\4", 4) == 0) {
		unsigned flags = infile_le(b + off + 6, 2);
		unsigned method = infile_le(b + off + 8, 2);
		uint32_t csize = infile_le(b + off + 18, 4);
		size_t nlen = infile_le(b + off + 26, 2);
		size_t xlen = infile_le(b + off + 28, 2);
		const unsigned char *name = b + off + ZIP_LOCAL;
		const unsigned char *data = name + nlen + xlen;
		const unsigned char *next;

		if (off + ZIP_LOCAL + nlen > n)
			break;
		if ((nlen == 19 && memcmp(name, "[Content_Types].xml",
		    19) == 0) || (nlen > 3 && memcmp(name, "xl/", 3) == 0))
			return INFILE_XLSX;
		if (nlen == 8 && memcmp(name, "mimetype", 8) == 0 &&
		    method == 0 && csize == sizeof(ODS_MIME) - 1 &&
		    (size_t)(data - b) + csize <= n &&
		    memcmp(data, ODS_MIME, csize) == 0)
			return INFILE_ODS;
		if ((size_t)(data - b) > n)
			break;
		if ((flags & 0x08) == 0) {
			/* sizes in the header: skip the data */
			if ((size_t)(data - b) + csize > n)
				break;
			off = (size_t)(data - b) + csize;
			continue;
		}
		/* sizes follow the data (bit 3): find the next header */
		next = memmem(data, n - (size_t)(data - b), "PK\3\4", 4);
		if (next == NULL)
			break;
		off = (size_t)(next - b);
	}
	return INFILE_ZIP;
}

enum infile_kind
infile_sniff(FILE *f)
{
	unsigned char *b = xmalloc(INFILE_SNIFF);
	enum infile_kind k = INFILE_TEXT;
	off_t at = ftello(f);
	size_t n;

	if (at < 0) {
		free(b);
		return INFILE_TEXT;
	}
	n = fread(b, 1, INFILE_SNIFF, f);
	if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B)
		k = INFILE_GZIP;
	else if (n >= sizeof(ole2_magic) && memcmp(b, ole2_magic,
	    sizeof(ole2_magic)) == 0)
		k = INFILE_XLS;
	else if (n >= 4 && memcmp(b, "PK\3\4", 4) == 0)
		k = infile_zip(b, n);
	clearerr(f);
	if (fseeko(f, at, SEEK_SET) != 0)
		k = INFILE_TEXT;	/* reading it as CSV will say why */
	free(b);
	return k;
}

const char *
infile_kind_name(enum infile_kind k)
{
	switch (k) {
	case INFILE_TEXT:
		return "text";
	case INFILE_GZIP:
		return "gzip";
	case INFILE_XLSX:
		return "Excel workbook (.xlsx)";
	case INFILE_ODS:
		return "OpenDocument spreadsheet (.ods)";
	case INFILE_ZIP:
		return "ZIP archive";
	case INFILE_XLS:
		return "Excel 97-2003 workbook (.xls)";
	}
	return "?";
}

/* infile_cmd_name - the file as the user would type it in a command. */
static const char *
infile_cmd_name(const char *file)
{
	return strcmp(file, "-") == 0 ? "FILE" : file;
}

int
infile_refuse(enum infile_kind k, const char *file, struct diag *d)
{
	const char *shown = strcmp(file, "-") == 0 ? "standard input" : file;

	switch (k) {
	case INFILE_TEXT:
	case INFILE_GZIP:
		return 0;
	case INFILE_XLSX:
	case INFILE_ODS:
	case INFILE_XLS:
		diag_set(d, DIAG_INPUT, "%s is an %s, not a CSV file: save it "
		    "as CSV UTF-8 from Excel or LibreOffice (File > Save As), "
		    "or convert it: soffice --headless --convert-to csv %s",
		    shown, infile_kind_name(k), infile_cmd_name(file));
		return -1;
	case INFILE_ZIP:
		diag_set(d, DIAG_INPUT, "%s is a ZIP archive, not a CSV file: "
		    "unzip it first and give listscrub the CSV file inside",
		    shown);
		return -1;
	}
	return 0;
}

FILE *
infile_gunzip(FILE *in, const char *file, struct diag *d)
{
	z_stream z = { 0 };
	unsigned char *ib = xmalloc(INFILE_BLOCK), *ob = xmalloc(INFILE_BLOCK);
	FILE *out = NULL;
	bool ok = false, ended = false, eof = false;
	int zr;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {	/* gzip only */
		diag_set(d, DIAG_INTERNAL, "%s: zlib: %s", file,
		    z.msg ? z.msg : "cannot start");
		free(ib);
		free(ob);
		return NULL;
	}
	if ((out = tmpfile()) == NULL) {
		diag_set(d, DIAG_OUTPUT, "cannot create a temporary file to "
		    "decompress %s: %s", file, strerror(errno));
		goto done;
	}
	for (;;) {
		if (interrupt_check("decompressing the input", d) != 0)
			goto done;
		if (z.avail_in == 0 && !eof) {
			z.next_in = ib;
			z.avail_in = (uInt)fread(ib, 1, INFILE_BLOCK, in);
			if (ferror(in)) {
				diag_set(d, DIAG_INPUT, "%s: read error: %s",
				    file, strerror(errno));
				goto done;
			}
			eof = z.avail_in == 0;
		}
		if (z.avail_in == 0 && eof)
			break;
		if (ended) {
			/* RFC 1952 2.2: members follow each other; gzip(1)
			   reads them as one stream */
			if (z.next_in[0] != 0x1F) {
				diag_set(d, DIAG_INPUT, "%s: gzip data is "
				    "damaged (bytes that are not gzip after "
				    "the end of the compressed data)", file);
				goto done;
			}
			if (inflateReset(&z) != Z_OK)
				goto damaged;
			ended = false;
		}
		z.next_out = ob;
		z.avail_out = INFILE_BLOCK;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_MEM_ERROR) {
			diag_set(d, DIAG_INTERNAL, "%s: zlib: out of memory",
			    file);
			goto done;
		}
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			goto damaged;
		if (fwrite(ob, 1, INFILE_BLOCK - z.avail_out, out) !=
		    INFILE_BLOCK - z.avail_out) {
			diag_set(d, DIAG_OUTPUT, "cannot write the "
			    "decompressed %s to a temporary file: %s", file,
			    strerror(errno));
			goto done;
		}
		if (zr == Z_STREAM_END)
			ended = true;
	}
	if (!ended) {
		diag_set(d, DIAG_INPUT, "%s: gzip data is damaged (it ends "
		    "before the end of the compressed data: a file cut "
		    "short?)", file);
		goto done;
	}
	if (fflush(out) != 0 || fseek(out, 0, SEEK_SET) != 0) {
		diag_set(d, DIAG_OUTPUT, "cannot write the decompressed %s to "
		    "a temporary file: %s", file, strerror(errno));
		goto done;
	}
	ok = true;
	goto done;
damaged:
	diag_set(d, DIAG_INPUT, "%s: gzip data is damaged (%s)", file,
	    z.msg ? z.msg : "zlib could not read it");
done:
	inflateEnd(&z);
	free(ib);
	free(ob);
	if (!ok && out != NULL) {
		fclose(out);
		out = NULL;
	}
	return out;
}
