#!/bin/bash
# t_trust.sh - nothing lost, whatever the user or the machine does: an
# output that names the input (or another output) in any spelling is
# refused; the outputs are committed as one set; SIGINT, SIGTERM and SIGHUP
# leave no temporary file and no half-written output; an input edited
# during a run is noticed; names from the file never reach the terminal
# raw, and the JSON summary is valid whatever bytes the input holds.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

dns_require
plan 58

dns_dead_server || bail "cannot start the silent resolver"

# no_ctl TEXT - TEXT holds no control byte but newline and tab
no_ctl() { ! printf '%s' "$1" | tr -d '\n\t' | LC_ALL=C grep -q '[[:cntrl:]]'; }

# ---------------------------------------------------------------- an output that is the input
D=$T/alias
mkdir "$D"
cp "$SAMPLES/contacts.csv" "$D/list.csv"
cp "$D/list.csv" "$T/orig.csv"
cd "$D" || bail "cd"
try_alias() {	# DESC ARGS... - refused with exit 2, the input as it was
	local desc=$1
	shift
	run_scrub --offline -q --no-progress "$@"
	is "$SCRUB_RC" 2 "$desc: refused with exit status 2"
	ok "$desc: the input is untouched" cmp -s "$D/list.csv" "$T/orig.csv"
}
try_alias "--review the input" --review list.csv list.csv
like "$SCRUB_ERR" "--review list\\.csv is the input file" "--review the input: the message names both"
try_alias "--summary the input" --summary list.csv list.csv
try_alias "-o ./list.csv for list.csv" -o ./list.csv list.csv
try_alias "-r by an absolute name" -r "$D/list.csv" list.csv
ln -s list.csv link.csv
try_alias "-o a symbolic link to the input" -o link.csv list.csv
ln list.csv hard.csv
try_alias "-r a hard link to the input" -r hard.csv list.csv
run_scrub --offline -q --no-progress -o out.csv -r ./out.csv list.csv
is "$SCRUB_RC" 2 "two outputs in two spellings: refused"
like "$SCRUB_ERR" "are the same file" "two outputs in two spellings: said so"
ok "refused runs create nothing" only_files "$D" list.csv link.csv hard.csv
cd "$T" || bail "cd"

# ---------------------------------------------------------------- --summary through a link
D=$T/slink
mkdir "$D"
printf 'keep me\n' >"$D/target.txt"
ln -s target.txt "$D/s.json"
run_scrub --offline -q --no-progress -o "$D/c.csv" -r "$D/r.csv" --summary "$D/s.json" "$SAMPLES/contacts.csv"
scrub_ok "--summary onto a symbolic link: exit status 0"
is "$(cat "$D/target.txt")" "keep me" "--summary onto a symbolic link: the link's target is untouched"
ok "--summary onto a symbolic link: the summary replaced the link" test -f "$D/s.json" -a ! -L "$D/s.json"

# ---------------------------------------------------------------- the outputs as one set
D=$T/set
mkdir -p "$D/r.csv"		# the rejected name is a directory
printf 'old cleaned\n' >"$D/c.csv"
printf 'old summary\n' >"$D/s.txt"
run_scrub --offline -q --no-progress -o "$D/c.csv" -r "$D/r.csv" --summary "$D/s.txt" "$SAMPLES/contacts.csv"
is "$SCRUB_RC" 1 "rejected name is a directory: exit status 1"
like "$SCRUB_ERR" "r\\.csv: cannot write: it is a directory" "rejected name is a directory: said so"
is "$(cat "$D/c.csv")" "old cleaned" "rejected name is a directory: the old cleaned file stays"
is "$(cat "$D/s.txt")" "old summary" "rejected name is a directory: the old summary stays"
ok "rejected name is a directory: no temporary file left" only_files "$D" c.csv s.txt r.csv

# ---------------------------------------------------------------- a rename that fails half-way
# The rejected file is immutable (chattr +i): its rename fails after the
# cleaned file's has been done, so the cleaned file must be put back.
D=$T/half
mkdir -p "$D"
printf 'old cleaned\n' >"$D/c.csv"
printf 'old rejected\n' >"$D/r.csv"
if chattr +i "$D/r.csv" 2>/dev/null; then
	run_scrub --offline -q --no-progress -o "$D/c.csv" -r "$D/r.csv" "$SAMPLES/contacts.csv"
	chattr -i "$D/r.csv"
	is "$SCRUB_RC" 1 "rename fails half-way: exit status 1"
	like "$SCRUB_ERR" "r\\.csv: cannot write" "rename fails half-way: the message names the file"
	is "$(cat "$D/c.csv")/$(cat "$D/r.csv")" "old cleaned/old rejected" \
	    "rename fails half-way: the cleaned file already renamed is put back"
	ok "rename fails half-way: no temporary or backup file left" only_files "$D" c.csv r.csv
else
	skip 4 "chattr +i does not work here (not root, or the file system has no immutable flag)"
fi

# ---------------------------------------------------------------- a full disk
# A 64 KiB tmpfs holds the cleaned file; the list's outputs need more.
FULL=$T/full
mkdir -p "$FULL" "$T/fullr"
if mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
	cleanup_full() { local rc=$?; umount "$FULL" 2>/dev/null; return $rc; }
	proc_on_exit cleanup_full
	printf 'old cleaned\n' >"$FULL/c.csv"
	printf 'old rejected\n' >"$T/fullr/r.csv"
	{ echo 'First,Last,Email,Phone'; gen_rows 5000; } >"$T/five.csv"
	run_scrub --offline -q --no-progress -o "$FULL/c.csv" -r "$T/fullr/r.csv" "$T/five.csv"
	is "$SCRUB_RC" 1 "disk full: exit status 1"
	like "$SCRUB_ERR" "c\\.csv: .*No space left on device" "disk full: the message names the file and the cause"
	is "$(cat "$FULL/c.csv")/$(cat "$T/fullr/r.csv")" "old cleaned/old rejected" "disk full: both old outputs stay as they were"
	ok "disk full: no temporary file left on the full disk" only_files "$FULL" c.csv
	ok "disk full: none beside the rejected file" only_files "$T/fullr" r.csv
	umount "$FULL"
