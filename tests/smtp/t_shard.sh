#!/bin/bash
# t_shard.sh - --shard I/N, --part and listscrub merge in the loopback mail
# world (tests/smtp/lib.sh, the NSD of tests/dns): a list touching many
# mail hosts scrubbed by one process, then by N shards (each from its own
# --source-address) and a merge, with the same --now: every output file is
# byte for byte the same (cmp); each mail host was greeted from one shard
# only (Postfix's own log); N=1 is one process too; every refusal of the
# merge and the usage errors (validator/README, "Shards and merge").
# Greylisting remembers (sender, recipient, client): each probing run uses
# its own --mail-from, an egress option the merge does not compare, so
# every run meets the greylisting afresh.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 97

smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" "$srcdir/tests/dns/zones/lab.zone" >/dev/null ||
    bail "cannot start the DNS server"

NOW=2026-12-04T10:00:00Z
BASE0=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --smtp-port "$SMTP_PORT" --banner-timeout 2 --command-timeout 20 --connect-timeout 2
    --retry-delay 2 --per-host 1 --no-preflight --now "$NOW" -q --no-progress)
BASE=("${BASE0[@]}" --no-cache)
loglines() { wc -l <"$SMTP_LOG"; }
# pairs FROM - "HOST CLIENT-IP" per connection Postfix greeted after line
# FROM of its log (as t_source.sh reads it)
pairs() {
	tail -n +"$(($1 + 1))" "$SMTP_LOG" | sed -n 's/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]:[0-9]*: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p;
	    s/.*smtpd\[[0-9]*\]: > [^[]*\[\([0-9.]*\)\]: 220 \(mx\.[a-z0-9]*\.mail\) ESMTP.*/\2 \1/p' | tr -d '\r'
}
# outs EXT - every output option, into $T/out (summary.EXT): the text
# summary names the outputs, so every run writes under the same names and
# keep moves them aside
outs() {
	rm -rf "$T/out"
	mkdir -p "$T/out"
	printf '%s\n' -o "$T/out/cleaned.csv" -r "$T/out/rejected.csv" --review "$T/out/review.csv" \
	    --summary "$T/out/summary.$1" --xlsx "$T/out/book.xlsx" --report "$T/out/report.html" \
	    --split "$T/out/split"
}
keep() { rm -rf "$T/$1"; mv "$T/out" "$T/$1"; }
# same A B - every file under A is under B with the same bytes, and the
# other way round
same() {
	local f bad=0
	[ "$(cd "$1" && find . -type f | sort)" = "$(cd "$2" && find . -type f | sort)" ] || {
		diag "files differ: $(cd "$1" && find . -type f | sort | tr '\n' ' ') vs $(cd "$2" && find . -type f | sort | tr '\n' ' ')"
		return 1
	}
	for f in $(cd "$1" && find . -type f | sort); do
		if ! cmp -s "$1/$f" "$2/$f"; then
			diag "$f differs"
			diff <(cat "$1/$f") <(cat "$2/$f") 2>/dev/null | head -6 | cut -c 1-200 | sed 's/^/# /'
			bad=1
		fi
	done
	return $bad
}

F=$T/in.csv
{
	printf '%s\n' 'Email,Name'
	printf '%s\n' alice@normal.mail,a nosuchuser@normal.mail,b full@normal.mail,c
	printf '%s\n' disabled@normal.mail,d tempfull@normal.mail,e postmaster@normal.mail,f
	printf '%s\n' bob@shared1.mail,g alice@shared5.mail,h nobody@shared9.mail,i
	printf '%s\n' whoever@catchall.mail,j alice@grey.mail,k bob@grey.mail,l
	printf '%s\n' alice@tlsreq.mail,m alice@policy.mail,n x@dead.mail,o
	printf '%s\n' someone@nullmx.lab,p someone@nosuchdomain.mail,q someone@mx-multi.lab,ties
	printf '%s\n' not-an-address,r 'a@@b.mail,s' alice@gmial.com,t
	printf '%s\n' alice@normal.mail,dup1 ALICE@Normal.Mail,dup2 bob@grey.mail,dup3
	printf '%s\n' 'broken"quote@normal.mail,"u"x'
	printf '%s\n' carol@normal.mail,v
} >"$F"

# ---------------------------------------------------------------- one process
for ext in json csv txt; do
	run_scrub "${BASE[@]}" --mail-from "one-$ext@sender.test" $(outs $ext) "$F"
	keep "one-$ext"
	is "$SCRUB_RC" 0 "one process ($ext summary): exit status 0"
done
ok "one process: rows went everywhere" test -s "$T/one-json/rejected.csv" -a -s "$T/one-json/cleaned.csv"
like "$(cat "$T/one-json/cleaned.csv" "$T/one-json/rejected.csv" "$T/one-json/review.csv")" \
    'greylisted|mailbox_ok' "one process: the SMTP stage answered"
like "$(cat "$T/one-json/summary.json")" '"started_at": "2026-12-04T10:00:00Z"' \
    "--now: started_at is TIME"
like "$(cat "$T/one-json/summary.json")" '"seconds": 0\.000' "--now: durations read 0"
is "$(cut -d, -f1 "$T/one-json/cleaned.csv" | head -1)" Email "cleaned: the header is there"
like "$(grep -c 2026-12-04T10:00:00Z "$T/one-json/cleaned.csv")" '^[1-9]' \
    "--now: scrub_checked_at is TIME"

# ---------------------------------------------------------------- three shards
# From the one process's address: mx.policy.mail's refusal quotes the
# client's address, and that is the server's answer, not ours.
for i in 0 1 2; do
	run_scrub "${BASE[@]}" --mail-from shards@sender.test --shard "$i/3" --part "$T/p$i.part" "$F"
	is "$SCRUB_RC" 0 "shard $i/3: exit status 0"
done
ok "shards: a part each, no other output" eval 'test -s "$T/p0.part" -a -s "$T/p1.part" -a -s "$T/p2.part" &&
    ! test -e "$T/in-cleaned.csv" && ! test -e "$T/in-rejected.csv" && ! ls "$T"/p*.part.tmp-* >/dev/null 2>&1'
# Again in 4 shards (the hash puts mx.policy, mx.catchall, mx.grey and
# mx.normal in shards 0 to 3: tests/unit/t_shard_owner.c), each from its
# own source address, to see in Postfix's log which shard greeted which
# mail host.
from=$(loglines)
for i in 0 1 2 3; do
	run_scrub "${BASE[@]}" --mail-from shards-src@sender.test --source-address "127.0.0.2$((i + 1))" \
	    --shard "$i/4" --part "$T/s$i.part" "$F"
	is "$SCRUB_RC" 0 "shard $i/4 from 127.0.0.2$((i + 1)): exit status 0"
done
smtp_wait_log 'disconnect from unknown\[127\.0\.0\.2[1234]\]' 5
sleep 1
P=$(pairs "$from" | sort -u)
is "$(printf '%s\n' "$P" | awk 'NF == 2 { print $1 }' | sort -u | tr '\n' ' ')" \
    "mx.catchall.mail mx.grey.mail mx.normal.mail mx.policy.mail mx.tlsreq.mail " \
    "log: every mail host of the list was greeted"
is "$(printf '%s\n' "$P" | awk '{ n[$1]++ } END { for (h in n) if (n[h] > 1) print h }')" "" \
    "log: each mail host was greeted by one shard only"
is "$(printf '%s\n' "$P" | awk '$2 !~ /^127\.0\.0\.2[1234]$/' )" "" \
    "log: every connection came from a shard's source address"
is "$(printf '%s\n' "$P" | awk '{ print $2 }' | sort -u | tr '\n' ' ')" \
    "127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.24 " "log: every one of the 4 shards probed"
run_scrub merge "${BASE[@]}" $(outs json) "$F" "$T/s0.part" "$T/s1.part" "$T/s2.part" "$T/s3.part"
keep m4
is "$SCRUB_RC|$(sed 's/127\.0\.0\.[0-9]*/IP/g' "$T/m4/cleaned.csv" | md5sum)" \
    "0|$(sed 's/127\.0\.0\.[0-9]*/IP/g' "$T/one-json/cleaned.csv" | md5sum)" \
    "merge of 4: the cleaned file of one process, but for the client address mx.policy.mail quotes"
for ext in json csv txt; do
	run_scrub merge "${BASE[@]}" --mail-from "merge@sender.test" $(outs $ext) \
	    "$F" "$T/p2.part" "$T/p0.part" "$T/p1.part"
	keep "m3-$ext"
	is "$SCRUB_RC" 0 "merge of 3 ($ext summary): exit status 0"
	ok "merge of 3 ($ext summary): every output file has the one process's bytes" \
	    same "$T/one-$ext" "$T/m3-$ext"
done
from=$(loglines)
run_scrub merge "${BASE[@]}" --dns-server 127.0.0.1:1 $(outs json) \
    "$F" "$T/p0.part" "$T/p1.part" "$T/p2.part"
keep m3b
is "$SCRUB_RC" 0 "merge with a dead --dns-server: no lookup is made"
ok "merge: the same bytes" same "$T/one-json" "$T/m3b"
sleep 0.3
is "$(tail -n +"$((from + 1))" "$SMTP_LOG" | grep -c 'connect from')" 0 "merge: no connection made"

# ---------------------------------------------------------------- shards with a store
# Shards use their result store as any run: the second round recalls what
# the first learned (only the sender's refusal at mx.policy.mail is asked
# again: such answers are never reused), and its parts still make the
# one process's rows.
for round in 1 2; do
	from=$(loglines)
	for i in 0 1 2; do
		run_scrub "${BASE0[@]}" --cache "$T/st$i.sqlite" --mail-from stored@sender.test \
		    --shard "$i/3" --part "$T/r$round-$i.part" "$F"
		is "$SCRUB_RC" 0 "round $round, shard $i/3 with a store: exit status 0"
	done
done
sleep 0.5
is "$(pairs "$from" | awk '{ print $1 }' | sort -u | tr '\n' ' ')" "mx.policy.mail " \
    "round 2: only the sender's refusal was asked again"
run_scrub merge "${BASE[@]}" $(outs json) "$F" "$T/r2-0.part" "$T/r2-1.part" "$T/r2-2.part"
keep m3s
is "$SCRUB_RC" 0 "merge of the recalled parts: exit status 0"
ok "merge of the recalled parts: the one process's rows, byte for byte" eval '(
    for f in cleaned.csv rejected.csv review.csv split/valid.csv split/invalid.csv; do
	cmp "$T/one-json/$f" "$T/m3s/$f" || exit 1; done)'

