#!/bin/bash
# providers.sh - lists/providers.tsv's probe rules measured in the loopback
# mail world of tests/smtp (a private Postfix, the fault server, the NSD of
# tests/dns), with the provider MX names of tests/smtp/providers:
#
#   contrib/bench/providers.sh [PER_DOMAIN]      (default 20)
#
# PER_DOMAIN addresses at each of three provider domains:
#   yahoo.provmail    MX mta5.am0.yahoodns.net  -> Postfix's catch-all
#                     listener, every local part accepted; rule accept_all:
#                     no address RCPT'd, no connection at all
#   hotmail.provmail  MX hotmail-com.olc.protection.outlook.com -> Postfix's
#                     RCPTCAP listener (every other address known, the rest
#                     550 5.1.1; 452 4.5.3 to a second RCPT in one
#                     transaction, as Outlook.com answers); rule
#                     max_rcpt_per_conn=1: never provoked
#   gmail.provmail    MX gmail-smtp-in.l.google.com -> the fault server's
#                     throttle listener (450 4.2.1 to the first RCPT of each
#                     address, 250 after); rule throttle_codes: asked again,
#                     never judged on the 450
# One listscrub --probe run with the default settings (but --retry-delay 0,
# so the throttled addresses are asked again at once). Then, per mail host:
# its provider and rule (from lists/providers.tsv), connections and RCPT
# commands as the servers logged them (Postfix's own log, per smtpd
# session; the fault server's log, per connection), the most RCPTs in one
# session, the addresses' outcomes (the output files, by scrub_mx), and the
# check against the rule. Exit 0 only when every check passes.
# LISTS=DIR probes with DIR's tables (--lists-dir DIR) instead of
# lists/ (the checks stay those of lists/providers.tsv's rules): with the
# rules taken out of DIR/providers.tsv they must fail (how to see that
# they can).
# Needs root (Postfix), nsd, postfix, postgrey, cc, python3, bc
# (contrib/install-deps).
set -u
lists=${LISTS:-}

per=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
export srcdir
: "${LISTSCRUB:=${top_builddir:-$srcdir}/validator/listscrub}"
die() { echo "providers.sh: $*" >&2; exit 2; }
[ -x "$LISTSCRUB" ] || die "$LISTSCRUB not found: build first"
case $per in '' | *[!0-9]*) die "PER_DOMAIN must be a number" ;; esac
[ "$per" -ge 1 ] || die "PER_DOMAIN must be at least 1"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-provbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The list, and the hotmail.provmail mailboxes Postfix knows (odd numbers).
{
	echo 'Name,Email'
	for d in yahoo hotmail gmail; do
		for i in $(seq "$per"); do echo "$d$i,u$i@$d.provmail"; done
	done
} >"$tmp/list.csv"
# yahoo.provmail accepts every local part ("@domain" entry), as Yahoo does.
{
	for i in $(seq 1 2 "$per"); do printf 'u%s@hotmail.provmail\tx\n' "$i"; done
	printf '@yahoo.provmail\tx\n'
} >"$tmp/users"
SMTP_EXTRA_DOMAINS="yahoo.provmail hotmail.provmail"
SMTP_EXTRA_USERS=$tmp/users
export SMTP_EXTRA_DOMAINS SMTP_EXTRA_USERS

smtp_start >/dev/null || die "cannot start Postfix (root? contrib/install-deps?)"
smtp_fault_start throttle >/dev/null || die "cannot start the fault server"
dns_start "$SMTP_ZONE" "$srcdir/tests/smtp/providers" >/dev/null || die "cannot start NSD"
echo "mail world up: Postfix and the fault server on 127.0.2.N:$SMTP_PORT, NSD on $DNS_ADDR;" \
    "$((3 * per)) addresses at 3 provider domains"

pmark=$(wc -l <"$SMTP_LOG")
fmark=$(wc -l <"$FAULT_LOG")
start=$(date +%s.%N)
"$LISTSCRUB" -q --no-progress --no-cache --dns-server "$DNS_ADDR" --allow-reserved --probe \
    --helo probe.listscrub.test --mail-from lists@sender.test --smtp-port "$SMTP_PORT" \
    ${lists:+--lists-dir "$lists"} --retry-delay 0 -o "$tmp/c.csv" -r "$tmp/r.csv" --summary "$tmp/s.json" \
    "$tmp/list.csv" || die "listscrub failed"
end=$(date +%s.%N)
# Postfix logs through postlogd, a little after the fact.
sleep 1
smtp_wait_log 'disconnect from' 5 || :

