#!/bin/bash
# t_threads.sh - the writing pass on three threads (validator/rowflow.c)
# writes what --single-thread writes, byte for byte, on lists long enough
# that most rows go through the batches (the first 200 rows are judged
# before the threads start): every output (cleaned, rejected, review,
# summary, split files, workbook, report page), with rows of every kind
# (valid, duplicates in other case, typos, roles, disposable, IDN, bad
# syntax, empty cells, formula cells, quoted newlines and delimiters,
# malformed rows, records longer than --max-record-size, short and long
# rows, bytes that are not UTF-8), offline and with a (dead) DNS stage,
# "," and ";" with --excel, and with a result store: the previous statuses
# of an --offline re-scrub, DNS answers recalled with an earlier run's
# time beside new ones (NSD). The default run really had three threads
# (/proc/PID/status; a fourth reads lists/ at the start), --single-thread
# one. A write error and a signal in
# the middle of the threaded pass fail the run as on one thread.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

if [ "$(nproc 2>/dev/null || echo 1)" -lt 2 ]; then
	echo "1..0 # SKIP one CPU: listscrub runs the pass on one thread here"
	exit 0
fi
dns_require
plan 37
dns_dead_server || bail "cannot start the silent resolver"

# gen_rich N DELIM - N data rows of every kind, a header first
gen_rich() {
	awk -v n="$1" -v d="$2" 'BEGIN {
		srand(7)
		long = ""
		for (i = 0; i < 300; i++) long = long "0123456789"
		split("gmail.com outlook.com yahoo.com web.de gmx.de acme-tools.com", dom, " ")
		printf "Name%sEmail%sNote%sPhone\n", d, d, d
		for (i = 1; i <= n; i++) {
			k = i % 97
			e = "person" i "@" dom[(i % 6) + 1]
			note = "n" i
			r = i % 23
			if (r == 1) e = "PERSON" int(i / 2) "@" toupper(dom[(int(i / 2) % 6) + 1])
			else if (r == 2) e = "anna" i "@gmial.com"
			else if (r == 3) e = "info@" dom[(i % 6) + 1]
			else if (r == 4) e = "x" i "@mailinator.com"
			else if (r == 5) e = "jörg" i "@bücher.de"
			else if (r == 6) e = "bad..dots" i "@gmail.com"
			else if (r == 7) e = ""
			else if (r == 8) note = "=HYPERLINK(\"http://x.test\")"
			else if (r == 9) note = "\"line one\nline two" d " still\""
			else if (r == 10) note = "\"say \"\"hi\"\"\""
			else if (r == 11) { printf "Broken%s\"unterminated%s%s\n", d, d, e; continue }
			else if (r == 12) note = long
			else if (r == 13) { printf "Short%s%s\n", d, e; continue }
			else if (r == 14) { printf "Long%s%s%sa%sb%sc%sd\n", d, e, d, d, d, d; continue }
			else if (r == 15) note = "caf\351"
			else if (r == 16) e = "  spaced" i "@web.de  "
			else if (r == 17) note = "@SUM(1)"
			printf "N%d%s%s%s%s%s+1 555 %04d\n", i, d, e, d, note, d, i % 10000
		}
	}'
}

# both NAME ARGS... - one run with three threads, one with --single-thread,
# each writing every output into $T/out (the summary and the workbook name
# the other outputs' paths), then moved to $T/NAME.3 and $T/NAME.1; sets
# RC3 and RC1. With STORE set: each run on its own copy of that result
# store, at one path ($T/run.sqlite: the summary names it); at NOW
# (default 2026-06-01T00:00:00Z).
both() {
	local name=$1 m o=$T/out store
	shift
	for m in 3 1; do
		rm -rf "$o" "$T/$name.$m" && mkdir -p "$o/split"
		store=--no-cache
		if [ -n "${STORE:-}" ]; then
			rm -f "$T/run.sqlite"*
			cp "$STORE" "$T/run.sqlite" && store=--cache=$T/run.sqlite
		fi
		run_scrub -q --no-progress "$store" --now "${NOW:-2026-06-01T00:00:00Z}" \
		    $([ "$m" = 1 ] && echo --single-thread) \
		    -o "$o/c.csv" -r "$o/r.csv" --review "$o/v.csv" --summary "$o/s.json" \
		    --xlsx "$o/w.xlsx" --split "$o/split" --report "$o/p.html" "$@"
		mv "$o" "$T/$name.$m"
		if [ "$m" = 1 ]; then RC1=$SCRUB_RC; else RC3=$SCRUB_RC; fi
	done
}