else
	skip 5 "cannot mount a small tmpfs here (not root?)"
fi

# ---------------------------------------------------------------- signals
BIG=$T/big.csv
{ echo 'First,Last,Email,Phone'; gen_rows 1500000; } >"$BIG"
sig_run() {	# SIGNAL WANT_RC DESC ARGS... - interrupt a run after 0.3 s
	local sig=$1 want=$2 desc=$3 pid
	shift 3
	rm -rf "$T/sig" && mkdir "$T/sig"
	printf 'old\n' >"$T/sig/c.csv"
	# a background job of a script starts with SIGINT ignored, and
	# listscrub keeps an ignored signal ignored (as under nohup): give it
	# the default back, as a terminal's foreground job has it
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' \
	    "$LISTSCRUB" -q --no-progress -o "$T/sig/c.csv" -r "$T/sig/r.csv" \
	    --summary "$T/sig/s.json" "$@" 2>"$T/sig.err" &
	pid=$!
	sleep 0.3
	kill -s "$sig" "$pid"
	wait "$pid"
	SCRUB_RC=$?
	SCRUB_ERR=$(cat "$T/sig.err")
	is "$SCRUB_RC" "$want" "$desc: exit status $want"
	like "$SCRUB_ERR" "interrupted by SIG$sig.*nothing was written" "$desc: one line says nothing was written"
	ok "$desc: no temporary file, the old output as it was" \
	    eval 'only_files "$T/sig" c.csv && [ "$(cat "$T/sig/c.csv")" = old ]'
}
sig_run INT 130 "SIGINT while reading" --offline "$BIG"
sig_run TERM 143 "SIGTERM while reading" --offline "$BIG"
sig_run HUP 129 "SIGHUP while reading" --offline "$BIG"
printf 'Name,Email\na,a@dead-one.lab\nb,b@dead-two.lab\n' >"$T/dead.csv"
sig_run TERM 143 "SIGTERM during the DNS stage" --dns-server "$DEAD_DNS_ADDR" --dns-timeout 3000 --allow-reserved "$T/dead.csv"
like "$SCRUB_ERR" "during the DNS stage \\(0 of 2 domains looked up\\)" "SIGTERM during the DNS stage: says how far it got"

# ---------------------------------------------------------------- the input changes under the run
cp "$SAMPLES/contacts.csv" "$T/moving.csv"
rm -rf "$T/mv" && mkdir "$T/mv"
"$LISTSCRUB" -q --no-progress -o "$T/mv/c.csv" -r "$T/mv/r.csv" --dns-server "$DEAD_DNS_ADDR" \
    --dns-timeout 1000 --dns-tries 1 --allow-reserved "$T/moving.csv" 2>"$T/mv.err" &
pid=$!
sleep 0.3
echo 'Late,Row,late@example.org' >>"$T/moving.csv"
wait "$pid"
is "$?" 2 "input edited during the run: exit status 2"
like "$(cat "$T/mv.err")" "moving\\.csv changed while listscrub was reading it" "input edited during the run: said so"
ok "input edited during the run: nothing written" only_files "$T/mv"

# ---------------------------------------------------------------- hostile names
printf '"E\033]0;owned\007mail\342\200\256",Name\nann@gmail.com,Ann\n' >"$T/esc.csv"
run_scrub --offline --no-progress --column 1 -o "$T/esc.c.csv" -r "$T/esc.r.csv" --summary "$T/esc.json" "$T/esc.csv"
scrub_ok "header with ESC, BEL and U+202E: exit status 0"
ok "header with ESC, BEL and U+202E: the summary on stderr has no raw control byte" no_ctl "$SCRUB_ERR"
like "$SCRUB_ERR" 'E\\x1B\]0;owned\\x07mail\\u\{202E\}' "header with ESC, BEL and U+202E: shown escaped"
printf 'Email\377,Name\nann@gmail.com,Ann\n' >"$T/bad8.csv"
run_scrub --offline -q --no-progress --column 1 -o "$T/bad8.c.csv" -r "$T/bad8.r.csv" --summary "$T/bad8.json" "$T/bad8.csv"
scrub_ok "header with invalid UTF-8: exit status 0"
ok "header with invalid UTF-8: the JSON summary is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/bad8.json"
run_scrub --offline -q "$T/no$(printf '\033')[2Jsuch.csv"
is "$SCRUB_RC" 2 "a missing input whose name holds ESC: exit status 2"
ok "a missing input whose name holds ESC: the message has no raw control byte" no_ctl "$SCRUB_ERR"

# ---------------------------------------------------------------- --max-connections over the file limit
# refused at start, before any DNS work (ulimit -n lowers both limits)
out=$(bash -c 'ulimit -n 500 && exec "$0" -q --probe --helo probe.example.net --mail-from lists@example.net --max-connections 1000 --dns-server "$1" "$2"' \
    "$LISTSCRUB" "$DEAD_DNS_ADDR" "$SAMPLES/contacts.csv" 2>&1)
is "$?" 2 "--max-connections over the open-file limit: refused (exit 2)"
like "$out" "needs 1032 open files, and the limit is 500" "--max-connections over the open-file limit: says why"
