#!/bin/sh
# xlsx.sh - what --xlsx costs: the offline scrub of the benchmark list with
# CSV outputs only, and the same run that also writes the workbook.
#
#   contrib/bench/xlsx.sh [ROWS]          (default 1,000,000 rows)
#
# Environment: LISTSCRUB (default: validator/listscrub of the source tree,
# or of $top_builddir), KEEP=1 keeps the scratch directory, RUNS (default 3).
#
# Both runs are timed whole (process start to exit, the outputs committed)
# RUNS times each, best of RUNS reported, with the peak RSS (GNU time %M)
# of each and the workbook's size. Goals, each printed PASS or FAIL:
#   1. time:   the --xlsx run takes at most 3 x the CSV-only run
#   2. memory: the --xlsx run's peak RSS <= 64 MiB + 120 B x unique
#              addresses, the CSV path's bound
# Exit status 0 when both pass, 1 when one fails, 2 on a setup error.
set -eu

rows=${1:-1000000}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ -z "${LISTSCRUB:-}" ]; then
	LISTSCRUB=${top_builddir:-$top}/validator/listscrub
fi

die() {
	echo "xlsx.sh: $*" >&2
	exit 2
}

case $rows in
'' | *[!0-9]*) die "usage: $0 [ROWS]" ;;
esac
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first or set LISTSCRUB"
[ -x /usr/bin/time ] || die "GNU time is needed for the peak RSS: apt-get install time"

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

echo "generating $rows rows: gen-list.sh $rows"
sh "$here/gen-list.sh" "$rows" >"$tmp/list.csv"
echo "list: $tmp/list.csv, $(wc -c <"$tmp/list.csv") bytes"

# run KIND - one timed run; prints "seconds peak_rss_kib"
run() {
	rm -f "$tmp"/c.csv "$tmp"/r.csv "$tmp"/s.json "$tmp"/w.xlsx
	extra=
	[ "$1" = xlsx ] && extra="--xlsx $tmp/w.xlsx"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	/usr/bin/time -f %M -o "$tmp/rss" "$LISTSCRUB" --offline -q --no-progress \
	    -o "$tmp/c.csv" -r "$tmp/r.csv" --summary "$tmp/s.json" $extra \
	    "$tmp/list.csv" || die "listscrub failed (exit status $?)"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v m="$(tail -1 "$tmp/rss")" \
	    'BEGIN { printf "%.3f %d\n", b - a, m }'
}

best_csv= rss_csv=0 best_x= rss_x=0
i=1
while [ $i -le "$runs" ]; do
	for kind in csv xlsx; do
		set -- $(run $kind)
		echo "  run $i $kind: seconds=$1 peak_rss_kib=$2"
		if [ $kind = csv ]; then
			if [ -z "$best_csv" ] || awk -v a="$1" -v b="$best_csv" 'BEGIN { exit !(a < b) }'; then best_csv=$1; fi
			[ "$2" -gt "$rss_csv" ] && rss_csv=$2
		else
			if [ -z "$best_x" ] || awk -v a="$1" -v b="$best_x" 'BEGIN { exit !(a < b) }'; then best_x=$1; fi
			[ "$2" -gt "$rss_x" ] && rss_x=$2
			xbytes=$(wc -c <"$tmp/w.xlsx")
		fi
	done
	i=$((i + 1))
done
unique=$(tr -d ' \n' <"$tmp/s.json" | grep -o '"unique_addresses":[0-9]*' | head -1 | cut -d: -f2)
[ -n "$unique" ] || die "no unique_addresses in the summary"

awk -v c="$best_csv" -v x="$best_x" -v rc="$rss_csv" -v rx="$rss_x" -v u="$unique" \
    -v rows="$rows" -v runs="$runs" -v xb="$xbytes" '
BEGIN {
	ratio = c > 0 ? x / c : 0
	limit = (64 * 1048576 + 120 * u) / 1024
	printf "\nresults (%d rows, best of %d)\n", rows, runs
	printf "  CSV outputs only   %8.3f s   peak RSS %7.1f MiB\n", c, rc / 1024
	printf "  CSV + --xlsx       %8.3f s   peak RSS %7.1f MiB   workbook %.1f MB\n", x, rx / 1024, xb / 1e6
	printf "  time ratio         %8.2f     (goal <= 3)\n", ratio
	printf "  memory bound       %8.1f MiB (64 MiB + 120 B x %d unique addresses)\n", limit / 1024, u
	t = ratio <= 3
	m = rx <= limit
	printf "\ntime:   %s\nmemory: %s\n", t ? "PASS" : "FAIL", m ? "PASS" : "FAIL"
	exit (t && m) ? 0 : 1
}'
