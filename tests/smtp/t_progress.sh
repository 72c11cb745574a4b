#!/bin/bash
# t_progress.sh - the progress line of every stage (pass 1, DNS, SMTP,
# pass 2) in the loopback mail world of tests/smtp: --progress into a file
# writes plain lines (no '\r', no escape, each ended by a newline, one
# during a stage longer than 5 s, one at the end of each) and leaves the
# summary intact; a default run into a file shows none; on a terminal
# (a pty, by script(1)) the line is redrawn in place and erased before the
# summary (validator/README, "Stages and passes").
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 32

smtp_start >/dev/null || bail "cannot start the mail world"
smtp_fault_start nobanner >/dev/null || bail "cannot start the fault server"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20)
STAGE='^listscrub: (pass 1|DNS|SMTP|pass 2): '
# stages FILE - the stage of each progress line, one a line
stages() { grep -aoE "$STAGE" "$1" | sed 's/^listscrub: //; s/: $//'; }
has_byte() { LC_ALL=C grep -q "$(printf "$2")" "$1"; }
ends_nl() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }

# ---------------------------------------------------------------- --progress into a file
# The greylisted address is asked again after 6 s: the SMTP stage lasts
# longer than one plain line's 5 s.
F=$T/list.csv
printf '%s\n' Email alice@normal.mail nobody@normal.mail whoever@catchall.mail \
    alice@grey.mail not-an-address ALICE@normal.mail >"$F"
run_scrub --progress -o "$T/p.c.csv" -r "$T/p.r.csv" --summary "$T/p.sum.txt" \
    "${PROBE[@]}" --retry-delay 6 "$F"
E=$T/p.err
cp "$T/.scrub.err" "$E"
scrub_ok "--progress into a file: exit status 0"
nok "--progress into a file: no carriage return" has_byte "$E" '\r'
nok "--progress into a file: no escape sequence" has_byte "$E" '\033'
ok "--progress into a file: the text ends with a newline" ends_nl "$E"
is "$(stages "$E" | uniq | tr '\n' ' ')" "pass 1 DNS SMTP pass 2 " \
    "--progress into a file: every stage in order, each on lines of its own"
like "$(grep -a '^listscrub: pass 1: ' "$E" | tail -1)" \
    '^listscrub: pass 1: 6 rows, [0-9]+(\.[0-9])? rows/s, 100%, in [0-9]+\.[0-9] s$' \
    "pass 1: its rows, rate, percent, time"
like "$(grep -a '^listscrub: DNS: ' "$E" | tail -1)" \
    '^listscrub: DNS: 3/3 domains, [0-9]+(\.[0-9])? domains/s, 100%, in [0-9]+\.[0-9] s$' \
    "DNS: domains answered of all, rate, percent, time"
like "$(grep -a '^listscrub: SMTP: ' "$E" | tail -1)" \
    '^listscrub: SMTP: 4/4 addresses, [0-9]+(\.[0-9])? addresses/s, 100%, in [0-9]+\.[0-9] s$' \
    "SMTP: unique addresses answered of all, rate, percent, time"
like "$(grep -a '^listscrub: SMTP: ' "$E" | head -1)" \
    '^listscrub: SMTP: [0-3]/4 addresses, [0-9]+(\.[0-9])? addresses/s, [0-9]+%(, ETA [0-9]+:[0-9][0-9])?$' \
    "SMTP: a line during the stage, while the greylisted address waits"
is "$(stages "$E" | grep -c SMTP)" 2 "SMTP: no more than one line per 5 s, and one at the end"
like "$(grep -a '^listscrub: pass 2: ' "$E" | tail -1)" \
    '^listscrub: pass 2: 6 rows, [0-9]+(\.[0-9])? rows/s, 100%, in [0-9]+\.[0-9] s$' "pass 2: its rows"
# The summary follows the progress lines, whole: the same text as the
# --summary file (but the time on its first line).
grep -avE "$STAGE" "$E" >"$T/p.rest"
like "$(head -1 "$T/p.rest")" '^listscrub: [^ ]*/list\.csv: 6 rows in ' \
    "summary: starts on a line of its own after the progress lines"
ok "summary: the rest of it is the --summary file's text" \
    cmp -s <(tail -n +2 "$T/p.rest") <(tail -n +2 "$T/p.sum.txt")
is "$(grep -anE "$STAGE" "$E" | tail -1 | cut -d: -f1)" "$(stages "$E" | wc -l)" \
    "summary: no progress line after it begins"
like "$(col "$T/p.c.csv" scrub_sub_status | sort | tr '\n' ' ')" 'accept_all mailbox_ok mailbox_ok' \
    "the verdicts are as without --progress"

# ---------------------------------------------------------------- --progress -q, DNS only
F=$T/dns.csv
printf '%s\n' Email a@normal.mail b@catchall.mail c@grey.mail >"$F"
run_scrub -q --progress -o "$T/q.c.csv" -r "$T/q.r.csv" --dns-server "$DNS_ADDR" \
    --allow-reserved "$F"
