#!/bin/bash
# t_preflight_run.sh - the sender preflight at the start of a --probe run,
# in the loopback mail world (tests/smtp/lib.sh) with the preflight zones
# of tests/dns/zones/pf*.zone beside mail.zone: a blocking failure (the
# probing IP on a blocklist) stops the run before its first connection -
# Postfix's log shows none - with exit status 4 and the explanation;
# --force probes anyway, --no-preflight skips the checks; the checks are in
# the JSON and CSV summaries and on the report page. With several
# --source-address every one is checked, and one listed stops the run,
# named.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 28

Z=$srcdir/tests/dns/zones
smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" pf.test="$Z/pftest.zone" \
    0.0.127.in-addr.arpa="$Z/pfrev.zone" zen.test="$Z/pfzen.zone" \
    >/dev/null || bail "cannot start the DNS server"

nconnect() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }
F=$T/one.csv
printf '%s\n' 'Name,Email' 'Alice,alice@normal.mail' >"$F"
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe
    --smtp-port "$SMTP_PORT" --banner-timeout 2 --command-timeout 20
    --dnsbl zen.test=spamhaus --mail-from lists@good.pf.test)

# 1-6: 127.0.0.2 is on zen.test: the run stops before connecting
before=$(nconnect)
scrub listed "${PROBE[@]}" --helo bad.pf.test --preflight-address 127.0.0.2 \
    --summary "$T/listed.json" "$F"
is "$SCRUB_RC" 4 "listed probing IP: exit status 4"
like "$SCRUB_ERR" "stopped before the first connection" "says the run stopped"
like "$SCRUB_ERR" "fail +dnsbl:zen.test .*127\.0\.0\.2 SBL" "names the list and the return code"
like "$SCRUB_ERR" "--force" "names --force"
sleep 1
is "$(nconnect)" "$before" "Postfix's log: no connection"
ok "no output written" test ! -e "$T/listed.cleaned.csv" -a ! -e "$T/listed.json"

# 7-11: --force probes anyway; the summary has the preflight
scrub forced "${PROBE[@]}" --helo bad.pf.test --preflight-address 127.0.0.2 \
    --force --summary "$T/forced.json" "$F"
is "$SCRUB_RC" 0 "--force: exit status 0"
like "$SCRUB_ERR" "probing anyway \(--force\)" "--force: says so"
smtp_wait_log 'connect from' 5 >/dev/null 2>&1
ok "--force: Postfix's log shows the connection" test "$(nconnect)" -gt "$before"
is "$(col "$T/forced.cleaned.csv" scrub_sub_status)" "mailbox_ok" "--force: the address probed"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["preflight"]; print(d["ip"], d["blocking"], [c["status"] for c in d["checks"] if c["name"]=="dnsbl:zen.test"][0])' "$T/forced.json" 2>&1)" \
    "127.0.0.2 1 fail" "JSON summary: the preflight, the blocking failure"

# 12-15: a clean sender: the run goes on; text summary and report page
scrub clean "${PROBE[@]}" --helo mail.pf.test --preflight-address 127.0.0.3 \
    --summary "$T/clean.json" --report "$T/clean.html" "$F"
is "$SCRUB_RC" 0 "clean sender: exit status 0"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["preflight"]; print(d["blocking"], [c["status"] for c in d["checks"] if c["name"]=="fcrdns"][0])' "$T/clean.json" 2>&1)" \
    "0 pass" "JSON summary: no blocking failure, FCrDNS passes"
like "$(cat "$T/clean.html")" "<h2>Sender preflight</h2>" "report page: the preflight section"
like "$(cat "$T/clean.html")" "<code>fcrdns</code></td><td>pass" "report page: a check row"

# 16-17: --no-preflight skips it
scrub skipped "${PROBE[@]}" --helo bad.pf.test --preflight-address 127.0.0.2 \
    --no-preflight --summary "$T/skipped.json" "$F"
is "$SCRUB_RC" 0 "--no-preflight: exit status 0 despite the listing"
is "$(python3 -c 'import json,sys; print("preflight" in json.load(open(sys.argv[1])))' "$T/skipped.json" 2>&1)" \
    "False" "--no-preflight: no preflight in the summary"

# 18-22: two sources, 127.0.0.2 listed: every source is checked and the
# run stops, naming the listed one
before=$(nconnect)
scrub twosrc "${PROBE[@]}" --helo mail.pf.test --source-address 127.0.0.3,127.0.0.2 \
    --summary "$T/twosrc.csv" "$F"
is "$SCRUB_RC" 4 "two sources, one listed: exit status 4"
like "$SCRUB_ERR" "refuse the probes sent from 127\.0\.0\.2 " "names the listed source"
like "$SCRUB_ERR" "leave it out of --source-address" "says to leave it out"
like "$SCRUB_ERR" "probing IP 127\.0\.0\.3:" "the other source was checked too"
sleep 1
is "$(nconnect)" "$before" "Postfix's log: no connection"

# 23-26: --force: probes, and the CSV summary has the preflight of both
scrub twoforce "${PROBE[@]}" --helo mail.pf.test --source-address 127.0.0.3,127.0.0.2 \
    --force --summary "$T/twoforce.csv" --report "$T/twoforce.html" "$F"
is "$SCRUB_RC" 0 "two sources, --force: exit status 0"
like "$SCRUB_ERR" "1 blocking failure \(127\.0\.0\.2\); probing anyway" "--force: names the IP"
is "$(grep -E '^preflight(_status)?,(ip|blocking|blocking_ips|127\.0\.0\.[23]/dnsbl:zen\.test),' "$T/twoforce.csv" | tr '\n' ' ')" \
    "preflight,ip,127.0.0.3 preflight,ip,127.0.0.2 preflight,blocking,1 preflight,blocking_ips,127.0.0.2 preflight_status,127.0.0.3/dnsbl:zen.test,pass preflight_status,127.0.0.2/dnsbl:zen.test,fail " \
    "CSV summary: both IPs, the blocking count, each IP's result"
like "$(cat "$T/twoforce.html")" "<td>127\.0\.0\.2</td><td><code>dnsbl:zen\.test</code></td><td>fail" \
    "report page: a row per IP and check"

# 27-28: --preflight-address with a list (the IPs receivers see); a bad
# one is a usage error
scrub pfaddr "${PROBE[@]}" --helo mail.pf.test --preflight-address 127.0.0.3,127.0.0.8 \
    --summary "$T/pfaddr.csv" "$F"
is "$SCRUB_RC:$(grep -c '^preflight,ip,' "$T/pfaddr.csv")" "0:2" \
    "--preflight-address with two IPs: both checked, exit 0"
scrub pfbad "${PROBE[@]}" --helo mail.pf.test --preflight-address 127.0.0.3,nosuch "$F"
is "$SCRUB_RC" 2 "--preflight-address with a non-address: exit status 2"
