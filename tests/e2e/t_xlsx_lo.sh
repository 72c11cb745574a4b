#!/bin/bash
# t_xlsx_lo.sh - our workbooks as LibreOffice reads them: a CSV of tricky
# cells (leading zeros, phone numbers, 20-digit ids, =1+1, +49, -5, @x,
# 1e5, dates, emoji, RTL, _x000D_ (LibreOffice would read a CR), line breaks, ESC, bytes that are not
# UTF-8, a 40,000-character cell, a row wider than the header, an empty
# row) and 400 generated rows goes through tests/unit/xlsx_csv (csvread
# into xlsxbook, 100 rows a sheet so sheets continue), LibreOffice
# exports every sheet back to CSV (tests/e2e/lo.sh), and every cell must
# be what was written after the replacements of validator/README,
# "Spreadsheet outputs". Skipped only when soffice is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lo.sh"

plan 13

XLSX_CSV=${top_builddir:-$(dirname "$LISTSCRUB")/..}/tests/unit/xlsx_csv
if ! lo_have; then
	skip 13 "soffice (LibreOffice) is not installed"
	exit 0
fi

# The input, and per sheet the CSV LibreOffice must give back.
python3 - "$T" <<'EOF' || bail "cannot generate the input"
import codecs, csv, random, sys
T = sys.argv[1]
MAX = 100                       # rows a sheet, header included (-m)
codecs.register_error('perbyte', lambda e: ('\ufffd' * (e.end - e.start), e.end))
head = [b'id', b'phone', b'amount', b'name', b'note', b'sheet']
rows = [
    [b'01234', b'0177777868', b'12345678901234567890', b'=1+1', b'+49 30 1234567', b'cleaned'],
    [b'-5', b'@x', b'1e5', b'12/03/2026', b'TRUE', b'rejected'],
    [b'007', b'1,5', b'0x1F', b'3.14159265358979323846', b'1/2', b'review'],
    [b' padded ', 'emoji \U0001F600'.encode(), 'שלום עולם'.encode(), b'_x000D_ _x0041_', b'tab\there', b'cleaned'],
    [b'multi\nline', b'cr\r\nlf', b'esc\x1bx', b'bad\xff\xfebytes', b'', b'retry'],
    [b'long', b'', b'', b'', b'a' * 40000, b'cleaned'],
    [b'w1', b'w2', b'w3', b'w4', b'w5', b'cleaned', b'w7', b'=HYPERLINK("x")'],
    [b'', b'', b'', b'', b'', b'cleaned'],
]
rnd = random.Random(10)
for i in range(400):
    rows.append([
        ('0' if i % 3 == 0 else '') + str(rnd.randrange(10**17, 10**20)),
        '0' + str(rnd.randrange(10**9, 10**10)),
        '%d.%02d' % (rnd.randrange(0, 100), rnd.randrange(0, 100)),
        rnd.choice(['Anna', 'Jürgen', 'Zoë', '李', 'O\'Brien']),
        rnd.choice(['', '-', '=A1', '0', '00', '1E3']),
        rnd.choice(['cleaned', 'cleaned', 'rejected', 'review', 'retry'])])
    rows[-1] = [c.encode() for c in rows[-1]]

def q(b):
    return b'"' + b.replace(b'"', b'""') + b'"' if any(c in b for c in b',"\r\n') else b

with open(T + '/in.csv', 'wb') as f:
    for r in [head] + rows:
        f.write(b','.join(q(c) for c in r) + b'\n')

changed = cut = 0
def cell(b):
    global changed, cut
    raw = b.decode('utf-8', 'perbyte')
    s = ''.join('\ufffd' if ord(c) < 0x20 and c not in '\t\n\r' else c for c in raw)
    try:
        b.decode('utf-8')
        if s != raw:
            changed += 1
    except UnicodeDecodeError:
        changed += 1
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in s)
    if units > 32767:
        cut += 1
        out, u = '', 0
        for c in s:
            w = 2 if ord(c) > 0xFFFF else 1
            if u + w > 32766:
                break
            out += c
            u += w
        s = out + '\u2026'
    return s

