#!/bin/bash
# t_dns.sh - the DNS stage against a real NSD on loopback (tests/dns):
# one case per rule of RFC 5321 5.1 / RFC 7505, IDN, CNAME at the MX
# target, 40 MX records (TCP), SERVFAIL, a resolver that never answers,
# reserved addresses with and without --allow-reserved, typo suggestions
# that must deliver, and one MX query per unique domain.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

dns_require
plan 54

dns_start lab || bail "cannot start the test DNS server"
dns_dead_server || bail "cannot start the silent resolver"

V=scrub_status,scrub_sub_status
DNS=(--dns-server "$DNS_ADDR" --allow-reserved)

# ---------------------------------------------------------------- one row per rule
F=$T/rules.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,joe@mx-ok.lab'            # 1 MX -> valid
	printf '%s\n' 'b,joe@nullmx.lab'           # 2 MX 0 . -> null_mx
	printf '%s\n' 'c,joe@nx.lab'               # 3 NXDOMAIN
	printf '%s\n' 'd,joe@implicit.lab'         # 4 no MX, A -> implicit
	printf '%s\n' 'e,joe@nomail.lab'           # 5 no MX, no A/AAAA
	printf '%s\n' 'f,joe@mx-dangling.lab'      # 6 MX target missing
	printf '%s\n' 'g,joe@x.broken'             # 7 SERVFAIL
	printf '%s\n' 'h,joe@bücher.lab'           # 8 IDN, zone has the A-label
	printf '%s\n' 'i,joe@mx-cname.lab'         # 9 MX target is a CNAME
	printf '%s\n' 'j,joe@mx40.lab'             # 10 40 MX records: TCP
	printf '%s\n' 'k,joe@implicit6.lab'        # 11 implicit MX over AAAA
	printf '%s\n' 'l,joe@mx-multi.lab'         # 12 preferences
	printf '%s\n' 'm,joe@nullmx-mixed.lab'     # 13 null MX next to a real one
	printf '%s\n' 'n,joe@mx-iplit.lab'         # 14 MX target is an IP
	printf '%s\n' 'o,not-an-address'           # 15 never reaches DNS
	printf '%s\n' 'p,joe@mxbig.lab'            # 16 40 long MX names: TCP
} >"$F"
C=$T/rules.cleaned.csv R=$T/rules.rejected.csv
scrub rules --summary "$T/rules.json" "${DNS[@]}" "$F"
scrub_ok "rules: exit status 0"
ok "rules: every row in exactly one output" rows_partition 16 "$C" "$R"
ok "rules: original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
is "$(look 1 $V,scrub_checked,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|dns|mail.mx-ok.lab" \
    "MX record: valid/domain_ok, checked dns, scrub_mx is the host"
is "$(look 2 $V,scrub_mx "$C" "$R")" "rejected|invalid|null_mx|" "null MX: invalid/null_mx, no host"
is "$(look 3 $V "$C" "$R")" "rejected|invalid|domain_not_found" "NXDOMAIN: invalid/domain_not_found"
is "$(look 4 $V,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|implicit.lab" \
    "no MX but an A record: implicit MX, the domain is the host"
like "$(look 4 scrub_reason "$C" "$R")" "implicit MX" "implicit MX: said in the reason"
is "$(look 5 $V "$C" "$R")" "rejected|invalid|no_mail_host" "no MX, no A/AAAA: invalid/no_mail_host"
is "$(look 6 $V "$C" "$R")" "rejected|invalid|no_mail_host" "MX target that does not resolve: no_mail_host"
is "$(look 7 $V,scrub_action "$C" "$R")" "cleaned|unknown|dns_error|keep" \
    "SERVFAIL: unknown/dns_error, kept (never invalid)"
is "$(look 8 scrub_email,$V "$C" "$R")" "cleaned|joe@xn--bcher-kva.lab|valid|domain_ok" \
    "IDN domain: looked up in A-label form"
is "$(look 9 $V,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|alias.mx-cname.lab" \
    "MX target behind a CNAME: followed"
is "$(look 10 $V,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|h1.mx40.lab" \
    "40 MX records: the lowest preference first"
