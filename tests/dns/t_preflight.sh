#!/bin/bash
# t_preflight.sh - `listscrub preflight` against the loopback NSD: the
# blocklist zones zen.test (Spamhaus codes) and bl.test (generic), the
# PTRs of 127.0.0.x and the test sender's SPF, DMARC and MX
# (tests/dns/zones/pf*.zone), in passing and failing variants; the text
# and JSON outputs, the exit status and outbound port 25 against a
# loopback listener. TAP. Connects to nothing but 127.0.0.1.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$srcdir}"
. "$srcdir/tests/dns/lib.sh"
dns_require
prog=$top_builddir/validator/listscrub

_n=0 _fail=0
ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
notok() {
	_n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"
	shift; local l; for l in "$@"; do echo "#   $l"; done
}
is() { if [ "$1" = "$2" ]; then ok "$3"; else notok "$3" "got:  '$1'" "want: '$2'"; fi; }
# same GOT WANT DESC - is, and WANT holds at least one check row
same() { if [ -n "$2" ] && [ "${2#*|}" != "$2" ]; then is "$1" "$2" "$3"; else notok "$3" "no check rows: '$2'"; fi; }
has() { case $1 in *"$2"*) ok "$3" ;; *) notok "$3" "got:  '$1'" "want: ...'$2'..." ;; esac; }

echo "1..74"
Z=$srcdir/tests/dns/zones
if ! dns_start pf.test="$Z/pftest.zone" 0.0.127.in-addr.arpa="$Z/pfrev.zone" \
    zen.test="$Z/pfzen.zone" bl.test="$Z/pfbl.zone" >/dev/null; then
	echo "Bail out! cannot start the test DNS server"
	exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/t_preflight.XXXXXX") || exit 1
trap 'rm -rf "$T"; dns_stop' EXIT

# pf IP MAILFROM [HELO] [OPTION...] - preflight --json into $T/out.json,
# the exit status into $rc.
pf() {
	local ip=$1 from=$2 helo=${3:-mail.pf.test}
	shift 3 2>/dev/null || shift $#
	"$prog" preflight --json --dns-server "$DNS_ADDR" \
	    --dnsbl zen.test=spamhaus,bl.test --source-address "$ip" \
	    --helo "$helo" --mail-from "$from" "$@" >"$T/out.json" 2>"$T/err"
	rc=$?
}
# st NAME - "STATUS BLOCKING" of one check in $T/out.json (python3's json
# reads it: a broken JSON fails every check).
st() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["checks"] if c["name"] == sys.argv[2]]
print(c[0]["status"], str(c[0]["blocking"]).lower()) if c else print("absent")' \
	    "$T/out.json" "$1" 2>&1
}
field() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([c for c in d["checks"] if c["name"] == sys.argv[2]][0][sys.argv[3]])' \
	    "$T/out.json" "$1" "$2" 2>&1
}

# 1-9: everything passes for 127.0.0.3 / mail.pf.test / good.pf.test
pf 127.0.0.3 probe@good.pf.test
is "$rc" 0 "good sender: exit 0"
is "$(st dnsbl:zen.test)" "pass false" "127.0.0.3 not on zen.test"
is "$(st dnsbl:bl.test)" "pass false" "127.0.0.3 not on bl.test"
is "$(st fcrdns)" "pass false" "127.0.0.3 -> mail.pf.test -> 127.0.0.3: FCrDNS"
is "$(st spf)" "warn false" "SPF for a loopback IP: not evaluated (libspf2), a warning"
is "$(st dmarc)" "pass false" "good.pf.test has a DMARC record"
is "$(st mx)" "pass false" "good.pf.test has an MX"
is "$(st port25)" "not_checked false" "port 25 not checked unless a host is named"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ip"], d["helo"], d["mail_from"], d["blocking"])' "$T/out.json")" \
    "127.0.0.3 mail.pf.test probe@good.pf.test 0" "JSON header fields"

# 10-14: 127.0.0.2 is on zen.test (SBL + XBL): blocking, exit 4
pf 127.0.0.2 probe@good.pf.test bad.pf.test
is "$rc" 4 "listed IP: exit 4"
is "$(st dnsbl:zen.test)" "fail true" "127.0.0.2 on zen.test: blocking failure"
has "$(field dnsbl:zen.test detail)" "127.0.0.2 SBL, 127.0.0.4 XBL" "both return codes named"
has "$(field dnsbl:zen.test meaning)" "Spamhaus Block List: a known spam source or spam operation; Exploits Block List" \
    "the SBL and the XBL meaning"
