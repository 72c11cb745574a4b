#!/bin/bash
# t_hostile.sh - hostile inputs, each generated here (small): an
# unterminated quote, stray quotes, a NUL byte, records over
# --max-record-size, a 2 MB cell, CR-only line ends, invalid UTF-8, a
# byte order mark in the middle, 100,000 columns, a 1 MB email cell,
# binary garbage, and control bytes in the header. For every file, with
# Python's csv module as the independent reader (RFC 4180; bytes kept
# through surrogateescape):
#  - rows in = rows out: the data rows of cleaned + rejected are the
#    input's, each once (scrub_row 1..N);
#  - every cell of a well-formed row comes back byte-identical (a ' put in
#    front by the formula guard aside), padding empty; a malformed row's
#    first cell is its raw line (NUL as U+FFFD), whole;
#  - standard error (the summary, any message) holds no raw control byte
#    other than newline.
# Rows in: for a file the independent reader can read (well-formed), its
# count of the input; for a damaged one, the generator's own list of
# records (a reader cannot agree on where damage ends).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not found"; exit 0; }

CASES='unterminated stray_quote nul over_limit big_cell cr_only bad_utf8
bom_middle columns_100k email_1mb garbage garbage_header'
# shellcheck disable=SC2086
plan $(( $(set -- $CASES; echo $#) * 9 + 9 ))

cat >"$T/hostile.py" <<'PY'
"""gen DIR CASE...: write DIR/CASE.csv and DIR/CASE.csv.json (what it
holds); check DIR CASE...: compare each with DIR/CASE.cleaned.csv and
DIR/CASE.rejected.csv and look at DIR/CASE.err (its standard error), one
line per check: "CASE count|cells|raw|ctrl OK" or "... FAIL why"."""
import csv, io, json, random, sys

csv.field_size_limit(sys.maxsize)
E = 'surrogateescape'


def rec(cells):
    """One well-formed record, RFC 4180 minimal quoting, no line end."""
    out = []
    for c in cells:
        if any(ch in c for ch in b',"\r\n'):
            c = b'"' + c.replace(b'"', b'""') + b'"'
        out.append(c)
    return b','.join(out)


def person(i, note=b''):
    return [b'Person %d' % i, b'person.%d@gmail.com' % i, note or b'note %d' % i]


def gen(case):
    """-> (bytes, records, eol): records are ('good', cells) or ('bad', raw)."""
    hdr = [b'Name', b'Email', b'Note']
    rows = [('good', hdr)]
    eol = b'\n'
    rnd = random.Random(8)
    if case == 'unterminated':
        for i in range(1, 8):
            if i == 3:
                rows.append(('bad', b'Person 3,person.3@gmail.com,"open note'))
            else:
                rows.append(('good', person(i)))
    elif case == 'stray_quote':
        rows += [('good', person(1)),
                 ('bad', b'"Person 2"x,person.2@gmail.com,note 2'),
                 ('good', [b'Person 3', b'person.3@gmail.com', b'27" monitor']),
                 ('good', person(4))]
    elif case == 'nul':
        rows += [('good', person(1)),
                 ('bad', b'Person 2,person.2@gmail.com,a\0b'),
                 ('good', person(3))]
    elif case == 'over_limit':     # run with --max-record-size 1K
        rows += [('good', person(1)),
                 ('bad', b'Person 2,person.2@gmail.com,' + b'x' * 5000),
                 ('good', person(3)),
                 ('bad', b'Person 4,person.4@gmail.com,"' +
                  b'y""' * 1000 + b',z"'),
                 ('bad', b'=cmd|Person 5,person.5@gmail.com,' + b'w' * 3000),
                 ('good', person(6))]
    elif case == 'big_cell':
        rows += [('good', person(1)),
                 ('good', person(2, b'n' * 2000000)),
                 ('good', person(3, b'q,"' * 700000)),
                 ('good', person(4))]
    elif case == 'cr_only':
        eol = b'\r'
        rows += [('good', person(1)),
                 ('good', [b'Person 2', b'person.2@gmail.com', b'two\rlines']),
                 ('good', person(3))]
    elif case == 'bad_utf8':
        rows += [('good', [b'Jos\xe9', b'jose@gmail.com', b'latin-1']),
                 ('good', [b'\xff\xfe\xfd', b'person.2@gmail.com', b'\xc0\xaf']),
                 ('good', [b'cut \xe2\x82', b'cut\xe2@gmail.com', b'\xed\xa0\x80']),
                 ('good', person(4))]
    elif case == 'bom_middle':
        bom = b'\xef\xbb\xbf'
        rows += [('good', person(1)),
                 ('good', [bom + b'Person 2', b'person.2@gmail.com', b'note']),
                 ('good', [b'Person 3', bom + b'person.3@gmail.com', b'x' + bom]),
                 ('good', person(4))]
    elif case == 'columns_100k':
        n = 100000
        rows = [('good', [b'Email'] + [b'c%d' % k for k in range(2, n + 1)])]
        for i in range(1, 4):
            rows.append(('good', [b'person.%d@gmail.com' % i] +
                         [b'%d' % ((k * i) % 97) for k in range(2, n + 1)]))
    elif case == 'email_1mb':
        rows += [('good', person(1)),
                 ('good', [b'Big', b'a' * 1000000 + b'@gmail.com', b'1 MB']),
                 ('good', person(3))]
    elif case in ('garbage', 'garbage_header'):
        if case == 'garbage_header':
            rows = [('good', [b'\x1b[31mred\x1b[0m', b'\x07bell\x08\x1b]0;t\x07',
                              b'\x01\x7f\x9b2J'])]
        for i in range(1, 41):
            cells = []
            for k in range(3):
                b = bytes(x for x in rnd.randbytes(rnd.randint(1, 40))
                          if x not in b',"\r\n\0')
                if rnd.random() < 0.3:      # a bare quote inside the cell
                    b = b + b'"' + b[:3]
                cells.append(b'g' + b)
            if i % 4 == 0 or (case == 'garbage_header' and i % 3):
                cells[1] = b'person.%d@gmail.com' % i
            if i % 7 == 0:                  # NUL: malformed
                rows.append(('bad', rec(cells) + b'\0' + rnd.randbytes(5)
                             .replace(b'\n', b'').replace(b'\r', b'')))
            else:
                rows.append(('good', cells))
    else:
        raise SystemExit('unknown case ' + case)
    data = eol.join(r[1] if r[0] == 'bad' else rec(r[1]) for r in rows) + eol
    return data, rows


def read(path):
    """Records of a CSV file, BOM stripped, blank lines dropped."""
    with open(path, 'rb') as f:
        b = f.read()
    if b.startswith(b'\xef\xbb\xbf'):
        b = b[3:]
    t = b.decode('utf-8', E)
    return [[c.encode('utf-8', E) for c in r]
            for r in csv.reader(io.StringIO(t, newline='')) if r]


def check(path, cleaned, rejected):
    """-> [(name, errors)] for count, cells and raw."""
    with open(path + '.json') as f:
        meta = json.load(f)
    rows = [(k, [c.encode('latin-1') for c in v] if k == 'good' else
             v.encode('latin-1')) for k, v in meta['rows']]
    if meta['wellformed']:       # rows in: as the independent reader sees them
        rows = [('good', r) for r in read(path)]
    want = rows[1:]
    got = {}
    bad_count = []
    for out in (cleaned, rejected):
        recs = read(out)
        h = recs[0]
        k = h.index(b'scrub_row')
        ncols = len(h) - k
        hw = rows[0][1]
        if h[:len(hw)] != hw or any(h[len(hw):k]):
            bad_count.append('%s: header differs' % out)
        for r in recs[1:]:
            n = int(r[-ncols])
            if n in got:
                bad_count.append('row %d twice' % n)
            got[n] = (r[:-ncols], r[-ncols:], h[k:])
    if sorted(got) != list(range(1, len(want) + 1)):
        bad_count.append('rows out %d (%s...), rows in %d' % (
            len(got), sorted(got)[:5], len(want)))
    cells_bad, raw_bad = [], []
    for i, (kind, v) in enumerate(want, 1):
        if i not in got:
            continue
        orig, app, names = got[i]
        cols = dict(zip(names, app))
        if kind == 'good':
            if cols[b'scrub_sub_status'] == b'malformed_row':
                cells_bad.append('row %d: read as malformed' % i)
                continue
            pad = orig[len(v):]
            orig = orig[:len(v)]
            for j, (a, b) in enumerate(zip(orig, v)):
                if a != b and a != b"'" + b:
                    cells_bad.append('row %d cell %d: %r... != %r...' % (
                        i, j + 1, a[:30], b[:30]))
            if len(orig) != len(v) or any(pad):
                cells_bad.append('row %d: %d cells, want %d' % (i, len(orig), len(v)))
            if not cols[b'scrub_status']:
                cells_bad.append('row %d: no verdict' % i)
        else:
            w = v.replace(b'\0', b'\xef\xbf\xbd')
            if cols[b'scrub_sub_status'] != b'malformed_row':
                raw_bad.append('row %d: not malformed' % i)
            elif orig[0] != w and orig[0] != b"'" + w:
                raw_bad.append('row %d: first cell %d bytes %r..., raw line '
                               '%d bytes %r...' % (i, len(orig[0]), orig[0][:20],
                                                   len(w), w[:20]))
    return [('count', bad_count), ('cells', cells_bad), ('raw', raw_bad)]


def ctrl(path):
    """-> [('ctrl', errors)]: raw control bytes other than LF in path."""
    with open(path, 'rb') as f:
        b = f.read()
    bad = sorted({c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f})
    return [('ctrl', ['bytes ' + ' '.join('%02x' % c for c in bad)]
             if bad else [])]


d = sys.argv[2]
for case in sys.argv[3:]:
    f = '%s/%s.csv' % (d, case)
    if sys.argv[1] == 'gen':
        data, rows = gen(case)
        with open(f, 'wb') as out:
            out.write(data)
        with open(f + '.json', 'w') as out:
            json.dump({'wellformed': all(k == 'good' for k, _ in rows),
                       'rows': [(k, [c.decode('latin-1') for c in v]
                                 if k == 'good' else v.decode('latin-1'))
                                for k, v in rows]}, out)
        continue
    try:
        res = check(f, '%s/%s.cleaned.csv' % (d, case),
                    '%s/%s.rejected.csv' % (d, case))
    except Exception as e:      # no outputs, unreadable outputs
        res = [(n, ['%s: %s' % (type(e).__name__, e)])
               for n in ('count', 'cells', 'raw')]
    for name, errs in res + ctrl('%s/%s.err' % (d, case)):
        print(case, name, 'FAIL ' + '; '.join(errs[:3]) if errs else 'OK')
PY
# shellcheck disable=SC2086
python3 "$T/hostile.py" gen "$T" $CASES || bail "cannot generate the files"
for c in $CASES; do
	args=(--offline)
	[ "$c" = over_limit ] && args+=(--max-record-size 1K)
	# Not -q: the summary is on standard error, and is checked too.
	run_scrub --no-progress -o "$T/$c.cleaned.csv" -r "$T/$c.rejected.csv" \
	    "${args[@]}" "$T/$c.csv"
	cp "$T/.scrub.err" "$T/$c.err"
	scrub_ok "$c: exit status 0"
done
# shellcheck disable=SC2086
res=$(python3 "$T/hostile.py" check "$T" $CASES 2>&1)

# result CASE NAME DESC - pass or fail on the line "CASE NAME OK|FAIL why"
result() {
	local line
	line=$(printf '%s\n' "$res" | grep -a "^$1 $2 ")
	if [ "$line" = "$1 $2 OK" ]; then
		pass "$3"
	else
		fail "$3" "${line:-no result from the checker: $res}"
	fi
}

for c in $CASES; do
	result "$c" count "$c: rows in = rows out (cleaned + rejected, each once)"
	result "$c" cells "$c: well-formed rows: every original cell byte-identical, with a verdict"
	result "$c" raw "$c: malformed rows: the whole raw line is the first cell"
	result "$c" ctrl "$c: standard error holds no raw control byte"
done

# ---------------------------------------------------------------- every output
# The same files into every output at once: --split, --xlsx and --report.
# The split files hold exactly the records of cleaned + rejected; the
# workbook is a sound ZIP whose data sheets hold one row per output row
# (a header each); the page is valid UTF-8 with no control byte. A row
# wider than a workbook can hold (columns_100k) stops the run with exit 2,
# naming its line, and nothing is written.
cat >"$T/outs.py" <<'PY'
import re, sys, zipfile
case, d = sys.argv[1], sys.argv[2]
def records(p):
    b = open(p, 'rb').read()
    return b
import csv, io
csv.field_size_limit(sys.maxsize)
def rows(p):
    t = open(p, 'rb').read().decode('utf-8', 'surrogateescape')
    if t.startswith('\ufeff'):
        t = t[1:]
    return [tuple(r) for r in csv.reader(io.StringIO(t, newline=''))][1:]
out = rows('%s/%s.all.cleaned.csv' % (d, case)) + rows('%s/%s.all.rejected.csv' % (d, case))
split = []
for s in ('valid', 'catch_all', 'risky', 'unknown', 'invalid', 'skipped'):
    split += rows('%s/%s.split/%s.csv' % (d, case, s))
print('split', 'OK' if sorted(out) == sorted(split) else 'FAIL %d vs %d rows' % (len(split), len(out)))
z = zipfile.ZipFile('%s/%s.xlsx' % (d, case))
bad = z.testzip()
n = 0
for name in z.namelist():
    m = re.match(r'xl/worksheets/sheet(\d+)\.xml$', name)
    if m and m.group(1) != '1':
        n += len(re.findall(rb'<row ', z.read(name))) - 1
print('xlsx', 'OK' if bad is None and n == len(out) else 'FAIL zip %r, %d sheet rows for %d' % (bad, n, len(out)))
h = open('%s/%s.html' % (d, case), 'rb').read()
try:
    h.decode('utf-8')
    ctrl = [c for c in h if c < 0x20 and c not in (9, 10, 13)]
    print('html', 'OK' if not ctrl else 'FAIL control bytes %r' % ctrl[:5])
except UnicodeDecodeError as e:
    print('html', 'FAIL', e)
PY
for c in $CASES; do
	args=(--offline)
	[ "$c" = over_limit ] && args+=(--max-record-size 1K)
	run_scrub -q --no-progress -o "$T/$c.all.cleaned.csv" -r "$T/$c.all.rejected.csv" \
	    --split "$T/$c.split" --xlsx "$T/$c.xlsx" --report "$T/$c.html" "${args[@]}" "$T/$c.csv"
	if [ "$c" = columns_100k ]; then
		is "$SCRUB_RC" 2 "$c, every output: a row wider than a workbook: exit status 2"
		like "$SCRUB_ERR" "$c\\.xlsx: the header has [0-9]+ columns.*at most 16384.*leave out --xlsx" \
		    "$c, every output: says the header is too wide for the workbook, and what to do"
		ok "$c, every output: nothing written" test ! -e "$T/$c.xlsx" -a ! -e "$T/$c.all.cleaned.csv" \
		    -a ! -e "$T/$c.html" -a ! -e "$T/$c.split/valid.csv"
		pass "$c, every output: (no workbook to read)"
		continue
	fi
	scrub_ok "$c, every output: exit status 0"
	r=$(python3 "$T/outs.py" "$c" "$T" 2>&1)
	for k in split xlsx html; do
		line=$(printf '%s\n' "$r" | grep -a "^$k ")
		case $k in
		split) desc="the split files hold the records of cleaned + rejected" ;;
		xlsx) desc="the workbook is a sound ZIP, one sheet row per output row" ;;
		html) desc="the report page is UTF-8 without control bytes" ;;
		esac
		if [ "$line" = "$k OK" ]; then pass "$c, every output: $desc"; else fail "$c, every output: $desc" "${line:-$r}"; fi
	done
