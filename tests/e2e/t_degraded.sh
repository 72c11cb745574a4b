#!/bin/bash
# t_degraded.sh - a broken resolver never makes the scrub less strict than
# --offline: offline findings (syntax, role, disposable, typo) stand, a
# typo suggestion is dropped only on a definitive negative answer, and a
# run whose lookups mostly failed says so in one line at the top of the
# summary and exits 3 ("completed, degraded"; validator/README, "Stages
# and passes"). Resolvers: a silent one (timeouts), a closed port
# (connection refused: dns_error) and the private NSD of tests/dns.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

dns_require
plan 30

dns_start lab || bail "cannot start the test DNS server"
dns_dead_server || bail "cannot start the silent resolver"
dns_closed_addr || bail "cannot find a closed port"

V=scrub_status,scrub_sub_status
DEAD=(--dns-server "$DEAD_DNS_ADDR" --dns-timeout 200 --dns-tries 1 --allow-reserved)

# ---------------------------------------------------------------- a silent resolver
F=$T/list.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,ann@gmial.com'          # 1 typo of gmail.com
	printf '%s\n' 'b,info@acme-one.lab'      # 2 role
	printf '%s\n' 'c,bob@mailinator.com'     # 3 disposable
	printf '%s\n' 'd,not an address'         # 4 bad syntax
	printf '%s\n' 'e,joe@acme-two.lab'       # 5 plain
	printf '%s\n' 'f,"""q x""@acme-three.lab"' # 6 quoted local part
	printf '%s\n' 'g,sue@acme-four.lab'      # 7 plain
} >"$F"
scrub off --offline "$F"
scrub dead --summary "$T/dead.json" "${DEAD[@]}" "$F"
C=$T/dead.cleaned.csv R=$T/dead.rejected.csv
is "$SCRUB_RC" 3 "silent resolver: exit status 3 (completed, degraded)"
ok "silent resolver: every row in exactly one output" rows_partition 7 "$C" "$R"
ok "silent resolver: original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
like "$(printf '%s\n' "$SCRUB_ERR" | head -1)" '^listscrub: DEGRADED: the DNS lookup failed for 6 of 6 domains' \
    "silent resolver: one line says so, also under --quiet"
for r in 1 2 3 4 6; do
	is "$(look $r $V,scrub_action "$C" "$R")" \
	    "$(look $r $V,scrub_action "$T/off.cleaned.csv" "$T/off.rejected.csv")" \
	    "silent resolver: row $r has its offline verdict and action"
done
is "$(look 1 scrub_sub_status,scrub_did_you_mean "$C" "$R")" "rejected|possible_typo|ann@gmail.com" \
    "silent resolver: the typo stands, with its suggestion"
is "$(look 2 scrub_sub_status,scrub_role "$C" "$R")" "cleaned|role_based|true" \
    "silent resolver: the role address keeps role_based"
is "$(look 5 $V,scrub_action "$C" "$R")" "cleaned|unknown|dns_timeout|keep" \
    "silent resolver: a plain address is unknown/dns_timeout, kept"
json_val() { tr -d '\n' <"$1" | grep -o "\"$2\": *[a-z0-9]*" | head -1 | sed 's/.*: *//'; }
is "$(json_val "$T/dead.json" degraded)" true "silent resolver: summary JSON says degraded"
is "$(json_val "$T/dead.json" suggestions_dropped)|$(json_val "$T/dead.json" suggestions_unconfirmed)" "0|1" \
    "silent resolver: the suggestion is kept unconfirmed, not dropped"
scrub deadtxt --summary "$T/dead.txt" "${DEAD[@]}" "$F"
like "$(head -1 "$T/dead.txt")" '^listscrub: DEGRADED: ' "text summary: the degraded line comes first"
unlike "$(cat "$T/dead.txt")" "has no mail host" "text summary: no claim that the suggested domain has no mail host"
like "$(cat "$T/dead.txt")" "1 typo suggestion\\(s\\) kept unconfirmed" "text summary: the suggestion kept unconfirmed"
scrub deadstrict --policy strict "${DEAD[@]}" "$F"
is "$(look 6 $V,scrub_action "$T/deadstrict.cleaned.csv" "$T/deadstrict.rejected.csv")" \
    "rejected|risky|quoted_local_part|remove" \
    "--policy strict: a quoted local part is removed as offline, not reviewed as unknown"

