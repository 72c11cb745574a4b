#!/bin/bash
# shellcheck disable=SC2119
# t_harness.sh - self-test of the loopback DNS test harness (tests/dns/lib.sh):
# NSD starts on 127.0.0.1, every fixture of zones/lab.zone answers as the DNS
# stage tests expect, query counts are exact, the dead server stays silent,
# and dns_stop leaves no process and no temp dir behind. TAP; no dig needed.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/dns/lib.sh disable=SC2153
. "$here/lib.sh"
dns_require

_n=0 _fail=0
ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
notok() {
	_n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"
	shift; local l; for l in "$@"; do echo "#   $l"; done
}
# is GOT WANT DESC
is() { if [ "$1" = "$2" ]; then ok "$3"; else notok "$3" "got:  '$1'" "want: '$2'"; fi; }
# has GOT SUBSTRING DESC
has() { case $1 in *"$2"*) ok "$3" ;; *) notok "$3" "got:  '$1'" "want: ...'$2'..." ;; esac; }

echo "1..34"
trap 'exit 1' HUP INT PIPE TERM
t_start=$SECONDS

# 1-5: start
if dns_start; then ok "dns_start"; else notok "dns_start"; echo "Bail out! no server"; exit 1; fi
has "$DNS_ADDR" "127.0.0.1:$DNS_PORT" "DNS_ADDR is 127.0.0.1:PORT ($DNS_ADDR)"
is "$(cat "$DNS_DIR/nsd.pid" 2>/dev/null)" "$DNS_PID" "the pidfile holds DNS_PID"
# listening sockets of the port, from /proc/net/{udp,tcp}: local address only
hexport=$(printf '%04X' "$DNS_PORT")
socks=$(awk -v p=":$hexport" '$2 ~ p"$" && ($4 == "07" || $4 == "0A") { print $2 }' /proc/net/udp /proc/net/tcp /proc/net/udp6 /proc/net/tcp6 2>/dev/null | sort -u | tr '\n' ' ')
is "$socks" "0100007F:$hexport " "listens on 127.0.0.1 only (UDP and TCP)"
is "$(dns_query_count)" 0 "no query counted after start"

# 6-26: fixtures
a() { dns_ask "$@" 2>&1 | sed "s/ size=[0-9]*//"; }
has "$(a mx-ok.lab MX)" "rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=2 MX:10:mail.mx-ok.lab." "mx-ok.lab MX 10 mail.mx-ok.lab"
has "$(a mail.mx-ok.lab A)" " A:127.0.0.10" "mail.mx-ok.lab A 127.0.0.10"
has "$(a mx-multi.lab MX)" "an=3 ns=1 ar=4 MX:10:a.mx-multi.lab. MX:10:b.mx-multi.lab. MX:20:c.mx-multi.lab." "mx-multi.lab: 10 a, 10 b, 20 c"
has "$(a nullmx.lab MX)" "an=1 ns=1 ar=1 MX:0:." "nullmx.lab: null MX (MX 0 .)"
has "$(a nx.lab MX)" "rcode=NXDOMAIN" "nx.lab: NXDOMAIN"
r=$(a implicit.lab MX implicit.lab A implicit6.lab AAAA | tr '\n' '|')
has "$r" "rcode=NOERROR aa=1 tc=0 an=0 ns=1 ar=0|rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=1 A:127.0.0.20|rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=1 AAAA:::1|" "implicit.lab: no MX, A 127.0.0.20; implicit6.lab AAAA ::1"
r=$(a nomail.lab MX nomail.lab A nomail.lab AAAA | sed 's/ size=.*//' | tr '\n' '|')
is "$r" "rcode=NOERROR aa=1 tc=0 an=0 ns=1 ar=0|rcode=NOERROR aa=1 tc=0 an=0 ns=1 ar=0|rcode=NOERROR aa=1 tc=0 an=0 ns=1 ar=0|" "nomail.lab: exists, no MX/A/AAAA (NODATA x3)"
r=$(a mx-dangling.lab MX missing.mx-dangling.lab A missing.mx-dangling.lab AAAA | tr '\n' '|')
has "$r" "MX:10:missing.mx-dangling.lab.|rcode=NXDOMAIN aa=1 tc=0 an=0 ns=1 ar=0|rcode=NXDOMAIN" "mx-dangling.lab: the MX target is NXDOMAIN"
has "$(a alias.mx-cname.lab A)" "an=2 ns=1 ar=1 CNAME:real.mx-cname.lab. A:127.0.0.30" "mx-cname.lab: target alias CNAME real, A 127.0.0.30"
has "$(a mx-cname.lab MX)" "MX:10:alias.mx-cname.lab." "mx-cname.lab MX 10 alias.mx-cname.lab"
has "$(a cname-dom.lab MX)" "CNAME:mx-ok.lab. MX:10:mail.mx-ok.lab." "cname-dom.lab: CNAME to mx-ok.lab, MX followed"
has "$(a mail.mx-public-only.lab A)" " A:192.168.1.5" "mx-public-only.lab: MX host is 192.168.1.5"
has "$(a mx-iplit.lab MX)" "MX:10:127.0.0.1." "mx-iplit.lab MX 10 127.0.0.1."
has "$(a xn--bcher-kva.lab MX)" "MX:10:mail.mx-ok.lab." "xn--bcher-kva.lab (bücher.lab) MX 10 mail.mx-ok.lab"
has "$(a nullmx-mixed.lab MX)" "an=2" "nullmx-mixed.lab: null MX + a real MX"
has "$(a x.broken A)" "rcode=SERVFAIL" "x.broken: SERVFAIL (zone file missing)"
has "$(a x.example A)" "rcode=REFUSED" "x.example: REFUSED (not our zone)"
# 23-26: truncation
has "$(a mx40.lab MX)" "rcode=NOERROR aa=1 tc=1 an=0" "mx40.lab over UDP (no EDNS): truncated (TC)"
r=$(a -t mx40.lab MX)
n=$(printf '%s\n' "$r" | tr ' ' '\n' | grep -c '^MX:')
case $r in *" MX:40:h40.mx40.lab."*) last=ok ;; *) last=bad ;; esac
is "$n $last" "40 ok" "mx40.lab over TCP: 40 MX, h1..h40"
has "$(a -e 4096 mxbig.lab MX)" "tc=1 an=0" "mxbig.lab over UDP even with EDNS 4096: truncated"
has "$(a -t mxbig.lab MX)" "an=40" "mxbig.lab over TCP: 40 MX"
# 27: d000..d099 in one perl run
q=()
for i in $(seq -f '%03g' 0 99); do q+=("d$i.lab" MX); done
r=$(a "${q[@]}")
is "$(printf '%s\n' "$r" | grep -c ' MX:10:mail.mx-ok.lab.$')" 100 "d000.lab..d099.lab: 100 domains, MX 10 mail.mx-ok.lab"

