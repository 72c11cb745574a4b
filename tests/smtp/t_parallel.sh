#!/bin/bash
# t_parallel.sh - contrib/shard/parallel-scrub in the loopback mail world
# (tests/smtp/lib.sh, the NSD of tests/dns): four shards run by GNU
# Parallel, shard I bound to source address 127.0.0.(31+I), then listscrub
# merge. Every output (cleaned, rejected, review, summary, xlsx, report,
# split) is byte-identical to a one-process run with the same options
# (--no-cache --now T); in Postfix's log each mail host was greeted from
# one source address only, and more than one source was used; a shard that
# fails (a source address that is not this host's, a shard killed) makes the
# recipe fail with nothing merged or written, a stale part in --work never
# standing in for it. The -S (ssh) variant logs in to a private sshd on
# loopback (tests/ssh/lib.sh), one address per "machine", when rsync, which
# parallel's --transferfile/--return use, is installed.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"
. "$srcdir/tests/ssh/lib.sh"

dns_require
smtp_require
# GNU Parallel: installed by contrib/install-deps, so under CI its absence
# is a broken setup, as for the servers
if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	why="GNU Parallel not installed (the parallel package; run contrib/install-deps)"
	if [ "${SMTP_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; }; then
		echo "Bail out! $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
fi
# listscrub merge and --shard (validator/README "Across machines")
if ! "$LISTSCRUB" --help 2>&1 | grep -q -- '--shard'; then
	echo "1..0 # SKIP this listscrub has no --shard / listscrub merge yet"
	exit 0
fi
plan 41

RECIPE=$srcdir/contrib/shard/parallel-scrub
smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

NOW=2026-11-30T08:00:00Z
OPTS=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20 --retry-delay 1 --no-cache --no-preflight --now "$NOW")
SRC=127.0.0.31,127.0.0.32,127.0.0.33,127.0.0.34
loglines() { wc -l <"$SMTP_LOG"; }
# pairs FROM - "HOST CLIENT-IP" for every connection Postfix greeted after
# line FROM of its log (its banner line "> unknown[IP]: 220 mx.X.mail ESMTP")
pairs() {
	tail -n +"$(($1 + 1))" "$SMTP_LOG" | sed -n 's/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]:[0-9]*: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p;
	    s/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p' | tr -d '\r'
}
# connects FROM - the client address of every connection after line FROM
connects() {
	tail -n +"$(($1 + 1))" "$SMTP_LOG" | sed -n 's/.*smtpd\[[0-9]*\]: connect from [^[]*\[\([0-9.]*\)\].*/\1/p'
}
# outs - O: every output option; each run writes into $T/out (the outputs
# name one another's paths, so the runs compared use the same ones), and
# keep NAME moves them to $T/NAME
FILES="cleaned.csv rejected.csv review.csv summary.json book.xlsx report.html"
outs() {
	rm -rf "$T/out"
	mkdir -p "$T/out"
	O=(-o "$T/out/cleaned.csv" -r "$T/out/rejected.csv"
	    --review "$T/out/review.csv" --summary "$T/out/summary.json"
	    --xlsx "$T/out/book.xlsx" --report "$T/out/report.html" --split "$T/out/split")
}
keep() {
	rm -rf "${T:?}/$1"
	mv "$T/out" "$T/$1"
}
# no_outputs - nothing was written into $T/out
no_outputs() {
	[ -d "$T/out" ] && [ -z "$(ls -A "$T/out")" ]
}
# recipe ARGS... - run the recipe; RC, ERR (its stderr)
recipe() {
	mkdir -p "$T/rtmp"
	# shellcheck disable=SC2086
	TMPDIR=$T/rtmp LISTSCRUB=${RECIPE_LISTSCRUB:-$LISTSCRUB} timeout 300 \
	    env ${RECIPE_ENV:-} sh "$RECIPE" "$@" \
	    >"$T/.recipe.out" 2>"$T/.recipe.err"
	RC=$?
	ERR=$(cat "$T/.recipe.err")
}

