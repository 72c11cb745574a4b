#!/bin/bash
# t_inputs.sh - kinds of input file, told by their bytes, not their name:
# gzip is read through zlib (from a file or standard input, one member or
# several) and gives the outputs the plain file gives; workbooks (.xlsx,
# .ods, .xls) and ZIP archives are refused with a message naming the
# format and what to do; a CSV named .xlsx is read as CSV.
. "$(dirname "$0")/lib.sh"

plan 38

no_outputs() { [ ! -e "$T/$1.cleaned.csv" ] && [ ! -e "$T/$1.rejected.csv" ]; }
# same NAME1 NAME2 - the two runs' cleaned and rejected files are
# byte-equal, but for the time of the run in scrub_checked_at
same() {
	local f
	for f in cleaned rejected; do
		cmp <(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$T/$1.$f.csv") \
		    <(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$T/$2.$f.csv") || return 1
	done
	grep -q TIME <(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$T/$1.cleaned.csv")
}

P=$T/list.csv
{
	echo 'First,Last,Email,Phone'
	gen_rows 3000
	echo 'Bad,Row,not-an-address,1'
} >"$P"
gzip -9 -c "$P" >"$T/list.csv.gz"
head -1000 "$P" | gzip -c >"$T/multi.gz"
tail -n +1001 "$P" | gzip -c >>"$T/multi.gz"

# ---------------------------------------------------------------- gzip
scrub plain --offline "$P"
scrub_ok "plain CSV: exit status 0"
scrub gz --offline "$T/list.csv.gz"
scrub_ok "list.csv.gz: exit status 0"
ok "list.csv.gz: cleaned and rejected byte-equal to the plain file's" same plain gz
is "$(data_rows "$T/gz.cleaned.csv")" "$(data_rows "$T/plain.cleaned.csv")" "list.csv.gz: as many rows kept"
scrub gzin --offline - <"$T/list.csv.gz"
scrub_ok "gzip on standard input: exit status 0"
ok "gzip on standard input: byte-equal outputs" same plain gzin
scrub multi --offline "$T/multi.gz"
scrub_ok "two gzip members (cat a.gz b.gz): exit status 0"
ok "two gzip members: read as one file" same plain multi
run_scrub --offline --no-progress -o "$T/gzs.c.csv" -r "$T/gzs.r.csv" --summary "$T/gzs.json" "$T/list.csv.gz"
like "$SCRUB_ERR" "^listscrub: .*list\\.csv\\.gz: 3001 rows" "gzip: the summary names the file the user gave"
like "$(tr -d ' \n' <"$T/gzs.json")" '"input":"[^"]*list\.csv\.gz"' "gzip: the JSON summary names it too"

# DNS mode reads the decompressed copy twice (dead resolver: answers do
# not matter, the rows and bytes do)
if dns_lib=$srcdir/tests/dns/lib.sh && [ -f "$dns_lib" ] && . "$dns_lib" && dns_have_nsd && dns_dead_server; then
	scrub gzdns --dns-server "$DEAD_DNS_ADDR" --dns-timeout 200 --dns-tries 1 "$T/list.csv.gz"
	ok "gzip, DNS mode: completed (exit 0 or 3, degraded)" test "$SCRUB_RC" = 0 -o "$SCRUB_RC" = 3
	ok "gzip, DNS mode: every row in exactly one output" rows_partition 3001 "$T/gzdns.cleaned.csv" "$T/gzdns.rejected.csv"
	ok "gzip, DNS mode: original cells byte-identical" same_bytes "$P" 1 "$T/gzdns.cleaned.csv" "$T/gzdns.rejected.csv"
else
	skip 3 "no silent resolver (nsd/perl missing)"
fi

# damaged
python3 - "$T" <<'EOF'
import gzip, sys
d = sys.argv[1]
g = bytearray(gzip.compress(open(d + '/list.csv', 'rb').read()))
g[len(g) // 2] ^= 0x55
open(d + '/damaged.csv.gz', 'wb').write(bytes(g))
open(d + '/cut.csv.gz', 'wb').write(gzip.compress(b'Email\na@example.com\n' * 100)[:-20])
EOF
scrub damaged --offline "$T/damaged.csv.gz"
is "$SCRUB_RC" 2 "damaged gzip: exit status 2"
like "$SCRUB_ERR" "damaged\\.csv\\.gz: gzip data is damaged" "damaged gzip: the message names the file"
ok "damaged gzip: no output files" no_outputs damaged
scrub cut --offline "$T/cut.csv.gz"
is "$SCRUB_RC" 2 "gzip cut short: exit status 2"
like "$SCRUB_ERR" "cut\\.csv\\.gz: gzip data is damaged .*cut short" "gzip cut short: says so"

# gzip and --encoding together: decompressed, then converted
printf 'Name;Email\r\nAm\351lie;amelie@example.com\r\n' | gzip -c >"$T/win.csv.gz"
scrub wgz --offline --allow-reserved --encoding windows-1252 "$T/win.csv.gz"
scrub_ok "gzip + --encoding windows-1252: exit status 0"
is "$(CSV_DELIM=';' look 1 Name "$T/wgz.cleaned.csv")" "cleaned|Amélie" "gzip + --encoding: decompressed, then converted"

# ---------------------------------------------------------------- workbooks and archives
python3 - "$T" <<'EOF'
import sys, zipfile
d = sys.argv[1]
Z = zipfile.ZIP_DEFLATED
with zipfile.ZipFile(d + '/book.xlsx', 'w', Z) as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types/>')
    z.writestr('_rels/.rels', '<Relationships/>')
    z.writestr('xl/workbook.xml', '<workbook/>')
    z.writestr('xl/worksheets/sheet1.xml', '<worksheet/>')
with zipfile.ZipFile(d + '/sheet.ods', 'w', Z) as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet', zipfile.ZIP_STORED)
    z.writestr('content.xml', '<office:document-content/>')
    z.writestr('META-INF/manifest.xml', '<manifest/>')
with zipfile.ZipFile(d + '/lists.zip', 'w', Z) as z:
    z.writestr('list.csv', 'Email\nann@example.com\n')
open(d + '/old.xls', 'wb').write(bytes.fromhex('d0cf11e0a1b11ae1') + bytes(504))
EOF
scrub xlsx --offline "$T/book.xlsx"
is "$SCRUB_RC" 2 ".xlsx: exit status 2"
like "$SCRUB_ERR" "book\\.xlsx is an Excel workbook \\(\\.xlsx\\), not a CSV file" ".xlsx: the message names the file and the format"
like "$SCRUB_ERR" "save it as CSV UTF-8 from Excel or LibreOffice \\(File > Save As\\), or convert it: soffice --headless --convert-to csv .*book\\.xlsx" \
    ".xlsx: the message says what to do"
ok ".xlsx: no output files" no_outputs xlsx
scrub xlsxin --offline - <"$T/book.xlsx"
is "$SCRUB_RC" 2 ".xlsx on standard input: exit status 2"
like "$SCRUB_ERR" "standard input is an Excel workbook" ".xlsx on standard input: said so"
cp "$T/book.xlsx" "$T/book.csv"
scrub xlsxcsv --offline "$T/book.csv"
like "$SCRUB_RC|$SCRUB_ERR" "^2\\|.*book\\.csv is an Excel workbook" "an .xlsx named .csv: refused by its bytes"

scrub ods --offline "$T/sheet.ods"
is "$SCRUB_RC" 2 ".ods: exit status 2"
like "$SCRUB_ERR" "sheet\\.ods is an OpenDocument spreadsheet \\(\\.ods\\).*soffice --headless --convert-to csv" ".ods: format and what to do"
ok ".ods: no output files" no_outputs ods

scrub zip --offline "$T/lists.zip"
is "$SCRUB_RC" 2 ".zip: exit status 2"
like "$SCRUB_ERR" "lists\\.zip is a ZIP archive, not a CSV file: unzip it first" ".zip: says unzip it first"
ok ".zip: no output files" no_outputs zip

scrub xls --offline "$T/old.xls"
is "$SCRUB_RC" 2 ".xls (OLE2 header): exit status 2"
like "$SCRUB_ERR" "old\\.xls is an Excel 97-2003 workbook \\(\\.xls\\).*soffice --headless --convert-to csv" ".xls: format and what to do"
ok ".xls: no output files" no_outputs xls

# a CSV named .xlsx is a CSV
cp "$P" "$T/really-a-csv.xlsx"
scrub fake --offline "$T/really-a-csv.xlsx"
scrub_ok "a CSV named .xlsx: exit status 0"
ok "a CSV named .xlsx: read as CSV, same outputs as the .csv" same plain fake
