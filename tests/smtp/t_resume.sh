#!/bin/bash
# t_resume.sh - the result store in the loopback mail world (NSD + Postfix
# of tests/smtp): a second run of the same command asks nothing (no MX
# query at NSD, no connection in Postfix's log) and writes the same
# bytes; a run killed with SIGKILL half way, run again, asks only what it
# had not been told and ends with the outputs of an uninterrupted run;
# --refresh and --refresh-older-than ask again; a second run on a busy
# store waits, then says so (validator/README, "The result store").
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 37

smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

# --no-preflight: the sender preflight asks the MAIL FROM domain's MX on
# every run; the DNS counts below are those of the list's domains.
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20 --retry-delay 1 --no-preflight)
nconnect() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }
rcpts() { smtp_log_commands | grep -ci '^RCPT TO:'; }
json_num() { tr -d '\n' <"$1" | grep -o "\"$2\": *[0-9]*" | head -1 | sed 's/.*: *//'; }
# without the change columns (the last two: status names and booleans,
# never quoted)
no_change() { sed -E 's/,[^,]*,[^,]*$//' "$1"; }
# two runs' verdicts: the time of the run and the change columns aside
no_time() { no_change "$1" | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/g'; }

F=$T/list.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'Alice,alice@normal.mail' 'Nobody,nobody@normal.mail' \
	    'Full,full@normal.mail' 'Disabled,disabled@normal.mail' \
	    'Any,whoever@catchall.mail' 'Gone,x@nxdomain.mail' 'Bob,bob@shared1.mail'
} >"$F"
S=$T/store.sqlite

# ---------------------------------------------------------------- a second run asks nothing
dns_query_reset
scrub one --cache "$S" --summary "$T/one.json" "${PROBE[@]}" "$F"
scrub_ok "first run with a store: exit status 0"
c1=$(nconnect) r1=$(rcpts) q1=$(dns_query_count MX)
[ "$r1" -gt 0 ] && [ "$q1" -gt 0 ]
ok "first run: $r1 RCPTs and $q1 MX queries" test $? = 0
is "$(stat -c %a "$S")" 600 "the store is created mode 0600 (it holds addresses)"
cp "$T/one.cleaned.csv" "$T/one.c" && cp "$T/one.rejected.csv" "$T/one.r"
scrub one --cache "$S" --summary "$T/two.json" "${PROBE[@]}" "$F"
scrub_ok "second run: exit status 0"
is "$(nconnect)" "$c1" "second run: no SMTP connection"
is "$(dns_query_count MX)" "$q1" "second run: no MX query"
ok "second run: the verdicts are byte for byte the first's (times included)" \
    cmp -s <(no_change "$T/one.c") <(no_change "$T/one.cleaned.csv")
ok "... in the rejected file too" \
    cmp -s <(no_change "$T/one.r") <(no_change "$T/one.rejected.csv")
cp "$T/one.cleaned.csv" "$T/two.c" && cp "$T/one.rejected.csv" "$T/two.r"
scrub one --cache "$S" "${PROBE[@]}" "$F"
ok "third run: the cleaned file is byte for byte the second's" cmp -s "$T/two.c" "$T/one.cleaned.csv"
ok "third run: the rejected file is byte for byte the second's" cmp -s "$T/two.r" "$T/one.rejected.csv"
is "$(json_num "$T/two.json" smtp_recalled)" 6 "second run: the summary says 6 SMTP answers came from the store"
is "$(json_num "$T/two.json" smtp_asked)" 0 "second run: and none was asked"
like "$(head -1 "$T/one.cleaned.csv")" "scrub_previous_status,scrub_changed" \
    "with a store the outputs have scrub_previous_status and scrub_changed"
is "$(look 1 scrub_previous_status,scrub_changed "$T/one.cleaned.csv" "$T/one.rejected.csv")" \
    "cleaned|valid|false" "second run: the previous status is the first run's, unchanged"