is "$(st fcrdns)" "pass false" "bad.pf.test forward-confirms"

# 15-17: 127.255.255.254 = the query was refused: a warning, not listed
pf 127.0.0.6 probe@good.pf.test
is "$(st dnsbl:zen.test)" "warn false" "127.255.255.254: warn, not a listing"
has "$(field dnsbl:zen.test meaning)" "refused the query" "says the query was refused"
has "$(field dnsbl:zen.test fix)" "own recursive resolver" "fix: own resolver"

# 18-19: PBL (127.0.0.10)
pf 127.0.0.7 probe@good.pf.test pbl.pf.test
is "$(st dnsbl:zen.test)" "fail true" "127.0.0.7 in the PBL: blocking"
has "$(field dnsbl:zen.test detail)" "127.0.0.10 PBL" "PBL named"

# 20-22: no PTR; PTR that does not resolve back; generic list
pf 127.0.0.4 probe@good.pf.test
is "$(st fcrdns)" "fail true" "127.0.0.4 has no PTR: blocking"
pf 127.0.0.5 probe@good.pf.test other.pf.test
is "$(st fcrdns)" "fail true" "PTR other.pf.test -> 127.0.0.9: not confirmed"
is "$(st dnsbl:bl.test)" "fail true" "127.0.0.5 on the generic bl.test"

# 23-24: FCrDNS for another name than the HELO name: a warning
pf 127.0.0.3 probe@good.pf.test alias.pf.test
is "$(st fcrdns)" "warn false" "HELO alias.pf.test is not the PTR name: warn"
has "$(field fcrdns detail)" "alias.pf.test resolves to the IP" "the HELO name resolves back"

# 25-27: SPF fail; no DMARC (the FCrDNS of 192.0.2.3 fails too: exit 4
# either way, so the SPF check's own verdict is what counts)
pf 192.0.2.3 probe@fail.pf.test
is "$rc" 4 "SPF fail: exit 4"
is "$(st spf)" "fail true" "SPF -all for another IP: blocking failure"
is "$(st dmarc)" "warn false" "a TXT at _dmarc that is not v=DMARC1: warn"

# 28-30: include:, ~all, broken record (192.0.2.3: libspf2 passes loopback
# addresses without evaluating)
pf 192.0.2.3 probe@good.pf.test
is "$(st spf)" "pass false" "SPF of good.pf.test authorises 192.0.2.3"
pf 192.0.2.3 probe@incl.pf.test
is "$(st spf)" "pass false" "SPF through include: (libspf2 over our DNS)"
pf 192.0.2.3 probe@soft.pf.test
is "$(st spf)" "warn false" "SPF ~all: softfail is a warning"
pf 192.0.2.3 probe@perm.pf.test
is "$(st spf)" "fail false" "broken SPF record: permerror, not blocking"

# 31-34: MX variants
pf 192.0.2.3 probe@nomx.pf.test
is "$(st mx)" "warn false" "no MX, an A record: warn"
is "$(st spf)" "warn false" "no SPF record: none is a warning"
pf 127.0.0.3 probe@nullmx.pf.test
is "$(st mx)" "fail false" "null MX: fail"
pf 127.0.0.3 probe@nosuch.pf.test
is "$(st mx)" "fail true" "a MAIL FROM domain that does not exist: blocking"

# 35-36: outbound port 25 against a loopback listener, then a closed port
port=$(perl -MIO::Socket::INET -e 'for(1..100){my $p=20000+int rand 40000; my $s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>$p,Listen=>5) or next; print "$p\n"; exit 0}')
perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>$ARGV[0],Listen=>5,ReuseAddr=>1) or die; alarm 20; $c=$s->accept; close $c' "$port" &
lpid=$!
sleep 0.3
pf 127.0.0.3 probe@good.pf.test mail.pf.test --port25-test "127.0.0.1:$port"
is "$(st port25)" "pass false" "port 25 test host reached"
wait "$lpid" 2>/dev/null
dns_closed_addr
pf 127.0.0.3 probe@good.pf.test mail.pf.test --port25-test "$CLOSED_DNS_ADDR"
is "$(st port25)" "fail false" "closed port: fail (not blocking)"

