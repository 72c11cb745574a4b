#!/bin/bash
# t_providers.sh - the rules of lists/providers.tsv at work in the SMTP
# stage, in the loopback mail world (tests/smtp/lib.sh) with MX names that
# match the table's rows (tests/smtp/providers/): a Yahoo-named host
# (accept_all) hears nothing at all; an Outlook.com-named host
# (max_rcpt_per_conn=1), on a listener that answers a second RCPT in a
# transaction with 452 4.5.3 as Outlook.com does, gets one RCPT per
# connection and so never that reply; a Gmail-named host
# answering 450 4.2.1 (throttle_codes) is asked again later and its
# addresses end with the later answer; and, with a test row
# added through --lists-dir, no_catch_all_test skips the random-address
# test and throttle_codes turns a reply into "ask again later", never a
# verdict. Asserts on the outputs and on Postfix's own log.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 25

SMTP_EXTRA_DOMAINS="yahoo.provmail hotmail.provmail"
# two known users at the Outlook.com-named host: Postfix counts only
# accepted recipients towards its limit, so its 452 4.5.3 needs them
SMTP_EXTRA_USERS=$T/users
printf 'k1@hotmail.provmail\tx\nk2@hotmail.provmail\tx\n' >"$SMTP_EXTRA_USERS"
smtp_start >/dev/null || bail "cannot start the mail world"
smtp_fault_start throttle >/dev/null || bail "cannot start the fault server"
dns_start "$SMTP_ZONE" "$srcdir/tests/smtp/providers" >/dev/null || bail "cannot start the DNS server"

V=scrub_status,scrub_sub_status
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20 --no-cache)
json() { tr -d '\n' <"$1" | grep -o "\"$2\": *[0-9]*" | head -1 | sed 's/.*: *//'; }
# since MARK - the maillog lines written after mark (a line count)
mark() { wc -l <"$SMTP_LOG"; }
since() { tail -n +"$(($1 + 1))" "$SMTP_LOG"; }
# the RCPT commands of each session that sent any, one number a line, from
# Postfix's "disconnect from ... rcpt=0/1 ..." lines on stdin (an smtpd
# process serves several connections: count per session, not per pid)
rcpts_per_session() {
	sed -n 's/.*disconnect from .* rcpt=\([0-9/]*\) .*/\1/p' | sed 's|.*/||'
}
# wait until every smtpd session of the run is logged as ended
settle() { sleep 1; smtp_wait_log 'disconnect from' 5 || :; }

# ---------------------------------------------------------------- accept_all, max_rcpt_per_conn
F=$T/prov.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,ann@yahoo.provmail'      # 1-3 Yahoo: never asked
	printf '%s\n' 'b,bob@yahoo.provmail'
	printf '%s\n' 'c,cy@yahoo.provmail'
	printf '%s\n' 'd,u1@hotmail.provmail'     # 4-7 Outlook.com: 1 RCPT a connection
	printf '%s\n' 'e,u2@hotmail.provmail'
	printf '%s\n' 'f,u3@hotmail.provmail'
	printf '%s\n' 'g,u4@hotmail.provmail'
	printf '%s\n' 'h,k1@hotmail.provmail'     # 8-9 Outlook.com, known users
	printf '%s\n' 'i,k2@hotmail.provmail'
} >"$F"
m=$(mark)
scrub prov --summary "$T/prov.json" "${PROBE[@]}" "$F"
scrub_ok "providers: exit status 0"
C=$T/prov.cleaned.csv R=$T/prov.rejected.csv
settle
is "$(for n in 1 2 3; do look $n $V,scrub_smtp_code,scrub_provider "$C" "$R"; done | sort -u)" \
    "cleaned|catch_all|provider_accepts_all||yahoo" \
    "accept_all provider: catch_all/provider_accepts_all, no SMTP code, provider yahoo"
like "$(look 1 scrub_reason "$C" "$R")" "provider accepts every address" "... with its sentence"
is "$(since "$m" | grep -c 'mx.catchall.mail ESMTP')" 0 \
    "accept_all provider: its host got no connection at all (Postfix's log)"
is "$(since "$m" | grep -ci 'RCPT TO:<[^>]*@yahoo.provmail>')" 0 \
    "accept_all provider: no address of it was RCPT'd"
is "$(json "$T/prov.json" provider_not_asked)" 3 "summary: 3 addresses not asked"
is "$(for n in 4 5 6 7; do look $n $V,scrub_provider "$C" "$R"; done | sort -u)" \
    "rejected|invalid|mailbox_not_found|outlook_com" \
    "max_rcpt_per_conn provider: every address still asked and answered"
is "$(for n in 8 9; do look $n $V "$C" "$R"; done | sort -u)" "cleaned|valid|mailbox_ok" \
    "max_rcpt_per_conn provider: its known users are valid"
is "$(since "$m" | rcpts_per_session | sort | uniq -c | awk '{ print $1 "x" $2 }')" "7x1" \
    "max_rcpt_per_conn=1: 7 sessions sent RCPTs, each exactly one (Postfix's disconnect lines)"