# The list: several mail hosts (Postfix listeners of tests/smtp), with the
# verdicts the stages give (mailbox found, not found, full, disabled, role,
# catch-all, STARTTLS required, broken TLS, refused connection), and rows
# the DNS stage or the syntax decides (NXDOMAIN, bad syntax, duplicates).
# Not grey.mail: postgrey remembers client subnet, sender and recipient
# from one run to the next, so the second run would not be greylisted (and
# the counters differ); not policy.mail: its 554 reply names the client address, which
# differs with the source; not fallback.mail: its second MX is normal.mail's
# listener, reached from fallback.mail's shard.
F=$T/list.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'Alice,alice@normal.mail' 'Nobody,nosuchuser@normal.mail' \
	    'Post,postmaster@normal.mail' 'Full,full@normal.mail' \
	    'Disabled,disabled@normal.mail' 'Bob,bob@shared1.mail' \
	    'Alice2,alice@shared2.mail' 'Nobody2,nobody@shared3.mail' \
	    'Any,whoever@catchall.mail' 'Any2,alice@catchall.mail' \
	    'TLS,alice@tlsreq.mail' 'TLS2,nosuchuser@tlsreq.mail' \
	    'Broken,alice@tlsbroken.mail' 'Dead,alice@dead.mail' \
	    'Gone,alice@nothere.mail' 'Bad,not an address' 'Dup,ALICE@Normal.Mail' \
	    'Dup2,alice@normal.mail' '"Quoted, Name",bob@normal.mail'
} >"$F"

# ---------------------------------------------------------------- one process
outs
run_scrub -q --no-progress "${O[@]}" "${OPTS[@]}" "$F"
keep one
ONE_RC=$SCRUB_RC
like "$ONE_RC" '^[03]$' "one process: completed ($ONE_RC)"
[ "$ONE_RC" = 0 ] || [ "$ONE_RC" = 3 ] || diag "$SCRUB_ERR"

# ---------------------------------------------------------------- four shards
smtp_wait_log 'disconnect from' 5
sleep 0.5
from=$(loglines)
W=$T/work
outs
recipe -j 4 --source "$SRC" --work "$W" -- -q --no-progress "${O[@]}" "${OPTS[@]}" "$F"
keep par
is "$RC" "$ONE_RC" "four shards + merge: the one-process run's exit status"
[ "$RC" = "$ONE_RC" ] || diag "$ERR"
for f in $FILES; do
	ok "four shards + merge: $f byte-identical to the one-process run" \
	    cmp "$T/one/$f" "$T/par/$f"
done
ok "four shards + merge: --split files byte-identical" diff -r "$T/one/split" "$T/par/split"
ok "four shards + merge: --split wrote files" eval 'test -n "$(ls "$T/par/split")"'
ok "four shards + merge: the cleaned list has rows" test "$(count_rows "$T/par/cleaned.csv")" -gt 1
is "$(cd "$W" && printf '%s ' *.part)" \
    "shard-0-of-4.part shard-1-of-4.part shard-2-of-4.part shard-3-of-4.part " \
    "--work: the four parts are kept there"

smtp_wait_log 'disconnect from unknown\[127\.0\.0\.3[1-4]\]' 5
sleep 0.5
P=$(pairs "$from")
C=$(connects "$from")
ok "log: the shards made connections ($(printf '%s\n' "$C" | grep -c .))" \
    test "$(printf '%s\n' "$C" | grep -c .)" -ge 5
is "$(printf '%s\n' "$C" | grep -vc '^127\.0\.0\.3[1-4]$')" 0 \
    "log: every connection came from one of the shards' sources"
is "$(printf '%s\n' "$P" | awk 'NF == 2 { print $1 }' | sort -u | tr '\n' ' ')" \
    "mx.catchall.mail mx.normal.mail mx.tlsbroken.mail mx.tlsreq.mail " \
    "log: every listening mail host was greeted"
is "$(printf '%s\n' "$P" | sort -u | awk '{ n[$1]++ } END { for (h in n) if (n[h] > 1) print h }')" "" \
    "log: each mail host was reached from one source address only"
n=$(printf '%s\n' "$P" | awk 'NF == 2 { print $2 }' | sort -u | grep -c .)
ok "log: more than one source address was used ($n)" test "$n" -gt 1
diag "host -> source: $(printf '%s\n' "$P" | sort -u | tr '\n' ' ')"