# 37-38: the text output
"$prog" preflight --dns-server "$DNS_ADDR" --dnsbl zen.test=spamhaus \
    --source-address 127.0.0.2 --helo bad.pf.test --mail-from probe@good.pf.test >"$T/out.txt"
rc=$?
is "$rc" 4 "text output: exit 4"
has "$(cat "$T/out.txt")" "1 blocking failure" "text says there is a blocking failure"

# 39-40: usage errors
"$prog" preflight --mail-from a@good.pf.test >/dev/null 2>&1
is "$?" 2 "no --helo: exit 2"
"$prog" preflight --helo x --mail-from a@b --dnsbl zen.test=nosuch --source-address 127.0.0.3 >/dev/null 2>&1
is "$?" 2 "unknown --dnsbl kind: exit 2"

# 42-44: a resolver that never answers costs one query's timeout, not one
# per check; everything is a warning, nothing blocks
dns_dead_server
t0=$SECONDS
"$prog" preflight --json --dns-server "$DEAD_DNS_ADDR" --dnsbl zen.test=spamhaus,bl.test \
    --source-address 127.0.0.3 --helo mail.pf.test --mail-from probe@good.pf.test >"$T/out.json" 2>"$T/err"
rc=$?
is "$rc" 0 "dead resolver: exit 0 (nothing known to block)"
is "$(st dnsbl:bl.test) $(st spf)" "warn false warn false" "dead resolver: warnings"
ok_t=$((SECONDS - t0))
if [ "$ok_t" -le 8 ]; then ok "dead resolver: done in ${ok_t} s"; else notok "dead resolver: took ${ok_t} s"; fi

# rows FILE [IP] - each check of FILE as "IP|NAME|STATUS|BLOCKING|DETAIL",
# in the file's order (only IP's, and without the IP, when IP is given).
rows() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
	if len(sys.argv) > 2 and c["ip"] != sys.argv[2]: continue
	k = [] if len(sys.argv) > 2 else [c["ip"]]
	print("|".join(k + [c["name"], c["status"], str(c["blocking"]), c["detail"]]))' "$@" 2>&1
}
jq1() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); r = eval(sys.argv[2])
print(*r) if isinstance(r, tuple) else print(r)' "$T/out.json" "$1" 2>&1
}

# 45-56: every probing IP is checked: 127.0.0.3 clean, 127.0.0.2 listed
pf 127.0.0.3 probe@good.pf.test mail.pf.test >/dev/null
cp "$T/out.json" "$T/one3.json"
pf 127.0.0.2 probe@good.pf.test mail.pf.test
cp "$T/out.json" "$T/one2.json"
pf 127.0.0.3,127.0.0.2 probe@good.pf.test mail.pf.test
cp "$T/out.json" "$T/two.json"
is "$rc" 4 "two sources, one listed: exit 4"
is "$(jq1 'd["ips"], d["ip"], d["blocking_ips"]')" \
    "['127.0.0.3', '127.0.0.2'] 127.0.0.3 ['127.0.0.2']" \
    "JSON: both IPs, the first as ip, the listed one in blocking_ips"
is "$(jq1 '[(c["ip"], c["status"]) for c in d["checks"] if c["name"] == "dnsbl:zen.test"]')" \
    "[('127.0.0.3', 'pass'), ('127.0.0.2', 'fail')]" "zen.test asked for each IP"
is "$(jq1 '[c["ip"] for c in d["checks"] if c["name"] in ("fcrdns", "spf", "port25")]')" \
    "['127.0.0.3', '127.0.0.3', '127.0.0.3', '127.0.0.2', '127.0.0.2', '127.0.0.2']" \
    "fcrdns, spf and port25 for each IP"
is "$(jq1 '[(c["ip"], c["name"]) for c in d["checks"] if c["name"] in ("dmarc", "mx")]')" \
    "[('', 'dmarc'), ('', 'mx')]" "dmarc and mx once, for the domain"
same "$(rows "$T/two.json" 127.0.0.3)" "$(rows "$T/one3.json" 127.0.0.3)" \
    "127.0.0.3's checks as when it is checked alone"
