#!/bin/bash
# t_io.sh - files in and out: --summary (.json/.csv/.txt) agrees with the
# outputs, -q, standard input ("-"), default output names, and outputs that
# appear only complete: a failed or killed run leaves nothing under the
# final names, a normal run leaves no temporary files.
. "$(dirname "$0")/lib.sh"

plan 61

IN=$SAMPLES/contacts.csv

# json_num FILE KEY - a top-level number from the summary JSON
json_num() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
# csv_val FILE SECTION KEY - value from the long-format summary CSV
csv_val() { awk -F, -v s="$2" -v k="$3" '$1 == s && $2 == k { print $3; exit }' "$1"; }

# ---------------------------------------------------------------- --summary
for ext in json csv txt; do
	scrub "s$ext" --offline --summary "$T/summary.$ext" "$IN"
	scrub_ok "--summary .$ext: exit status 0"
	ok "--summary .$ext: written, not empty" test -s "$T/summary.$ext"
done
C=$T/sjson.cleaned.csv R=$T/sjson.rejected.csv
S=$T/summary.json
nc=$(data_rows "$C") nr=$(data_rows "$R")
is "$(json_num "$S" rows)" 40 "summary.json: rows = 40 input rows"
is "$(json_num "$S" cleaned)" "$nc" "summary.json: cleaned = rows in the cleaned file ($nc)"
is "$(json_num "$S" rejected)" "$nr" "summary.json: rejected = rows in the rejected file ($nr)"
is "$(json_num "$S" review)" 0 "summary.json: review = 0 without --review"
is "$(($(json_num "$S" cleaned) + $(json_num "$S" rejected)))" 40 "summary.json: cleaned + rejected = rows"
like "$(tr -d ' \n' <"$S")" '"status":\{[^}]*"valid":' "summary.json: counts by status"
like "$(tr -d ' \n' <"$S")" '"delimiter":"comma"' "summary.json: detected delimiter reported"
is "$(head -1 "$T/summary.csv")" "section,key,value" "summary.csv: long format header"
is "$(csv_val "$T/summary.csv" output cleaned)|$(csv_val "$T/summary.csv" output rejected)" "$nc|$nr" \
    "summary.csv: output counts agree with the files"
is "$(csv_val "$T/summary.csv" run rows)" 40 "summary.csv: rows = 40"
like "$(tr '\n' ' ' <"$T/summary.txt")" "cleaned[^0-9]*${nc}[^0-9].*rejected[^0-9]*${nr}([^0-9]|\$)" \
    "summary.txt: the same cleaned and rejected counts"
nok "summary files hold no addresses" grep -q '@' "$S" "$T/summary.csv" "$T/summary.txt"

scrub srev --offline --policy strict --review "$T/srev.review.csv" --summary "$T/srev.json" "$IN"
is "$(json_num "$T/srev.json" review)" "$(data_rows "$T/srev.review.csv")" "summary.json: review count agrees with the review file"
is "$(($(json_num "$T/srev.json" cleaned) + $(json_num "$T/srev.json" rejected) + $(json_num "$T/srev.json" review)))" 40 \
    "summary.json: cleaned + rejected + review = rows"

# ---------------------------------------------------------------- -q and the summary on stderr
run_scrub --offline --no-progress -o "$T/loud.cleaned.csv" -r "$T/loud.rejected.csv" "$IN"
scrub_ok "without -q: exit status 0"
like "$SCRUB_ERR" '(^|[^0-9])40([^0-9]|$)' "without -q: summary (40 rows) on standard error"
is "$SCRUB_OUT" "" "without -q: nothing on standard output"
scrub quiet --offline "$IN"
is "$SCRUB_ERR" "" "-q: nothing on standard error"

