#!/bin/sh
# offline.sh - the offline-scrub benchmark: listscrub against bare libcsv
# on the same generated list, and its peak memory.
#
#   contrib/bench/offline.sh [ROWS]          (default 1,000,000 rows)
#
# Environment: LISTSCRUB (default: validator/listscrub of the source tree,
# or of $top_builddir), CC (default cc), KEEP=1 keeps the scratch directory,
# RUNS (default 3).
#
# Steps: build bare_libcsv.c with "$CC -O2 ... -lcsv"; generate the list
# with gen-list.sh into a temporary directory; run bare_libcsv and
# "listscrub --offline -q" on it RUNS times each; report best-of-RUNS
# rows/s for both, their ratio, listscrub's peak RSS (GNU time's %M) and
# the number of unique addresses (from listscrub's --summary JSON); then
# check the two goals and print PASS or FAIL for each:
#   1. speed:  listscrub rows/s >= 0.5 x bare libcsv rows/s
#   2. memory: peak RSS <= 64 MiB + 120 bytes x unique addresses
# Exit status 0 when both goals pass, 1 when one fails, 2 on a setup error.
set -eu

rows=${1:-1000000}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${CC:=cc}"
if [ -z "${LISTSCRUB:-}" ]; then
	LISTSCRUB=${top_builddir:-$top}/validator/listscrub
fi

die() {
	echo "offline.sh: $*" >&2
	exit 2
}

case $rows in
'' | *[!0-9]*) die "usage: $0 [ROWS]" ;;
esac
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first (autoreconf -fi && ./configure && make) or set LISTSCRUB"

# GNU time for the peak RSS. The shell keyword "time" cannot report it.
if [ ! -x /usr/bin/time ]; then
	echo "offline.sh: /usr/bin/time is missing; installing the Debian package 'time' (apt-get install time)"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y -q --no-install-recommends time >/dev/null ||
	    die "could not install 'time'; install it by hand: apt-get install time"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-bench.XXXXXX")
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "scratch files kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

echo "building bare_libcsv: $CC -O2 -o bare_libcsv bare_libcsv.c -lcsv"
$CC -O2 -o "$tmp/bare_libcsv" "$here/bare_libcsv.c" -lcsv || die "cannot build bare_libcsv (is libcsv-dev installed?)"

echo "generating $rows rows: gen-list.sh $rows"
sh "$here/gen-list.sh" "$rows" >"$tmp/list.csv"
size=$(wc -c <"$tmp/list.csv")
echo "list: $tmp/list.csv, $size bytes"

# best-of-N: bare libcsv (it times itself, excluding process start)
bare_best=0
i=1
while [ $i -le "$runs" ]; do
	out=$("$tmp/bare_libcsv" "$tmp/list.csv")
	rps=$(printf '%s\n' "$out" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')
	echo "  bare libcsv run $i: $out"
	[ "$rps" -gt "$bare_best" ] && bare_best=$rps
	i=$((i + 1))
done

# best-of-N: listscrub, wall time of the whole process, and peak RSS
ls_best=0
ls_best_secs=
rss_max=0
i=1
while [ $i -le "$runs" ]; do
	rm -f "$tmp/cleaned.csv" "$tmp/rejected.csv" "$tmp/summary.json"
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$tmp/rss" "$LISTSCRUB" --offline -q --no-progress \
	    -o "$tmp/cleaned.csv" -r "$tmp/rejected.csv" --summary "$tmp/summary.json" \
	    "$tmp/list.csv" || die "listscrub failed (exit status $?)"
	t1=$(date +%s.%N)
	rss=$(tail -1 "$tmp/rss")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	rps=$(awk -v n="$rows" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	echo "  listscrub run $i: rows=$rows seconds=$secs rows_per_s=$rps peak_rss_kib=$rss"
	if [ "$rps" -gt "$ls_best" ]; then
		ls_best=$rps
		ls_best_secs=$secs
	fi
	[ "$rss" -gt "$rss_max" ] && rss_max=$rss
	i=$((i + 1))
done

# The floor no scrub can go under: writing its output bytes at all.
# Timed as a plain copy of the two outputs into the same directory.
out_bytes=$(cat "$tmp/cleaned.csv" "$tmp/rejected.csv" | wc -c)
t0=$(date +%s.%N)
cat "$tmp/cleaned.csv" "$tmp/rejected.csv" >"$tmp/copy.csv"
sync_secs_end=$(date +%s.%N)
rm -f "$tmp/copy.csv"
write_secs=$(awk -v a="$t0" -v b="$sync_secs_end" 'BEGIN { printf "%.3f", b - a }')
echo "  write floor: cat of the $out_bytes output bytes took $write_secs s"

# first occurrence of each key: "rows" also appears under top_domains
json_num() { tr -d ' \n' <"$tmp/summary.json" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
unique=$(json_num unique_addresses)
[ -n "$unique" ] || die "no unique_addresses in listscrub's summary"
out_rows=$(json_num rows)
[ "$out_rows" = "$rows" ] || echo "warning: listscrub reported $out_rows rows, expected $rows"

awk -v bare="$bare_best" -v ls="$ls_best" -v secs="$ls_best_secs" -v rss="$rss_max" \
    -v uniq="$unique" -v rows="$rows" -v runs="$runs" -v wsecs="$write_secs" \
    -v obytes="$out_bytes" '
BEGIN {
	ratio = bare > 0 ? ls / bare : 0
	limit_kib = (64 * 1048576 + 120 * uniq) / 1024
	printf "\nresults (%d rows, best of %d)\n", rows, runs
	printf "  bare libcsv        %10d rows/s\n", bare
	printf "  listscrub offline  %10d rows/s  (%.3f s)\n", ls, secs
	printf "  ratio              %10.3f        (goal >= 0.5)\n", ratio
	printf "  output write floor %10.3f s      (%d bytes copied with cat; part of listscrub'"'"'s time, not of the bare parse)\n", wsecs, obytes
	if (bare > 0 && wsecs > 0)
		printf "  best ratio possible with that floor: %.3f (rows/s if parsing were free: %d)\n", \
		    (rows / wsecs) / bare < 1 ? (rows / wsecs) / bare : 1, rows / wsecs
	printf "  unique addresses   %10d\n", uniq
	printf "  peak RSS           %10.1f MiB    (goal <= 64 MiB + 120 B x %d = %.1f MiB)\n", \
	    rss / 1024, uniq, limit_kib / 1024
	s = ratio >= 0.5
	m = rss <= limit_kib
	printf "\nspeed:  %s\nmemory: %s\n", s ? "PASS" : "FAIL", m ? "PASS" : "FAIL"
	exit (s && m) ? 0 : 1
}'
