#!/bin/bash
# t_malformed.sh - records that are not valid CSV (unterminated quote,
# stray quote, NUL byte, a record over --max-record-size) each become one
# skipped/malformed_row row in the rejected file, with the raw text as the
# first cell (the whole record, however long), and never swallow the rows
# after them.
. "$(dirname "$0")/lib.sh"

plan 60

V=scrub_status,scrub_sub_status,scrub_action

# emails FILE... FROM TO - non-empty scrub_email of rows FROM..TO over the
# outputs, in row order, space-joined (malformed rows have none)
emails() {
	local from=${*: -2:1} to=${*: -1} f
	for f in "${@:1:$#-2}"; do
		paste <(col "$f" scrub_row) <(col "$f" scrub_email)
	done | sort -n | awk -F '\t' -v a="$from" -v b="$to" '$1 >= a && $1 <= b && $2 != "" { printf "%s ", $2 }'
}
# want_emails FROM TO - "person.FROM@gmail.com ... person.TO@gmail.com "
want_emails() { seq "$1" "$2" | awk '{ printf "person.%d@gmail.com ", $1 }'; }
# malformed_count FILE... - rows with sub-status malformed_row
malformed_count() {
	local f
	for f in "$@"; do [ -f "$f" ] && col "$f" scrub_sub_status; done | grep -c '^malformed_row$'
}
# person N - a well-formed data line
person() { printf 'Person %d,person.%d@gmail.com,note %d\n' "$1" "$1" "$1"; }

# ---------------------------------------------------------------- unterminated quote, line 5 of 20
F=$T/unterminated.csv
{
	echo 'Name,Email,Note'
	for i in $(seq 1 19); do
		if [ "$i" = 4 ]; then
			echo 'Person 4,person.4@gmail.com,"unterminated note'
		else
			person "$i"
		fi
	done
} >"$F"
scrub unt --offline --summary "$T/unt.json" "$F"
C=$T/unt.cleaned.csv R=$T/unt.rejected.csv
scrub_ok "unterminated quote: exit status 0"
ok "unterminated quote: 19 rows, each in exactly one output" rows_partition 19 "$C" "$R"
is "$(look 4 $V,scrub_email "$C" "$R")" "rejected|skipped|malformed_row|remove|" \
    "unterminated quote: line 5 is one skipped/malformed_row row in the rejected file"
is "$(malformed_count "$C" "$R")" 1 "unterminated quote: exactly one malformed row"
is "$(get "$R" 4 Name)" 'Person 4,person.4@gmail.com,"unterminated note' \
    "unterminated quote: the raw line is the first cell"
like "$(get "$R" 4 scrub_reason)" 'line 5([^0-9]|$)' "unterminated quote: the reason names line 5"
is "$(emails "$C" "$R" 5 19)" "$(want_emails 5 19)" "unterminated quote: rows 5-19 (lines 6-20) read normally"
is "$(emails "$C" "$R" 1 3)" "$(want_emails 1 3)" "unterminated quote: rows before it unaffected"
like "$(tr -d ' \n' <"$T/unt.json")" '"malformed_lines":\[5\]' "unterminated quote: summary lists line 5"

# ---------------------------------------------------------------- a quote left open for 290 lines
F=$T/longopen.csv
{
	echo 'Name,Email,Note'
	for i in $(seq 1 300); do
		if [ "$i" = 10 ]; then
			echo 'Person 10,person.10@gmail.com,"this quote is never closed'
		else
			person "$i"
		fi
	done
} >"$F"
scrub lo --offline "$F"
C=$T/lo.cleaned.csv R=$T/lo.rejected.csv
scrub_ok "quote open for 290 lines: exit status 0"
ok "quote open for 290 lines: 300 rows, each in exactly one output" rows_partition 300 "$C" "$R"
is "$(malformed_count "$C" "$R")" 1 "quote open for 290 lines: exactly one malformed row"
is "$(look 10 scrub_sub_status "$C" "$R")" "rejected|malformed_row" "quote open for 290 lines: row 10 is the malformed one"
is "$(emails "$C" "$R" 11 300 | wc -w)" 290 "quote open for 290 lines: all 290 rows after it read"

