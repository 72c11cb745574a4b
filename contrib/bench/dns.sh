#!/bin/bash
# dns.sh - the DNS-stage benchmark: listscrub's domains per second against
# the raw c-ares MX query rate at the same concurrency, on the same local
# NSD (tests/dns/lib.sh), and the time a dead resolver costs.
#
#   contrib/bench/dns.sh [DOMAINS] [DEAD_DOMAINS]   (default 50000 10000)
#
# Environment: LISTSCRUB (default: validator/listscrub of the tree),
# CONCURRENCY (default 256, listscrub's default), RUNS (default 3, best
# of), CC (default cc), KEEP=1 keeps the scratch files.
#
# 1. A zone of DOMAINS domains (gen-zone.sh; 100 shared mail hosts).
# 2. cares_raw: one MX query per domain, nothing else (the floor).
# 3. listscrub on a list with one address per domain: its DNS stage time
#    from --summary JSON (dns.seconds; the CSV passes are not in it) and
#    the end-to-end time. Per domain listscrub sends an MX query and, for
#    each new mail host, A and AAAA.
# 4. Dropped answers: DNS timeouts or retransmits seen by listscrub.
# 5. DEAD_DOMAINS domains against a resolver that never answers, with the
#    defaults (--dns-timeout 1000, --dns-tries 2: 3 s per query): the
#    bound is ceil(DEAD_DOMAINS / CONCURRENCY) x 3 s (5% slack allowed).
# Goals: listscrub domains/s >= 0.5 x raw MX queries/s, zero dropped
# answers at the default concurrency, dead-resolver time within the bound.
set -u

domains=${1:-50000}
dead=${2:-10000}
conc=${CONCURRENCY:-256}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
export srcdir
: "${CC:=cc}"
: "${LISTSCRUB:=${top_builddir:-$srcdir}/validator/listscrub}"

die() {
	echo "dns.sh: $*" >&2
	exit 2
}
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first"
. "$srcdir/tests/dns/lib.sh"
command -v nsd >/dev/null || die "nsd is not installed (contrib/install-deps)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-dnsbench.XXXXXX")
cleanup() {
	dns_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "scratch files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

echo "building cares_raw: $CC -O2 cares_raw.c -lcares"
$CC -O2 -o "$tmp/cares_raw" "$here/cares_raw.c" -lcares || die "cannot build cares_raw"
sh "$here/gen-zone.sh" "$domains" "$tmp/domains.txt" >"$tmp/bench.zone" || die "gen-zone.sh failed"
dns_start "$tmp/bench.zone" || die "cannot start NSD"
dns_dead_server || die "cannot start the silent resolver"
echo "NSD on $DNS_ADDR serving $domains domains; concurrency $conc"

json_num() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9.]*" | head -1 | cut -d: -f2; }

raw_best=0
for i in $(seq 1 "$runs"); do
	out=$("$tmp/cares_raw" "$DNS_ADDR" "$conc" <"$tmp/domains.txt")
	echo "  cares_raw run $i: $out"
	rps=$(printf '%s\n' "$out" | sed -n 's/.*per_s=\([0-9]*\).*/\1/p')
	[ "${rps:-0}" -gt "$raw_best" ] && raw_best=$rps
done

{ echo "Email"; sed 's/^/user@/' "$tmp/domains.txt"; } >"$tmp/list.csv"
ls_best=0
drops=0
for i in $(seq 1 "$runs"); do
	dns_query_reset
	t0=$(date +%s%N)
	"$LISTSCRUB" -q --no-progress --no-cache --dns-server "$DNS_ADDR" --allow-reserved \
	    --dns-concurrency "$conc" -o "$tmp/c.csv" -r "$tmp/r.csv" \
	    --summary "$tmp/s.json" "$tmp/list.csv" || die "listscrub failed"
	ms=$((($(date +%s%N) - t0) / 1000000))
	secs=$(tr -d ' \n' <"$tmp/s.json" | grep -o '"dns":{"domains":[0-9]*,"seconds":[0-9.]*' | sed 's/.*://')
	n=$(json_num "$tmp/s.json" domains)
	ok=$(tr -d ' \n' <"$tmp/s.json" | grep -o '"outcomes":{"ok":[0-9]*' | sed 's/.*://')
	to=$(json_num "$tmp/s.json" timeouts)
	rt=$(json_num "$tmp/s.json" retransmits)
	qa=$(json_num "$tmp/s.json" queries_a)
	rps=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	echo "  listscrub run $i: domains=$n ok=$ok dns_seconds=$secs total_ms=$ms per_s=$rps" \
	    "queries_A=$qa timeouts=$to retransmits=$rt server_MX=$(dns_query_count MX)"
	[ "$rps" -gt "$ls_best" ] && ls_best=$rps
	[ "${to:-0}" -gt 0 ] || [ "${rt:-0}" -gt 0 ] || [ "${ok:-0}" != "$domains" ] && drops=$((drops + 1))
done

head -n "$dead" "$tmp/domains.txt" | sed 's/^/user@/' | { echo Email; cat; } >"$tmp/dead.csv"
t0=$(date +%s%N)
"$LISTSCRUB" -q --no-progress --no-cache --dns-server "$DEAD_DNS_ADDR" --allow-reserved \
    --dns-concurrency "$conc" -o "$tmp/dc.csv" -r "$tmp/dr.csv" \
    --summary "$tmp/ds.json" "$tmp/dead.csv" || die "listscrub failed on the dead resolver"
dead_ms=$((($(date +%s%N) - t0) / 1000000))
dead_to=$(tr -d ' \n' <"$tmp/ds.json" | grep -o '"dns_timeout":[0-9]*' | tail -1 | cut -d: -f2)
bound_ms=$(((dead + conc - 1) / conc * 3000))

awk -v raw="$raw_best" -v ls="$ls_best" -v drops="$drops" -v runs="$runs" \
    -v dead="$dead" -v dms="$dead_ms" -v bms="$bound_ms" -v dto="$dead_to" \
    -v conc="$conc" -v n="$domains" '
BEGIN {
	ratio = raw > 0 ? ls / raw : 0
	printf "\nresults (%d domains, concurrency %d, best of %d)\n", n, conc, runs
	printf "  raw c-ares MX queries   %8d /s\n", raw
	printf "  listscrub DNS stage     %8d domains/s\n", ls
	printf "  ratio                   %8.3f     (goal >= 0.5)\n", ratio
	printf "  runs with dropped answers (timeouts/retransmits/not ok): %d of %d\n", drops, runs
	printf "  dead resolver: %d domains in %.1f s, %d dns_timeout\n", dead, dms / 1000, dto
	printf "    bound: ceil(%d / %d) waves x 3 s = %.0f s (%.1f s without the ceil);\n", \
	    dead, conc, bms / 1000, dead / conc * 3
	printf "    measured / bound = %.3f (pass: <= 1.05, the slack is timer and process overhead)\n", \
	    dms / bms
	s = ratio >= 0.5; z = drops == 0; d = dms <= 1.05 * bms && dto == dead
	printf "\nspeed:  %s\ndrops:  %s\ndead:   %s\n", s ? "PASS" : "FAIL", \
	    z ? "PASS" : "FAIL", d ? "PASS" : "FAIL"
	exit (s && z && d) ? 0 : 1
}'
