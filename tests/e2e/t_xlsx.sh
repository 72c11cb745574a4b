#!/bin/bash
# t_xlsx.sh - listscrub --xlsx as LibreOffice reads it, and our CSV outputs
# as LibreOffice imports them. A list with the cells spreadsheets spoil
# (ZIP codes and phone numbers with leading zeros, 20-digit ids, text that
# starts with = or @, a multi-line note, CJK, a row wider than the header
# past the first 200 rows) is scrubbed with --xlsx and --review; LibreOffice
# (tests/e2e/lo.sh) exports every sheet back to CSV and each row must be the
# input's cells exactly as they were, padded to the widest row, then the
# appended cells as the CSV outputs have them; the Summary sheet's counts
# are the JSON summary's. Then the semicolon-separated cleaned file is
# imported by LibreOffice with the delimiter we wrote (every column as
# text) and must give back the same columns. Skipped only when soffice is
# not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lo.sh"

plan 15

if ! lo_have; then
	skip 15 "soffice (LibreOffice) is not installed"
	exit 0
fi

F=$T/crm.csv
python3 - "$F" <<'PY' || bail "cannot generate the input"
import csv, sys
rows = [['Customer ID', 'ZIP', 'Phone', 'Email', 'Note']]
rows += [
    ['12345678901234567890', '01234', '0177777868', 'ann.lee@gmail.com', '=1+1'],
    ['00000000000000000042', '00501', '+49 30 1234567', 'info@acme-tools.com', '@SUM(1+1)'],
    ['3', '02134', '-5', 'not an address', 'line one\nline two'],
    ['4', '10115', '030 123', 'ANN.LEE@gmail.com', '田中商店'],
    ['5', '0', '', 'bob@hotmial.com', '1e5'],
]
for i in range(6, 260):
    rows.append([str(i).zfill(8), '%05d' % (i * 7 % 100000), '0' + str(1700000000 + i),
                 'user%d@example.com' % i if i % 9 else 'broken%d@' % i, 'n%d' % i])
rows.append(['999', '09999', '0', 'wide@example.com', 'x', 'extra 1', '=2+2'])
with open(sys.argv[1], 'w', newline='') as f:
    csv.writer(f, lineterminator='\r\n').writerows(rows)
PY
N=$(data_rows "$F")

mkdir "$T/out"
run_scrub -q --no-progress --offline --allow-reserved --policy strict -o "$T/out/c.csv" \
    -r "$T/out/r.csv" --review "$T/out/v.csv" --summary "$T/out/s.json" --xlsx "$T/out/book.xlsx" "$F"
scrub_ok "--xlsx: exit status 0"
ok "--xlsx: the workbook is written" test -s "$T/out/book.xlsx"
ok "--xlsx: committed with the others, no temporary file left" only_files "$T/out" book.xlsx c.csv r.csv s.json v.csv
mv "$T/out/"* "$T/"
ok "LibreOffice opens the workbook and exports its sheets" lo_to_csv "$T/book.xlsx" "$T/lo"
is "$(cd "$T/lo" && ls | tr '\n' ' ')" "book-Cleaned.csv book-Rejected.csv book-Review.csv book-Summary.csv " \
    "--xlsx: sheets Summary, Cleaned, Rejected, Review"

# What each data sheet must hold: the input's cells, padded to the widest
# row, then the appended cells of the matching CSV output.
python3 - "$F" "$T" <<'PY' || bail "cannot compute the expected sheets"
import csv, sys
src, T = sys.argv[1], sys.argv[2]
inp = list(csv.reader(open(src, newline='', encoding='utf-8')))
width = max(len(r) for r in inp)
for name, path in (('Cleaned', 'c.csv'), ('Rejected', 'r.csv'), ('Review', 'v.csv')):
    out = list(csv.reader(open('%s/%s' % (T, path), newline='', encoding='utf-8')))
    hdr = out[0]
    ncols = len(hdr) - hdr.index('scrub_row')	# the appended columns
    want = [inp[0] + [''] * (width - len(inp[0])) + hdr[-ncols:]]
    ri = hdr.index('scrub_row')
    for r in out[1:]:
        orig = inp[int(r[ri])]
        want.append(orig + [''] * (width - len(orig)) + r[-ncols:])
    with open('%s/want-%s.csv' % (T, name), 'w', newline='', encoding='utf-8') as f:
        csv.writer(f).writerows(want)