# sessions HOST - one line per session at a host: "CONN RCPTS 452S".
# Postfix (mx.rcptcap.mail, mx.catchall.mail): an smtpd session runs from
# "connect from" to "disconnect from"; its listener is the name in its 220
# banner (Postfix does not log the local address); its RCPTs are the
# dialogue log's "< ...: RCPT TO:" lines, its 452S the "> ...: 452 4.5.3"
# replies (a second recipient refused). The fault server: per connection.
sessions() {
	case $1 in
	fault)
		tail -n +"$((fmark + 1))" "$FAULT_LOG" | awk '
			$1 == "throttle" && $3 == "accept" { n[$2] = 0; order[++k] = $2 }
			$1 == "throttle" && $3 == "<" && toupper($4 " " $5) ~ /^RCPT TO:/ { n[$2]++ }
			END { for (i = 1; i <= k; i++) print order[i], n[order[i]], 0 }'
		;;
	*)
		tail -n +"$((pmark + 1))" "$SMTP_LOG" | awk -v host="$1" '
			match($0, /smtpd\[[0-9]+\]/) {
				pid = substr($0, RSTART, RLENGTH)
				if ($0 ~ /: connect from /) { on[pid] = 1; h[pid] = ""; n[pid] = c[pid] = 0 }
				else if ($0 ~ /> [^ ]*: 220 [^ ]+ ESMTP/) {
					sub(/.*> [^ ]*: 220 /, ""); sub(/ .*/, ""); h[pid] = $0
				} else if (toupper($0) ~ /< [^ ]*: RCPT TO:/) n[pid]++
				else if ($0 ~ /> [^ ]*: 452 4\.5\.3/) c[pid]++
				else if ($0 ~ /: disconnect from / && on[pid]) {
					if (h[pid] == host) print ++k, n[pid], c[pid]
					on[pid] = 0
				}
			}'
		;;
	esac
}
# outcomes MX - the addresses' status/sub_status counts at mail host MX,
# from the output files (scrub_mx), "status/sub N, ..."
outcomes() {
	python3 - "$1" "$tmp/c.csv" "$tmp/r.csv" <<'PY'
import collections, csv, sys
n = collections.Counter()
for f in sys.argv[2:]:
    for row in csv.DictReader(open(f, newline='', encoding='utf-8')):
        if row['scrub_mx'] == sys.argv[1]:
            n[row['scrub_status'] + '/' + row['scrub_sub_status']] += 1
print(', '.join('%s %d' % (k, v) for k, v in sorted(n.items())))
PY
}
# provider MX DIR - the row of DIR/providers.tsv whose pattern matches MX
# (longest wins): "provider<TAB>rules"
provider() {
	awk -F'\t' -v mx="$1" '
		/^#/ || NF != 4 { next }
		{
			p = $1; ok = 0
			if (substr(p, 1, 1) == ".") ok = length(mx) > length(p) && substr(mx, length(mx) - length(p) + 1) == p
			else ok = mx == p || (length(mx) > length(p) && substr(mx, length(mx) - length(p)) == "." p)
			if (ok && length(p) > best) { best = length(p); out = $2 "\t" $3 }
		}
		END { print out }' "$2/providers.tsv"
}
json() { tr -d '\n' <"$tmp/s.json" | grep -o "\"$1\": *[0-9.]*" | head -1 | sed 's/.*: *//'; }

fails=0
printf '\n%-40s %-12s %-38s %5s %5s %7s  %s\n' "mail host" provider rule conns RCPTs "max/ses" outcomes
for h in "mta5.am0.yahoodns.net mx.catchall.mail" \
    "hotmail-com.olc.protection.outlook.com mx.rcptcap.mail" \
    "gmail-smtp-in.l.google.com fault"; do
	set -- $h
	mx=$1 server=$2
	# the check: the shipped table's rule; the run: the table used
	IFS=$'\t' read -r prov rules < <(provider "$mx" "$srcdir/lists")
	IFS=$'\t' read -r _ used < <(provider "$mx" "${lists:-$srcdir/lists}")
	sessions "$server" >"$tmp/sess"
	conns=$(wc -l <"$tmp/sess")
	rcpts=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/sess")
	maxr=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$tmp/sess")
	cap=$(awk '{ s += $3 } END { print s + 0 }' "$tmp/sess")
	out=$(outcomes "$mx")
	printf '%-40s %-12s %-38s %5d %5d %7d  %s\n' "$mx" "$prov" "$used" "$conns" "$rcpts" "$maxr" "$out"
	check= ok=1
	case $rules in
	*accept_all*)
		[ "$conns" -eq 0 ] && [ "$rcpts" -eq 0 ] || ok=0
		n=$(grep -c "catch_all/provider_accepts_all $per\$" <<<"$out")
		[ "$n" -eq 1 ] || ok=0
		check="accept_all: 0 connections and 0 RCPTs wanted; all $per addresses catch_all/provider_accepts_all" ;;
	*max_rcpt_per_conn=*)
		lim=${rules#*max_rcpt_per_conn=}
		lim=${lim%%;*}
		[ "$maxr" -le "$lim" ] && [ "$conns" -gt 0 ] && [ "$cap" -eq 0 ] || ok=0
		# every address answered: the known ones valid, the others invalid
		want="invalid/mailbox_not_found $((per / 2)), valid/mailbox_ok $(((per + 1) / 2))"
		[ "$out" = "$want" ] || ok=0
		check="max_rcpt_per_conn=$lim: at most $lim RCPT per session wanted (got $maxr), $cap '452 4.5.3' provoked; every address answered ($want)" ;;
	*throttle_codes=*)
		thr=$(json provider_throttled)
		# no address may end on the 450: each was asked again (>= 2 RCPTs)
		per_addr=$(tail -n +"$((fmark + 1))" "$FAULT_LOG" | grep -o 'RCPT TO:<u[0-9]*@gmail.provmail>' | sort | uniq -c |
		    awk '$1 < 2 { bad++ } END { print bad + 0 }')
		judged=$(grep -c 'unknown/' <<<"$out")
		[ "$per_addr" -eq 0 ] && [ "$judged" -eq 0 ] && [ "${thr:-0}" -ge "$per" ] || ok=0
		check="throttle_codes: every address asked again after 450 4.2.1 ($per_addr asked only once), none left unknown ($judged), $thr throttling replies counted" ;;
	*) check="no rule" ;;
	esac
	if [ $ok = 1 ]; then echo "    PASS  $check"; else echo "    FAIL  $check"; fails=$((fails + 1)); fi
done
printf '\nlistscrub: %.1f s wall; summary: %s connections, %s RCPT replies, %s not asked (accept_all), %s throttling replies asked again\n' \
    "$(echo "$end - $start" | bc)" "$(json connections)" "$(json rcpts)" "$(json provider_not_asked)" "$(json provider_throttled)"
[ $fails = 0 ] && echo "all rules kept" || echo "$fails rule(s) broken"
[ $fails = 0 ]
