# lo.sh - LibreOffice as an independent reader of our workbooks, for the
# e2e tests. Source it after lib.sh (it uses $T):
#   . "$(dirname "$0")/lo.sh"
#
#   lo_have                  soffice is installed (else skip the tests)
#   lo_to_csv XLSX OUTDIR    every sheet of XLSX to OUTDIR/BASE-SHEET.csv
#                            (UTF-8, comma, '"' quotes); 0, or 1 with the
#                            output in $T/lo.log. LibreOffice runs with a
#                            private profile ($T/lo-profile) and is killed
#                            after LO_TIMEOUT seconds (60).
#   lo_sheet OUTDIR XLSX SHEET   the CSV lo_to_csv wrote for SHEET
#   lo_csv_same GOT WANT     the two CSV files hold the same cells (python3's
#                            csv module); prints the first difference and
#                            returns 1 when not. Trailing empty cells of a
#                            row do not count (LibreOffice pads every row
#                            to the sheet's widest), and line ends inside a
#                            cell compare as LF: LibreOffice 7.4 reads
#                            CR LF in a cell as LF.
#
# The filter string: field separator 44 (,), text delimiter 34 ("),
# character set 76 (UTF-8), first line 1, no column formats, language 0,
# quote all text cells false, detect special numbers true (import only),
# save cell contents as shown false, formulas false, remove spaces
# false, sheet -1: every sheet, each to BASE-SHEETNAME.csv (LibreOffice
# 7.4 prints "Writing sheet NAME -> FILE" for each).
LO_FILTER='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
: "${LO_TIMEOUT:=60}"

lo_have() {
	command -v soffice >/dev/null 2>&1
}

lo_to_csv() {
	local xlsx=$1 out=$2
	mkdir -p "$out" "$T/lo-profile" || return 1
	# timeout signals its whole process group: soffice and soffice.bin.
	timeout -k 5 "$LO_TIMEOUT" soffice --headless --norestore \
	    "-env:UserInstallation=file://$T/lo-profile" \
	    --convert-to "$LO_FILTER" --outdir "$out" "$xlsx" \
	    >"$T/lo.log" 2>&1 </dev/null || return 1
	grep -q '^Writing sheet ' "$T/lo.log"
}

lo_sheet() {
	local b
	b=$(basename "$2")
	printf '%s/%s-%s.csv\n' "$1" "${b%.*}" "$3"
}

lo_csv_same() {
	python3 - "$1" "$2" <<'EOF'
import csv, sys

def rows(p):
    out = []
    with open(p, newline='', encoding='utf-8') as f:
        for r in csv.reader(f):
            r = [c.replace('\r\n', '\n') for c in r]
            while r and r[-1] == '':
                r.pop()
            out.append(r)
    while out and not out[-1]:
        out.pop()
    return out

got, want = rows(sys.argv[1]), rows(sys.argv[2])
for i in range(max(len(got), len(want))):
    g = got[i] if i < len(got) else None
    w = want[i] if i < len(want) else None
    if g != w:
        if g is None or w is None:
            print('row %d: %s' % (i + 1, 'missing' if g is None else 'extra'))
            sys.exit(1)
        for j in range(max(len(g), len(w))):
            a = g[j] if j < len(g) else ''
            b = w[j] if j < len(w) else ''
            if a != b:
                print('row %d, column %d: got %r, want %r'
                      % (i + 1, j + 1, a[:60], b[:60]))
                sys.exit(1)
if len(got) != len(want):
    print('%d rows, want %d' % (len(got), len(want)))
    sys.exit(1)
EOF
}
