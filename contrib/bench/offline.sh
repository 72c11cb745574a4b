#!/bin/sh
# offline.sh - the offline-scrub benchmark: listscrub against the I/O floor
# on the same generated list, its peak memory, and its rate on a list of
# distinct domains.
#
#   contrib/bench/offline.sh [ROWS]          (default 1,000,000 rows)
#
# Environment: LISTSCRUB (default: validator/listscrub of the source tree,
# or of $top_builddir), CC (default cc), KEEP=1 keeps the scratch directory,
# RUNS (default 3), DOMAIN_ROWS (default 100,000; 0 skips the distinct-
# domains part), ONLY=domains runs the distinct-domains part alone.
#
# Steps: build bare_libcsv.c with "$CC -O2 ... -lcsv"; generate the list
# with gen-list.sh into a temporary directory; then RUNS rounds of
# bare_libcsv, "listscrub --offline -q" and a cat of the two outputs
# listscrub wrote into a file in the same directory, one of each per
# round (a drifting VM slows all three alike); the floor is the best bare
# parse plus the best cat, and each round's own ratio is printed with
# their median. Then the realistic list and a
# list of DOMAIN_ROWS distinct domains (gen-list.sh ... distinct), both of
# DOMAIN_ROWS rows, RUNS times each. listscrub's time is always the wall
# time of the whole process. Goals, PASS or FAIL each:
#   1. speed:   listscrub seconds <= 2 x (bare parse + cat of the outputs)
#   2. memory:  peak RSS <= 64 MiB + 120 bytes x unique addresses
#   3. domains: rows/s on the distinct-domains list >= 0.5 x rows/s on
#               the realistic list of the same size
# Exit status 0 when all goals pass, 1 when one fails, 2 on a setup error.
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
case $runs in
'' | *[!0-9]* | 0) die "RUNS must be a number of at least 1" ;;
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

# seconds between two "date +%s.%N" stamps
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# the smaller of two decimal numbers (an empty first one loses)
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# run_listscrub LIST: one whole listscrub process on LIST, outputs in $tmp;
# sets secs (wall time of the process) and rss (peak, KiB)
run_listscrub() {
	rm -f "$tmp/cleaned.csv" "$tmp/rejected.csv" "$tmp/summary.json"
	sync
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$tmp/rss" "$LISTSCRUB" --offline -q --no-progress \
	    -o "$tmp/cleaned.csv" -r "$tmp/rejected.csv" --summary "$tmp/summary.json" \
	    "$1" || die "listscrub failed on $1 (exit status $?)"
	t1=$(date +%s.%N)
	rss=$(tail -1 "$tmp/rss")
	secs=$(elapsed "$t0" "$t1")
}