done

# ---------------------------------------------------------------- what the summary says
like "$(cat "$T/cr_only.err")" 'input: comma-separated, CR line ends' \
    "CR-only line ends: the summary says CR"
run_scrub -q --no-progress --offline --summary "$T/cr.json" -o "$T/cr.c.csv" -r "$T/cr.r.csv" "$T/cr_only.csv"
like "$(tr -d ' \n' <"$T/cr.json")" '"line_ending":"CR"' "CR-only line ends: the JSON summary says CR"
like "$(cat "$T/over_limit.err")" 'malformed rows at line\(s\): 3 5 6' \
    "over --max-record-size: the summary lists the three lines"
like "$(get "$T/over_limit.rejected.csv" 2 scrub_reason)" 'record longer than 1024 bytes at line 3([^0-9]|$)' \
    "over --max-record-size: the reason names the limit and the line"

# ---------------------------------------------------------------- the option
run_scrub -q --offline --max-record-size 1M2 "$T/nul.csv"
is "$SCRUB_RC" 2 "--max-record-size 1M2: a usage error"
like "$SCRUB_ERR" "--max-record-size takes a size in bytes from 1K to 4G" "--max-record-size 1M2: says what it takes"
run_scrub -q --offline --max-record-size 1023 "$T/nul.csv"
is "$SCRUB_RC" 2 "--max-record-size 1023: below 1K, refused"

# ---------------------------------------------------------------- an error message quoting the header
run_scrub -q --no-progress --offline --column NoSuch -o "$T/ns.c.csv" -r "$T/ns.r.csv" "$T/garbage_header.csv"
is "$SCRUB_RC" 2 "control bytes in the header, --column NoSuch: a usage error"
res=$(python3 - "$T/.scrub.err" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
bad = sorted({c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f})
print('OK' if not bad else 'FAIL bytes ' + ' '.join('%02x' % c for c in bad))
PY
)
is "$res" OK "control bytes in the header, --column NoSuch: the message holds no raw control byte"