# ---------------------------------------------------------------- an open quote that a later line closes
# Line 3 opens a quote; line 5 has an ordinary quoted cell whose first
# quote would close it. The damage is line 3 alone: lines 4 and 5 are rows.
F=$T/reopen.csv
{
	echo 'Name,Email,Note'
	person 1
	echo 'Person 2,person.2@gmail.com,"open'
	person 3
	echo 'Person 4,person.4@gmail.com,"Smith, Jr"'
	person 5
} >"$F"
scrub ro --offline "$F"
C=$T/ro.cleaned.csv R=$T/ro.rejected.csv
scrub_ok "open quote closed later: exit status 0"
ok "open quote closed later: 5 rows, each in exactly one output" rows_partition 5 "$C" "$R"
is "$(look 2 $V "$C" "$R")" "rejected|skipped|malformed_row|remove" "open quote closed later: line 3 is the malformed row"
is "$(get "$R" 2 Name)" 'Person 2,person.2@gmail.com,"open' "open quote closed later: only line 3 is its raw text"
is "$(emails "$C" "$R" 1 5)" "$(want_emails 1 1)$(want_emails 3 5)" \
    "open quote closed later: lines 4 and 5 not swallowed"
is "$(get "$C" 4 Note)" "Smith, Jr" "open quote closed later: the quoted cell on line 5 read normally"

# the same, but the next damage (a NUL byte) comes two lines later
F=$T/reopen-nul.csv
{
	echo 'Name,Email,Note'
	person 1
	echo 'Person 2,person.2@gmail.com,"open'
	person 3
	printf 'Person 4,person.4@gmail.com,a\000b\n'
	person 5
} >"$F"
scrub rn --offline "$F"
C=$T/rn.cleaned.csv R=$T/rn.rejected.csv
scrub_ok "open quote, NUL two lines later: exit status 0"
ok "open quote, NUL two lines later: 5 rows, each in exactly one output" rows_partition 5 "$C" "$R"
is "$(get "$R" 2 Name)" 'Person 2,person.2@gmail.com,"open' "open quote, NUL two lines later: line 3 alone is malformed row 2"
is "$(look 3 scrub_email "$C" "$R")" "cleaned|person.3@gmail.com" "open quote, NUL two lines later: line 4 not swallowed"
is "$(look 4 scrub_sub_status "$C" "$R")" "rejected|malformed_row" "open quote, NUL two lines later: line 5 is its own malformed row"

# ---------------------------------------------------------------- stray quotes
F=$T/stray.csv
{
	echo 'Name,Email,Note'
	person 1
	echo 'Person 2,person.2@gmail.com,27" monitor'
	person 3
	echo '"Person 4"x,person.4@gmail.com,note 4'
	person 5
} >"$F"
scrub stray --offline "$F"
C=$T/stray.cleaned.csv R=$T/stray.rejected.csv
scrub_ok "stray quotes: exit status 0"
ok "stray quotes: 5 rows, each in exactly one output" rows_partition 5 "$C" "$R"
# a quote inside an unquoted cell is an ordinary character (LibreOffice,
# Excel); the row comes back re-quoted so strict RFC 4180 readers agree
is "$(look 2 scrub_status,scrub_email,Note "$C" "$R")" "cleaned|valid|person.2@gmail.com|27\" monitor" "stray quotes: a quote inside an unquoted cell is part of the cell"
is "$(grep -c '^Person 2,person.2@gmail.com,"27"" monitor",' "$C")" 1 "stray quotes: that row is written RFC 4180-quoted"
is "$(look 4 $V "$C" "$R")" "rejected|skipped|malformed_row|remove" "stray quotes: text after a closing quote is malformed"
is "$(get "$R" 4 Name)" '"Person 4"x,person.4@gmail.com,note 4' "stray quotes: its raw line is the first cell"
is "$(emails "$C" "$R" 1 5)" "person.1@gmail.com person.2@gmail.com person.3@gmail.com person.5@gmail.com " \
    "stray quotes: the rows around them read normally"

# ---------------------------------------------------------------- NUL byte
F=$T/nul.csv
{
	echo 'Name,Email,Note'
	person 1
	person 2
	printf 'Person 3,person.3@gmail.com,a\000b\n'
	person 4
	person 5
} >"$F"
scrub nul --offline "$F"
C=$T/nul.cleaned.csv R=$T/nul.rejected.csv
scrub_ok "NUL byte: exit status 0"
ok "NUL byte: 5 rows, each in exactly one output" rows_partition 5 "$C" "$R"
is "$(look 3 $V "$C" "$R")" "rejected|skipped|malformed_row|remove" "NUL byte: the row is malformed"
is "$(malformed_count "$C" "$R")" 1 "NUL byte: exactly one malformed row"
is "$(emails "$C" "$R" 4 5)" "$(want_emails 4 5)" "NUL byte: the rows after it read normally"