# ---------------------------------------------------------------- one shard
run_scrub "${BASE[@]}" --mail-from n1@sender.test --shard 0/1 --part "$T/n1.part" "$F"
is "$SCRUB_RC" 0 "shard 0/1: exit status 0"
run_scrub merge "${BASE[@]}" $(outs json) "$F" "$T/n1.part"
keep m1
is "$SCRUB_RC" 0 "merge of 1: exit status 0"
ok "N=1: one shard and a merge write the one process's bytes" same "$T/one-json" "$T/m1"

# ---------------------------------------------------------------- merge refusals
M=(merge "${BASE[@]}" -o "$T/x.c.csv" -r "$T/x.r.csv")
refused() {	# refused WHAT PATTERN ARGS... - exit 2, one line matching PATTERN
	local what=$1 pat=$2
	shift 2
	rm -f "$T/x.c.csv" "$T/x.r.csv"
	run_scrub "$@"
	is "$SCRUB_RC|$(printf '%s\n' "$SCRUB_ERR" | wc -l)" "2|1" "$what: exit status 2, one line"
	like "$SCRUB_ERR" "$pat" "$what: the message says why"
	ok "$what: no output" eval '! test -e "$T/x.c.csv" && ! test -e "$T/x.r.csv"'
}
refused "no part" 'no part file given' "${M[@]}" "$F"
refused "a part missing" 'shard 1 of 3 is missing' "${M[@]}" "$F" "$T/p0.part" "$T/p2.part"
refused "a shard twice" "parts .*p1\.part and .*p1b\.part are both shard 1 of 3" \
    "${M[@]}" "$F" "$T/p0.part" "$T/p1.part" "$T/p2.part" "$(cp "$T/p1.part" "$T/p1b.part"; echo "$T/p1b.part")"
