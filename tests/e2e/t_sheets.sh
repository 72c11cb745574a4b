#!/bin/bash
# t_sheets.sh - what a spreadsheet user gets back: --split (one file per
# status), --columns (the appended columns chosen), the appended columns
# aligned after the widest row (also when that row comes late in the file,
# which costs an offline run a second pass), a header for a headerless
# file (--no-header-out), outputs named and separated like the input
# (.tsv in, .tsv out), Excel's "sep=;" line kept, percentages in the
# summary; a full disk under the split files and the workbook, SIGTERM
# while they are written, a row too wide for a workbook. Checked with
# python3's csv module as an independent reader.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/proc.sh"

plan 73

command -v python3 >/dev/null || bail "python3 is needed"

# pycsv FILE DELIM SCRIPT - run SCRIPT with rows = the records of FILE
pycsv() {
	python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
path, delim, script = sys.argv[1], sys.argv[2], sys.argv[3]
if delim == 'tab':
    delim = '\t'
with open(path, newline='', encoding='utf-8', errors='surrogateescape') as f:
    text = f.read()
if text.startswith('\ufeff'):
    text = text[1:]
import io
rows = list(csv.reader(io.StringIO(text, newline=''), delimiter=delim))
exec(script)
PY
}

# no_time - scrub_checked_at is each run's start, and two runs may
# straddle a second: compare outputs of two runs without it
no_time() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g'; }
# same_but_time A B - the files are equal but for the run's time
same_but_time() { [ "$(no_time <"$1")" = "$(no_time <"$2")" ]; }

# ---------------------------------------------------------------- --split
F=$SAMPLES/messy.csv
N=$(data_rows "$F")
scrub plain --offline "$F"
scrub split --offline --split "$T/split" "$F"
scrub_ok "--split: exit status 0 (the directory is made)"
ok "--split: one file per status, named with the input's extension" only_files "$T/split" \
    catch_all.csv invalid.csv risky.csv skipped.csv unknown.csv valid.csv
