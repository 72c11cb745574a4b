#!/bin/bash
# t_policy.sh - actions and routing: --policy standard|strict|lenient, the
# --review file, --keep/--remove overrides. One row of every offline
# sub-status, each checked for status, sub-status, action and the file it
# landed in.
. "$(dirname "$0")/lib.sh"

plan 76

F=$T/policy.csv
{
	printf '%s\n' 'Label,Email'
	printf '%s\n' 'valid,ann.lee@gmail.com'
	printf '%s\n' 'role,info@brightlane-studio.co.uk'
	printf '%s\n' 'disposable,temp.user@mailinator.com'
	printf '%s\n' 'typo,carl.berg@gmial.com'
	printf '%s\n' 'quoted,"""john doe""@gmail.com"'
	printf '%s\n' 'ip,dana.fox@[81.2.69.160]'
	printf '%s\n' 'utf8,jörg.müller@gmail.com'
	printf '%s\n' 'invalid,not-an-address'
	printf '%s\n' 'reserved,eve.marsh@example.com'
	printf '%s\n' 'empty,'
	printf '%s\n' 'duplicate,ANN.LEE@gmail.com'
	printf '%s\n' 'company,frank@kessler-bikes.com'
} >"$F"
N=12
# status|sub_status per row
STATUS=(x 'valid|syntax_ok' 'risky|role_based' 'risky|disposable' 'risky|possible_typo'
    'risky|quoted_local_part' 'risky|ip_literal' 'risky|smtputf8_local_part' 'invalid|bad_syntax'
    'invalid|reserved_domain' 'skipped|no_email' 'skipped|duplicate' 'valid|syntax_ok')

# expect NAME "FILE:ACTION ..." (one per row, 1..N) - one test per row
expect() {
	local name=$1 i=1 w files
	local C=$T/$name.cleaned.csv R=$T/$name.rejected.csv V=$T/$name.review.csv
	for w in $2; do
		is "$(look $i scrub_status,scrub_sub_status,scrub_action "$V" "$C" "$R")" \
		    "${w%%:*}|${STATUS[$i]}|${w#*:}" "$name: row $i (${STATUS[$i]#*|}) -> ${w%%:*}, ${w#*:}"
		i=$((i + 1))
	done
}

# ---------------------------------------------------------------- standard
scrub std --offline "$F"
scrub_ok "standard: exit status 0"
expect std "cleaned:keep cleaned:keep rejected:remove rejected:remove cleaned:keep cleaned:keep
    cleaned:keep rejected:remove rejected:remove rejected:remove rejected:remove cleaned:keep"
ok "standard: each row in exactly one output" rows_partition $N "$T/std.cleaned.csv" "$T/std.rejected.csv"

scrub stdp --offline --policy standard "$F"
ok "--policy standard is the default (same cleaned rows)" \
    cmp -s <(col "$T/std.cleaned.csv" scrub_row) <(col "$T/stdp.cleaned.csv" scrub_row)

# ---------------------------------------------------------------- strict, no --review
scrub strict --offline --policy strict "$F"
scrub_ok "strict: exit status 0"
expect strict "cleaned:keep rejected:review rejected:remove rejected:remove rejected:remove rejected:remove
    rejected:remove rejected:remove rejected:remove rejected:remove rejected:remove cleaned:keep"
ok "strict: each row in exactly one output" rows_partition $N "$T/strict.cleaned.csv" "$T/strict.rejected.csv"

# ---------------------------------------------------------------- strict with --review
scrub strictr --offline --policy strict --review "$T/strictr.review.csv" "$F"
scrub_ok "strict --review: exit status 0"
expect strictr "cleaned:keep review:review rejected:remove rejected:remove rejected:remove rejected:remove
    rejected:remove rejected:remove rejected:remove rejected:remove rejected:remove cleaned:keep"
ok "strict --review: each row in exactly one of the three outputs" rows_partition $N \
    "$T/strictr.cleaned.csv" "$T/strictr.rejected.csv" "$T/strictr.review.csv"