refused "different N" 'different splits' "${M[@]}" "$F" "$T/p0.part" "$T/p1.part" "$T/p2.part" "$T/n1.part"
cp "$F" "$T/other.csv"; printf '%s\n' zed@normal.mail,w >>"$T/other.csv"
refused "another input" "p0\.part was made from another input than .*other\.csv" \
    "${M[@]}" "$T/other.csv" "$T/p0.part" "$T/p1.part" "$T/p2.part"
refused "other options" "made with other options: --tls differs" \
    "${M[@]}" --tls required "$F" "$T/p0.part" "$T/p1.part" "$T/p2.part"
refused "not a part" 'in\.csv is not a listscrub part' "${M[@]}" "$F" "$F"
# the shards' DNS answers differed: the shard that owns normal.mail's
# host has no answer for its addresses
if python3 -c 'import sqlite3' 2>/dev/null; then
	cp "$T/p2.part" "$T/p2x.part"
	python3 - "$T/p2x.part" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM addresses WHERE addr LIKE '%@normal.mail'")
db.execute("UPDATE meta SET value = (SELECT count(*) FROM addresses) WHERE key = 'rows_addresses'")
db.commit()
PY
	refused "a domain no part probed" 'domain normal\.mail has mail hosts but no part probed it .*run shard 2 of 3 again' \
	    "${M[@]}" "$F" "$T/p0.part" "$T/p1.part" "$T/p2x.part"
