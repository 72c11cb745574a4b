#!/bin/bash
# t_slurm.sh - the Slurm recipe (contrib/shard/listscrub.sbatch and
# slurm-scrub) on a private one-node cluster (tests/slurm/lib.sh: Debian's
# slurmctld, slurmd and munged on loopback):
#  - the cluster itself: an array job runs every task, at most K at once,
#    and a job that depends on it (afterok) runs after them;
#  - slurm-scrub with a stand-in listscrub that records its arguments: what
#    each shard and the merge are given (--shard I/N, --part, the output
#    options to the merge only, the egress ones to the shards only, the
#    per-node source address), a degraded shard (status 3) lets the merge
#    run, a failed shard stops it, the merge's status is slurm-scrub's;
#  - the real thing: N=3 shards, 2 at once, against the loopback mail
#    world (tests/dns, tests/smtp), merged, and every output byte for byte
#    the one-process run's (--no-cache --now T both).
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"
. "$srcdir/tests/slurm/lib.sh"

dns_require
smtp_require
slurm_require
if ! slurm_start >"$T/slurm_start.log" 2>&1; then
	echo "1..0 # SKIP the Slurm daemons cannot run here: ${SLURM_WHY:-see the log}"
	exit 0
fi
plan 44

SCRUB=$srcdir/contrib/shard/slurm-scrub
# ---------------------------------------------------------------- the cluster
W=$T/plain
mkdir -p "$W"
cat >"$T/task.sh" <<'EOF'
#!/bin/sh
# one array task: say who it is; for 2 s, count the tasks running with it
w=$1
mkdir "$w/run.$SLURM_ARRAY_TASK_ID"
echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT" >"$w/task.$SLURM_ARRAY_TASK_ID"
max=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	c=$(ls -d "$w"/run.* | wc -l)
	[ "$c" -le "$max" ] || max=$c
	sleep 0.1
done
echo "$max" >"$w/conc.$SLURM_ARRAY_TASK_ID"
rmdir "$w/run.$SLURM_ARRAY_TASK_ID"
EOF
arr=$(sbatch --parsable --array=0-3%2 -o "$W/out.%a" "$T/task.sh" "$W" 2>"$T/sbatch.err")
after=$(sbatch --parsable --dependency=afterok:"$arr" -o "$W/after.out" \
    --wrap "cat $W/task.* >$W/after.seen" 2>>"$T/sbatch.err")
like "$arr|$after" '^[0-9]+\|[0-9]+$' "sbatch: an array job and a dependent job submitted"
st=$(slurm_wait_job "$after" 120)
is "$st" "COMPLETED 0:0" "the dependent job completed"
is "$(cat "$W"/task.* 2>/dev/null | sort | tr '\n' ' ')" "0 4 1 4 2 4 3 4 " \
    "every array task ran once, and knew the array's size"
is "$(sort -n "$W"/conc.* | tail -1)" "$(if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then echo 2; else echo 1; fi)" \
    "%2: at most two tasks at once (two when there are two CPUs)"
is "$(sort "$W/after.seen" 2>/dev/null | tr '\n' ' ')" "0 4 1 4 2 4 3 4 " \
    "afterok: the dependent job ran after every task had finished"

# ---------------------------------------------------------------- slurm-scrub, a stand-in listscrub
# It records its arguments, one a line; a shard writes its part (and exits
# FAKE_RC, or 1 when it is shard FAKE_FAIL); the merge checks every part is
# there and exits FAKE_MERGE_RC.
FAKE=$T/fake-listscrub
cat >"$FAKE" <<'EOF'
#!/bin/bash
log=$FAKE_DIR
if [ "$1" = merge ]; then
	printf '%s\n' "$@" >"$log/merge.args"
	for a in "$@"; do
		case $a in *.part) [ -f "$a" ] || { echo "no part $a" >&2; exit 2; } ;; esac
	done
	exit "${FAKE_MERGE_RC:-0}"
fi
part= shard=
prev=
for a in "$@"; do
	case $prev in --part) part=$a ;; --shard) shard=$a ;; esac
	prev=$a