kind = {'cleaned': 'Cleaned', 'rejected': 'Rejected', 'review': 'Review', 'retry': 'Review'}
order = ['Summary', 'Cleaned', 'Rejected', 'Review']
sheets = {n: [[c.decode() for c in head]] for n in order[1:]}
count = {'Cleaned': 0, 'Rejected': 0, 'Review': 0}
part = {'Cleaned': 1, 'Rejected': 1, 'Review': 1}
for r in rows:
    k = kind.get(r[5].decode(), 'Cleaned')
    if count[k] == MAX - 1:
        part[k] += 1
        count[k] = 0
        name = '%s (%d)' % (k, part[k])
        order.append(name)
        sheets[name] = [[c.decode() for c in head]]
    name = k if part[k] == 1 else '%s (%d)' % (k, part[k])
    sheets[name].append([cell(c) for c in r])
    count[k] += 1
for name, rs in sheets.items():
    with open('%s/want-%s.csv' % (T, name), 'w', newline='', encoding='utf-8') as f:
        csv.writer(f).writerows(rs)
with open(T + '/sheets', 'w') as f:
    f.write('\n'.join(order) + '\n')
with open(T + '/counts', 'w') as f:
    f.write('changed %d cut %d\n' % (changed, cut))
EOF

if "$XLSX_CSV" -r -m 100 "$T/in.csv" "$T/out.xlsx" >"$T/drv.out" 2>"$T/drv.err"; then
	pass "xlsx_csv writes the workbook"
else
	fail "xlsx_csv writes the workbook" "$(cat "$T/drv.err")"
fi
is "$(cat "$T/drv.out")" "$(cat "$T/counts")" "cells replaced and cut, as counted independently"

start=$(date +%s)
if lo_to_csv "$T/out.xlsx" "$T/lo"; then
	pass "LibreOffice exports every sheet ($(($(date +%s) - start)) s)"
else
	fail "LibreOffice exports every sheet" "$(cat "$T/lo.log")"
fi
is "$(sed -n 's/^Writing sheet \(.*\) -> .*/\1/p' "$T/lo.log" | tr '\n' '|')" \
    "$(tr '\n' '|' <"$T/sheets")" "sheets and their order: $(tr '\n' ' ' <"$T/sheets")"

# Every data sheet, cell by cell.
bad=
while read -r name; do
	[ "$name" = Summary ] && continue
	got=$(lo_sheet "$T/lo" "$T/out.xlsx" "$name")
	if ! why=$(lo_csv_same "$got" "$T/want-$name.csv"); then
		bad="$bad${bad:+; }$name: $why"
	fi
done <"$T/sheets"
if [ -z "$bad" ]; then
	pass "every cell of every data sheet reads back as written"
else
	fail "every cell of every data sheet reads back as written" "$bad"
fi

C=$(lo_sheet "$T/lo" "$T/out.xlsx" Cleaned)
R=$(lo_sheet "$T/lo" "$T/out.xlsx" Rejected)
V=$(lo_sheet "$T/lo" "$T/out.xlsx" Review)
# cell FILE ROW COL - one cell of a LibreOffice CSV (1-based)
cell() {
	python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1],newline="",encoding="utf-8"))); print(r[int(sys.argv[2])-1][int(sys.argv[3])-1])' "$@"
}
is "$(cell "$C" 2 1)|$(cell "$C" 2 2)" "01234|0177777868" "leading zeros kept (id, phone)"
is "$(cell "$C" 2 3)" 12345678901234567890 "a 20-digit id intact"
is "$(cell "$C" 2 4)|$(cell "$C" 2 5)" "=1+1|+49 30 1234567" "=1+1 and +49 stay text"
is "$(cell "$R" 2 1)|$(cell "$R" 2 2)|$(cell "$R" 2 3)|$(cell "$R" 2 4)" "-5|@x|1e5|12/03/2026" \
    "-5, @x, 1e5 and a date stay text"
is "$(cell "$V" 2 2)|$(cell "$V" 2 4)" "1,5|3.14159265358979323846" "decimals stay text, every digit"
is "$(cell "$C" 3 4)" "_x000D_ _x0041_" "_x000D_ and _x0041_ stay text (not read as CR and A)"
is "$(cell "$C" 4 5 | wc -c)" $((32766 + 3 + 1)) "a 40,000-character cell: 32,766 characters and …"

# Row counts: the data rows of each kind's sheets add up to the input's.
n_in=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.reader(open(sys.argv[1],newline="",encoding="utf-8",errors="replace")))-1)' "$T/in.csv")
n_out=0
while read -r name; do
	[ "$name" = Summary ] && continue
	f=$(lo_sheet "$T/lo" "$T/out.xlsx" "$name")
	k=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1],newline="",encoding="utf-8"))); print(len(r)-1)' "$f")
	n_out=$((n_out + k))
done <"$T/sheets"
is "$n_out" "$n_in" "data rows over all sheets = input rows ($n_in)"