# 28-29: exact query counts (everything above, then a known batch)
dns_query_reset
a mx-ok.lab MX d001.lab MX nx.lab MX mail.mx-ok.lab A implicit6.lab AAAA x.broken AAAA >/dev/null
a -t mx40.lab MX >/dev/null
a "${q[@]}" >/dev/null
got="$(dns_query_count) MX=$(dns_query_count MX) A=$(dns_query_count A) AAAA=$(dns_query_count aaaa) tcp=$(dns_stat num.tcp)"
is "$got" "107 MX=104 A=1 AAAA=2 tcp=1" "dns_query_count: exact totals by type (107 sent)"
a mx-ok.lab MX >/dev/null
is "$(dns_query_count MX)" 105 "dns_query_count MX: +1 after one more MX query"

# 30-31: dead server and closed port
dns_dead_server
t0=$EPOCHREALTIME
r=$(perl "$here/dnsprobe.pl" -w 1 127.0.0.1 "${DEAD_DNS_ADDR#*:}" mx-ok.lab MX)
ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
if [ "$r" = timeout ] && [ "$ms" -ge 1000 ]; then ok "dead server ($DEAD_DNS_ADDR): no answer within 1 s"
else notok "dead server: no answer within 1 s" "got '$r' after $ms ms"; fi
dns_closed_addr
is "$(perl "$here/dnsprobe.pl" -w 1 127.0.0.1 "${CLOSED_DNS_ADDR#*:}" mx-ok.lab MX)" refused "closed port ($CLOSED_DNS_ADDR): refused at once"

# 32-34: stop
pid=$DNS_PID dead=$DEAD_DNS_PID dir=$DNS_DIR
tree=$(proc_tree "$pid" | tr '\n' ' ')
t0=$EPOCHREALTIME
if dns_stop; then ok "dns_stop ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }') ms)"; else notok "dns_stop"; fi
left=
for p in $tree $dead; do proc_alive "$p" && left="$left $p"; done
is "$left" "" "NSD ($tree) and the dead server ($dead) are gone"
if [ ! -e "$dir" ] && [ -z "$DNS_PID$DEAD_DNS_PID$DNS_ADDR" ]; then ok "temp dir removed, variables cleared"
else notok "temp dir removed, variables cleared" "dir=$dir DNS_PID=$DNS_PID"; fi

echo "# $((SECONDS - t_start)) s"
[ "$_n" -eq 34 ] || { echo "# planned 34, ran $_n"; exit 1; }
[ "$_fail" -eq 0 ]