done
printf '%s\n' "$@" >"$log/shard-${shard%/*}.args"
[ "${shard%/*}" != "${FAKE_FAIL:-x}" ] || { echo "shard $shard fails" >&2; exit 1; }
echo "part $shard" >"$part"
exit "${FAKE_RC:-0}"
EOF
chmod +x "$FAKE"
IN=$T/in.csv
printf '%s\n' Email a@normal.mail b@catchall.mail >"$IN"
export FAKE_DIR=$T/fake
mkdir -p "$FAKE_DIR"
# fake_run NAME ARGS... - slurm-scrub --wait with the stand-in; sets RC, OUT,
# ERR, WD (the work dir)
fake_run() {
	local name=$1
	shift
	rm -f "$FAKE_DIR"/*.args
	WD=$T/wd.$name
	OUT=$(cd "$T" && LISTSCRUB=$FAKE "$SCRUB" --workdir "$WD" --wait "$@" 2>"$T/$name.err")
	RC=$?
	ERR=$(cat "$T/$name.err")
}
fake_run args --shards 3 --at-once 2 in.csv -- --now 2026-01-02T03:04:05Z --no-cache \
    -o "$T/c.csv" -r"$T/r.csv" --summary="$T/s.json" --source-address 127.0.0.9 --policy strict --cache "$T/store.db"
is "$RC" 0 "slurm-scrub --wait: status 0 when the merge succeeded"
like "$OUT" "^shards [0-9]+
merge [0-9]+
workdir $WD\$" "slurm-scrub: prints the job ids and the work dir"
for i in 0 1 2; do
	is "$(tr '\n' ' ' <"$FAKE_DIR/shard-$i.args" 2>/dev/null)" \
	    "--probe --shard $i/3 --part $WD/shard-$i-of-3.part --now 2026-01-02T03:04:05Z --no-cache --policy strict --source-address 127.0.0.9 --cache $T/store.db $T/in.csv " \
	    "shard $i: --probe --shard $i/3, its part, the run, egress and store options, no output option"
done
is "$(tr '\n' ' ' <"$FAKE_DIR/merge.args" 2>/dev/null)" \
    "merge --now 2026-01-02T03:04:05Z --no-cache --policy strict -o $T/c.csv -r$T/r.csv --summary=$T/s.json $T/in.csv $WD/shard-0-of-3.part $WD/shard-1-of-3.part $WD/shard-2-of-3.part " \
    "merge: the run and output options, no egress or store option, then INPUT and every part"
ok "the shards' logs are in the work dir" test -s "$WD/shard-0.log" -a -s "$WD/shard-2.log"
like "$(cat "$WD/shard-1.log")" 'task 1 of 3 \(job [0-9]+_1\) on localhost' \
    "a shard's log says which task of which job it is, and on which node"

# per-node source address from a map file
printf '# node address\nother 127.0.0.31\nlocalhost 127.0.0.21,127.0.0.22\n* 127.0.0.99\n' >"$T/map"
LISTSCRUB_SOURCE_MAP=$T/map fake_run map --shards 2 "$IN" -- --no-cache
is "$RC|$(grep -A1 -x -- --source-address "$FAKE_DIR/shard-0.args" | tail -1)|$(grep -A1 -x -- --source-address "$FAKE_DIR/shard-1.args" | tail -1)" \
    "0|127.0.0.21,127.0.0.22|127.0.0.21,127.0.0.22" "LISTSCRUB_SOURCE_MAP: the node's line gives the source address"
printf 'other 127.0.0.31\n' >"$T/map2"
LISTSCRUB_SOURCE_MAP=$T/map2 fake_run nomap --shards 2 "$IN" -- --no-cache
is "$RC|$(test -e "$FAKE_DIR/merge.args" && echo merged)" "1|" \
    "no line for the node: the shards fail, the merge does not run, status 1"
like "$ERR" 'a shard failed' "no line for the node: slurm-scrub says a shard failed"
like "$(cat "$WD/shard-0.log")" 'node localhost has no line' "no line for the node: the shard's log says why"

# a failing shard, a degraded one, a degraded merge
FAKE_FAIL=1 fake_run fail --shards 3 --at-once 3 "$IN" -- --no-cache
is "$RC|$(test -e "$FAKE_DIR/merge.args" && echo merged)" "1|" "a failed shard: no merge, status 1"
like "$ERR" "shard-1.log: .*shard 1/3 fails" "a failed shard: slurm-scrub shows its log"
FAKE_RC=3 fake_run degraded --shards 2 "$IN" -- --no-cache
is "$RC|$(test -e "$FAKE_DIR/merge.args" && echo merged)" "0|merged" \
    "degraded shards (status 3) wrote their parts: the merge runs"
like "$(cat "$WD/shard-0.log")" 'degraded \(status 3\) but wrote its part' "a degraded shard says so in its log"
FAKE_MERGE_RC=3 fake_run mdeg --shards 2 "$IN" -- --no-cache
is "$RC" 3 "slurm-scrub --wait: the merge's status 3 (degraded) is its status"

# by hand: N from the array's size, the default work dir; a partial array
# needs LISTSCRUB_SHARDS
rm -f "$FAKE_DIR"/*.args
j=$(cd "$T" && LISTSCRUB=$FAKE sbatch --parsable --array=0-1 -o "$T/hand-%a.log" \
    "$srcdir/contrib/shard/listscrub.sbatch" in.csv --no-cache)
slurm_wait_job "$j" 60 >/dev/null
is "$(tr '\n' ' ' <"$FAKE_DIR/shard-1.args" 2>/dev/null)" \
    "--probe --shard 1/2 --part $T/listscrub-parts.$j/shard-1-of-2.part --no-cache in.csv " \
    "by hand: N is the array's size, the parts go to SUBMIT-DIR/listscrub-parts.JOBID"
rm -f "$FAKE_DIR"/*.args
j=$(cd "$T" && LISTSCRUB=$FAKE sbatch --parsable --array=1 -o "$T/part-%a.log" \
    "$srcdir/contrib/shard/listscrub.sbatch" in.csv --no-cache)
is "$(slurm_wait_job "$j" 60 | cut -d' ' -f1)|$(test -e "$FAKE_DIR/shard-1.args" && echo ran)" "FAILED|" \
    "by hand, --array=1 alone without LISTSCRUB_SHARDS: the task fails, listscrub not run"
like "$(cat "$T/part-1.log")" 'set LISTSCRUB_SHARDS to N' "... and says to set LISTSCRUB_SHARDS"

# usage errors, before any job
n0=$(squeue -h -t all -o %i | wc -l)
(cd "$T" && "$SCRUB" --shards 0 in.csv) >/dev/null 2>&1
is "$?" 2 "--shards 0: usage error"
(cd "$T" && "$SCRUB" --shards 2 in.csv -- --part x.part) >/dev/null 2>&1
is "$?" 2 "--part among the options: usage error"
(cd "$T" && "$SCRUB" --shards 2 nosuch.csv) >/dev/null 2>&1
is "$?|$(squeue -h -t all -o %i | wc -l)" "2|$n0" "a missing input: usage error, nothing submitted"

# ---------------------------------------------------------------- the real thing
REAL=16
if ! "$LISTSCRUB" --help 2>&1 | grep -q -- '--shard'; then
	skip $REAL "this listscrub has no --shard / merge yet (the shard branch is not merged)"
	exit 0
fi
smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

# one row per behaviour of the mail world, spread over several mail hosts
# (and domains without one), so that each of the three shards owns some
IN=$T/list.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'Alice,alice@normal.mail' 'Nobody,nobody@normal.mail' \
	    'Full,full@normal.mail' 'Tempfull,tempfull@normal.mail' \
	    'Disabled,disabled@normal.mail' 'Post,postmaster@normal.mail' \
	    'Bob1,bob@shared1.mail' 'X2,nosuch@shared2.mail' 'Bulk,u0007@bulk.mail' \
	    'Any,whoever@catchall.mail' 'Pol,alice@policy.mail' \
	    'Tls,alice@tlsreq.mail' 'Tls2,nosuch@tlsreq.mail' \
	    'Broken,alice@tlsbroken.mail' 'Fall,alice@fallback.mail' \
	    'Dead,x@dead.mail' 'Nx,someone@nxdomain.mail' 'Bad,bad@@syntax' \
	    'Dup,ALICE@normal.mail' 'Disp,x@mailinator.com' 'Typo,x@gmial.com'
} >"$IN"
T0=2026-12-04T10:00:00Z
RUN=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20 --retry-delay 1 --retries 1 --no-cache --now "$T0" -q --no-progress
    --no-preflight)	# the merge runs no preflight; against the test DNS it only warns
# the same output names, relative, in two directories: the one-process
# run's and the merge's (slurm-scrub's jobs run where it was started)
OUTS=(-o cleaned.csv -r rejected.csv --review review.csv --summary summary.json
    --report report.html --xlsx list.xlsx --split split)
mkdir -p "$T/one" "$T/merged"
# rcpts FROM TO - the RCPT TO addresses of the list Postfix was asked
# between lines FROM and TO of its log, sorted
rcpts() {
	sed -n "$(($1 + 1)),${2}s/.*smtpd\[[0-9]*\]: < [^[]*\[[0-9.]*\]: RCPT TO:<\([^>]*\)>.*/\1/p" "$SMTP_LOG" |
	    tr -d '\r' | tr '[:upper:]' '[:lower:]' | grep -Fxf <(cut -d, -f2 "$IN" | tr '[:upper:]' '[:lower:]') | sort
}
# settled - wait (up to 10 s) until Postfix has logged the end of every
# connection it logged the start of, then give its log line count
settled() {
	local end=$((SECONDS + 10))
	while [ "$(grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG")" != \
	    "$(grep -c 'smtpd\[[0-9]*\]: disconnect from' "$SMTP_LOG")" ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	sleep 0.3
	wc -l <"$SMTP_LOG"
}
mark0=$(settled)
(cd "$T/one" && "$LISTSCRUB" "${RUN[@]}" "${OUTS[@]}" "$IN") >"$T/one.out" 2>"$T/one.err"
one_rc=$?
is "$one_rc" 0 "one process: exit status 0"
mark1=$(settled)
# no source map here: a server's reply may name the client's address (the
# policy host's does), and the one-process run probes from 127.0.0.1
out=$(cd "$T/merged" && "$SCRUB" --shards 3 --at-once 2 \
    --workdir "$T/wd.real" --wait "$IN" -- "${RUN[@]}" "${OUTS[@]}" 2>"$T/real.err")