is "$(header_raw "$T/strictr.review.csv")" "Label,Email,$(appended_header ,)" "strict --review: review file has the header"

# ---------------------------------------------------------------- lenient
scrub len --offline --policy lenient "$F"
scrub_ok "lenient: exit status 0"
expect len "cleaned:keep cleaned:keep cleaned:keep cleaned:keep cleaned:keep cleaned:keep
    cleaned:keep rejected:remove rejected:remove rejected:remove rejected:remove cleaned:keep"
ok "lenient: each row in exactly one output" rows_partition $N "$T/len.cleaned.csv" "$T/len.rejected.csv"

# ---------------------------------------------------------------- standard with --review
scrub stdr --offline --review "$T/stdr.review.csv" "$F"
scrub_ok "standard --review: exit status 0"
ok "standard --review: the review file is written" test -f "$T/stdr.review.csv"
is "$(data_rows "$T/stdr.review.csv")" 0 "standard --review: no row needs review offline"
ok "standard --review: each row in exactly one output" rows_partition $N \
    "$T/stdr.cleaned.csv" "$T/stdr.rejected.csv" "$T/stdr.review.csv"

# ---------------------------------------------------------------- overrides
scrub k1 --offline --keep possible_typo,disposable "$F"
scrub_ok "--keep possible_typo,disposable: exit status 0"
is "$(look 3 scrub_sub_status,scrub_action "$T/k1.cleaned.csv" "$T/k1.rejected.csv")" "cleaned|disposable|keep" \
    "--keep disposable: kept"
is "$(look 4 scrub_sub_status,scrub_action "$T/k1.cleaned.csv" "$T/k1.rejected.csv")" "cleaned|possible_typo|keep" \
    "--keep possible_typo: kept"
is "$(look 8 scrub_action "$T/k1.cleaned.csv" "$T/k1.rejected.csv")" "rejected|remove" \
    "--keep: other sub-statuses still follow the policy"

scrub r1 --offline --remove role_based "$F"
is "$(look 2 scrub_sub_status,scrub_action "$T/r1.cleaned.csv" "$T/r1.rejected.csv")" "rejected|role_based|remove" \
    "--remove role_based: removed under standard"
is "$(look 1 scrub_action "$T/r1.cleaned.csv" "$T/r1.rejected.csv")" "cleaned|keep" \
    "--remove role_based: valid rows still kept"

scrub r2 --offline --remove smtputf8_local_part,ip_literal "$F"
is "$(look 7 scrub_action "$T/r2.cleaned.csv" "$T/r2.rejected.csv")" "rejected|remove" "--remove smtputf8_local_part: removed"
is "$(look 6 scrub_action "$T/r2.cleaned.csv" "$T/r2.rejected.csv")" "rejected|remove" "--remove ip_literal: removed"

scrub k2 --offline --policy strict --keep role_based,quoted_local_part "$F"
is "$(look 2 scrub_action "$T/k2.cleaned.csv" "$T/k2.rejected.csv")" "cleaned|keep" "strict --keep role_based: kept"
is "$(look 5 scrub_action "$T/k2.cleaned.csv" "$T/k2.rejected.csv")" "cleaned|keep" "strict --keep quoted_local_part: kept"

scrub r3 --offline --policy lenient --remove disposable "$F"
is "$(look 3 scrub_action "$T/r3.cleaned.csv" "$T/r3.rejected.csv")" "rejected|remove" "lenient --remove disposable: removed"
is "$(look 4 scrub_action "$T/r3.cleaned.csv" "$T/r3.rejected.csv")" "cleaned|keep" "lenient --remove disposable: typo still kept"

scrub kb --offline --keep bogus_status "$F"
is "$SCRUB_RC" 2 "--keep with an unknown sub-status: exit status 2"
scrub rb --offline --remove nonsense "$F"
is "$SCRUB_RC" 2 "--remove with an unknown sub-status: exit status 2"