same "$(rows "$T/two.json" 127.0.0.2)" "$(rows "$T/one2.json" 127.0.0.2)" \
    "127.0.0.2's checks as when it is checked alone"
same "$(rows "$T/two.json" '')" "$(rows "$T/one3.json" '')" \
    "the domain's checks as in a one-IP run"
# the other order: the same results, in the order the IPs were given
pf 127.0.0.2,127.0.0.3 probe@good.pf.test mail.pf.test
same "$(rows "$T/out.json" 127.0.0.3)$(rows "$T/out.json" 127.0.0.2)" \
    "$(rows "$T/two.json" 127.0.0.3)$(rows "$T/two.json" 127.0.0.2)" \
    "IPs in the other order: the same results per IP"
is "$(jq1 'd["ips"] == [c["ip"] for c in d["checks"] if c["name"] == "fcrdns"]')" \
    "True" "checks in the order the IPs were given"
"$prog" preflight --dns-server "$DNS_ADDR" --dnsbl zen.test=spamhaus \
    --source-address 127.0.0.3,127.0.0.2 --helo mail.pf.test \
    --mail-from probe@good.pf.test >"$T/out.txt"
has "$(cat "$T/out.txt")" " probing IP 127.0.0.2:" "text: a block per IP"
has "$(cat "$T/out.txt")" "refuse the probes from 127.0.0.2 " \
    "text: names the IP whose probes would be refused"

# 57-59: two sources, neither blocking (127.0.0.8's PTR names mail2, not
# the HELO name: a warning): exit 0; an IP given twice is a usage error
pf 127.0.0.3,127.0.0.8 probe@good.pf.test mail.pf.test
is "$rc" 0 "two sources, no blocking failure: exit 0"
is "$(jq1 'len(d["ips"]), d["blocking"], [c["status"] for c in d["checks"] if c["name"] in ("dnsbl:zen.test", "fcrdns")]')" \
    "2 0 ['pass', 'pass', 'pass', 'warn']" "both IPs asked; the second's FCrDNS names another host"
"$prog" preflight --source-address 127.0.0.3,127.0.0.3 --helo x --mail-from a@b >/dev/null 2>"$T/err"
is "$?:$(grep -c 'twice' "$T/err")" "2:1" "an IP given twice: exit 2, says so"

# 60-65: answers late and out of order (each held 300-700 ms by a
# forwarder): the same results as straight from the server, in far less
# time than the queries one after the other would take
# pf_timed SERVER TIMEOUT_MS IPS MAILFROM OUT - preflight --json through
# SERVER into OUT (both zones, HELO mail.pf.test); the exit status into
# $rc, the wall time in milliseconds into $ms
pf_timed() {
	local t0
	t0=$(date +%s%N)
	"$prog" preflight --json --dns-server "$1" --dns-timeout "$2" \
	    --dnsbl zen.test=spamhaus,bl.test --source-address "$3" \
	    --helo mail.pf.test --mail-from "$4" >"$5" 2>"$T/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
}
SP_PORT=$T/sp.port SP_LOG=$T/sp.log
# sp_start DELAY JITTER SEED [DROP] - slowproxy.pl in front of the NSD;
# its pid in sp_pid, its address in sp_addr
sp_start() {
	rm -f "$SP_PORT"
	perl "$srcdir/tests/dns/slowproxy.pl" "$SP_PORT" "$SP_LOG" "${DNS_ADDR##*:}" "$@" \
	    </dev/null >"$T/sp.out" 2>&1 &
	sp_pid=$!
	for _ in $(seq 100); do [ -s "$SP_PORT" ] && break; sleep 0.05; done
	sp_addr=127.0.0.1:$(cat "$SP_PORT" 2>/dev/null)
}
sp_start 300 400 7
slow_addr=$sp_addr
pf_timed "$slow_addr" 3000 127.0.0.3,127.0.0.2,127.0.0.5 probe@incl.pf.test "$T/slow.json"
nq=$(grep -c forwarded "$SP_LOG")
pf 127.0.0.3,127.0.0.2,127.0.0.5 probe@incl.pf.test mail.pf.test
is "$rc" 4 "late answers: exit 4 (127.0.0.2 and 127.0.0.5 listed)"
same "$(rows "$T/slow.json")" "$(rows "$T/out.json")" \
    "late, reordered answers: every check as with prompt answers"
