#!/bin/bash
# store.sh - the result store benchmark in the loopback mail world
# (tests/smtp: a private Postfix, the NSD of tests/dns).
#
#   contrib/bench/store.sh [DOMAINS] [PER_DOMAIN] [BIG]   (default 100 1000 1000000)
#
# DOMAINS x PER_DOMAIN addresses (100,000 by default; 1% unknown users) at
# domains whose MX is the NORMAL Postfix listener. All of them share that
# one mail host, so --host-rate is lifted and --retry-delay cut to 5 s (in
# every run alike): with the defaults the run would measure politeness
# (60 connections a minute, 300 s before a 4xx is asked again).
#   1. A probe run with a fresh store, then the same command again (and
#      once with --no-cache, for what keeping the answers costs): the
#      second must open no SMTP connection (Postfix's "connect from" lines)
#      and send no MX query (NSD's counters), write the same bytes, and take
#      at most 2x the time of an --offline run of the same list (whole
#      process wall time, each).
#   2. A probe run on another fresh store killed with SIGKILL when about
#      half the addresses were asked (RCPT lines in Postfix's dialogue
#      log), then the same command again: RCPTs per address over both runs
#      (the recipients in flight at the kill are asked twice) and the final
#      outputs against run 1's (scrub_checked_at aside).
#   3. Store size per address: the file after run 1 (SMTP answers and
#      statuses), and after an --offline --cache run of a BIG-row list
#      (statuses only); lookup cost: that run again (every address found,
#      nothing written) minus an --offline run without a store, per
#      address; peak RSS (GNU time) of the 100,000-address second run on
#      its own store and on a store that also holds the BIG list.
# PARTS="1 3" (default "1 2 3") runs only those parts. Part 2 counts RCPTs
# in Postfix's dialogue log, which slows Postfix to a few hundred RCPTs a
# second; without part 2 the log is off (SMTP_DIALOGUE_LOG=0).
# Needs root (Postfix), nsd, postfix, sqlite3 (contrib/install-deps).
set -u
parts=${PARTS:-1 2 3}
has() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
has 2 || export SMTP_DIALOGUE_LOG=0

domains=${1:-100}
per=${2:-1000}
big=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
export srcdir
: "${LISTSCRUB:=${top_builddir:-$srcdir}/validator/listscrub}"
die() { echo "store.sh: $*" >&2; exit 2; }
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first"
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-storebench.XXXXXX")
cleanup() {
	dns_stop; smtp_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "scratch files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
export XDG_CACHE_HOME=$tmp/xdg		# never the user's own store

{
	echo '$ORIGIN benchmail.'
	echo '$TTL 300'
	echo '@ SOA ns.benchmail. hostmaster.benchmail. 1 3600 600 86400 60'
	echo '@ NS ns.benchmail.'
	echo 'ns A 127.0.0.53'
	for i in $(seq -f '%03g' 0 $((domains - 1))); do echo "d$i MX 10 mx.normal.mail."; done
} >"$tmp/benchmail.zone"
SMTP_EXTRA_DOMAINS=$(for i in $(seq -f '%03g' 0 $((domains - 1))); do printf 'd%s.benchmail ' "$i"; done)
export SMTP_EXTRA_DOMAINS
# 1 user in 100 is unknown (550 5.1.1), one in every 100 rows of the
# list: runs of unknown users would measure Postfix's error delays
awk -v n="$domains" -v p="$per" 'BEGIN { for (d = 0; d < n; d++) for (u = 0; u < p; u++)
	if ((u * 37 + d * 11) % 100 != 99) printf "user%04d@d%03d.benchmail\tx\n", u, d }' >"$tmp/users"
export SMTP_EXTRA_USERS=$tmp/users
awk -v n="$domains" -v p="$per" 'BEGIN { print "First,Email"
	for (u = 0; u < p; u++) for (d = 0; d < n; d++) printf "u%d,user%04d@d%03d.benchmail\n", u, u, d }' >"$tmp/list.csv"
addrs=$((domains * per))

smtp_start >/dev/null || die "cannot start Postfix (root? contrib/install-deps?)"
dns_start "$SMTP_ZONE" "$tmp/benchmail.zone" >/dev/null || die "cannot start NSD"
echo "mail world up: Postfix on 127.0.2.1:$SMTP_PORT, NSD on $DNS_ADDR; $addrs addresses over $domains domains"

PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --tls off --host-rate 100000
    --retry-delay 5)