# ---------------------------------------------------------------- a 10 MB record
# Under the default --max-record-size (64M) a 10 MB line and a 2 MiB
# quoted cell are ordinary rows: they come back byte for byte, with a
# verdict for their address. Over a smaller limit they are malformed rows
# that still come back whole, as their first cell, in one pass (--offline)
# and in two (DNS mode re-reads the input), and when read ahead to find
# the email column (--no-header, from standard input).
F=$T/huge.csv
{
	echo 'Name,Email,Note'
	person 1
	person 2
	printf 'Person 3,person.3@gmail.com,'
	head -c 10485760 /dev/zero | tr '\0' x
	printf '\n'
	person 4
	person 5
	printf 'Person 6,person.6@gmail.com,"'
	head -c 2097152 /dev/zero | tr '\0' y
	printf '"\n'
	person 7
} >"$F"
# whole INPUT H OUT... - per data row over the outputs, in row order,
# "N:good" or "N:bad" (malformed_row), then ":same" when its cells are
# the input's record (Python's csv) or, malformed, its first cell is the
# input's whole line, else ":diff". H=0: the input has no header.
whole() {
	NCOLS=$NCOLS python3 - "$@" <<'PY'
import csv, os, sys
csv.field_size_limit(sys.maxsize)
inp, h, outs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# index n is data row n (index 0: the header, or nothing)
lines = [b''] * (1 - h) + open(inp, 'rb').read().split(b'\n')
recs = [[]] * (1 - h) + list(csv.reader(open(inp, newline='', encoding='utf-8')))
rows = {}
for path in outs:
    out = list(csv.reader(open(path, newline='', encoding='utf-8')))
    k = out[0].index('scrub_row') if h else len(out[0]) - int(os.environ['NCOLS'])
    for r in out[h:]:
        rows[int(r[k])] = (r[:k], r[k + 3])
words = []
for n in sorted(rows):
    cells, sub = rows[n]
    if sub == 'malformed_row':
        same = cells[0].encode() == lines[n]
        words.append('%d:bad:%s' % (n, 'same' if same else 'diff'))
    else:
        same = cells[:len(recs[n])] == recs[n]
        words.append('%d:good:%s' % (n, 'same' if same else 'diff'))
print(' '.join(words))
PY
}
scrub huge --offline "$F"
C=$T/huge.cleaned.csv R=$T/huge.rejected.csv
scrub_ok "10 MB record: exit status 0"
ok "10 MB record: 7 rows, each in exactly one output" rows_partition 7 "$C" "$R"
is "$(look 3 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|person.3@gmail.com" \
    "10 MB record: the 10 MB row has a verdict for its address"
is "$(look 6 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|person.6@gmail.com" \
    "10 MB record: the 2 MiB quoted cell's row has a verdict for its address"
is "$(whole "$F" 1 "$C" "$R")" "1:good:same 2:good:same 3:good:same 4:good:same 5:good:same 6:good:same 7:good:same" \
    "10 MB record: every row comes back byte for byte (read back by Python's csv)"

scrub huge1m --offline --max-record-size 1M --summary "$T/huge1m.json" "$F"
C=$T/huge1m.cleaned.csv R=$T/huge1m.rejected.csv
scrub_ok "over --max-record-size 1M: exit status 0"
ok "over --max-record-size 1M: 7 rows, each in exactly one output" rows_partition 7 "$C" "$R"
is "$(look 3 $V "$C" "$R") $(look 6 $V "$C" "$R")" \
    "rejected|skipped|malformed_row|remove rejected|skipped|malformed_row|remove" \
    "over --max-record-size 1M: the 10 MB line and the 2 MiB cell are malformed rows"
is "$(whole "$F" 1 "$C" "$R")" "1:good:same 2:good:same 3:bad:same 4:good:same 5:good:same 6:bad:same 7:good:same" \
    "over --max-record-size 1M: each comes back whole as its first cell, the rows around untouched"
like "$(get "$R" 3 scrub_reason)" 'longer than 1048576 bytes at line 4([^0-9]|$)' \
    "over --max-record-size 1M: the reason names the limit and line 4"