is "$(look 11 $V,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|implicit6.lab" "implicit MX over AAAA"
like "$(look 12 scrub_mx "$C" "$R")" '^cleaned\|[ab]\.mx-multi\.lab$' \
    "equal preferences: one of the two preferred hosts"
is "$(look 13 $V,scrub_mx "$C" "$R")" "cleaned|valid|domain_ok|mail.mx-ok.lab" \
    "null MX next to a real MX: the real one is used"
is "$(look 14 $V "$C" "$R")" "rejected|invalid|no_mail_host" "an IP address as MX target is not a host"
is "$(look 15 $V,scrub_checked "$C" "$R")" "rejected|invalid|bad_syntax|syntax" \
    "a bad address is not looked up"
dns_json() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
like "$(look 16 $V,scrub_mx "$C" "$R")" '^cleaned\|valid\|domain_ok\|h[0-9]+-x+\.long-mail-exchanger\.mxbig\.lab$' \
    "40 long MX names (over 1232 bytes): answered"
is "$(dns_json "$T/rules.json" domains)" 15 "summary: 15 domains looked up"
is "$(dns_json "$T/rules.json" queries_mx)" 15 "summary: one MX query per domain"
# The server sees one more: c-ares asks again after the SERVFAIL
# (--dns-tries 2), and the truncated mxbig answer is asked again over TCP.
is "$(dns_query_count MX)" 17 "server: 15 MX queries + SERVFAIL retry + TCP retry"
tcp=$(dns_stat num.tcp)
ok "server: the truncated answer came again over TCP ($tcp TCP queries)" test "${tcp:-0}" -ge 1

# ---------------------------------------------------------------- CNAME loops
# A loop is a broken zone, not a negative answer: never invalid.
F=$T/loop.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,joe@mx-cnameloop.lab'     # 1 the MX host's name loops
	printf '%s\n' 'b,joe@cname-self.lab'       # 2 the domain is a CNAME to itself
} >"$F"
scrub loop "${DNS[@]}" "$F"
C=$T/loop.cleaned.csv R=$T/loop.rejected.csv
scrub_ok "CNAME loops: exit status 0"
is "$(look 1 $V "$C" "$R")" "cleaned|unknown|dns_error" "MX host behind a CNAME loop: unknown/dns_error"
like "$(look 1 scrub_reason "$C" "$R")" "CNAME loop" "MX host behind a CNAME loop: said in the reason"
is "$(look 2 $V "$C" "$R")" "cleaned|unknown|dns_error" "domain that is a CNAME to itself: unknown/dns_error"

# ---------------------------------------------------------------- reserved addresses
F=$T/reserved.csv
printf '%s\n' 'Email' 'a@mx-ok.lab' 'b@mx-public-only.lab' 'c@implicit.lab' >"$F"
C=$T/res.cleaned.csv R=$T/res.rejected.csv
scrub res --dns-server "$DNS_ADDR" "$F"
scrub_ok "reserved: exit status 0"
is "$(look 1 $V "$C" "$R")" "rejected|invalid|no_mail_host" \
    "without --allow-reserved: an MX on 127.0.0.x is no mail host"
is "$(look 2 $V "$C" "$R")" "rejected|invalid|no_mail_host" \
    "an MX on 192.168.x is no mail host"
is "$(look 3 $V "$C" "$R")" "rejected|invalid|no_mail_host" \
    "an implicit MX on 127.0.0.x is no mail host"
scrub res2 --dns-server "$DNS_ADDR" --allow-reserved "$F"
is "$(look 2 $V "$T/res2.cleaned.csv" "$T/res2.rejected.csv")" "cleaned|valid|domain_ok" \
    "with --allow-reserved the private MX counts"

# ---------------------------------------------------------------- typo suggestions: dropped only on a negative answer
F=$T/typo.csv
printf '%s\n' 'Email' 'ann@gmial.com' >"$F"
scrub typo-off --offline "$F"
is "$(look 1 scrub_sub_status,scrub_did_you_mean "$T/typo-off.cleaned.csv" "$T/typo-off.rejected.csv")" \
    "rejected|possible_typo|ann@gmail.com" "offline: gmial.com suggests gmail.com"