is "$?" "$one_rc" "3 shards, 2 at once, and the merge: the same exit status"
[ "$one_rc" = 0 ] || diag "$(cat "$T/one.err")"
ok "three parts in the work dir" test -s "$T/wd.real/shard-0-of-3.part" -a \
    -s "$T/wd.real/shard-1-of-3.part" -a -s "$T/wd.real/shard-2-of-3.part"
for f in cleaned.csv rejected.csv review.csv summary.json report.html list.xlsx; do
	ok "merged $f is byte for byte the one-process run's" cmp "$T/one/$f" "$T/merged/$f" ||
	    diag "$(diff "$T/one/$f" "$T/merged/$f" | head -8)"
done
ok "merged --split files are byte for byte the one-process run's" diff -r "$T/one/split" "$T/merged/split"
mark2=$(settled)
one_asked=$(rcpts "$mark0" "$mark1")
ok "the one-process run asked Postfix about the list ($(printf '%s\n' "$one_asked" | grep -c .) RCPTs)" \
    test -n "$one_asked"
is "$(rcpts "$mark1" "$mark2")" "$one_asked" \
    "the shards together asked Postfix the same RCPTs as the one-process run, each once"
is "$(grep -c 'shard [0-2] of 3\|task [0-2] of 3' "$T"/wd.real/shard-*.log | grep -c ':1$')" 3 \
    "each of the three shard tasks ran once"
