#!/bin/bash
# t_probe.sh - listscrub --probe end to end in the loopback mail world:
# the real NSD of tests/dns serving tests/smtp/mail.zone, a private
# Postfix with one listener per behaviour, postgrey and the fault server
# (tests/smtp/lib.sh). Asserts on the output files and on Postfix's own
# log: connections, TLS, commands (never DATA, VRFY, EXPN), no injection.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 61

smtp_start >/dev/null || bail "cannot start the mail world"
smtp_fault_start 421 nobanner endless inject >/dev/null || bail "cannot start the fault server"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

V=scrub_status,scrub_sub_status
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20)
json() { tr -d '\n' <"$1" | grep -o "\"$2\": *[0-9]*" | head -1 | sed 's/.*: *//'; }
nconnect() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }

# ---------------------------------------------------------------- one row per behaviour
F=$T/world.csv
{
	printf '%s\n' 'Name,Email,Notes'
	printf '%s\n' 'Alice,alice@normal.mail,known user'            # 1
	printf '%s\n' 'Nobody,nobody@normal.mail,unknown user'        # 2
	printf '%s\n' 'Full,full@normal.mail,552 5.2.2'               # 3
	printf '%s\n' 'Tempfull,tempfull@normal.mail,452 4.2.2'       # 4
	printf '%s\n' 'Disabled,disabled@normal.mail,550 5.2.1'       # 5
	printf '%s\n' 'Any,whoever@catchall.mail,catch-all'           # 6
	printf '%s\n' 'Pol,alice@policy.mail,554 5.7.1'               # 7
	printf '%s\n' 'Grey,alice@grey.mail,greylisted first'         # 8
	printf '%s\n' 'Tls,alice@tlsreq.mail,STARTTLS required'       # 9
	printf '%s\n' 'Broken,alice@tlsbroken.mail,TLS broken'        # 10
	printf '%s\n' 'Fall,alice@fallback.mail,first MX refused'     # 11
	printf '%s\n' 'F421,x@f421.mail,421 after EHLO'               # 12
	printf '%s\n' 'Dead,x@dead.mail,nothing listens'              # 13
	printf '%s\n' 'Endless,x@endless.mail,endless reply'          # 14
	printf '%s\n' 'Nobanner,x@nobanner.mail,no banner'            # 15
	printf '%s\n' 'Inject,x@inject.mail,bytes after 220'          # 16
	printf '%s\n' '"Evil","evil@normal.mail'                      # 17 CR/LF in the cell
	printf '%s\n' 'RCPT TO:<bob@normal.mail>",injection'
	printf '%s\n' 'Dup,ALICE@normal.mail,duplicate'               # 18
} >"$F"
C=$T/w.cleaned.csv R=$T/w.rejected.csv W=$T/w.review.csv
scrub w --review "$W" --summary "$T/w.json" "${PROBE[@]}" --retry-delay 2 "$F"
scrub_ok "world: exit status 0"
ok "world: every row in exactly one output" rows_partition 18 "$C" "$R" "$W"
ok "world: original cells byte-identical" same_bytes "$F" 1 "$C" "$R" "$W"
is "$(look 1 $V,scrub_checked,scrub_smtp_code,scrub_smtp_enhanced,scrub_catch_all "$C" "$R" "$W")" \
    "cleaned|valid|mailbox_ok|smtp|250|2.1.5|false" "known user: valid/mailbox_ok, 250 2.1.5, no catch-all"
is "$(look 1 scrub_tls "$C" "$R" "$W")" "cleaned|yes" "known user: asked over STARTTLS"
is "$(look 2 $V,scrub_smtp_code,scrub_smtp_enhanced "$C" "$R" "$W")" \
    "rejected|invalid|mailbox_not_found|550|5.1.1" "unknown user: invalid/mailbox_not_found, 550 5.1.1"
like "$(look 2 scrub_smtp_response "$C" "$R" "$W")" "User unknown in virtual mailbox table" \
    "unknown user: the server's text is kept"
is "$(look 3 $V,scrub_action,scrub_smtp_code "$C" "$R" "$W")" "review|risky|mailbox_full|retry_later|552" \
    "552 5.2.2: risky/mailbox_full, retry_later"