like "$(tr -d ' \n' <"$T/huge1m.json")" '"malformed_lines":\[4,7\]' \
    "over --max-record-size 1M: the summary lists lines 4 and 7"

# Two passes: pass 1 skips the tails, pass 2 writes them. The DNS server is
# a closed loopback port: the lookups fail at once, which is all we need.
scrub huge2p --max-record-size 1M --dns-server 127.0.0.1:9 --dns-timeout 100 --dns-tries 1 "$F"
C=$T/huge2p.cleaned.csv R=$T/huge2p.rejected.csv
scrub_ok "over --max-record-size, two passes: exit status 0"
is "$(whole "$F" 1 "$C" "$R")" "1:good:same 2:good:same 3:bad:same 4:good:same 5:good:same 6:bad:same 7:good:same" \
    "over --max-record-size, two passes: every row once, the long ones whole"

# Read ahead (no header name to go by): the tails are kept aside.
rm -f "$T/ahead.cleaned.csv" "$T/ahead.rejected.csv"
run_scrub -q --no-progress --offline --no-header --no-header-out --max-record-size 1M \
    -o "$T/ahead.cleaned.csv" -r "$T/ahead.rejected.csv" - <"$F"
scrub_ok "over --max-record-size, read ahead from standard input: exit status 0"
is "$(whole "$F" 0 "$T/ahead.cleaned.csv" "$T/ahead.rejected.csv")" \
    "1:good:same 2:good:same 3:good:same 4:bad:same 5:good:same 6:good:same 7:bad:same 8:good:same" \
    "over --max-record-size, read ahead from standard input: every row once, the long ones whole"

# ---------------------------------------------------------------- malformed rows under every policy
F=$T/pol.csv
{
	echo 'Name,Email,Note'
	person 1
	echo 'Person 2,person.2@gmail.com,"open'
	person 3
} >"$F"
for p in lenient strict; do
	scrub "pol-$p" --offline --policy "$p" "$F"
	is "$(look 2 $V "$T/pol-$p.cleaned.csv" "$T/pol-$p.rejected.csv")" "rejected|skipped|malformed_row|remove" \
	    "malformed row rejected under --policy $p"
done
scrub pol-rev --offline --review "$T/pol-rev.review.csv" "$F"
is "$(look 2 scrub_sub_status "$T/pol-rev.cleaned.csv" "$T/pol-rev.rejected.csv" "$T/pol-rev.review.csv")" \
    "rejected|malformed_row" "malformed row rejected, not sent to --review"
ok "malformed row in the middle: 3 rows, each in exactly one output" rows_partition 3 \
    "$T/pol-rev.cleaned.csv" "$T/pol-rev.rejected.csv" "$T/pol-rev.review.csv"

# ---------------------------------------------------------------- what we read is what others read back
# A space before an opening quote (read as a quoted cell, like
# LibreOffice) and a bare quote inside a cell: the outputs must read back,
# with Python's csv module as an independent RFC 4180 reader, into exactly
# the rows and cells we read.
F=$T/readback.csv
{
	echo 'Name,Email,Note'
	printf 'Person 1,person.1@gmail.com, "x\ny"\n'
	echo 'Person 2,person.2@gmail.com,he said "hi" there'
	person 3
} >"$F"
scrub rb --offline "$F"
C=$T/rb.cleaned.csv R=$T/rb.rejected.csv
scrub_ok "read back: exit status 0"
got=$(python3 - "$C" "$R" <<'PY'
import csv, sys
rows = []
for path in sys.argv[1:]:
    with open(path, newline='', encoding='utf-8') as f:
        rows += list(csv.reader(f))[1:]
rows.sort(key=lambda r: int(r[3]))
for r in rows:
    print(repr(r[:5]))
PY
)
is "$(echo "$got" | wc -l)" 3 "read back: Python's csv reads exactly 3 data rows"
is "$(echo "$got" | sed -n 1p)" "['Person 1', 'person.1@gmail.com', 'x\\ny', '1', 'person.1@gmail.com']" \
    "read back: the space-before-quote cell is one cell holding x, newline, y"
is "$(echo "$got" | sed -n 2p)" "['Person 2', 'person.2@gmail.com', 'he said \"hi\" there', '2', 'person.2@gmail.com']" \
    "read back: the bare quotes are part of the cell"