# the merge alone, from the kept parts again (no network: the same outputs)
outs
"$LISTSCRUB" merge -q --no-progress "${O[@]}" "${OPTS[@]}" "$F" "$W"/shard-*-of-4.part \
    2>"$T/again.err"
is "$?" "$ONE_RC" "merge from the kept parts again: same exit status"
keep again
bad=
for f in $FILES; do cmp -s "$T/one/$f" "$T/again/$f" || bad="$bad $f"; done
is "$bad" "" "merge again: every output byte-identical"
"$LISTSCRUB" merge -q --no-progress -o "$T/gap.cleaned.csv" -r "$T/gap.rejected.csv" \
    "${OPTS[@]}" "$F" "$W"/shard-[012]-of-4.part 2>"$T/gap.err"
is "$?" 2 "merge with shard 3 missing: exit status 2"
like "$(cat "$T/gap.err")" 'shard 3 of 4 is missing' "merge with a gap: says which shard"
ok "merge with a gap: nothing written" eval '! test -e "$T/gap.cleaned.csv" && ! test -e "$T/gap.rejected.csv"'

# ---------------------------------------------------------------- a failing shard
# 192.0.2.1 is not an address of this host: shard 2 fails at once (usage
# error), GNU Parallel stops the others; the parts of the good run still in
# --work must not be merged in its place.
outs
recipe -j 4 --source 127.0.0.31,127.0.0.32,192.0.2.1,127.0.0.34 --work "$W" -- \
    -q --no-progress "${O[@]}" "${OPTS[@]}" "$F"
is "$RC" 2 "a shard with a foreign source address: the recipe exits 2 (the shard's status)"
like "$ERR" '192\.0\.2\.1 is not an address of this host' "foreign source: listscrub's message is shown"
like "$ERR" 'parallel-scrub: a shard failed .*nothing merged' "foreign source: the recipe says nothing was merged"
ok "foreign source: no output written" no_outputs
is "$(find "$W" -name '*.part' | grep -c .)" 0 "foreign source: no part of the earlier run left to merge"

# a shard killed (SIGKILL) while the others run: the recipe fails with its
# status, the others are stopped, nothing written
cat >"$T/killer" <<EOF
#!/bin/sh
case " \$* " in
*" --shard 1/4 "*) kill -KILL \$\$ ;;
esac
exec "$LISTSCRUB" "\$@"
EOF
chmod +x "$T/killer"
outs
RECIPE_LISTSCRUB=$T/killer recipe -j 4 --source "$SRC" -- -q --no-progress "${O[@]}" "${OPTS[@]}" "$F"
is "$RC" 137 "shard 1 killed by SIGKILL: the recipe exits 137"
ok "shard killed: no output written" no_outputs
ok "shard killed: the temp work dir is removed" \
    eval '! ls -d "$T/rtmp"/parallel-scrub.* 2>/dev/null | grep -q .'

# ---------------------------------------------------------------- a degraded run
# policy.mail refuses the client at every RCPT: most addresses asked are
# policy_blocked, so the shard that owns mx.policy.mail ends with status 3,
# which is a completed shard (its part is merged), and the merge, degraded
# too, gives the recipe's status 3
G=$T/policy.csv
{
	printf '%s\n' Email alice@normal.mail
	for u in a b c d e f; do printf '%s@policy.mail\n' "$u"; done
} >"$G"
outs
recipe -j 4 --source "$SRC" -- -q --no-progress "${O[@]}" "${OPTS[@]}" "$G"
is "$RC" 3 "policy-blocked shard: the recipe exits 3 (degraded), not as a failed shard"
[ "$RC" = 3 ] || diag "$ERR"
ok "degraded: the outputs were written" test -s "$T/out/cleaned.csv" -a -s "$T/out/summary.json"
like "$ERR" 'listscrub: DEGRADED:' "degraded: said so"

# ---------------------------------------------------------------- usage errors
recipe -j 3 --source "$SRC" -- "${OPTS[@]}" "$F"
is "$RC|$(printf '%s' "$ERR" | grep -c 'has 4 addresses for 3 shards')" "2|1" \
    "-j 3 with four sources: usage error, said so"