is "$(look 4 $V,scrub_action,scrub_smtp_code "$C" "$R" "$W")" "review|risky|mailbox_full|retry_later|452" \
    "452 4.2.2: risky/mailbox_full, retry_later (never invalid)"
is "$(look 5 $V,scrub_smtp_enhanced "$C" "$R" "$W")" "rejected|invalid|mailbox_disabled|5.2.1" \
    "550 5.2.1: invalid/mailbox_disabled"
is "$(look 6 $V,scrub_catch_all "$C" "$R" "$W")" "cleaned|catch_all|accept_all|true" \
    "catch-all domain: catch_all/accept_all"
is "$(look 7 $V,scrub_action,scrub_smtp_code "$C" "$R" "$W")" "cleaned|unknown|policy_blocked|keep|554" \
    "554 5.7.1 blocklist: unknown/policy_blocked, kept"
is "$(look 8 $V "$C" "$R" "$W")" "cleaned|valid|mailbox_ok" "greylisted: accepted on the retry"
is "$(look 9 $V,scrub_tls "$C" "$R" "$W")" "cleaned|valid|mailbox_ok|yes" "STARTTLS required: probed over TLS"
is "$(look 10 $V,scrub_tls "$C" "$R" "$W")" "cleaned|valid|mailbox_ok|no" \
    "broken TLS: asked again in clear (opportunistic)"
is "$(look 11 $V "$C" "$R" "$W")" "cleaned|valid|mailbox_ok" "first MX refused: the second MX answered"
is "$(look 12 $V,scrub_action "$C" "$R" "$W")" "cleaned|unknown|probe_blocked|keep" \
    "421 after EHLO: unknown/probe_blocked, never invalid"
is "$(look 13 $V "$C" "$R" "$W")" "cleaned|unknown|connection_failed" "nothing listens: unknown/connection_failed"
like "$(look 14 $V "$C" "$R" "$W")" '^cleaned\|unknown\|' "endless reply: unknown"
is "$(look 15 $V "$C" "$R" "$W")" "cleaned|unknown|timeout" "no banner: unknown/timeout"
like "$(look 16 $V "$C" "$R" "$W")" '^cleaned\|unknown\|' "bytes after 220 to STARTTLS: unknown"
is "$(look 17 $V,scrub_checked "$C" "$R" "$W")" "rejected|invalid|bad_syntax|syntax" \
    "CR/LF in the cell: bad_syntax, never probed"