# differ NAME - the outputs of both NAME that are not byte-identical
differ() {
	local f bad=
	for f in $(cd "$T/$1.1" && find . -type f | sort); do
		cmp -s "$T/$1.1/$f" "$T/$1.3/$f" || bad="$bad ${f#./}"
	done
	[ "$(cd "$T/$1.1" && find . -type f | sort)" = "$(cd "$T/$1.3" && find . -type f | sort)" ] ||
	    bad="$bad (not the same files)"
	echo "${bad# }"
}

gen_rich 9000 , >"$T/rich.csv"
both rich --offline --max-record-size 1K "$T/rich.csv"
is "$RC3|$RC1" "0|0" "offline, 9000 rows of every kind: both runs exit 0"
is "$(differ rich)" "" "offline: every output byte-identical on three threads and on one"
is "$(count_rows "$T/rich.3/c.csv")" "$(count_rows "$T/rich.1/c.csv")" "offline: same cleaned rows"
ok "offline: every row in exactly one of cleaned, rejected, review" \
    rows_partition 9000 "$T/rich.3/c.csv" "$T/rich.3/r.csv" "$T/rich.3/v.csv"
like "$(grep -c 'malformed_row' "$T/rich.3/r.csv")" '^[1-9][0-9]*$' "offline: the malformed rows are in the rejected file"
# a record longer than 1K comes back whole (3000 digits in its note)
is "$(grep -c "$(printf '0123456789%.0s' $(seq 300))" "$T/rich.3/r.csv")" \
    "$(grep -c "$(printf '0123456789%.0s' $(seq 300))" "$T/rich.1/r.csv")" \
    "offline: the over-long records written whole, as on one thread"
like "$(grep -c "'=HYPERLINK" "$T/rich.3/c.csv" "$T/rich.3/r.csv" "$T/rich.3/v.csv" | awk -F: '{ s += $2 } END { print s }')" '^[1-9][0-9]*$' \
    "offline: formula cells neutralized on three threads"
ok "offline: the duplicates name their first row" grep -q ',duplicate,' "$T/rich.3/r.csv"

gen_rich 6000 ';' >"$T/semi.csv"
both semi --offline --excel "$T/semi.csv"
is "$RC3|$RC1" "0|0" "';' with --excel: both runs exit 0"
is "$(differ semi)" "" "';' with --excel: every output byte-identical"

# the DNS stage against a server that never answers: pass 2 on threads
both dead --dns-server "$DEAD_DNS_ADDR" --dns-timeout 200 --dns-tries 1 --allow-reserved "$T/rich.csv"
is "$RC3" "$RC1" "dead DNS server: the same exit status"
is "$(differ dead)" "" "dead DNS server: every output byte-identical"
like "$(for f in c r v; do col "$T/dead.3/$f.csv" scrub_sub_status; done | sort -u | tr '\n' ' ')" 'dns_timeout' "dead DNS server: the DNS stage ran (dns_timeout rows)"