is "$(since "$m" | grep -c 'RCPT TO:<[^>]*@hotmail.provmail>')" 7 \
    "... 7 RCPTs in all: 6 addresses and the catch-all test, in 7 connections"
is "$(since "$m" | grep -c ': 452 4.5.3 ')" 0 \
    "max_rcpt_per_conn=1: the host never had to answer 452 4.5.3 (too many recipients)"

# Control: without the row's cap the same host answers a second RCPT in a
# transaction with 452 4.5.3, as Outlook.com does; so the assertion above
# can fail, and the prober still judges every address on a later answer.
N=$T/nocap
cp -r "$LISTSCRUB_LISTS" "$N"
sed -i 's/^\(\.olc\.protection\.outlook\.com\toutlook_com\t\)[^\t]*/\1-/' "$N/providers.tsv"
grep -q '^\.olc\.protection\.outlook\.com	outlook_com	-	' "$N/providers.tsv" ||
    bail "cannot drop the outlook_com rule from the table copy"
m=$(mark)
scrub nocap --lists-dir "$N" "${PROBE[@]}" --retry-delay 0 --retries 2 "$F"
scrub_ok "outlook_com without its cap: exit status 0"
settle
ok "without the cap: the host answered 452 4.5.3 to a second RCPT (Postfix's log)" \
    test "$(since "$m" | grep -c ': 452 4.5.3 ')" -ge 1
is "$(for n in 4 5 6 7 8 9; do look $n $V "$T/nocap.cleaned.csv" "$T/nocap.rejected.csv"; done | sort | uniq -c | awk '{ print $1 "x" $2 }' | tr '\n' ' ')" \
    "2xcleaned|valid|mailbox_ok 4xrejected|invalid|mailbox_not_found " \
    "without the cap: every address still judged on its own later answer"

# ---------------------------------------------------------------- no_catch_all_test, throttle_codes
# A test row for the normal listener, through a copy of the tables.
L=$T/lists
cp -r "$LISTSCRUB_LISTS" "$L"
printf 'mx.normal.mail\tworldtest\tno_catch_all_test;throttle_codes=452 4.2.2\thttps://example.invalid/listscrub-test-row\n' \
    >>"$L/providers.tsv"
G=$T/world.csv
printf '%s\n' 'Name,Email' 'a,alice@normal.mail' 'b,tempfull@normal.mail' >"$G"

m=$(mark)
scrub plain --summary "$T/plain.json" "${PROBE[@]}" --retry-delay 0 --retries 1 "$G"
scrub_ok "control (the shipped table): exit status 0"
settle
ok "control: the catch-all test is asked (a made-up local part)" \
    test "$(since "$m" | grep -c 'RCPT TO:<lsx-')" -ge 1
is "$(look 2 $V "$T/plain.cleaned.csv" "$T/plain.rejected.csv" | cut -d'|' -f2-)" "risky|mailbox_full" \
    "control: 452 4.2.2 is mailbox_full"

m=$(mark)
scrub rules --summary "$T/rules.json" --lists-dir "$L" "${PROBE[@]}" --retry-delay 0 --retries 1 "$G"
scrub_ok "test row: exit status 0"
settle
is "$(since "$m" | grep -c 'RCPT TO:<lsx-')" 0 "no_catch_all_test: no made-up local part asked"
is "$(look 1 $V,scrub_provider "$T/rules.cleaned.csv" "$T/rules.rejected.csv")" \
    "cleaned|valid|mailbox_ok|worldtest" "no_catch_all_test: an accepted address is mailbox_ok"
is "$(look 2 $V "$T/rules.cleaned.csv" "$T/rules.rejected.csv" | cut -d'|' -f2-)" "unknown|temporary_error" \
    "throttle_codes: 452 4.2.2 is asked again later, never a verdict"

# ---------------------------------------------------------------- throttle_codes (Gmail)
# The fault server answers the first RCPT of each address 450 4.2.1, the
# next 250: the rate limit is never a verdict, the later answer is.
Q=$T/gmail.csv
printf '%s\n' 'Name,Email' 'a,x1@gmail.provmail' 'b,x2@gmail.provmail' >"$Q"
scrub gmail --summary "$T/gmail.json" "${PROBE[@]}" --retry-delay 0 --retries 2 "$Q"
scrub_ok "throttling provider: exit status 0"
is "$(for n in 1 2; do look $n $V,scrub_smtp_code,scrub_provider "$T/gmail.cleaned.csv" "$T/gmail.rejected.csv"; done | sort -u)" \
    "cleaned|catch_all|accept_all|250|google" \
    "450 4.2.1: asked again; the answer is the later 250 (next to the accepted catch-all test)"
is "$(grep -c '^throttle .* < RCPT TO:<x1@gmail.provmail>' "$FAULT_LOG")" 2 \
    "the fault server saw x1 twice: the 450 4.2.1, then the retry"
ok "summary: the throttling replies counted (at least the 2 addresses and the test)" \
    test "$(json "$T/gmail.json" provider_throttled)" -ge 3