is "$(look 18 $V,scrub_duplicate_of "$C" "$R" "$W")" "rejected|skipped|duplicate|1" "duplicate: skipped"
smtp_wait_log 'disconnect from' 5
like "$(grep -o '"host": "[^"]*"' "$T/w.json" | tr '\n' ' ')" 'mx\.policy\.mail' \
    "summary: the policy refusal is listed as a sender-side problem"
is "$(json "$T/w.json" blocked_hosts)" 1 "summary: one host given up (421)"

# ---------------------------------------------------------------- Postfix's own log
cmds=$(smtp_log_commands | sed 's/[: ].*//' | tr 'a-z' 'A-Z' | sort -u | tr '\n' ' ')
is "$(smtp_log_commands | grep -ciE '^(DATA|BDAT|VRFY|EXPN)')" 0 "log: never DATA, BDAT, VRFY or EXPN"
like "$cmds" '^(EHLO |MAIL |QUIT |RCPT |RSET |STARTTLS )+$' "log: only EHLO STARTTLS MAIL RCPT RSET QUIT ($cmds)"
is "$(smtp_log_commands | grep -c 'bob@normal.mail')" 0 "log: the injected RCPT never reached the server"
is "$(smtp_log_disconnects | grep -c 'unknown=')" 0 "log: no unknown command in any session"
ok "log: TLS sessions were established" grep -q 'TLS connection established' "$SMTP_LOG"
like "$(smtp_log_commands | grep -ci '^helo\|^ehlo probe.listscrub.test')" '^[1-9]' "log: EHLO with the --helo name"
like "$(smtp_log_commands | grep -i '^MAIL FROM' | sort -u | head -1)" '^MAIL FROM:<lists@sender.test>' \
    "log: MAIL FROM is the --mail-from address"

# ---------------------------------------------------------------- greylisting, still deferred
F=$T/grey.csv
printf '%s\n' 'Email' 'bob@grey.mail' >"$F"
scrub grey "${PROBE[@]}" --retries 0 "$F"
is "$(look 1 $V,scrub_smtp_code "$T/grey.cleaned.csv" "$T/grey.rejected.csv")" "cleaned|unknown|greylisted|450" \
    "greylisted with --retries 0: unknown/greylisted (450), kept"

# ---------------------------------------------------------------- no pipelining
F=$T/nopipe.csv
printf '%s\n' 'Email' 'alice@normal.mail' 'nobody@normal.mail' 'disabled@normal.mail' 'bob@normal.mail' >"$F"
scrub nopipe "${PROBE[@]}" --no-pipelining --rcpt-per-transaction 2 "$F"
is "$(col "$T/nopipe.cleaned.csv" scrub_sub_status | tr '\n' ' ')|$(col "$T/nopipe.rejected.csv" scrub_sub_status | tr '\n' ' ')" \
    "mailbox_ok mailbox_ok |mailbox_not_found mailbox_disabled " \
    "--no-pipelining, 2 per transaction: replies still attributed right"

# ---------------------------------------------------------------- SMTPUTF8
F=$T/utf8.csv
printf '%s\n' 'Email' 'jörg@catchall.mail' 'jörg@normal.mail' >"$F"
scrub utf8 "${PROBE[@]}" "$F"
is "$(look 1 $V "$T/utf8.cleaned.csv" "$T/utf8.rejected.csv")" "cleaned|unknown|smtputf8_unsupported" \
    "non-ASCII local part, server without SMTPUTF8: unknown/smtputf8_unsupported, not sent"
is "$(look 2 $V,scrub_smtp_code "$T/utf8.cleaned.csv" "$T/utf8.rejected.csv")" "rejected|invalid|mailbox_not_found|550" \
    "non-ASCII local part, server with SMTPUTF8: asked (an unknown user there)"
is "$(smtp_log_commands | grep -c 'j.*rg@catchall.mail')" 0 "the non-ASCII address never reached the server without SMTPUTF8"

# ---------------------------------------------------------------- 452 too many recipients
F=$T/limit.csv
printf '%s\n' Email alice@tlsreq.mail bob@tlsreq.mail carol@tlsreq.mail dave@tlsreq.mail \
    erin@tlsreq.mail nobody1@tlsreq.mail >"$F"
scrub limit "${PROBE[@]}" --summary "$T/limit.json" "$F"
is "$(data_rows "$T/limit.cleaned.csv")|$(col "$T/limit.cleaned.csv" scrub_sub_status | sort -u)|$(look 6 $V "$T/limit.cleaned.csv" "$T/limit.rejected.csv")" \
    "5|mailbox_ok|rejected|invalid|mailbox_not_found" \
    "452 too many recipients (3 accepted a transaction): every address still answered"
ok "452 too many recipients: Postfix said so, and a new transaction took the rest ($(json "$T/limit.json" transactions))" \
    eval 'grep -q "452 4.5.3 Error: too many recipients" "$SMTP_LOG" && test "$(json "$T/limit.json" transactions)" -ge 2'

# ---------------------------------------------------------------- TLS modes
F=$T/tls.csv
printf '%s\n' 'Email' 'alice@tlsbroken.mail' 'alice@tlsreq.mail' >"$F"
scrub tlsr "${PROBE[@]}" --tls required "$F"
is "$(look 1 $V "$T/tlsr.cleaned.csv" "$T/tlsr.rejected.csv")" "cleaned|unknown|tls_failed" \
    "--tls required, broken TLS: unknown/tls_failed, never asked in clear"
is "$(look 2 $V,scrub_tls "$T/tlsr.cleaned.csv" "$T/tlsr.rejected.csv")" "cleaned|valid|mailbox_ok|yes" \
    "--tls required, working TLS: asked"
scrub tlsv "${PROBE[@]}" --tls verify --tls-ca "$SMTP_CA" "$F"
is "$(look 2 $V,scrub_tls "$T/tlsv.cleaned.csv" "$T/tlsv.rejected.csv")" "cleaned|valid|mailbox_ok|yes" \
    "--tls verify with the test CA: asked"

# ---------------------------------------------------------------- 60 unknown users, error limits
F=$T/sixty.csv
{ echo Email; for i in $(seq -w 1 60); do echo "nobody$i@normal.mail"; done; } >"$F"
before=$(nconnect)
scrub sixty "${PROBE[@]}" --tls off --summary "$T/sixty.json" "$F"
scrub_ok "60 unknown users: exit status 0"
is "$(data_rows "$T/sixty.rejected.csv")|$(data_rows "$T/sixty.cleaned.csv")" "60|0" \
    "60 unknown users: all 60 rejected, none lost"
is "$(col "$T/sixty.rejected.csv" scrub_sub_status | sort -u)" "mailbox_not_found" \
    "60 unknown users: every one mailbox_not_found"
smtp_wait_log 'disconnect from' 5
sleep 0.3
conns=$(($(nconnect) - before))
ok "60 unknown users: Postfix's error limit (421 after 20) forced $conns connections" test "$conns" -ge 3
ok "60 unknown users: 421s were answered by reconnecting, not by giving up" \
    test "$(json "$T/sixty.json" blocked_hosts)" = 0

# ---------------------------------------------------------------- 1,000 recipients, one shared MX
F=$T/bulk.csv
{ echo "First,Email"; for i in $(seq -w 0 999); do echo "u$i,u0$i@bulk.mail"; done; } >"$F"
before=$(nconnect)
scrub bulk "${PROBE[@]}" --summary "$T/bulk.json" "$F"
scrub_ok "1,000 recipients: exit status 0"
is "$(data_rows "$T/bulk.cleaned.csv")" 1000 "1,000 recipients: all kept"
is "$(col "$T/bulk.cleaned.csv" scrub_sub_status | sort -u)" "mailbox_ok" "1,000 recipients: all mailbox_ok"
smtp_wait_log 'disconnect from' 5
sleep 0.3
conns=$(($(nconnect) - before))
ok "1,000 recipients: $conns connections (<= 1000 / 40)" test "$conns" -le 25
is "$(json "$T/bulk.json" rcpts)" 1001 "1,000 recipients: 1,000 RCPTs + 1 catch-all test"

# ---------------------------------------------------------------- options
scrub noh --dns-server "$DNS_ADDR" --probe --mail-from a@b.test "$F"
is "$SCRUB_RC" 2 "--probe without --helo: exit 2"
scrub badh "${PROBE[@]}" --helo mx.gmail.com "$F"
is "$SCRUB_RC" 2 "--helo claiming a big provider: exit 2"
scrub badm "${PROBE[@]}" --mail-from '' "$F"
is "$SCRUB_RC" 2 "--mail-from empty: exit 2"

# ---------------------------------------------------------------- SIGTERM during the SMTP stage
# The no-banner host keeps the stage waiting (--banner-timeout 2): a
# SIGTERM then ends the run at once, says how far it got, writes nothing.
printf 'Name,Email\nA,alice@normal.mail\nB,x@nobanner.mail\n' >"$T/term.csv"
rm -rf "$T/term" && mkdir "$T/term"
before=$(grep -c "^nobanner [0-9]* accept" "$FAULT_LOG" 2>/dev/null)
"$LISTSCRUB" -q --no-progress -o "$T/term/c.csv" -r "$T/term/r.csv" "${PROBE[@]}" \
    --banner-timeout 10 "$T/term.csv" 2>"$T/term.err" &
pid=$!
for _ in $(seq 50); do	# until the no-banner host has its connection
	[ "$(grep -c "^nobanner [0-9]* accept" "$FAULT_LOG" 2>/dev/null)" -gt "${before:-0}" ] && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM during the SMTP stage: exit status 143"
like "$(cat "$T/term.err")" "interrupted by SIGTERM during the SMTP stage \\([0-9] of 2 addresses answered\\); nothing was written" \
    "SIGTERM during the SMTP stage: says how far it got"
is "$(ls -A "$T/term")" "" "SIGTERM during the SMTP stage: no output, no temporary file"

# ---------------------------------------------------------------- listscrub explain
out=$("$LISTSCRUB" explain '550 5.1.1 <x@y>: Recipient address rejected: User unknown')
like "$out" "mailbox_not_found" "explain: 5.1.1 is mailbox_not_found"
out=$("$LISTSCRUB" explain --json '554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org')
like "$out" '"fault":"sender"' "explain --json: a blocklist refusal is the sender's fault"

dns_stop
smtp_stop
ok "servers stopped" test -z "$(ps -o pid= -p "$SMTP_PID" 2>/dev/null)"