connects() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }
rcpt_lines() { sed -n 's/.*smtpd\[[0-9]*\]: < [^ ]*: RCPT TO:<\(user[0-9]*@d[0-9]*\.benchmail\)>.*/\1/Ip' "$SMTP_LOG"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# without the change columns (the last two: never quoted) / and the times
no_change() { sed -E 's/,[^,]*,[^,]*$//' "$1"; }
no_time() { no_change "$1" | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/g'; }
scrub() { # NAME ARGS... : whole-process wall time into NAME_t, peak RSS (KiB) into NAME_rss
	local name=$1 t0 t1
	shift
	t0=$(now)
	/usr/bin/time -f %M -o "$tmp/$name.rss" "$LISTSCRUB" -q --no-progress \
	    -o "$tmp/$name.c.csv" -r "$tmp/$name.r.csv" --summary "$tmp/$name.json" "$@" ||
	    [ $? = 3 ] || die "listscrub failed ($name)"
	t1=$(now)
	eval "${name}_t=$(secs "$t0" "$t1")"
	eval "${name}_rss=$(tail -1 "$tmp/$name.rss")"
}

# ---------------------------------------------------------------- 1. the second run
S1=$tmp/s1.sqlite
if has 1 || has 3; then
c0=$(connects); q0=$(dns_query_count MX)
scrub first --cache "$S1" "${PROBE[@]}" "$tmp/list.csv"
c1=$(connects); q1=$(dns_query_count MX)
scrub second --cache "$S1" "${PROBE[@]}" "$tmp/list.csv"
sleep 1
c2=$(connects); q2=$(dns_query_count MX)
scrub offline --offline "$tmp/list.csv"
scrub nocache --no-cache "${PROBE[@]}" "$tmp/list.csv"
same=no
cmp -s <(no_change "$tmp/first.c.csv") <(no_change "$tmp/second.c.csv") &&
    cmp -s <(no_change "$tmp/first.r.csv") <(no_change "$tmp/second.r.csv") && same=yes
size1=$(stat -c %s "$S1")
echo
echo "1. second run of the same $addrs-address probe list"
echo "   first run      ${first_t} s  ($((c1 - c0)) SMTP connections, $((q1 - q0)) MX queries)"
echo "   second run     ${second_t} s  ($((c2 - c1)) SMTP connections, $((q2 - q1)) MX queries)"
echo "   --offline      ${offline_t} s"
echo "   --no-cache     ${nocache_t} s  (the first run's work without keeping anything: the cost of the store)"
echo "   same verdicts byte for byte (all columns but the two change columns): $same"
awk -v s="$second_t" -v o="$offline_t" 'BEGIN { printf "   second / offline = %.2f (goal <= 2)\n", s / o }'
fi

# ---------------------------------------------------------------- 2. killed half way
S2=$tmp/s2.sqlite
if has 2; then
# the uninterrupted run to compare with, when part 1 did not make it
[ -f "$tmp/first.c.csv" ] || scrub first --cache "$tmp/ref.sqlite" "${PROBE[@]}" "$tmp/list.csv"
before=$(rcpt_lines | wc -l)
"$LISTSCRUB" -q --no-progress -o "$tmp/kill.c.csv" -r "$tmp/kill.r.csv" --cache "$S2" \
    "${PROBE[@]}" "$tmp/list.csv" 2>/dev/null &
pid=$!
end=$((SECONDS + 600))
while [ $(( $(rcpt_lines | wc -l) - before )) -lt $((addrs / 2)) ] && [ $SECONDS -lt $end ] &&
    kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
mid=$(rcpt_lines | wc -l)
kept=$(sqlite3 "$S2" 'SELECT count(*) FROM address' 2>/dev/null || echo '?')
scrub again --cache "$S2" "${PROBE[@]}" "$tmp/list.csv"
sleep 1
total=$(rcpt_lines | wc -l)
twice=$(rcpt_lines | tail -n +$((before + 1)) | tr 'A-Z' 'a-z' | sort | uniq -c | awk '$1 > 1 { n++ } END { print n + 0 }')
more=$(rcpt_lines | tail -n +$((before + 1)) | tr 'A-Z' 'a-z' | sort | uniq -c | awk '$1 > 2 { n++ } END { print n + 0 }')
same2=no
cmp -s <(no_time "$tmp/first.c.csv") <(no_time "$tmp/again.c.csv") &&
    cmp -s <(no_time "$tmp/first.r.csv") <(no_time "$tmp/again.r.csv") && same2=yes
echo
echo "2. killed with SIGKILL half way, then run again"
echo "   RCPTs before the kill: $((mid - before)); addresses in the store after it: $kept"
echo "   RCPTs of the run again: $((total - mid)); addresses asked twice: $twice; more than twice: $more"
echo "   final outputs equal to the uninterrupted run's (times aside): $same2"
fi

# ---------------------------------------------------------------- 3. size, lookup cost, memory
has 3 || exit 0
echo
echo "3. store size and lookup cost"
awk -v s="$size1" -v n="$addrs" 'BEGIN { printf "   after run 1 (%d addresses with SMTP answers + %d domains): %d bytes, %.0f bytes per address\n", n, 0, s, s / n }' |
    sed "s/+ 0 domains/+ its domains/"
sh "$here/gen-list.sh" "$big" 7 >"$tmp/big.csv" || die "gen-list.sh failed"
S3=$tmp/s3.sqlite
scrub bigfill --offline --cache "$S3" "$tmp/big.csv"
uniq_big=$(tr -d ' \n' <"$tmp/bigfill.json" | grep -o '"unique_addresses":[0-9]*' | cut -d: -f2)
size3=$(stat -c %s "$S3")
scrub bigplain --offline "$tmp/big.csv"
scrub bighit --offline --cache "$S3" "$tmp/big.csv"
awk -v s="$size3" -v n="$uniq_big" -v f="$bigfill_t" 'BEGIN { printf "   %d-row list, --offline --cache (statuses of %d addresses): %d bytes, %.0f bytes per address; filling it took %s s\n", '"$big"', n, s, s / n, f }'
awk -v h="$bighit_t" -v p="$bigplain_t" -v n="$uniq_big" 'BEGIN { printf "   the same run again: %s s, without a store %s s: %.2f us per address looked up\n", h, p, (h - p) / n * 1e6 }'
# the 100,000-address second run on a store that also holds the big list
sqlite3 "$S3" "ATTACH '$S1' AS s1; INSERT OR REPLACE INTO main.address SELECT * FROM s1.address; INSERT OR REPLACE INTO main.domain SELECT * FROM s1.domain;" ||
    die "cannot merge the stores for the memory run"
scrub bigstore --cache "$S3" "${PROBE[@]}" "$tmp/list.csv"
echo "   peak RSS of the second run: ${second_rss} KiB on its own store ($(stat -c %s "$S1") bytes), ${bigstore_rss} KiB on a store of $(stat -c %s "$S3") bytes"
echo "   peak RSS of the --offline run without a store: ${offline_rss} KiB"