ok "--split: every row in exactly one split file" rows_partition "$N" "$T"/split/*.csv
bad=
for s in valid catch_all risky unknown invalid skipped; do
	got=$(col "$T/split/$s.csv" scrub_status | sort -u | tr -d '\n')
	[ -z "$got" ] || [ "$got" = "$s" ] || bad="$bad $s:$got"
done
is "$bad" "" "--split: each file holds only its status"
is "$(header_raw "$T/split/valid.csv")" "$(header_raw "$T/split.cleaned.csv")" \
    "--split: the same columns as the cleaned file"
ok "--split: cleaned file unchanged by --split" same_but_time "$T/plain.cleaned.csv" "$T/split.cleaned.csv"
ok "--split: rejected file unchanged by --split" same_but_time "$T/plain.rejected.csv" "$T/split.rejected.csv"
# every record of the split files is a record of cleaned or rejected, byte for byte
is "$(for f in "$T"/split/*.csv; do tail -n +2 "$f"; done | sort | md5sum)" \
    "$(cat <(tail -n +2 "$T/split.cleaned.csv") <(tail -n +2 "$T/split.rejected.csv") | sort | md5sum)" \
    "--split: the split files hold the rows of cleaned + rejected, byte for byte"
cp "$F" "$T/split/valid.csv"
scrub split-over --offline --split "$T/split" "$T/split/valid.csv"
is "$SCRUB_RC" 2 "--split: a split file that is the input: exit status 2"
like "$SCRUB_ERR" "is the input file" "--split: ... and says which"
: >"$T/a-file"
scrub split-file --offline --split "$T/a-file" "$F"
is "$SCRUB_RC" 2 "--split naming a file, not a directory: exit status 2"

# ---------------------------------------------------------------- --columns
F=$SAMPLES/contacts.csv
scrub full --offline "$F"
scrub min --offline --columns minimal "$F"
scrub_ok "--columns minimal: exit status 0"
H=$(header_raw "$F")
is "$(header_raw "$T/min.cleaned.csv")" "$H,scrub_status,scrub_sub_status,scrub_action,scrub_reason" \
    "--columns minimal: status, sub_status, action, reason after the original header"
for c in status sub_status action reason; do
	is "$(NCOLS=4 col "$T/min.cleaned.csv" scrub_$c | md5sum)" "$(col "$T/full.cleaned.csv" scrub_$c | md5sum)" \
	    "--columns minimal: scrub_$c as in a full run"
done
is "$(NCOLS=4 nfields "$T/min.rejected.csv" | sort -u | tr '\n' ' ')" "$(($(nfields "$F" | head -1) + 4)) " \
    "--columns minimal: every row has the original cells + 4"
scrub pick --offline --columns ' email , status,minimal,email' "$F"
is "$(header_raw "$T/pick.cleaned.csv")" "$H,scrub_email,scrub_status,scrub_sub_status,scrub_action,scrub_reason" \
    "--columns: in the order given, each once, spaces ignored"
scrub badcol --offline --columns status,colour "$F"
is "$SCRUB_RC" 2 "--columns with an unknown name: exit status 2"
like "$SCRUB_ERR" "unknown column 'colour'.*sub_status" "--columns: names the bad one and lists the good ones"
ok "--columns: nothing written after a usage error" test ! -e "$T/badcol.cleaned.csv"

# ---------------------------------------------------------------- aligned columns
# A row wider than the header after the rows read ahead (200): the offline
# pass finds it at the end and writes again, aligned.
F=$T/wide-late.csv
{ echo 'Name,Email'; for i in $(seq 1 300); do echo "n$i,user$i@example.com"; done
  echo 'wide,wide@example.com,x3,x4,x5'; echo 'short'; } >"$F"
for mode in offline pipe; do
	if [ $mode = offline ]; then
		scrub al-$mode --offline --allow-reserved --summary "$T/al-$mode.json" "$F"
	else
		scrub al-$mode --offline --allow-reserved --summary "$T/al-$mode.json" - <"$F"
	fi
	scrub_ok "aligned ($mode): exit status 0"
	is "$(cat "$T/al-$mode.cleaned.csv" "$T/al-$mode.rejected.csv" | NCOLS=0 nfields /dev/stdin | sort -u | tr '\n' ' ')" \
	    "$((5 + NCOLS)) " "aligned ($mode): every record, header included, is 5 cells + $NCOLS"
	ok "aligned ($mode): 302 rows, each once" rows_partition 302 "$T/al-$mode.cleaned.csv" "$T/al-$mode.rejected.csv"
	like "$(tr -d '\n ' <"$T/al-$mode.json")" '"rows":302,' "aligned ($mode): the summary counts each row once"
	ok "aligned ($mode): original cells byte-identical, padding empty" same_bytes "$F" 1 \
	    "$T/al-$mode.cleaned.csv" "$T/al-$mode.rejected.csv"
	is "$(pycsv "$T/al-$mode.cleaned.csv" , '
i = rows[0].index("scrub_status")
print(sum(1 for r in rows[1:] if r[i] == "") )')" 0 "aligned ($mode): a filter on scrub_status sees every row"
done
# The same file through pass 1 of the DNS stage (a dead resolver: the DNS
# answers are unknown, the columns still aligned in one pass).
scrub al-dns --no-cache --allow-reserved --dns-server 127.0.0.1:9 --dns-timeout 50 --dns-tries 1 "$F"
ok "aligned (DNS stage): outputs written" test -s "$T/al-dns.cleaned.csv"
is "$(cat "$T/al-dns.cleaned.csv" "$T/al-dns.rejected.csv" | NCOLS=0 nfields /dev/stdin | sort -u | tr '\n' ' ')" \
    "$((5 + NCOLS)) " "aligned (DNS stage): every record is 5 cells + $NCOLS"

# A damaged line of 500 cells: the others are padded to at most 64 cells
# more than the header, not to 500; that line keeps its cells and is named.
F=$T/damaged.csv
{ echo 'Name,Email,Note'; for i in $(seq 1 5); do echo "n$i,user$i@example.com,x"; done
  printf 'bad,bad@example.com'; for i in $(seq 1 498); do printf ',c%d' $i; done; echo; } >"$F"
scrub dmg --offline --allow-reserved --summary "$T/dmg.json" "$F"
scrub_ok "a 500-cell line: exit status 0"
is "$(nfields "$T/dmg.cleaned.csv" | sort -un | tr '\n' ' ')" "$((67 + NCOLS)) $((500 + NCOLS)) " \
    "a 500-cell line: the others padded to 3 + 64 cells, it keeps its 500"
like "$(tr -d '\n ' <"$T/dmg.json")" '"long_rows":1,' "a 500-cell line: the summary counts it as a long row"

# ---------------------------------------------------------------- a headerless file
F=$T/nohdr.csv
printf '%s\n' 'ann.lee@gmail.com,Ann' 'bob.ray@yahoo.com,Bob,extra' 'Cy,cy@example.org' >"$F"
scrub nh --offline --no-header "$F"
scrub_ok "headerless: exit status 0"
is "$(header_raw "$T/nh.cleaned.csv")" "column_1,column_2,column_3,$(appended_header ,)" \
    "headerless: a header naming column_1.. (to the widest row) and the appended columns"
ok "headerless: 3 data rows" rows_partition 3 "$T/nh.cleaned.csv" "$T/nh.rejected.csv"
scrub nh2 --offline --no-header --no-header-out "$F"
ok "headerless: original cells byte-identical" same_bytes "$F" 0 "$T/nh2.cleaned.csv" "$T/nh2.rejected.csv"
is "$(tail -n +2 "$T/nh.cleaned.csv" | no_time)" "$(no_time <"$T/nh2.cleaned.csv")" \
    "headerless: the rows are those of a run without the header"
is "$(($(CSV_HEADER=0 count_rows "$T/nh2.cleaned.csv") + $(CSV_HEADER=0 count_rows "$T/nh2.rejected.csv")))" 3 \
    "--no-header-out: no header, 3 records"
scrub nh3 --offline "$F"
is "$(header_raw "$T/nh3.cleaned.csv" | cut -d, -f1-3)" "column_1,column_2,column_3" \
    "headerless by detection: the header is made too"

# ---------------------------------------------------------------- names, delimiter, sep=
F=$T/people.tsv
printf 'Name\tEmail\nAnn\tann.lee@gmail.com\nBob\tnot-an-address\n' >"$F"
run_scrub -q --no-progress --offline "$F"
scrub_ok ".tsv input: exit status 0"
ok ".tsv input: outputs named people-cleaned.tsv and people-rejected.tsv" \
    test -f "$T/people-cleaned.tsv" -a -f "$T/people-rejected.tsv"
ok ".tsv input: no .csv written" test ! -e "$T/people-cleaned.csv"
is "$(head -1 "$T/people-cleaned.tsv" | cut -f 1-3)" "$(printf 'Name\tEmail\tscrub_row')" ".tsv input: tab-separated output"
cp "$F" "$T/people.txt"
run_scrub -q --no-progress --offline "$T/people.txt"
ok ".txt input: outputs keep .txt" test -f "$T/people-cleaned.txt" -a -f "$T/people-rejected.txt"
F=$T/sep.csv
printf 'sep=;\r\nName;Email\r\nAnn;ann.lee@gmail.com\r\nBob;bob@\r\n' >"$F"
scrub sep --offline "$F"
scrub_ok "sep= line: exit status 0"
is "$(head -1 "$T/sep.cleaned.csv" | od -An -c | tr -s ' ')" "$(printf 'sep=;\r\n' | od -An -c | tr -s ' ')" \
    "sep= line: kept as the first line of the cleaned file"
is "$(head -1 "$T/sep.rejected.csv" | tr -d '\r')" "sep=;" "sep= line: and of the rejected file"
is "$(sed -n 2p "$T/sep.cleaned.csv" | cut -d';' -f1-3)" "Name;Email;scrub_row" "sep= line: the header follows it"
scrub sep-split --offline --split "$T/sepsplit" "$F"
is "$(head -1 "$T/sepsplit/valid.csv" | tr -d '\r')" "sep=;" "sep= line: in the split files too"

# ---------------------------------------------------------------- faults
# A full disk under the split files, then under the workbook: the run
# fails (exit 1) naming the file, and neither the final names nor a
# temporary file are left; the cleaned and rejected files, on another
# disk, are not written either (the outputs are one set).
FD=$T/full
mkdir -p "$FD"
{ echo 'First,Last,Email,Phone'; gen_rows 6000 3; } >"$T/many.csv"
if mount -t tmpfs -o size=96k tmpfs "$FD" 2>/dev/null; then
	cleanup_fd() { local rc=$?; umount "$FD" 2>/dev/null; return $rc; }
	proc_on_exit cleanup_fd
	scrub fullsplit --offline --split "$FD/split" "$T/many.csv"
	is "$SCRUB_RC" 1 "--split on a full disk: exit status 1"
	like "$SCRUB_ERR" "$FD/split/[a-z_]+\.csv.*(No space|write)" "--split on a full disk: names the file"
	is "$(find "$FD/split" -type f | wc -l)" 0 "--split on a full disk: no split file, not even a temporary one"
	ok "--split on a full disk: cleaned and rejected not written either" \
	    test ! -e "$T/fullsplit.cleaned.csv" -a ! -e "$T/fullsplit.rejected.csv"
	scrub fullx --offline --xlsx "$FD/book.xlsx" "$T/many.csv"
	is "$SCRUB_RC" 1 "--xlsx on a full disk: exit status 1"
	like "$SCRUB_ERR" "full/book\\.xlsx: cannot write the workbook: .*No space left" \
	    "--xlsx on a full disk: names the workbook (its final name) and the cause"
	is "$(find "$FD" -type f | wc -l)" 0 "--xlsx on a full disk: no workbook, no temporary file"
	ok "--xlsx on a full disk: cleaned and rejected not written either" \
	    test ! -e "$T/fullx.cleaned.csv" -a ! -e "$T/fullx.rejected.csv"
else
	skip 8 "cannot mount a tmpfs (not root?)"
fi
# SIGTERM while the workbook is written: exit 143, nothing left behind.
{ echo 'First,Last,Email,Phone'; gen_rows 300000 5; } >"$T/big.csv"
mkdir -p "$T/term"
"$LISTSCRUB" --offline -q --no-progress -o "$T/term/c.csv" -r "$T/term/r.csv" --split "$T/term/s" \
    --xlsx "$T/term/b.xlsx" "$T/big.csv" 2>"$T/term.err" &
pid=$!
for _ in $(seq 1 200); do
	[ -n "$(find "$T/term" -name 'c.csv.tmp-*' 2>/dev/null)" ] && break
	sleep 0.05
done
kill -TERM $pid
wait $pid
is "$?" 143 "SIGTERM during a --split --xlsx run: exit status 143"
is "$(find "$T/term" -type f | wc -l)" 0 "SIGTERM: no output and no temporary file left"
# A row wider than a workbook can hold: exit 2, the line named, nothing written.
F=$T/toowide.csv
{ echo 'Name,Email'; echo 'a,a@example.com'; printf 'b,b@example.com'; seq 1 16400 | sed 's/^/,/' | tr -d '\n'; echo; } >"$F"
scrub toowide --offline --allow-reserved --xlsx "$T/toowide.xlsx" "$F"
is "$SCRUB_RC" 2 "a row of 16,402 cells with --xlsx: exit status 2"
like "$SCRUB_ERR" "line 3" "a row too wide for a workbook: the line is named"
ok "a row too wide for a workbook: nothing written" test ! -e "$T/toowide.xlsx" -a ! -e "$T/toowide.cleaned.csv"

# ---------------------------------------------------------------- percentages
F=$SAMPLES/messy.csv
run_scrub --no-progress --offline -o "$T/pc.c.csv" -r "$T/pc.r.csv" --summary "$T/pc.json" "$F"
like "$SCRUB_ERR" "cleaned: [0-9]+ \\([0-9]+\\.[0-9]%\\)" "summary: cleaned with its percentage"
like "$SCRUB_ERR" "invalid +[0-9]+ +[0-9]+\\.[0-9]%" "summary: each status with its percentage"
is "$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
p = j["status_percent"]
want = {k: round(100.0 * v / j["rows"], 1) for k, v in j["status"].items()}
ok = all(abs(p[k] - want[k]) < 0.051 for k in want) and abs(sum(p.values()) - 100) < 0.5
print("ok" if ok else "bad %r %r" % (p, want))' "$T/pc.json")" ok "summary JSON: status_percent right, sums to 100"
is "$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
t = j["top_domains"]
ok = t and all(d["keep"] + d["review"] + d["remove"] + d["retry_later"] == d["rows"] for d in t)
print("ok" if ok else "bad %r" % t[:3])' "$T/pc.json")" ok "summary JSON: each top domain its rows by action, summing to its rows"