# Through the threads with a result store (t_store, t_resume run on one
# thread): the previous statuses of an --offline re-scrub, and in a DNS
# run the answers recalled from an earlier run, with that run's time.
head -n 4000 "$T/rich.csv" >"$T/first.csv"
mkdir "$T/lists" && cp -r "$LISTSCRUB_LISTS"/*.txt "$LISTSCRUB_LISTS"/*.tsv "$T/lists/" 2>/dev/null
echo 'acme-tools.com' >>"$T/lists/disposable.txt"
run_scrub -q --no-progress --offline --cache "$T/off.sqlite" --now 2026-05-01T00:00:00Z \
    -o "$T/first.c.csv" -r "$T/first.r.csv" "$T/first.csv"
STORE=$T/off.sqlite both offstore --offline --lists-dir "$T/lists" "$T/rich.csv"
is "$RC3|$RC1" "0|0" "--offline with a store: both runs exit 0"
is "$(differ offstore)" "" "--offline with a store: every output byte-identical"
like "$(for f in c r v; do col "$T/offstore.3/$f.csv" scrub_changed; done | sort | uniq -c | tr -s ' \n' ' ')" \
    '[0-9]+ [0-9]+ false [0-9]+ true' \
    "--offline with a store: rows without, unchanged and changed (a domain now disposable)"

dns_start lab || bail "cannot start the test DNS server"
awk 'BEGIN { split("mx-ok.lab mx-multi.lab nullmx.lab nx.lab implicit.lab nomail.lab MX-OK.LAB", d, " ")
	print "Name,Email"
	for (i = 1; i <= 6000; i++) printf "n%d,user%d@%s\n", i, i % 2500, d[i % 7 + 1] }' >"$T/lab.csv"
# the first run knows only some of the domains
grep -v -e implicit.lab -e nomail.lab "$T/lab.csv" | head -n 3001 >"$T/lab1.csv"
run_scrub -q --no-progress --cache "$T/dns.sqlite" --now 2026-06-01T00:00:00Z \
    --dns-server "$DNS_ADDR" --allow-reserved -o "$T/lab1.c.csv" -r "$T/lab1.r.csv" "$T/lab1.csv"
is "$SCRUB_RC" 0 "DNS run on the first half, into a store: exit status 0"
STORE=$T/dns.sqlite NOW=2026-06-01T02:00:00Z both dnsstore --dns-server "$DNS_ADDR" --allow-reserved "$T/lab.csv"
is "$RC3|$RC1" "0|0" "DNS run with the store: both runs exit 0"
is "$(differ dnsstore)" "" "DNS run with the store: every output byte-identical"
is "$(for f in c r v; do col "$T/dnsstore.3/$f.csv" scrub_checked_at; done | sort -u | tr '\n' ' ')" \
    "2026-06-01T00:00:00Z 2026-06-01T02:00:00Z " \
    "DNS run with the store: rows recalled with the first run's time, the rest with this run's"

# An offline pass reads the tables beside its other work: a broken one
# still stops the run, naming file and line, with nothing written.
cp -r "$T/lists" "$T/badlists"
printf 'bad domain..x\n' >>"$T/badlists/disposable.txt"
n=$(wc -l <"$T/badlists/disposable.txt")
for m in threads single; do
	rm -rf "$T/bl" && mkdir "$T/bl" && printf 'old\n' >"$T/bl/c.csv"
	run_scrub -q --no-progress --offline --lists-dir "$T/badlists" \
	    $([ "$m" = single ] && echo --single-thread) \
	    -o "$T/bl/c.csv" -r "$T/bl/r.csv" "$T/rich.csv"
	ok "a broken table, $m: exit 1, file and line named, the old output kept, nothing else left" \
	    eval '[ "$SCRUB_RC" = 1 ] && [[ "$SCRUB_ERR" == *"badlists/disposable.txt:$n: white space inside entry"* ]] &&
	    only_files "$T/bl" c.csv && [ "$(cat "$T/bl/c.csv")" = old ]'
done
# The tables are read on a thread of their own from the pass's start: a
# failure before they are needed is the one reported, and the reading is
# waited for, not left running.
rm -rf "$T/bl" && mkdir "$T/bl"
run_scrub -q --no-progress --offline --lists-dir "$T/badlists" --column nosuch \
    -o "$T/bl/c.csv" -r "$T/bl/r.csv" "$T/rich.csv"
ok "a broken table and an unknown column: the column's error, exit 2, nothing written" \
    eval '[ "$SCRUB_RC" = 2 ] && [[ "$SCRUB_ERR" == *"no column named '"'nosuch'"'"* ]] &&
    [[ "$SCRUB_ERR" != *disposable.txt* ]] && only_files "$T/bl"'

# ---------------------------------------------------------------- threads seen
# threads_of ARGS... - the most threads one listscrub run had at once
threads_of() {
	local pid max=0 n
	"$LISTSCRUB" -q --no-progress --offline -o "$T/th/c.csv" -r "$T/th/r.csv" "$@" 2>/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		n=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt "$max" ] && max=$n
		sleep 0.005
	done
	wait "$pid"
	echo "$max"
}
mkdir -p "$T/th"
gen_rows 400000 >"$T/big.body"
{ echo 'First,Last,Email,Phone'; cat "$T/big.body"; } >"$T/big.csv"
# three, and a fourth while lists/ is read beside the flow's start
like "$(threads_of "$T/big.csv")" '^[34]$' "the default run had three threads (four at its start)"
is "$(threads_of --single-thread "$T/big.csv")" 1 "--single-thread: one"
# one CPU to run on: one thread (taskset, where util-linux has it)
if command -v taskset >/dev/null 2>&1; then
	is "$(taskset -c 0 bash -c "$(declare -f threads_of); T=$T LISTSCRUB=$LISTSCRUB threads_of $T/big.csv")" 1 \
	    "an affinity mask of one CPU: one thread"
else
	skip 1 "no taskset"
fi

# ---------------------------------------------------------------- faults mid-pass
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=4m tmpfs "$T/full" 2>/dev/null; then
	printf 'old\n' >"$T/full/c.csv"
	run_scrub -q --no-progress --offline -o "$T/full/c.csv" -r "$T/full/r.csv" "$T/big.csv"
	is "$SCRUB_RC" 1 "disk full while the writer thread writes: exit status 1"
	like "$SCRUB_ERR" "full/c\\.csv: write failed: No space left on device" "disk full: the message names the file"
	is "$(cat "$T/full/c.csv")" old "disk full: the old output stays"
	ok "disk full: no temporary file left" only_files "$T/full" c.csv
	umount "$T/full"
else
	skip 4 "cannot mount a small tmpfs here (not root?)"
fi

rm -rf "$T/sig" && mkdir "$T/sig"
printf 'old\n' >"$T/sig/c.csv"
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' \
    "$LISTSCRUB" -q --no-progress --offline -o "$T/sig/c.csv" -r "$T/sig/r.csv" "$T/big.csv" 2>"$T/sig.err" &
pid=$!
# once the threads run
for _ in $(seq 400); do
	[ "$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)" = 3 ] && break
	sleep 0.005
done
kill -INT "$pid"
start=$SECONDS
wait "$pid"
rc=$?
is "$rc" 130 "SIGINT during the threaded pass: exit status 130"
ok "SIGINT: stopped within 5 s" test $((SECONDS - start)) -le 5
like "$(cat "$T/sig.err")" "interrupted by SIGINT.*nothing was written" "SIGINT: one line says nothing was written"
ok "SIGINT: no temporary file, the old output as it was" \
    eval 'only_files "$T/sig" c.csv && [ "$(cat "$T/sig/c.csv")" = old ]'

# the same rows judged the same whichever way: the bundled samples
for s in contacts.csv messy.csv google-sheets.csv; do
	cat "$SAMPLES/$s" >"$T/s.csv"
	# long enough for the threads: the sample's data rows repeated
	for _ in $(seq 40); do tail -n +2 "$SAMPLES/$s"; done >>"$T/s.csv"
	both "sample-$s" --offline "$T/s.csv"
	is "$(differ "sample-$s")" "" "lists/sample/$s x 41: every output byte-identical"
done
