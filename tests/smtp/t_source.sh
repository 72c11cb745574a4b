#!/bin/bash
# t_source.sh - listscrub --probe --source-address in the loopback mail
# world (tests/smtp/lib.sh, the NSD of tests/dns): every connection leaves
# from one of the given addresses, each mail host from one only (Postfix's
# own log: "connect from unknown[127.0.0.x]" and the banner line of the
# same smtpd), the summary counts connections per source as Postfix saw
# them; an address that is not this host's is a usage error before any
# connection; a host none of whose addresses has a source of its family is
# unknown (connection_failed), never invalid, and the summary says why.
# Any 127.0.0.0/8 address can be bound on Linux's loopback.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 28

smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

V=scrub_status,scrub_sub_status
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20)
json() { tr -d '\n' <"$1" | grep -o "\"$2\": *[0-9]*" | head -1 | sed 's/.*: *//'; }
nconnect() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }
# pairs FROM - one line per connection Postfix greeted after line FROM of
# its log: "HOST CLIENT-IP", from the banner line each smtpd logs
# ("> unknown[IP]: 220 mx.X.mail ESMTP"); the harness's own checks at start
# come from 127.0.0.1
loglines() { wc -l <"$SMTP_LOG"; }
pairs() {
	tail -n +"$(($1 + 1))" "$SMTP_LOG" | sed -n 's/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]:[0-9]*: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p;
	    s/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p' | tr -d '\r'
}

# ---------------------------------------------------------------- two sources
F=$T/src.csv
{
	printf '%s\n' 'Email'
	printf '%s\n' alice@normal.mail nosuchuser@normal.mail bob@shared1.mail   # mx.normal.mail
	printf '%s\n' whoever@catchall.mail                                   # mx.catchall.mail
	printf '%s\n' alice@grey.mail                                         # mx.grey.mail: asked twice
	printf '%s\n' alice@tlsreq.mail                                       # mx.tlsreq.mail
	printf '%s\n' alice@tlsbroken.mail                                    # TLS fails: asked again in clear
} >"$F"
before=$(nconnect) from=$(loglines)
scrub src "${PROBE[@]}" --retry-delay 2 --source-address 127.0.0.11,127.0.0.12 \
    --summary "$T/src.json" "$F"
scrub_ok "two sources: exit status 0"
C=$T/src.cleaned.csv R=$T/src.rejected.csv
is "$(look 1 $V "$C" "$R")|$(look 2 $V "$C" "$R")|$(look 3 $V "$C" "$R")" \
    "cleaned|valid|mailbox_ok|rejected|invalid|mailbox_not_found|cleaned|valid|mailbox_ok" \
    "two sources: normal.mail answered as without them"
is "$(look 4 $V "$C" "$R")" "cleaned|catch_all|accept_all" "two sources: catch-all found"
is "$(look 5 $V "$C" "$R")" "cleaned|valid|mailbox_ok" \
    "two sources: greylisted, then accepted on the retry (same client address)"
is "$(look 6 $V "$C" "$R")|$(look 7 $V "$C" "$R")" "cleaned|valid|mailbox_ok|cleaned|valid|mailbox_ok" \
    "two sources: STARTTLS required and broken TLS as without them"
smtp_wait_log 'disconnect from unknown\[127\.0\.0\.1[12]\]' 5
sleep 0.5
P=$(pairs "$from")
n=$(($(nconnect) - before))
ok "log: connections were made ($n)" test "$n" -ge 6
is "$(grep 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG" | tail -n "$n" | grep -vc 'connect from unknown\[127\.0\.0\.1[12]\]')" 0 \
    "log: every connection came from 127.0.0.11 or 127.0.0.12"
is "$(printf '%s\n' "$P" | awk 'NF == 2 { print $1 }' | sort -u | tr '\n' ' ')" \
    "mx.catchall.mail mx.grey.mail mx.normal.mail mx.tlsbroken.mail mx.tlsreq.mail " \
    "log: every mail host was greeted"
is "$(printf '%s\n' "$P" | sort -u | awk '{ n[$1]++ } END { for (h in n) if (n[h] > 1) print h }')" "" \
    "log: each mail host was reached from one source only"
is "$(printf '%s\n' "$P" | awk '{ print $2 }' | sort -u | tr '\n' ' ')" "127.0.0.11 127.0.0.12 " \
    "log: both sources were used (the hash spreads these five hosts)"