if [ "$nq" -ge 15 ]; then ok "$nq queries went through the forwarder"; else notok "only $nq queries forwarded"; fi
# one after the other they would take at least nq * 300 ms
if [ "$ms" -lt $((nq * 300 / 2)) ]; then
	ok "concurrent: $ms ms for $nq queries held 300-700 ms each"
else
	notok "took $ms ms for $nq queries held 300-700 ms each (one at a time: >= $((nq * 300)) ms)"
fi
pf 127.0.0.5 probe@incl.pf.test mail.pf.test
same "$(rows "$T/slow.json" 127.0.0.5)" "$(rows "$T/out.json" 127.0.0.5)" \
    "the third IP's checks as when checked alone"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["blocking_ips"])' "$T/slow.json" 2>&1)" \
    "['127.0.0.2', '127.0.0.5']" "both listed IPs named"
kill "$sp_pid" 2>/dev/null; wait "$sp_pid" 2>/dev/null

# 66-69: one zone never answers (its queries dropped): those checks are
# warnings, "could not check", never failures; the rest as usual; done
# within the bound (4 x --dns-timeout)
sp_start 0 50 3 'bl\.test$'
drop_addr=$sp_addr
pf_timed "$drop_addr" 400 127.0.0.3,127.0.0.5 probe@good.pf.test "$T/out.json"
kill "$sp_pid" 2>/dev/null; wait "$sp_pid" 2>/dev/null
is "$(jq1 '[(c["ip"], c["status"], c["blocking"]) for c in d["checks"] if c["name"] == "dnsbl:bl.test"]')" \
    "[('127.0.0.3', 'warn', False), ('127.0.0.5', 'warn', False)]" \
    "a zone that never answers: warn for each IP, not blocking"
has "$(jq1 '[c["meaning"] for c in d["checks"] if c["name"] == "dnsbl:bl.test"][0]')" \
    "could not check" "says it could not check"
is "$(jq1 '[c["status"] for c in d["checks"] if c["name"] in ("dnsbl:zen.test", "mx", "dmarc")]')" \
    "['pass', 'pass', 'pass', 'pass']" "the zone that answers, MX and DMARC as usual"
if [ "$ms" -le 1600 ] && [ "$rc" -eq 4 ] &&
    [ "$(jq1 '[(c["ip"], c["name"]) for c in d["checks"] if c["blocking"]]')" = "[('127.0.0.5', 'fcrdns')]" ]; then
	ok "partly dead resolver: $ms ms (bound 1600); the one blocking failure is 127.0.0.5's FCrDNS"
else
	notok "partly dead resolver: exit $rc in $ms ms (bound 1600)" "$(jq1 '[(c["ip"], c["name"]) for c in d["checks"] if c["blocking"]]')"
fi

# 70-72: a dead resolver and three IPs: everything a warning, exit 0,
# within the bound of 4 x --dns-timeout
pf_timed "$DEAD_DNS_ADDR" 500 127.0.0.3,127.0.0.2,127.0.0.5 probe@good.pf.test "$T/out.json"
is "$rc" 0 "dead resolver, three IPs: exit 0"
is "$(jq1 'sorted(set(c["status"] for c in d["checks"] if c["name"] != "port25"))')" \
    "['warn']" "dead resolver: every DNS check a warning"
n=$(jq1 'len(d["checks"])')
if [ "$ms" -le 2000 ] && [ "$n" = 17 ]; then ok "dead resolver, three IPs: $n checks in $ms ms (bound 2000)"; else notok "dead resolver, three IPs: $n checks in $ms ms (bound 2000)"; fi

# 73-74: a blocklist zone the server does not serve: NSD answers REFUSED,
# which c-ares reports as "Could not contact DNS servers"; the detail
# names what happened instead, and the check is a warning
pf 127.0.0.3 probe@good.pf.test mail.pf.test --dnsbl notserved.test
is "$(st dnsbl:notserved.test)" "warn false" "a zone the server does not serve: warn, not blocking"
has "$(field dnsbl:notserved.test detail)" "SERVFAIL, REFUSED or no server answered" \
    "... and the detail says the server refused, not that it could not be contacted"

[ "$_fail" -eq 0 ]