# ---------------------------------------------------------------- --refresh asks again
scrub one --cache "$S" --refresh "${PROBE[@]}" "$F"
scrub_ok "--refresh: exit status 0"
[ "$(rcpts)" -gt "$r1" ]
ok "--refresh: the addresses are asked again" test $? = 0
r2=$(rcpts)
sleep 2
scrub one --cache "$S" --refresh-older-than 1s "${PROBE[@]}" "$F"
[ "$(rcpts)" -gt "$r2" ]
ok "--refresh-older-than 1s, 2 s later: asked again" test $? = 0

# ---------------------------------------------------------------- killed half way, run again
B=$T/bulk.csv
{
	printf '%s\n' 'Email'
	for i in $(seq 0 39); do printf 'u%04d@bulk.mail\n' "$i"; done
	for i in $(seq 0 9); do printf 'nobody%02d@bulk.mail\n' "$i"; done
} >"$B"
SLOW=(--rcpt-per-transaction 1 --rcpt-per-connection 1 --per-host 1 --host-rate 600)
# the reference: one uninterrupted run
scrub ref --cache "$T/ref.sqlite" "${PROBE[@]}" "${SLOW[@]}" "$B"
scrub_ok "uninterrupted bulk run: exit status 0"
before=$(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk')
K=$T/kill.sqlite
XDG_CACHE_HOME=$T/.cache/kill "$LISTSCRUB" -q --no-progress -o "$T/k.cleaned.csv" -r "$T/k.rejected.csv" \
    --cache "$K" "${PROBE[@]}" "${SLOW[@]}" "$B" 2>/dev/null &
pid=$!
# about half way: half the RCPTs of the uninterrupted run seen in the log
end=$((SECONDS + 30))
while [ $(( $(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk') - before )) -lt 26 ] &&
    [ $SECONDS -lt $end ]; do sleep 0.05; done
kill -KILL "$pid"; wait "$pid" 2>/dev/null
ok "the killed run wrote no output" test ! -e "$T/k.cleaned.csv"
# list addresses RCPT'd in the log from line N on (the catch-all test's
# random local part is not in the list)
asked() {
	smtp_log_commands | awk -v skip="$1" 'toupper($0) ~ /^RCPT TO:<[A-Z0-9]*@BULK/ {
		if (++n <= skip) next; a = tolower($0); sub(/^rcpt to:</, "", a); sub(/>.*/, "", a)
		if (a ~ /^(u[0-9]+|nobody[0-9]+)@/) print a }' | sort -u
}
mid=$(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk')
asked "$before" >"$T/killed.asked"
sqlite3 "$K" 'SELECT key FROM address WHERE smtp_sub IS NOT NULL' | sort -u >"$T/killed.kept"
scrub k --cache "$K" "${PROBE[@]}" "${SLOW[@]}" "$B"
scrub_ok "the run again: exit status 0"
ok "the run again: outputs equal the uninterrupted run's (times aside)" \
    cmp -s <(no_time "$T/ref.cleaned.csv") <(no_time "$T/k.cleaned.csv")
ok "... rejected too" cmp -s <(no_time "$T/ref.rejected.csv") <(no_time "$T/k.rejected.csv")
asked "$mid" >"$T/again.asked"
after=$(wc -l <"$T/again.asked")
kept=$(wc -l <"$T/killed.kept")
lost=$(comm -23 "$T/killed.asked" "$T/killed.kept" | wc -l)
diag "killed after $(wc -l <"$T/killed.asked") addresses asked, $kept kept; the run again asked $after; asked but not kept: $lost"
[ "$kept" -gt 0 ] && [ "$after" -lt 40 ]
ok "the killed run kept answers; the run again asked only part of the list ($after of 50)" test $? = 0
is "$(comm -12 "$T/killed.kept" "$T/again.asked" | wc -l)" 0 \
    "no address the killed run had kept an answer for is asked again"
is "$(comm -23 "$T/killed.asked" "$T/killed.kept" | comm -23 - "$T/again.asked" | wc -l)" 0 \
    "every address asked but not kept (in flight at the kill) is asked again"
[ "$lost" -le 10 ]
ok "answers are kept as they come: at most a few asked but not kept ($lost)" test $? = 0

# ---------------------------------------------------------------- SIGTERM half way
# The run stops with 128 + 15 and writes no output; what it had learned is
# in the store, and the next run does not ask it again.
TS=$T/term.sqlite
beforet=$(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk')
XDG_CACHE_HOME=$T/.cache/term "$LISTSCRUB" -q --no-progress -o "$T/t.cleaned.csv" -r "$T/t.rejected.csv" \
    --cache "$TS" "${PROBE[@]}" "${SLOW[@]}" "$B" 2>"$T/term.err" &
pid=$!
end=$((SECONDS + 30))
while [ $(( $(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk') - beforet )) -lt 20 ] &&
    [ $SECONDS -lt $end ]; do sleep 0.05; done
kill -TERM "$pid"; wait "$pid"
is "$?" 143 "SIGTERM during the SMTP stage: exit status 143"
ok "... no output written" test ! -e "$T/t.cleaned.csv" -a ! -e "$T/t.rejected.csv"
midt=$(smtp_log_commands | grep -ci '^RCPT TO:<[a-z0-9]*@bulk')
sqlite3 "$TS" 'SELECT key FROM address WHERE smtp_sub IS NOT NULL' | sort -u >"$T/term.kept"
scrub t --cache "$TS" "${PROBE[@]}" "${SLOW[@]}" "$B"
asked "$midt" >"$T/term.again"
[ "$(wc -l <"$T/term.kept")" -ge 15 ]
ok "... the store kept what was answered before the signal ($(wc -l <"$T/term.kept"))" test $? = 0
is "$(comm -12 "$T/term.kept" "$T/term.again" | wc -l)" 0 "... and the run again asks none of it"

# ---------------------------------------------------------------- a refusal of the sender is never reused
# mx.policy.mail refuses every client (554 5.7.1): about the sender, not the
# address; the next run asks again and still does not blame the address.
P=$T/pol.csv
printf '%s\n' 'Email' alice@policy.mail alice@normal.mail >"$P"
PS=$T/pol.sqlite
scrub pol1 --cache "$PS" "${PROBE[@]}" "$P"
c1=$(nconnect)
n1=$(smtp_log_commands 127.0.2.1 | grep -ci '^RCPT TO:<alice@normal.mail>')
scrub pol2 --cache "$PS" --summary "$T/pol2.json" "${PROBE[@]}" "$P"
n2=$(smtp_log_commands 127.0.2.1 | grep -ci '^RCPT TO:<alice@normal.mail>')
[ "$(nconnect)" -gt "$c1" ] && [ "$(json_num "$T/pol2.json" smtp_asked)" = 1 ] &&
    [ "$(json_num "$T/pol2.json" smtp_recalled)" = 1 ]
ok "a policy refusal is not reused: its address is asked again (1 asked, 1 from the store)" test $? = 0
is "$n2" "$n1" "... while the accepted address is not"
is "$(look 1 scrub_status,scrub_sub_status "$T/pol2.cleaned.csv" "$T/pol2.rejected.csv")" \
    "cleaned|unknown|policy_blocked" "... and the address is unknown/policy_blocked, never invalid"

# ---------------------------------------------------------------- a busy store
# another holder of the store's lock: the run waits --cache-wait, then says so
flock -x "$T/busy.sqlite.lock" sleep 4 &
hold=$!
sleep 0.5
scrub busy --cache "$T/busy.sqlite" --cache-wait 1 "${PROBE[@]}" "$F"
is "$SCRUB_RC" 2 "a store in use: the run stops with exit status 2 after --cache-wait"
like "$SCRUB_ERR" "busy.sqlite is in use" "... and says the store is in use"
wait "$hold"
# two real runs at once on one store: the second waits for the first
for n in a b; do
	XDG_CACHE_HOME=$T/.cache/two$n "$LISTSCRUB" -q --no-progress -o "$T/two$n.c.csv" \
	    -r "$T/two$n.r.csv" --cache "$T/two.sqlite" "${PROBE[@]}" "${SLOW[@]}" "$B" 2>"$T/two$n.err" &
	eval "pid_$n=\$!"
done
wait "$pid_a"; rc_a=$?
wait "$pid_b"; rc_b=$?
is "$rc_a:$rc_b" "0:0" "two runs on one store at once: both finish (one waited)"
ok "... with the same verdicts" cmp -s <(no_time "$T/twoa.c.csv") <(no_time "$T/twob.c.csv")

dns_stop
smtp_stop