recipe -j 2 -- "${OPTS[@]}" --source-address 127.0.0.31 "$F"
is "$RC|$(printf '%s' "$ERR" | grep -c 'use parallel-scrub --source')" "2|1" \
    "--source-address among listscrub's options: usage error"
recipe -j 2 -- "${OPTS[@]}" - <"$F"
is "$RC|$(printf '%s' "$ERR" | grep -c 'give a file name last')" "2|1" \
    "standard input as INPUT: usage error"

# ---------------------------------------------------------------- -S (ssh)
# Four logins to a private sshd (tests/ssh/lib.sh) listening on
# 127.0.0.41-44, h0-h3 in its client config: each "machine" is one of
# those addresses, and its shard's source address the one given for it.
# The remote listscrub is a wrapper that notes through which address it
# was logged in ($SSH_CONNECTION) and which shard it ran. Where the server
# cannot run, these 5 tests are skipped with the reason.
why=
command -v rsync >/dev/null 2>&1 ||
    why="rsync not installed (GNU Parallel's --transferfile/--return use it)"
[ -n "$why" ] || why=$(sshd_require)
if [ -z "$why" ] && ! sshd_start 127.0.0.41 127.0.0.42 127.0.0.43 127.0.0.44 2>"$T/sshd.err"; then
	why="the private sshd cannot run here: $(tr '\n' ' ' <"$T/sshd.err")"
fi
if [ -z "$why" ]; then
	cat >"$T/remote-listscrub" <<EOS
#!/bin/sh
echo "\${SSH_CONNECTION:-no ssh} \$2" >>"$T/remote.log"
exec "$LISTSCRUB" "\$@"
EOS
	chmod +x "$T/remote-listscrub"
	home=$(sshd_home)
	: >"$T/mark"
	from=$(loglines)
	outs
	# without SHELL in the environment, as CI runs: GNU Parallel runs
	# $SHELL on the remote side, which the login there sets
	RECIPE_ENV="-u SHELL" PARALLEL_SSH="ssh -F $SSH_CONFIG" \
	    LISTSCRUB_REMOTE=$T/remote-listscrub recipe -S h0,h1 -S h2,h3 \
	    --source "$SRC" --transfer -- -q --no-progress "${O[@]}" "${OPTS[@]}" "$F"
	is "$RC" "$ONE_RC" "-S four logins: the one-process run's exit status"
	[ "$RC" = "$ONE_RC" ] || diag "$ERR"
	bad=
	keep ssh
	for f in $FILES; do cmp -s "$T/one/$f" "$T/ssh/$f" || bad="$bad $f"; done
	is "$bad" "" "-S: every output byte-identical to the one-process run"
	# SSH_CONNECTION: client address, port, server address, port
	is "$(awk '{ print $3, $5 }' "$T/remote.log" 2>/dev/null | sort | tr '\n' ' ')" \
	    "127.0.0.41 0/4 127.0.0.42 1/4 127.0.0.43 2/4 127.0.0.44 3/4 " \
	    "-S: login I (sshd at 127.0.0.4(1+I)) ran shard I, and only that"
	[ -s "$T/remote.log" ] || diag "sshd's log:" "$(tail -20 "$SSHD_LOG")"
	smtp_wait_log 'disconnect from unknown\[127\.0\.0\.3[1-4]\]' 5
	sleep 0.5
	P2=$(pairs "$from")
	is "$(printf '%s\n' "$P2" | sort -u)" "$(printf '%s\n' "$P" | sort -u)" \
	    "-S: each mail host reached from the same source as with local shards"
	# parallel's --workdir ... is ~/.parallel/tmp/HOST-PID-SEQ there
	is "$(find "$home/.parallel/tmp" -newer "$T/mark" -type f \
	    \( -name "$(basename "$F")" -o -name 'shard-*-of-4.part' \) 2>/dev/null | grep -c .)" 0 \
	    "-S: the transferred input and the parts are cleaned up on the machines"
	sshd_stop
else
	skip 5 "$why"
fi