# a lost part, as README.slurm says to handle it: the merge stops and names
# it; that one shard again (--array=1 with LISTSCRUB_SHARDS), then the merge
mv "$T/wd.real/shard-1-of-3.part" "$T/shard-1.lost"
mkdir -p "$T/again"
export LISTSCRUB_SHARDS=3 LISTSCRUB_WORKDIR=$T/wd.real
j=$(cd "$T/again" && sbatch --parsable -o "$T/again/merge1.log" \
    "$srcdir/contrib/shard/listscrub.sbatch" --merge "$IN" "${RUN[@]}" "${OUTS[@]}")
is "$(slurm_wait_job "$j" 120)|$(grep -c 'shard-1-of-3\.part\|shard 1 of 3' "$T/again/merge1.log")" \
    "FAILED 2:0|1" "a part lost: the merge job fails (status 2) and names it"
a=$(cd "$T/again" && sbatch --parsable --array=1 -o "$T/again/shard-%a.log" \
    "$srcdir/contrib/shard/listscrub.sbatch" "$IN" "${RUN[@]}")
j=$(cd "$T/again" && sbatch --parsable --dependency=afterok:"$a" -o "$T/again/merge2.log" \
    "$srcdir/contrib/shard/listscrub.sbatch" --merge "$IN" "${RUN[@]}" "${OUTS[@]}")
st=$(slurm_wait_job "$j" 120)
unset LISTSCRUB_SHARDS LISTSCRUB_WORKDIR
bad=
for f in cleaned.csv rejected.csv review.csv summary.json report.html list.xlsx; do
	cmp -s "$T/one/$f" "$T/again/$f" || bad="$bad $f"
done
is "$st|$bad" "COMPLETED 0:0|" \
    "shard 1 run again alone, merged again: every output byte for byte the one-process run's"

# the split is real: the addresses probed, by part (sqlite3, the CLI
# tests/e2e/t_cache.sh uses too)
per=
for i in 0 1 2; do
	per="$per $(sqlite3 "$T/wd.real/shard-$i-of-3.part" 'SELECT count(*) FROM addresses' 2>/dev/null || echo '?')"
done
ok "the probing was split: two shards or more probed addresses (per shard:$per)" \
    test "$(printf '%s\n' $per | grep -c '^[1-9]')" -ge 2
