#!/bin/bash
# t_schedule.sh - contrib/scheduled-scrub, the wrapper for cron and systemd
# timers (contrib/README.schedule): dated output directories, the
# --keep rotation that never touches anything else, the lock, the log
# line, mail on a degraded or failed run (through fake mail/sendmail/logger
# commands first on PATH: nothing leaves the machine), file names with
# spaces; and systemd-analyze verify on the units in contrib/systemd, when
# installed. Network: none (--offline), or a resolver on 127.0.0.1:1.
. "$(dirname "$0")/lib.sh"

plan 80

W=$srcdir/contrib/scheduled-scrub
[ -x "$W" ] || bail "not executable: $W"
LISTSCRUB=$(cd "$(dirname "$LISTSCRUB")" && pwd)/$(basename "$LISTSCRUB")
export LISTSCRUB
unset SCRUB_KEEP SCRUB_OUTDIR SCRUB_MAIL SCRUB_LOG SCRUB_MAILPATH STATE_DIRECTORY

# ---------------------------------------------------------------- fakes
# mail, sendmail and logger that record their arguments (one per line) and
# standard input: $T/rec/NAME.N.args and NAME.N.in, N counting from 1.
mkdir -p "$T/bin" "$T/sbin" "$T/rec" "$T/nomail"
fake() {
	cat >"$1/$2" <<'EOF'
#!/bin/sh
name=${0##*/}
n=1
while [ -e "$REC/$name.$n.args" ]; do n=$((n + 1)); done
printf '%s\n' "$@" >"$REC/$name.$n.args"
cat >"$REC/$name.$n.in"
EOF
	chmod +x "$1/$2"
}
fake "$T/bin" mail
fake "$T/bin" logger
fake "$T/sbin" sendmail
REC=$T/rec
export REC
PATH=$T/bin:$PATH
export PATH
# calls NAME - how many times the fake NAME ran
calls() { find "$REC" -name "$1.*.args" | wc -l | tr -d ' '; }

# run_w ARGS... - the wrapper; W_RC, W_OUT, W_ERR (stdin: /dev/null).
# Each run gets a result store of its own (listscrub's default is under
# XDG_CACHE_HOME), never the user's.
_w_runs=0
run_w() {
	_w_runs=$((_w_runs + 1))
	XDG_CACHE_HOME=$T/.cache/w$_w_runs \
	    timeout 120 "$W" "$@" </dev/null >"$T/.w.out" 2>"$T/.w.err"
	W_RC=$?
	W_OUT=$(cat "$T/.w.out")
	W_ERR=$(cat "$T/.w.err")
}
# dated DIR - the dated run directories in DIR, oldest first
dated() {
	(cd "$1" && for d in *; do
		[ -d "$d" ] && [ ! -L "$d" ] && printf '%s\n' "$d"
	done) | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z(-[0-9]+)?$' |
	    sort -t - -k 1,1 -k 2,2 -k 3,3 -k 4,4n
}
# lastdir LOG - the outputs directory the last line of the log names
lastdir() { tail -n 1 "$1" | sed -n 's/.*, outputs \(.*\), [0-9]* s.*/\1/p'; }
json_val() { tr -d '\n' <"$1" | grep -o "\"$2\": *[a-z0-9]*" | head -1 | sed 's/.*: *//'; }

# ---------------------------------------------------------------- one quiet run
O=$T/out
L=$O/scheduled-scrub.log
run_w --keep 3 --outdir "$O" --mail ops@example.org "$SAMPLES/contacts.csv" -- --offline --quiet
is "$W_RC" 0 "offline run: exit status 0"
is "$W_OUT" "" "offline run with --quiet: nothing on standard output"
is "$W_ERR" "" "offline run with --quiet: nothing on standard error"
is "$(dated "$O" | wc -l | tr -d ' ')" 1 "offline run: one dated directory"
D1=$O/$(dated "$O" | head -1)
ok "offline run: it holds cleaned, rejected, summary .json and .txt" \
    only_files "$D1" cleaned.csv rejected.csv summary.json summary.txt
ok "offline run: every row in exactly one output" rows_partition 40 "$D1/cleaned.csv" "$D1/rejected.csv"
is "$(json_val "$D1/summary.json" rows)|$(json_val "$D1/summary.json" degraded)" "40|false" \
    "offline run: summary.json (40 rows, not degraded)"
like "$(head -1 "$D1/summary.txt")" '^listscrub: .*contacts\.csv: 40 rows' \
    "offline run: summary.txt is the text summary, although --quiet was passed"
is "$(readlink "$O/latest")" "$(basename "$D1")" "offline run: latest points to it"
is "$(wc -l <"$L" | tr -d ' ')" 1 "offline run: one log line"
like "$(cat "$L")" "^[0-9-]{10}T[0-9:]{8}Z scheduled-scrub\\[[0-9]+\\]: input '$SAMPLES/contacts.csv': status 0 \\(done\\), rows 40, cleaned 32, rejected 8, review 0, outputs $D1, [0-9]+ s\$" \
    "offline run: the log line says what happened"
is "$(calls logger)|$(sed -n 4p "$REC/logger.1.args" 2>/dev/null)" "1|user.notice" \
    "offline run: the same line to syslog (logger -p user.notice)"
is "$(tail -n 1 "$REC/logger.1.args" 2>/dev/null)" "$(sed 's/^[^ ]* scheduled-scrub\[[0-9]*\]: //' "$L")" \
    "offline run: logger got the log line"
is "$(calls mail)$(calls sendmail)" 00 "offline run, status 0: no mail"

# ---------------------------------------------------------------- --keep N
# Things in the outdir that are not the wrapper's dated directories: a
# foreign directory, names close to the pattern, a file and a symbolic
# link of the exact form. All must survive the rotation.
mkdir -p "$O/foreign dir" "$O/2020-01-01" "$O/2020-01-01T000000Z-x" "$O/elsewhere"
echo keep >"$O/foreign dir/data.csv"
echo keep >"$O/2019-01-01T000000Z"
ln -s elsewhere "$O/2018-01-01T000000Z"
names=$(basename "$D1")
for i in 2 3 4 5; do
	run_w --keep 3 --outdir "$O" "$SAMPLES/contacts.csv" -- --offline -q
	[ "$W_RC" = 0 ] || diag "run $i: exit status $W_RC: $W_ERR"
	names="$names"$'\n'"$(basename "$(lastdir "$L")")"
done
is "$(printf '%s\n' "$names" | sort -u | wc -l | tr -d ' ')" 5 "5 runs: 5 distinct directory names"
is "$(dated "$O" | wc -l | tr -d ' ')" 3 "5 runs with --keep 3: 3 dated directories remain"
is "$(dated "$O")" "$(printf '%s\n' "$names" | tail -n 3)" "--keep 3: the 3 newest remain"
ok "--keep: a foreign directory and its file untouched" test "$(cat "$O/foreign dir/data.csv")" = keep
ok "--keep: directories of other names untouched" test -d "$O/2020-01-01" -a -d "$O/2020-01-01T000000Z-x"
ok "--keep: a file named like a run untouched" test -f "$O/2019-01-01T000000Z"
ok "--keep: a symbolic link named like a run untouched" test -L "$O/2018-01-01T000000Z" -a -d "$O/elsewhere"
is "$(readlink "$O/latest")" "$(printf '%s\n' "$names" | tail -n 1)" "--keep: latest points to the newest"
is "$(wc -l <"$L" | tr -d ' ')" 5 "5 runs: 5 log lines"

# ---------------------------------------------------------------- the lock
exec 8>>"$O/.scheduled-scrub.lock"
flock -n 8 || bail "cannot take the lock for the test"
before=$(dated "$O")
run_w --keep 3 --outdir "$O" --mail ops@example.org "$SAMPLES/contacts.csv" -- --offline -q
exec 8>&-
is "$W_RC" 75 "lock held elsewhere: exit status 75 (EX_TEMPFAIL)"
like "$W_ERR" '^scheduled-scrub: another run holds .*\.scheduled-scrub\.lock; not started \(exit 75\)$' \
    "lock held elsewhere: the message says so"
is "$(dated "$O")" "$before" "lock held elsewhere: no new directory, none removed"
like "$(tail -n 1 "$L")" "status 75 \\(busy: another run holds the lock\\), [0-9]+ s; mailed ops@example.org\$" \
    "lock held elsewhere: logged, and mailed"
run_w --keep 3 --outdir "$O" "$SAMPLES/contacts.csv" -- --offline -q
is "$W_RC" 0 "lock released: the next run works"
rm -f "$REC"/*

# ---------------------------------------------------------------- degraded
DEAD=(--dns-server 127.0.0.1:1 --dns-timeout 200 --dns-tries 1)
G=$T/deg
run_w --outdir "$G" --mail ops@example.org "$SAMPLES/contacts.csv" -- -q "${DEAD[@]}"
is "$W_RC" 3 "dead resolver: exit status 3"
like "$W_ERR" '^listscrub: DEGRADED: the DNS lookup failed for [0-9]+ of [0-9]+ domains' \
    "dead resolver, --quiet: the DEGRADED line on standard error"
is "$(printf '%s\n' "$W_ERR" | wc -l | tr -d ' ')" 1 "dead resolver, --quiet: only that line"
DG=$(lastdir "$G/scheduled-scrub.log")
ok "dead resolver: outputs written" \
    only_files "$DG" cleaned.csv rejected.csv summary.json summary.txt
like "$(head -1 "$DG/summary.txt")" '^listscrub: DEGRADED: ' "dead resolver: summary.txt starts with the DEGRADED line"
like "$(cat "$G/scheduled-scrub.log")" "status 3 \\(DEGRADED\\), rows 40, .*; mailed ops@example.org\$" \
    "dead resolver: the log line says degraded and mailed"
is "$(calls mail)" 1 "dead resolver: mail ran once"
is "$(cat "$REC/mail.1.args" 2>/dev/null)" "-s
listscrub DEGRADED: contacts.csv on $(uname -n)
ops@example.org" "dead resolver: mail -s SUBJECT ADDR"
like "$(cat "$REC/mail.1.in" 2>/dev/null)" '^listscrub: DEGRADED: the DNS lookup failed' \
    "dead resolver: the message holds the DEGRADED line"
like "$(cat "$REC/mail.1.in" 2>/dev/null)" '^  cleaned: [0-9]+ \([0-9.]+%\)  rejected: [0-9]+' \
    "dead resolver: the message holds the summary"
is "$(sed -n 4p "$REC/logger.1.args" 2>/dev/null)" user.warning "dead resolver: syslog priority user.warning"

# sendmail when there is no mail
SCRUB_MAILPATH=$T/sbin run_w --outdir "$G" --mail "ops@example.org,abuse@example.org" \
    "$SAMPLES/contacts.csv" -- -q "${DEAD[@]}"
is "$W_RC|$(calls sendmail)|$(calls mail)" "3|1|1" "no mail(1): sendmail ran instead"
is "$(cat "$REC/sendmail.1.args" 2>/dev/null)" "-oi
ops@example.org
abuse@example.org" "sendmail -oi ADDR ADDR (a comma-separated --mail)"
S=$(cat "$REC/sendmail.1.in" 2>/dev/null)
like "$S" "^Subject: listscrub DEGRADED: contacts\\.csv on " "sendmail: a Subject header"
like "$S" "^To: ops@example.org,abuse@example.org\$" "sendmail: a To header"
like "$S" '^listscrub: DEGRADED: ' "sendmail: the message holds the DEGRADED line"

# listscrub's result store option, when it has one, passes through
if "$LISTSCRUB" --help 2>&1 | grep -q -- '--cache FILE'; then
	run_w --outdir "$G" "$SAMPLES/contacts.csv" -- -q --cache "$T/a store.sqlite" "${DEAD[@]}"
	ok "--cache FILE passed on to listscrub: status 3, the store created" \
	    test "$W_RC" = 3 -a -s "$T/a store.sqlite"
else
	skip 1 "listscrub has no --cache yet"
fi

# neither
SCRUB_MAILPATH=$T/nomail run_w --outdir "$G" --mail ops@example.org "$SAMPLES/contacts.csv" -- -q "${DEAD[@]}"
is "$W_RC" 3 "no mailer at all: still exit status 3"
like "$W_ERR" '^scheduled-scrub: could not mail ops@example.org: neither mail nor sendmail found$' \
    "no mailer at all: said on standard error"
like "$(tail -n 1 "$G/scheduled-scrub.log")" "status 3 \\(DEGRADED\\).*; could not mail ops@example.org: neither mail nor sendmail found\$" \
    "no mailer at all: logged"
is "$(calls sendmail)|$(calls mail)" "1|1" "no mailer at all: nothing ran"
rm -f "$REC"/*

# ---------------------------------------------------------------- failures
E=$T/err
run_w --outdir "$E" --mail ops@example.org "$T/missing.csv" -- --offline -q
is "$W_RC" 2 "missing input: listscrub's exit status 2"
like "$W_ERR" 'missing\.csv' "missing input: listscrub's message on standard error, even with --quiet"
DE=$(lastdir "$E/scheduled-scrub.log")
ok "missing input: error.txt holds the message" grep -q 'missing\.csv' "$DE/error.txt"
like "$(tail -n 1 "$E/scheduled-scrub.log")" "status 2 \\(failed: usage or input error\\).*; mailed ops@example.org\$" \
    "missing input: logged and mailed"
like "$(cat "$REC/mail.1.in" 2>/dev/null)" 'missing\.csv' "missing input: the message holds the error"
is "$(dated "$E" | wc -l | tr -d ' ')" 1 "missing input: its directory is kept"
LISTSCRUB=$T/no-such-listscrub run_w --outdir "$E" "$SAMPLES/contacts.csv"
is "$W_RC" 1 "listscrub not found: exit status 1"
like "$W_ERR" "listscrub not found: '$T/no-such-listscrub'" "listscrub not found: said"

# ---------------------------------------------------------------- spaces, no --quiet
mkdir -p "$T/in put"
cp "$SAMPLES/contacts.csv" "$T/in put/my list.csv"
SP="$T/out dir/two words"
run_w --outdir "$SP" --log "$T/out dir/the log" "$T/in put/my list.csv" -- --offline
DS=$(lastdir "$T/out dir/the log")
is "$W_RC" 0 "spaces in every name: exit status 0"
ok "spaces in every name: the outputs" rows_partition 40 "$DS/cleaned.csv" "$DS/rejected.csv"
like "$(cat "$T/out dir/the log")" "input '$T/in put/my list\\.csv': status 0 \\(done\\)" \
    "spaces in every name: --log FILE gets the line"
ok "spaces in every name: no default log beside the outputs" test ! -e "$SP/scheduled-scrub.log"
is "$W_ERR" "$(cat "$DS/summary.txt")" "without --quiet: the summary on standard error"
run_w --outdir "$SP" "$T/in put/my list.csv" -- --offline -q --excel
is "$W_RC|$W_ERR" "0|" "--quiet among other listscrub options"
ok "listscrub options reach listscrub (--excel: a BOM)" has_bom "$(lastdir "$SP/scheduled-scrub.log")/cleaned.csv"
printf 'Email\n%s\n' a@b.example c@d.example e@f.example >"$T/in put/tabs.tsv"
run_w --outdir "$SP" "$T/in put/tabs.tsv" -- --offline -q
ok "a .tsv input: cleaned.tsv, rejected.tsv" \
    test -f "$(lastdir "$SP/scheduled-scrub.log")/rejected.tsv"
SCRUB_OUTDIR=$T/env SCRUB_KEEP=1 XDG_CACHE_HOME=$T/.cache/env bash "$W" "$SAMPLES/contacts.csv" -- --offline -q </dev/null >/dev/null 2>&1
SCRUB_OUTDIR=$T/env SCRUB_KEEP=1 XDG_CACHE_HOME=$T/.cache/env bash "$W" "$SAMPLES/contacts.csv" -- --offline -q </dev/null >/dev/null 2>&1
is "$?|$(dated "$T/env" | wc -l | tr -d ' ')" "0|1" "SCRUB_OUTDIR, SCRUB_KEEP (the systemd unit's), under bash too"

# ---------------------------------------------------------------- usage
run_w --outdir "$T/u"
is "$W_RC" 2 "no INPUT: exit status 2"
run_w --outdir "$T/u" ""
like "$W_RC|$W_ERR" '^2\|.*INPUT is empty' "an empty INPUT (unset SCRUB_INPUT under systemd): exit status 2"
run_w --keep 0 --outdir "$T/u" "$SAMPLES/contacts.csv"
is "$W_RC" 2 "--keep 0: exit status 2"
run_w --keep x --outdir "$T/u" "$SAMPLES/contacts.csv"
is "$W_RC" 2 "--keep x: exit status 2"
run_w --mail "-oi evil" --outdir "$T/u" "$SAMPLES/contacts.csv"
is "$W_RC" 2 "--mail starting with - or holding spaces: exit status 2"
run_w --outdir "$T/u" --offline "$SAMPLES/contacts.csv"
like "$W_RC|$W_ERR" '^2\|.*unknown option --offline' "a listscrub option before INPUT: exit status 2"
run_w --outdir "$T/u" "$SAMPLES/contacts.csv" --offline
is "$W_RC" 2 "a listscrub option after INPUT without --: exit status 2"
ok "usage errors: nothing created" test ! -e "$T/u"
run_w --help
like "$W_RC|$W_OUT" '^0\|Usage: scheduled-scrub ' "--help"

# ---------------------------------------------------------------- cron
C=$srcdir/contrib/cron/listscrub
line=$(grep -v '^[[:space:]]*#' "$C" | grep -v '=' | grep .)
is "$(printf '%s\n' "$line" | wc -l | tr -d ' ')" 1 "cron.d file: one job line"
set -f
# shellcheck disable=SC2086 # the cron line's fields
set -- $line
set +f
like "$1 $2 $3 $4 $5|$6|$7" '^[0-9]+ [0-9]+ \* \* [0-7]\|listscrub\|/usr/local/bin/scheduled-scrub$' \
    "cron.d file: weekly, as user listscrub, the installed wrapper"

# ---------------------------------------------------------------- systemd
U=$srcdir/contrib/systemd
svc=$U/listscrub-scrub@.service tmr=$U/listscrub-scrub@.timer
miss=
for k in Type=oneshot NoNewPrivileges=yes PrivateTmp=yes ProtectSystem=strict ReadWritePaths= \
    'EnvironmentFile=-/etc/default/listscrub-scrub' 'ExecStart=/usr/local/bin/scheduled-scrub '; do
	grep -q "^$k" "$svc" || miss="$miss $k"
done
for k in OnCalendar=weekly Persistent=true RandomizedDelaySec= WantedBy=timers.target; do
	grep -q "^$k" "$tmr" || miss="$miss $k"
done
is "$miss" "" "systemd units: oneshot, hardened, environment file; timer weekly, persistent, randomized"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants ExecStart's program to exist: a copy of the units that
	# runs the wrapper from the source tree
	mkdir -p "$T/units"
	sed "s|^ExecStart=/usr/local/bin/scheduled-scrub |ExecStart=\"$W\" |" "$svc" >"$T/units/listscrub-scrub@.service"
	cp "$tmr" "$T/units/"
	out=$(cd "$T/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify \
	    "$T/units/listscrub-scrub@news.service" 2>&1)
	like "$?|$out" '^0\|$' "systemd-analyze verify listscrub-scrub@news.service: no complaint"
	out=$(cd "$T/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify \
	    "$T/units/listscrub-scrub@news.timer" 2>&1)
	like "$?|$out" '^0\|$' "systemd-analyze verify listscrub-scrub@news.timer: no complaint"
else
	skip 2 "systemd-analyze not installed (Debian package systemd): units not verified"
fi
