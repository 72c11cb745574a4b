#!/bin/bash
# t_scale.sh - a generated 10,000-row list: rows in = rows out, in order,
# and the duplicate bookkeeping is exact (checked against an independent
# awk count: lower-cased address, first occurrence wins).
. "$(dirname "$0")/lib.sh"

plan 10

N=10000
F=$T/big.csv
{
	echo 'First,Last,Email,Phone'
	gen_rows $N 7
} >"$F"
# the oracle: per row, "row|duplicate_of" (0 for a first occurrence)
awk -F, 'NR > 1 { k = tolower($3); r = NR - 1
	if (k in first) print r "|" first[k]; else { first[k] = r; print r "|0" } }' "$F" >"$T/oracle"
U=$(grep -c '|0$' "$T/oracle")
D=$((N - U))

scrub big --offline --summary "$T/big.json" "$F"
C=$T/big.cleaned.csv R=$T/big.rejected.csv
scrub_ok "10,000 rows: exit status 0"
is "$(($(data_rows "$C") + $(data_rows "$R")))" $N "10,000 rows: rows in = cleaned + rejected"
ok "10,000 rows: every row in exactly one output" rows_partition $N "$C" "$R"
ok "10,000 rows: scrub_row ascending in the cleaned file" ascending "$C"
ok "10,000 rows: scrub_row ascending in the rejected file" ascending "$R"
is "$(col "$R" scrub_sub_status | grep -c '^duplicate$')" $D "10,000 rows: $D duplicates found (the generator made $D)"
is "$(data_rows "$C")" "$U" "10,000 rows: the $U first occurrences kept"
for f in "$C" "$R"; do
	paste -d '|' <(col "$f" scrub_row) <(col "$f" scrub_duplicate_of)
done | sed 's/|$/|0/' | sort -t '|' -k1,1n >"$T/got"
ok "10,000 rows: every scrub_duplicate_of points at the first occurrence" cmp -s "$T/got" "$T/oracle"
is "$(tr -d ' \n' <"$T/big.json" | grep -o '"unique_addresses":[0-9]*')" "\"unique_addresses\":$U" \
    "10,000 rows: summary counts $U unique addresses"
ok "10,000 rows: original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