else
	skip 3 "no python3 sqlite3 module to alter a part"
fi
head -c "$(($(wc -c <"$T/p1.part") / 2))" "$T/p1.part" >"$T/trunc.part"
refused "a truncated part" 'trunc\.part is (damaged|not a listscrub part)' \
    "${M[@]}" "$F" "$T/p0.part" "$T/trunc.part" "$T/p2.part"

# ---------------------------------------------------------------- faults of a shard
# SIGTERM while the shard probes (a fresh sender meets grey.mail's
# greylisting, and the stage waits --retry-delay for the retry): exit
# 143, and no part, whole or partial, is left behind.
"$LISTSCRUB" "${BASE[@]}" --mail-from term@sender.test --shard 0/1 --part "$T/term.part" \
    "$F" 2>"$T/term.err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM mid-run: exit status 143"
like "$(cat "$T/term.err")" 'interrupted by SIGTERM' "SIGTERM mid-run: said so"
ok "SIGTERM mid-run: no part and no temp file" eval '! test -e "$T/term.part" &&
    ! ls "$T"/term.part.tmp-* >/dev/null 2>&1'
# A full disk under the part: a 16 KiB tmpfs (root only) holds less than
# the part. The shard fails naming the file and leaves nothing there.
mkdir -p "$T/full"
if mount -t tmpfs -o size=16k tmpfs "$T/full" 2>/dev/null; then
	run_scrub "${BASE[@]}" --mail-from full@sender.test --shard 0/1 --part "$T/full/p.part" "$F"
	is "$SCRUB_RC" 1 "part on a full disk: exit status 1"
	like "$SCRUB_ERR" 'full/p\.part' "part on a full disk: the message names the part"
	is "$(ls -A "$T/full")" "" "part on a full disk: nothing left on it"
	umount "$T/full"
else
	skip 3 "cannot mount a tmpfs (not root?)"
fi

# ---------------------------------------------------------------- usage errors
U=("${BASE[@]}" --mail-from u@sender.test)
usage() {	# usage WHAT PATTERN ARGS...
	local what=$1 pat=$2
	shift 2
	run_scrub "$@"
	is "$SCRUB_RC" 2 "$what: exit status 2"
	like "$SCRUB_ERR" "$pat" "$what: said so"
}
usage "--shard 3/3" '--shard takes I/N' "${U[@]}" --shard 3/3 --part "$T/u.part" "$F"
usage "--shard x" '--shard takes I/N' "${U[@]}" --shard x --part "$T/u.part" "$F"
usage "--shard without --part" '--shard needs --part' "${U[@]}" --shard 0/2 "$F"
usage "--part without --shard" '--part is for a shard' "${U[@]}" --part "$T/u.part" "$F"
usage "--shard with --xlsx" 'a shard writes its part; the outputs come from listscrub merge' \
    "${U[@]}" --shard 0/2 --part "$T/u.part" --xlsx "$T/u.xlsx" "$F"
usage "--now 2026-13-01T00:00:00Z" '--now takes' "${U[@]}" --now 2026-13-01T00:00:00Z "$F"
usage "--shard without --probe" '--shard divides the SMTP stage' \
    --dns-server "$DNS_ADDR" --shard 0/2 --part "$T/u.part" "$F"
mkdir -p "$T/x"
cp "$F" "$T/keep.csv"
usage "--part is the input (./x/../in.csv)" '--part .* is the input file' \
    "${U[@]}" --shard 0/2 --part "$T/x/../in.csv" "$F"
ln -s "$F" "$T/link.csv"
usage "--part is the input (a symlink)" '--part .* is the input file' \
    "${U[@]}" --shard 0/2 --part "$T/link.csv" "$F"
usage "--part is the input (read from standard input)" '--part .* is the input file' \
    "${U[@]}" --shard 0/2 --part "$F" - <"$F"
ok "the input is untouched" cmp -s "$F" "$T/keep.csv"