PY
for s in Cleaned Rejected Review; do
	ok "--xlsx $s: every cell as the input had it, verdict cells as in the CSV output" \
	    lo_csv_same "$(lo_sheet "$T/lo" "$T/book.xlsx" $s)" "$T/want-$s.csv"
done
is "$(($(data_rows "$(lo_sheet "$T/lo" "$T/book.xlsx" Cleaned)") + $(data_rows "$(lo_sheet "$T/lo" "$T/book.xlsx" Rejected)") + $(data_rows "$(lo_sheet "$T/lo" "$T/book.xlsx" Review)")))" \
    "$N" "--xlsx: the data sheets hold every row once ($N)"
is "$(python3 - "$T"/lo/book-Cleaned.csv "$T"/lo/book-Rejected.csv "$T"/lo/book-Review.csv <<'PY'
import csv, sys
got = {}
for p in sys.argv[1:]:
    rows = list(csv.reader(open(p, newline='', encoding='utf-8')))
    h = rows[0]
    for r in rows[1:]:
        got[r[h.index('scrub_row')]] = r
print('|'.join(got['1'][:5]))
# every ZIP code keeps its five digits (or the one 0 it was)
print(all(len(r[1]) == 5 or r[1] == '0' for r in got.values()))
PY
)" "12345678901234567890|01234|0177777868|ann.lee@gmail.com|=1+1
True" "--xlsx: a 20-digit id, leading zeros and =1+1 come back as typed, every ZIP code whole"

# The Summary sheet's counts are the run's.
is "$(python3 - "$T/lo/book-Summary.csv" "$T/s.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
j = json.load(open(sys.argv[2]))
cells = {}
for r in rows:
    if len(r) >= 2 and r[0] and r[1]:
        cells.setdefault(r[0], r[1])
bad = [s for s, n in j['status'].items() if n and cells.get(s) != str(n)]
print('ok' if not bad else 'differ: %r' % bad)
PY
)" ok "--xlsx Summary: each status with the run's count"

# LibreOffice imports our semicolon-separated cleaned file with the
# delimiter we wrote, every column as text: the same columns come back.
E=$SAMPLES/excel-semicolon.csv
run_scrub -q --no-progress --offline --excel -o "$T/e.c.csv" -r "$T/e.r.csv" "$E"
scrub_ok "Excel-flavoured list: exit status 0"
n=$(CSV_DELIM=';' nfields "$T/e.c.csv" | sort -n | tail -1)
fmt=$(seq 1 "$n" | awk '{ printf "%s%d/2", (NR > 1 ? "/" : ""), $1 }')
mkdir -p "$T/imp"
cp "$T/e.c.csv" "$T/imp/in.csv"
lo_import() { "$@" >"$T/imp.log" 2>&1; }
ok "LibreOffice imports the cleaned file with ';'" \
    lo_import timeout -k 5 "$LO_TIMEOUT" soffice --headless --norestore "-env:UserInstallation=file://$T/lo-profile" \
    --infilter="CSV:59,34,76,1,$fmt" --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' \
    --outdir "$T/imp/out" "$T/imp/in.csv"
python3 - "$T/imp/in.csv" "$T/imp/want.csv" <<'PY'
import csv, sys
t = open(sys.argv[1], encoding='utf-8-sig', newline='').read()
import io
rows = list(csv.reader(io.StringIO(t, newline=''), delimiter=';'))
csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8')).writerows(rows)
PY
ok "the import gives the same columns and cells as our file holds" lo_csv_same "$T/imp/out/in.csv" "$T/imp/want.csv"
is "$(CSV_DELIM=, col "$T/imp/out/in.csv" scrub_status | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    "$(CSV_DELIM=';' col "$T/e.c.csv" scrub_status | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    "the import: scrub_status found by its header, the same values"