# ---------------------------------------------------------------- standard input
scrub stdin --offline - <"$IN"
scrub_ok "stdin (-): exit status 0"
ok "stdin (-): every row in exactly one output" rows_partition 40 "$T/stdin.cleaned.csv" "$T/stdin.rejected.csv"
ok "stdin (-): same cleaned rows as from the file" \
    cmp -s <(orig_part "$T/stdin.cleaned.csv") <(orig_part "$T/sjson.cleaned.csv")
ok "stdin (-): same verdicts as from the file" \
    cmp -s <(col "$T/stdin.rejected.csv" scrub_sub_status) <(col "$T/sjson.rejected.csv" scrub_sub_status)
scrub stdin2 --offline - <"$SAMPLES/excel-semicolon.csv"
ok "stdin (-): BOM, ';' and CRLF detected on a pipe" all_crlf "$T/stdin2.cleaned.csv"
is "$(header_raw "$T/stdin2.cleaned.csv")" "$(header_raw "$SAMPLES/excel-semicolon.csv");$(appended_header ';')" \
    "stdin (-): header and delimiter kept"
mkdir "$T/stdin-default"
(cd "$T/stdin-default" && exec "$LISTSCRUB" --offline -q --no-progress - <"$IN" 2>/dev/null)
is "$?" 0 "stdin (-) without -o/-r: exit status 0"
ok "stdin (-) without -o/-r: listscrub-cleaned.csv and listscrub-rejected.csv in the current directory" \
    only_files "$T/stdin-default" listscrub-cleaned.csv listscrub-rejected.csv

# ---------------------------------------------------------------- default output names
mkdir "$T/dflt"
cp "$IN" "$T/dflt/contacts.csv"
run_scrub --offline -q --no-progress "$T/dflt/contacts.csv"
scrub_ok "default names: exit status 0"
ok "default names: contacts-cleaned.csv and contacts-rejected.csv beside the input, nothing else" \
    only_files "$T/dflt" contacts.csv contacts-cleaned.csv contacts-rejected.csv
ok "default names: every row in exactly one output" rows_partition 40 \
    "$T/dflt/contacts-cleaned.csv" "$T/dflt/contacts-rejected.csv"
run_scrub --offline -q --no-progress "$T/dflt/contacts.csv"
scrub_ok "default names: a second run replaces the outputs"
ok "default names: still nothing else in the directory" \
    only_files "$T/dflt" contacts.csv contacts-cleaned.csv contacts-rejected.csv

# ---------------------------------------------------------------- temporary files
mkdir "$T/out"
run_scrub --offline -q --no-progress -o "$T/out/c.csv" -r "$T/out/r.csv" --review "$T/out/v.csv" \
    --summary "$T/out/s.json" "$IN"
scrub_ok "normal run: exit status 0"
ok "normal run: no *.tmp-* files left, only the four outputs" only_files "$T/out" c.csv r.csv v.csv s.json

# ---------------------------------------------------------------- failed runs
mkdir "$T/fail1"
run_scrub --offline -q --no-progress -o "$T/fail1/no/such/dir/c.csv" -r "$T/fail1/r.csv" "$IN"
is "$SCRUB_RC" 1 "cleaned file in a missing directory: exit status 1"
like "$SCRUB_ERR" "no/such/dir/c\\.csv" "cleaned file in a missing directory: the message names it"
ok "cleaned file in a missing directory: no rejected file, no temporary file" only_files "$T/fail1"

mkdir "$T/fail2"
run_scrub --offline -q --no-progress -o "$T/fail2/c.csv" -r "$T/fail2/nodir/r.csv" "$IN"
is "$SCRUB_RC" 1 "rejected file in a missing directory: exit status 1"
ok "rejected file in a missing directory: no cleaned file, no temporary file" only_files "$T/fail2"

mkdir "$T/fail3"
printf 'old\n' >"$T/fail3/c.csv"
run_scrub --offline -q --no-progress -o "$T/fail3/c.csv" -r "$T/fail3/nodir/r.csv" "$IN"
is "$(cat "$T/fail3/c.csv")" "old" "failed run: an existing cleaned file is left as it was"