scrub typo "${DNS[@]}" "$F"
is "$(look 1 $V,scrub_did_you_mean "$T/typo.cleaned.csv" "$T/typo.rejected.csv")" \
    "rejected|risky|possible_typo|ann@gmail.com" \
    "with DNS: this server refuses gmail.com (no answer, not a negative one), so the suggestion stays"

# ---------------------------------------------------------------- 10,000 rows, 100 domains
F=$T/many.csv
awk 'BEGIN { print "First,Email"; for (i = 0; i < 10000; i++)
	printf "n%d,user%d@d%03d.lab\n", i, i, i % 100 }' >"$F"
dns_query_reset
C=$T/many.cleaned.csv R=$T/many.rejected.csv
scrub many --summary "$T/many.json" "${DNS[@]}" "$F"
scrub_ok "10,000 rows: exit status 0"
is "$(dns_query_count MX)" 100 "10,000 rows over 100 domains: exactly 100 MX queries"
is "$(data_rows "$C")|$(data_rows "$R")" "10000|0" "10,000 rows: all valid, all kept"
is "$(col "$C" scrub_sub_status | sort -u)" "domain_ok" "10,000 rows: domain_ok"
is "$(dns_json "$T/many.json" domains)" 100 "summary: 100 domains"

# ---------------------------------------------------------------- a resolver that never answers
F=$T/dead.csv
awk 'BEGIN { print "Email"; for (i = 0; i < 50; i++) printf "u@dead%02d.lab\n", i }' >"$F"
C=$T/dead.cleaned.csv R=$T/dead.rejected.csv
t0=$(date +%s%N)
scrub dead --dns-server "$DEAD_DNS_ADDR" --dns-timeout 200 --dns-tries 2 --allow-reserved "$F"
ms=$((($(date +%s%N) - t0) / 1000000))
is "$SCRUB_RC" 3 "dead resolver: exit status 3 (completed, degraded)"
like "$SCRUB_ERR" "DEGRADED: the DNS lookup failed for 50 of 50 domains" \
    "dead resolver: the run says it is degraded"
is "$(col "$C" scrub_sub_status | sort -u)" "dns_timeout" "dead resolver: every row unknown/dns_timeout"
is "$(data_rows "$C")|$(data_rows "$R")" "50|0" "dead resolver: nothing removed"
# 200 ms + 400 ms per query, all 50 in flight at once: well under 3 s.
ok "dead resolver: bounded time (${ms} ms for 50 domains, bound 3000)" test "$ms" -lt 3000

# ---------------------------------------------------------------- standard input is read twice
C=$T/stdin.cleaned.csv R=$T/stdin.rejected.csv
# Not "printf | scrub": scrub would run in a subshell and its SCRUB_RC be lost.
scrub stdin "${DNS[@]}" - < <(printf '%s\n' 'Email' 'a@mx-ok.lab' 'b@nx.lab')
scrub_ok "standard input: exit status 0"
is "$(look 1 $V "$C" "$R")|$(look 2 $V "$C" "$R")" \
    "cleaned|valid|domain_ok|rejected|invalid|domain_not_found" \
    "standard input: spooled, looked up and judged"

# ---------------------------------------------------------------- options
scrub badopt --dns-timeout 0 "${DNS[@]}" "$F"
is "$SCRUB_RC" 2 "--dns-timeout 0: usage error, exit 2"
scrub badsrv --dns-server 'not a server' "$F"
is "$SCRUB_RC" 2 "--dns-server garbage: exit 2"
like "$SCRUB_ERR" "DNS server" "--dns-server garbage: the message names the resolver"
ok "bad --dns-server: no output files" test ! -e "$T/badsrv.cleaned.csv"
scrub off --offline "$T/rules.csv"
is "$(col "$T/off.cleaned.csv" scrub_checked | sort -u | tr '\n' ' ')" "syntax " \
    "--offline: nothing checked beyond syntax"
is "$(col "$T/off.cleaned.csv" scrub_mx | sort -u | tr '\n' ' ')" " " "--offline: scrub_mx empty"

dns_stop
ok "the test DNS server is gone" test -z "$(ps -o pid= -p "$DNS_PID" 2>/dev/null)"