# best_of LIST LABEL: RUNS runs of run_listscrub; sets best (seconds),
# spread (slowest - best) and rss_max
best_of() {
	best=
	worst=
	rss_max=0
	i=1
	while [ $i -le "$runs" ]; do
		run_listscrub "$1"
		echo "  $2 run $i: seconds=$secs peak_rss_kib=$rss"
		best=$(min "$best" "$secs")
		worst=$(awk -v a="$worst" -v b="$secs" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
		[ "$rss" -gt "$rss_max" ] && rss_max=$rss
		i=$((i + 1))
	done
	spread=$(awk -v a="$best" -v b="$worst" 'BEGIN { printf "%.3f", b - a }')
}

status=0
if [ "${ONLY:-}" != domains ]; then
	echo "building bare_libcsv: $CC -O2 -o bare_libcsv bare_libcsv.c -lcsv"
	$CC -O2 -o "$tmp/bare_libcsv" "$here/bare_libcsv.c" -lcsv || die "cannot build bare_libcsv (is libcsv-dev installed?)"

	echo "generating $rows rows: gen-list.sh $rows"
	sh "$here/gen-list.sh" "$rows" >"$tmp/list.csv"
	size=$(wc -c <"$tmp/list.csv")
	echo "list: $tmp/list.csv, $size bytes"

	# RUNS rounds, each one bare libcsv parse (it times its parse loop
	# only), one listscrub run and one cat of listscrub's two outputs
	# into a file in the same directory (writing the same output bytes):
	# a VM whose speed drifts slows the three alike within a round. Best
	# of each; each round's own ratio is printed too.
	bare_secs=
	cat_secs=
	best=
	worst=
	rss_max=0
	ratios=
	i=1
	while [ $i -le "$runs" ]; do
		out=$("$tmp/bare_libcsv" "$tmp/list.csv")
		b=$(printf '%s\n' "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
		echo "  round $i: bare libcsv: $out"
		bare_secs=$(min "$bare_secs" "$b")
		run_listscrub "$tmp/list.csv"
		echo "  round $i: listscrub: seconds=$secs peak_rss_kib=$rss"
		best=$(min "$best" "$secs")
		worst=$(awk -v a="$worst" -v b="$secs" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
		[ "$rss" -gt "$rss_max" ] && rss_max=$rss
		out_bytes=$(cat "$tmp/cleaned.csv" "$tmp/rejected.csv" | wc -c)
		rm -f "$tmp/copy.csv"
		sync
		t0=$(date +%s.%N)
		cat "$tmp/cleaned.csv" "$tmp/rejected.csv" >"$tmp/copy.csv"
		t1=$(date +%s.%N)
		c=$(elapsed "$t0" "$t1")
		echo "  round $i: cat of the $out_bytes output bytes: $c s"
		cat_secs=$(min "$cat_secs" "$c")
		cat_worst=$(awk -v a="${cat_worst:-}" -v b="$c" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
		ratios="$ratios $(awk -v l="$secs" -v b="$b" -v c="$c" 'BEGIN { printf "%.2f", l / (b + c) }')"
		i=$((i + 1))
	done
	rm -f "$tmp/copy.csv"
	ls_secs=$best
	ls_spread=$(awk -v a="$best" -v b="$worst" 'BEGIN { printf "%.3f", b - a }')
	ls_rss=$rss_max
	median=$(printf '%s\n' $ratios | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')

	# first occurrence of each key: "rows" also appears under top_domains
	json_num() { tr -d ' \n' <"$tmp/summary.json" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
	unique=$(json_num unique_addresses)
	[ -n "$unique" ] || die "no unique_addresses in listscrub's summary"
	out_rows=$(json_num rows)
	[ "$out_rows" = "$rows" ] || echo "warning: listscrub reported $out_rows rows, expected $rows"

	awk -v bare="$bare_secs" -v cat="$cat_secs" -v catw="$cat_worst" -v secs="$ls_secs" \
	    -v spread="$ls_spread" -v rss="$ls_rss" -v uniq="$unique" \
	    -v rows="$rows" -v runs="$runs" -v obytes="$out_bytes" \
	    -v rounds="${ratios# }" -v med="$median" '
	BEGIN {
		floor = bare + cat
		ratio = floor > 0 ? secs / floor : 0
		limit_kib = (64 * 1048576 + 120 * uniq) / 1024
		printf "\nresults (%d rows, best of %d)\n", rows, runs
		printf "  bare libcsv parse  %8.3f s\n", bare
		printf "  cat of the outputs %8.3f s   (spread %.3f s; %d bytes)\n", cat, catw - cat, obytes
		printf "  floor              %8.3f s\n", floor
		printf "  listscrub offline  %8.3f s   (spread %.3f s; %d rows/s)\n", \
		    secs, spread, (secs > 0 ? rows / secs : 0)
		printf "  time / floor       %8.2f     (goal <= 2)\n", ratio
		printf "  per round          %s   (median %s)\n", rounds, med
		printf "  unique addresses   %8d\n", uniq
		printf "  peak RSS           %8.1f MiB (goal <= 64 MiB + 120 B x %d = %.1f MiB)\n", \
		    rss / 1024, uniq, limit_kib / 1024
		s = floor > 0 && ratio <= 2
		m = rss <= limit_kib
		printf "\nspeed:   %s\nmemory:  %s\n", s ? "PASS" : "FAIL", m ? "PASS" : "FAIL"
		exit (s && m) ? 0 : 1
	}' || status=1
fi

# Distinct domains: the same number of rows, one domain per row, against
# the realistic list; both rates from whole-process wall time.
drows=${DOMAIN_ROWS:-100000}
case $drows in
'' | *[!0-9]*) die "DOMAIN_ROWS must be a number" ;;
esac
if [ "$drows" -gt 0 ]; then
	echo
	echo "generating $drows rows twice: gen-list.sh $drows, gen-list.sh $drows 1 distinct"
	sh "$here/gen-list.sh" "$drows" >"$tmp/real.csv"
	sh "$here/gen-list.sh" "$drows" 1 distinct >"$tmp/distinct.csv"
	best_of "$tmp/real.csv" "realistic list"
	real_secs=$best
	real_spread=$spread
	best_of "$tmp/distinct.csv" "distinct domains"
	dist_secs=$best
	dist_spread=$spread
	awk -v r="$real_secs" -v rs="$real_spread" -v d="$dist_secs" \
	    -v ds="$dist_spread" -v rows="$drows" -v runs="$runs" '
	BEGIN {
		rr = r > 0 ? rows / r : 0
		dr = d > 0 ? rows / d : 0
		ratio = rr > 0 ? dr / rr : 0
		printf "\nresults (%d rows each, best of %d)\n", rows, runs
		printf "  realistic list     %8.3f s   (spread %.3f s)  %8d rows/s\n", r, rs, rr
		printf "  distinct domains   %8.3f s   (spread %.3f s)  %8d rows/s\n", d, ds, dr
		printf "  rate ratio         %8.2f     (goal >= 0.5)\n", ratio
		printf "\ndomains: %s\n", ratio >= 0.5 ? "PASS" : "FAIL"
		exit ratio >= 0.5 ? 0 : 1
	}' || status=1
fi
exit $status