# FNV-1a 64 of the host name, mod 2: normal, grey, tlsreq -> the first;
# catchall, tlsbroken -> the second (validator/probe/probe_source.c)
is "$(printf '%s\n' "$P" | sort -u | tr '\n' ' ')" \
    "mx.catchall.mail 127.0.0.12 mx.grey.mail 127.0.0.11 mx.normal.mail 127.0.0.11 mx.tlsbroken.mail 127.0.0.12 mx.tlsreq.mail 127.0.0.11 " \
    "log: the host -> source mapping is the documented hash"
ok "log: the greylisted host was connected to more than once, from its one source" \
    test "$(printf '%s\n' "$P" | grep -c '^mx.grey.mail ')" -ge 2
is "$(json "$T/src.json" connections)" "$n" "summary: connections as in Postfix's log"
sc() { tr -d '\n' <"$T/src.json" | grep -o "\"address\": \"$1\", \"connections\": [0-9]*" | sed 's/.*: //'; }
is "$(sc 127.0.0.11)" "$(printf '%s\n' "$P" | grep -c ' 127.0.0.11$')" \
    "summary: connections from 127.0.0.11 as in Postfix's log"
is "$(sc 127.0.0.12)" "$(printf '%s\n' "$P" | grep -c ' 127.0.0.12$')" \
    "summary: connections from 127.0.0.12 as in Postfix's log"

# ---------------------------------------------------------------- text summary
F=$T/one.csv
printf '%s\n' Email alice@normal.mail >"$F"
scrub txt "${PROBE[@]}" --source-address 127.0.0.13 --summary "$T/txt.txt" "$F"
scrub_ok "one source: exit status 0"
like "$(cat "$T/txt.txt")" 'connections per source address: 127\.0\.0\.13 1' \
    "text summary: connections per source address"

# ---------------------------------------------------------------- not ours
before=$(nconnect)
scrub bad "${PROBE[@]}" --source-address 127.0.0.11,192.0.2.1 "$F"
is "$SCRUB_RC" 2 "192.0.2.1 (not this host's): exit status 2"
like "$SCRUB_ERR" '192\.0\.2\.1 is not an address of this host' "192.0.2.1: the message names it"
ok "192.0.2.1: no output written" eval '! test -e "$T/bad.cleaned.csv" && ! test -e "$T/bad.rejected.csv"'
sleep 0.3
is "$(nconnect)" "$before" "192.0.2.1: no connection was made"
scrub bad2 "${PROBE[@]}" --source-address mx.normal.mail "$F"
is "$SCRUB_RC|$(printf '%s' "$SCRUB_ERR" | grep -c 'not an IPv4 or IPv6 address')" "2|1" \
    "a host name: exit status 2, said so"

# ---------------------------------------------------------------- family mismatch
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	before=$(nconnect)
	F=$T/v6.csv
	printf '%s\n' Email alice@normal.mail nosuchuser@normal.mail >"$F"
	scrub v6 "${PROBE[@]}" --source-address ::1 --summary "$T/v6.txt" "$F"
	like "$SCRUB_RC" '^[03]$' "IPv6 source, IPv4-only hosts: the run completes ($SCRUB_RC)"
	is "$(look 1 $V "$T/v6.cleaned.csv" "$T/v6.rejected.csv")|$(look 2 $V "$T/v6.cleaned.csv" "$T/v6.rejected.csv")" \
	    "cleaned|unknown|connection_failed|cleaned|unknown|connection_failed" \
	    "IPv6 source, IPv4-only host: unknown/connection_failed, no address invalid"
	like "$(cat "$T/v6.txt")" 'not reachable from here: 1 mail host\(s\) have only IPv4 addresses, and no --source-address is of that family' \
	    "IPv6 source: the summary says why"
	sleep 0.3
	is "$(nconnect)" "$before" "IPv6 source: no connection was attempted over IPv4"
	# with an IPv4 source besides, the IPv4 hosts use it
	scrub mix "${PROBE[@]}" --source-address ::1,127.0.0.14 "$T/one.csv"
	is "$(look 1 $V "$T/mix.cleaned.csv" "$T/mix.rejected.csv")" "cleaned|valid|mailbox_ok" \
	    "::1 and 127.0.0.14: the IPv4 host is asked from 127.0.0.14"
	smtp_wait_log 'connect from unknown\[127\.0\.0\.14\]' 5
	ok "log: the connection came from 127.0.0.14" grep -q 'connect from unknown\[127\.0\.0\.14\]' "$SMTP_LOG"
else
	skip 6 "no IPv6 loopback here"
fi
