#!/bin/bash
# smtp.sh - the SMTP-stage benchmark in the loopback mail world
# (tests/smtp: a private Postfix, the NSD of tests/dns).
#
#   contrib/bench/smtp.sh [DOMAINS] [PER_DOMAIN]    (default 200 100)
#
# DOMAINS x PER_DOMAIN known addresses (20,000 by default) at domains whose
# MX is the NORMAL Postfix listener (defaults: Postfix's error limits and
# all). Two runs, each counting Postfix's own "connect from" lines:
#   1. listscrub --probe with the default settings;
#   2. one address per session, the way peer tools work:
#      --rcpt-per-transaction 1 --rcpt-per-connection 1 (and --host-rate
#      lifted so politeness does not dominate; --per-host stays 2).
# Rates are RCPT replies per second of the SMTP stage (summary JSON).
# Goals: run 1 >= 30 x run 2, >= 1,000 RCPT/s, connections <= addresses/40.
# Needs root (Postfix), nsd, postfix, postgrey (contrib/install-deps).
set -u

domains=${1:-200}
per=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
export srcdir
: "${LISTSCRUB:=${top_builddir:-$srcdir}/validator/listscrub}"
die() { echo "smtp.sh: $*" >&2; exit 2; }
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-smtpbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The benchmark's domains: d000.benchmail ... all MX mx.normal.mail.
{
	echo '$ORIGIN benchmail.'
	echo '$TTL 300'
	echo '@ SOA ns.benchmail. hostmaster.benchmail. 1 3600 600 86400 60'
	echo '@ NS ns.benchmail.'
	echo 'ns A 127.0.0.53'
	for i in $(seq -f '%03g' 0 $((domains - 1))); do
		echo "d$i MX 10 mx.normal.mail."
	done
} >"$tmp/benchmail.zone"
SMTP_EXTRA_DOMAINS=$(for i in $(seq -f '%03g' 0 $((domains - 1))); do printf 'd%s.benchmail ' "$i"; done)
export SMTP_EXTRA_DOMAINS
awk -v n="$domains" -v p="$per" 'BEGIN { for (d = 0; d < n; d++) for (u = 0; u < p; u++)
	printf "user%03d@d%03d.benchmail\tx\n", u, d }' >"$tmp/users"
SMTP_EXTRA_USERS=$tmp/users
export SMTP_EXTRA_USERS
awk -v n="$domains" -v p="$per" 'BEGIN { print "First,Email"
	for (u = 0; u < p; u++) for (d = 0; d < n; d++)
		printf "u%d,user%03d@d%03d.benchmail\n", u, u, d }' >"$tmp/list.csv"
addrs=$((domains * per))

SMTP_DIALOGUE_LOG=0 smtp_start >/dev/null || die "cannot start Postfix (root? contrib/install-deps?)"
dns_start "$SMTP_ZONE" "$tmp/benchmail.zone" >/dev/null || die "cannot start NSD"
echo "mail world up: Postfix on 127.0.2.1:$SMTP_PORT, NSD on $DNS_ADDR; $addrs addresses over $domains domains"

connects() { grep -c 'smtpd\[[0-9]*\]: connect from' "$SMTP_LOG"; }
json() { tr -d '\n' <"$1" | grep -o "\"smtp\": {.*" | grep -o "\"$2\": *[0-9.]*" | head -1 | sed 's/.*: *//'; }

run() { # NAME ARGS...
	local name=$1 before after
	shift
	before=$(connects)
	"$LISTSCRUB" -q --no-progress --no-cache --dns-server "$DNS_ADDR" --allow-reserved --probe \
	    --helo probe.listscrub.test --mail-from lists@sender.test --smtp-port "$SMTP_PORT" \
	    --tls off -o "$tmp/$name.c.csv" -r "$tmp/$name.r.csv" --summary "$tmp/$name.json" \
	    "$@" "$tmp/list.csv" || die "listscrub failed ($name)"
	smtp_wait_log 'disconnect from' 5
	sleep 1
	after=$(connects)
	eval "${name}_conn=$((after - before))"
	eval "${name}_secs=$(json "$tmp/$name.json" seconds)"
	eval "${name}_rcpts=$(json "$tmp/$name.json" rcpts)"
	eval "${name}_ok=$(grep -c ',mailbox_ok,' "$tmp/$name.c.csv")"
}

run batched
echo "  default: rcpts=$batched_rcpts seconds=$batched_secs connections=$batched_conn mailbox_ok=$batched_ok"
run single --rcpt-per-transaction 1 --rcpt-per-connection 1 --host-rate 100000
echo "  one per session: rcpts=$single_rcpts seconds=$single_secs connections=$single_conn mailbox_ok=$single_ok"

awk -v a="$addrs" -v br="$batched_rcpts" -v bs="$batched_secs" -v bc="$batched_conn" \
    -v sr="$single_rcpts" -v ss="$single_secs" -v sc="$single_conn" '
BEGIN {
	brate = bs > 0 ? br / bs : 0; srate = ss > 0 ? sr / ss : 0
	ratio = srate > 0 ? brate / srate : 0
	printf "\nresults (%d addresses; TLS off in both runs)\n", a
	printf "  default settings      %8.0f RCPT/s  %6d connections\n", brate, bc
	printf "  one per session       %8.0f RCPT/s  %6d connections\n", srate, sc
	printf "  speed-up              %8.1f x     (goal >= 30)\n", ratio
	printf "  connections / addresses  1/%.0f    (goal <= 1/40)\n", (bc > 0 ? a / bc : 0)
	# The same sessions at internet round-trip times: a batch costs about
	# 3 RTT (MAIL+RCPTs pipelined, RSET), a session 4 RTT + 1 per batch.
	for (i = 0; i < 2; i++) {
		rtt = i ? 0.1 : 0.03
		b = 50 / (3 * rtt) * 2
		s = 1 / (6 * rtt) * 2
		printf "  model at %3.0f ms RTT, 2 connections: batched ~%.0f RCPT/s, one per session ~%.0f RCPT/s\n", \
		    rtt * 1000, b, s
	}
	p = ratio >= 30 && brate >= 1000 && bc * 40 <= a
	printf "\nsmtp: %s\n", p ? "PASS" : "FAIL"
	exit p ? 0 : 1
}'
