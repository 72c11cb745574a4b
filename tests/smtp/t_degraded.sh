#!/bin/bash
# t_degraded.sh - a probe run where the mail hosts refuse the sender for
# most addresses completes degraded: exit 3 and one "DEGRADED" line at the
# top of the summary (validator/README, "Stages and passes"); offline
# findings stand on the refused rows. In the loopback mail world of
# tests/smtp: mx.policy.mail refuses every client with 554 5.7.1.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"

dns_require
smtp_require
plan 9

smtp_start >/dev/null || bail "cannot start the mail world"
dns_start "$SMTP_ZONE" >/dev/null || bail "cannot start the DNS server"

V=scrub_status,scrub_sub_status
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 2
    --command-timeout 20)
json_val() { tr -d '\n' <"$1" | grep -o "\"$2\": *[a-z0-9]*" | head -1 | sed 's/.*: *//'; }

# ---------------------------------------------------------------- most addresses refused for the sender
F=$T/refused.csv
{
	printf '%s\n' 'Email'
	printf '%s\n' alice@policy.mail bob@policy.mail carol@policy.mail dave@policy.mail
	printf '%s\n' info@policy.mail      # 5: role
	printf '%s\n' alice@normal.mail bob@normal.mail
} >"$F"
C=$T/refused.cleaned.csv R=$T/refused.rejected.csv
scrub refused --summary "$T/refused.json" "${PROBE[@]}" "$F"
is "$SCRUB_RC" 3 "5 of 7 addresses refused for the sender: exit status 3"
ok "refused: every row in exactly one output" rows_partition 7 "$C" "$R"
like "$SCRUB_ERR" "DEGRADED: the mail hosts refused the sender for 5 of 7 addresses" \
    "refused: one line says so, also under --quiet"
is "$(look 1 $V "$C" "$R")" "cleaned|unknown|policy_blocked" "a refused address is unknown/policy_blocked"
is "$(look 5 scrub_sub_status,scrub_smtp_code "$C" "$R")" "cleaned|role_based|554" \
    "a refused role address keeps role_based (the refusal stays in its columns)"
is "$(json_val "$T/refused.json" degraded)" true "refused: summary JSON says degraded"

# ---------------------------------------------------------------- a few refusals are not a degraded run
F=$T/some.csv
printf '%s\n' 'Email' alice@policy.mail bob@policy.mail alice@normal.mail bob@normal.mail \
    carol@normal.mail nobody@normal.mail >"$F"
scrub some --summary "$T/some.json" "${PROBE[@]}" "$F"
is "$SCRUB_RC" 0 "2 of 6 addresses refused: exit status 0"
unlike "$SCRUB_ERR" DEGRADED "2 of 6 refused: no degraded line"
is "$(json_val "$T/some.json" degraded)" false "2 of 6 refused: summary JSON says not degraded"

dns_stop
smtp_stop