# ---------------------------------------------------------------- a closed port (dns_error)
scrub closed --dns-server "$CLOSED_DNS_ADDR" --dns-tries 1 --allow-reserved "$F"
is "$SCRUB_RC" 3 "closed resolver port: exit status 3"
like "$SCRUB_ERR" "dns_error 6" "closed resolver port: the failures are dns_error"

# ---------------------------------------------------------------- where "most" starts
DNS=(--dns-server "$DNS_ADDR" --allow-reserved)
# dns_error domains in the lab: *.broken (SERVFAIL), the CNAME loops.
printf '%s\n' 'Email' a@x.broken b@y.broken c@z.broken d@mx-ok.lab e@implicit.lab f@mx-multi.lab >"$T/half.csv"
scrub half "${DNS[@]}" "$T/half.csv"
is "$SCRUB_RC" 0 "3 of 6 domains failed (half, not more): exit status 0"
unlike "$SCRUB_ERR" DEGRADED "3 of 6 domains failed: no degraded line"
printf '%s\n' 'Email' a@x.broken b@y.broken c@z.broken d@cname-self.lab e@mx-ok.lab f@implicit.lab \
    g@mx-multi.lab >"$T/most.csv"
scrub most "${DNS[@]}" "$T/most.csv"
is "$SCRUB_RC" 3 "4 of 7 domains failed (more than half): exit status 3"
printf '%s\n' 'Email' a@d1.lab b@d2.lab c@d3.lab d@d4.lab >"$T/few.csv"
scrub few "${DEAD[@]}" "$T/few.csv"
is "$SCRUB_RC" 0 "4 domains, all failed (fewer than 5 looked up): exit status 0"
ok "4 domains, all failed: every row unknown/dns_timeout" \
    test "$(col "$T/few.cleaned.csv" scrub_sub_status | sort -u)" = dns_timeout

# ---------------------------------------------------------------- suggestions that must deliver
# A private copy of the tables: lab domains as "popular" targets of typos.
L=$T/lists
cp -r "$LISTSCRUB_LISTS" "$L"
printf '%s\n' mx-ok.lab nx.lab x.broken >>"$L/popular.txt"
printf '%s\n' mx-ok.lab nx.lab x.broken >>"$L/free.txt"
printf '%s\t%s\n' mx-multi.lab mx-ok.lab implicit.lab nx.lab mx-partial.lab x.broken >>"$L/typos.tsv"
printf '%s\n' 'Email' a@mx-multi.lab b@implicit.lab c@mx-partial.lab >"$T/sugg.csv"
scrub sugg --summary "$T/sugg.json" --lists-dir "$L" "${DNS[@]}" "$T/sugg.csv"
C=$T/sugg.cleaned.csv R=$T/sugg.rejected.csv
scrub_ok "suggestions: exit status 0"
is "$(look 1 scrub_sub_status,scrub_did_you_mean "$C" "$R")" "rejected|possible_typo|a@mx-ok.lab" \
    "suggested domain with a mail host: possible_typo"
is "$(look 2 scrub_sub_status,scrub_did_you_mean "$C" "$R")" "cleaned|domain_ok|" \
    "suggested domain NXDOMAIN (a real negative answer): suggestion dropped"
is "$(look 3 scrub_sub_status,scrub_did_you_mean "$C" "$R")" "rejected|possible_typo|c@x.broken" \
    "suggested domain SERVFAIL (no answer): suggestion kept"
is "$(json_val "$T/sugg.json" suggestions_dropped)|$(json_val "$T/sugg.json" suggestions_unconfirmed)" "1|1" \
    "suggestions: one dropped, one kept unconfirmed"

dns_stop