cp "$T/.scrub.err" "$T/q.err"
scrub_ok "--progress -q, DNS only: exit status 0"
is "$(stages "$T/q.err" | tr '\n' ' ')" "pass 1 DNS pass 2 " \
    "--progress -q, DNS only: one line per stage, no SMTP stage"
is "$(grep -avcE "$STAGE" "$T/q.err")" 0 "--progress -q: no summary, nothing else"

# A warning between two stages comes after the first one's last line.
printf 'Name,Email\nJ\366rg,a@normal.mail\n' >"$T/latin1.csv"
run_scrub -q --progress -o "$T/l.c.csv" -r "$T/l.r.csv" --dns-server "$DNS_ADDR" \
    --allow-reserved "$T/latin1.csv"
is "$(sed -n 's/^listscrub: \(pass 1\|DNS\|pass 2\|warning\): .*/\1/p' "$T/.scrub.err" | tr '\n' ' ')" \
    "pass 1 warning DNS pass 2 " "--progress: the encoding warning after pass 1's line, on its own"

# ---------------------------------------------------------------- default, not a terminal
F=$T/def.csv
printf '%s\n' Email a@normal.mail b@catchall.mail nobody@normal.mail >"$F"
run_scrub -o "$T/d.c.csv" -r "$T/d.r.csv" "${PROBE[@]}" "$F"
cp "$T/.scrub.err" "$T/d.err"
scrub_ok "default into a file: exit status 0"
is "$(stages "$T/d.err" | wc -l)" 0 "default into a file: no progress line"
nok "default into a file: no carriage return" has_byte "$T/d.err" '\r'
like "$(head -1 "$T/d.err")" '^listscrub: [^ ]*/def\.csv: 3 rows in ' "default into a file: the summary alone"

# ---------------------------------------------------------------- SIGTERM mid-stage
# A signal during the SMTP stage, --progress into a file: the stage's line
# is ended, the interruption is said on a line of its own, nothing is
# written (the fault server's no-banner host keeps the stage waiting).
# --no-cache: what the interrupted run learned stays out of the store
# that the later runs here read (t_resume.sh tests that part).
F=$T/sig.csv
printf '%s\n' Email alice@normal.mail x@nobanner.mail >"$F"
rm -rf "$T/sig" && mkdir "$T/sig"
"$LISTSCRUB" --progress --no-cache -o "$T/sig/c.csv" -r "$T/sig/r.csv" "${PROBE[@]}" \
    --banner-timeout 30 "$F" 2>"$T/sig.err" &
pid=$!
for _ in $(seq 150); do	# until a plain SMTP line is out (one per 5 s)
	grep -aq '^listscrub: SMTP: ' "$T/sig.err" && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM during the SMTP stage with --progress: exit status 143"
like "$(grep -avE "$STAGE" "$T/sig.err" | head -1)" \
    '^listscrub: interrupted by SIGTERM during the SMTP stage .*nothing was written' \
    "... the interruption on a line of its own, after the progress lines"
ok "... plain lines only (no carriage return, no escape), ended by a newline" \
    eval '! has_byte "$T/sig.err" "[\r\033]" && ends_nl "$T/sig.err"'
is "$(ls -A "$T/sig")" "" "... no output, no temporary file"

# ---------------------------------------------------------------- a terminal
if ! command -v script >/dev/null 2>&1; then
	skip 5 "script(1) (util-linux) is not installed: no pty"
else
	# bob@grey.mail is greylisted for the first time: 2 s of SMTP stage
	F=$T/tty.csv
	printf '%s\n' Email bob@grey.mail alice@normal.mail >"$F"
	cmd=$(printf '%q ' "$LISTSCRUB" -o "$T/t.c.csv" -r "$T/t.r.csv" "${PROBE[@]}" \
	    --retry-delay 2 "$F")
	TERM=dumb timeout 120 script -qec "$cmd" /dev/null </dev/null >"$T/tty.raw" 2>&1
	is "$?" 0 "terminal: exit status 0"
	# the pty turns \n into \r\n; then a draw is \r LINE ESC[K and the
	# end of a stage \r ESC[K
	perl -0pe 's/\r\n/\n/g' "$T/tty.raw" >"$T/tty.txt"
	like "$(grep -ac $'\rlistscrub: SMTP: [0-9]*/2 addresses' "$T/tty.txt")" '^[1-9]' \
	    "terminal: the SMTP stage's line is drawn in place"
	perl -0pe 's/\rlistscrub: [^\r\n\e]*\e\[K//g; s/\r\e\[K//g' "$T/tty.txt" >"$T/tty.rest"
	ok "terminal: every line drawn is erased again, nothing else is left" \
	    eval '! LC_ALL=C grep -q "$(printf "[\r\033]")" "$T/tty.rest"'
	like "$(head -1 "$T/tty.rest")" '^listscrub: [^ ]*/tty\.csv: 2 rows in ' \
	    "terminal: the summary is the first line once the drawn ones are taken out"
	like "$(grep -a 'tty\.csv: 2 rows in' "$T/tty.txt")" $'\r\e\\[Klistscrub: [^ ]*/tty\\.csv: 2 rows in ' \
	    "terminal: the line is erased right before the summary"
fi