# ---------------------------------------------------------------- outputs that collide
# Two outputs on one path would lose rows; the input as an output would lose the input.
mkdir "$T/same"
cp "$IN" "$T/same/contacts.csv"
run_scrub --offline -q --no-progress -o "$T/same/x.csv" -r "$T/same/x.csv" "$T/same/contacts.csv"
is "$SCRUB_RC" 2 "-o and -r the same file: exit status 2"
run_scrub --offline -q --no-progress -o "$T/same/c.csv" -r "$T/same/r.csv" --review "$T/same/c.csv" "$T/same/contacts.csv"
is "$SCRUB_RC" 2 "--review the same file as -o: exit status 2"
run_scrub --offline -q --no-progress -o "$T/same/contacts.csv" -r "$T/same/r.csv" "$T/same/contacts.csv"
is "$SCRUB_RC" 2 "-o the input file: exit status 2"
ok "outputs that collide: the input untouched, nothing written" \
    sh -c 'cmp -s "$1" "$2" && [ "$(ls -A "$3")" = contacts.csv ]' sh "$IN" "$T/same/contacts.csv" "$T/same"

# ---------------------------------------------------------------- killed run
# A big regular file, killed once its temporary outputs exist: listscrub is
# then mid-run, writing. And a FIFO we keep open: listscrub first copies a
# pipe to a temporary file (it may read the input twice), so it is killed
# while reading, before any output exists.
# (No SIGINT case: a background job of a non-interactive shell ignores it.)
gen_rows 300000 7 | sed '1i First,Last,Email,Phone' >"$T/big-kill.csv"
killed_run() {
	local sig=$1 how=$2 d=$T/kill-$1-$2 wpid= spid in
	mkdir "$d"
	if [ "$how" = fifo ]; then
		in=$d/in.csv
		mkfifo "$in"
		(cat "$IN"; gen_rows 20000; exec sleep 30) >"$in" &
		wpid=$!
	else
		in=$T/big-kill.csv
	fi
	"$LISTSCRUB" --offline -q --no-progress -o "$d/c.csv" -r "$d/r.csv" "$in" 2>/dev/null &
	spid=$!
	KILL_FILES=
	if [ "$how" = file ]; then
		# wait (up to 20 s) until its temporary outputs exist
		for _ in $(seq 1 400); do
			KILL_FILES=$(find "$d" -mindepth 1 -printf '%f ')
			[ -n "$KILL_FILES" ] && break
			sleep 0.05
		done
	else
		sleep 1
		KILL_FILES=$(find "$d" -mindepth 1 ! -name in.csv -printf '%f ')
	fi
	kill -s "$sig" "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	KILL_RC=$?
	[ -z "$wpid" ] || { kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; }
	[ ! -e "$d/c.csv" ] && [ ! -e "$d/r.csv" ]
}
for sig in KILL TERM; do
	ok "killed run (SIG$sig, writing): nothing under the final names" killed_run $sig file
	ok "killed run (SIG$sig, writing): listscrub was mid-run, its temporary outputs open" test -n "$KILL_FILES"
	is "$KILL_RC" $((128 + $(kill -l $sig))) "killed run (SIG$sig, writing): killed, not finished"
	t0=$(date +%s)
	ok "killed run (SIG$sig, reading a pipe): nothing under the final names" killed_run $sig fifo
	is "$KILL_FILES" "" "killed run (SIG$sig, reading a pipe): no output begun yet"
	# the producer keeps the pipe open for 30 s: the signal must not wait
	# for it (a read the signal interrupts ends the copy)
	is "$KILL_RC:$(($(date +%s) - t0 < 10))" "$((128 + $(kill -l $sig))):1" \
	    "killed run (SIG$sig, reading a pipe): stopped at once, 128 + the signal"
done
