#!/bin/bash
# t_rescrub.sh - a scheduled re-scrub: listscrub run on its own cleaned
# output. The second run appends one set of scrub_* columns (the first
# run's are left out, also when their names differ in case and spaces),
# keeps the user's cells byte-identical, accounts for every row, and says
# per row what the status was before and whether it changed; run on that
# again, the header stays the same.
. "$(dirname "$0")/lib.sh"

plan 29

IN=$SAMPLES/contacts.csv
NCOLS2=$((NCOLS + 2))	# + scrub_previous_status, scrub_changed
# out2 CMD ARGS... - a lib.sh reader over an output of a re-scrub, whose
# appended columns are NCOLS2 wide
out2() { NCOLS=$NCOLS2 "$@"; }
# occurrences FILE - "count name" for each scrub_* name in FILE's header
occurrences() {
	header_raw "$1" | tr ',' '\n' | grep -i '^ *scrub_' | sort | uniq -c |
	    awk '{ print $1, $2 }'
}
# user_cells FIRST_CLEANED OUT... - the user's part of every row of the
# re-scrub outputs OUT is the original input's record the first run wrote
# as that row of FIRST_CLEANED (FIRST_CLEANED's data row N is the second
# run's scrub_row N), byte for byte.
user_cells() {
	local c1=$1 f
	shift
	raw_records "$IN" >"$T/.in.raw"
	col "$c1" scrub_row >"$T/.c1.rows"
	awk -F '\t' 'NR == FNR { raw[$1] = substr($0, length($1) + 2); next }
	    { printf "%d\t%s\n", FNR, raw[$1] }' "$T/.in.raw" "$T/.c1.rows" \
	    >"$T/.want"
	for f in "$@"; do
		[ -f "$f" ] && out2 orig_part "$f"
	done | sort -t "$(printf '\t')" -k1,1n -s >"$T/.got"
	if ! cmp -s "$T/.got" "$T/.want"; then
		diag "user cells differ (first differences, < got > want):"
		diff "$T/.got" "$T/.want" | grep '^[<>]' | head -6 |
		    cut -c 1-300 | sed 's/^/# /'
		return 1
	fi
}
# statuses FILE... - "scrub_row|status|previous|changed" for every row
statuses() {
	local f
	for f in "$@"; do
		[ -f "$f" ] && paste -d '|' <(out2 col "$f" scrub_row) \
		    <(out2 col "$f" scrub_status) \
		    <(out2 col "$f" scrub_previous_status) \
		    <(out2 col "$f" scrub_changed)
	done 2>/dev/null | sort -t '|' -k1,1n
}

# ---------------------------------------------------------------- first run
scrub first --offline "$IN"
C1=$T/first.cleaned.csv R1=$T/first.rejected.csv
scrub_ok "first run: exit status 0"
ok "first run: the user's cells byte-identical" same_bytes "$IN" 1 "$C1" "$R1"
N1=$(data_rows "$C1")
isnt "$N1" 0 "first run: the cleaned file has rows ($N1)"

# ---------------------------------------------------------------- re-scrub
scrub second --offline --summary "$T/second.json" "$C1"
C2=$T/second.cleaned.csv R2=$T/second.rejected.csv
scrub_ok "re-scrub of the cleaned file: exit status 0"
is "$(occurrences "$C2" | awk '$1 != 1' | tr '\n' ' ')" "" \
    "re-scrub: every scrub_* column in the header exactly once"
is "$(occurrences "$C2" | wc -l | tr -d ' ')" "$NCOLS2" \
    "re-scrub: $NCOLS2 scrub_* columns ($NCOLS + previous_status, changed)"
is "$(header_raw "$C2")" \
    "$(header_raw "$IN"),$(appended_header ,),scrub_previous_status,scrub_changed" \
    "re-scrub: header = the user's header, then one set of appended names"
is "$(nfields "$C2" | sort -u | tr '\n' ' ')" \
    "$(($(nfields "$IN" | head -1) + NCOLS2)) " \
    "re-scrub: every cleaned row is the user's columns + $NCOLS2"
is "$(($(data_rows "$C2") + $(data_rows "$R2")))" "$N1" \
    "re-scrub: rows in = cleaned + rejected"
ok "re-scrub: scrub_row 1..$N1, each once" out2 rows_partition "$N1" "$C2" "$R2"
ok "re-scrub: the user's cells byte-identical to the original input, in order" \
    user_cells "$C1" "$C2" "$R2"
is "$(out2 col "$C2" scrub_email | tr '\n' ' ')" \
    "$(col "$C1" scrub_email | tr '\n' ' ')" \
    "re-scrub: the user's Email column is checked again (same addresses)"
# Offline, the same addresses get the same status.
is "$(statuses "$C2" "$R2" | cut -d '|' -f 1,2)" \
    "$(paste -d '|' <(seq 1 "$N1") <(col "$C1" scrub_status))" \
    "re-scrub: the same status as the first run, row by row"
is "$(statuses "$C2" "$R2" | cut -d '|' -f 1,3)" \
    "$(paste -d '|' <(seq 1 "$N1") <(col "$C1" scrub_status))" \
    "re-scrub: scrub_previous_status is the first run's status"
is "$(statuses "$C2" "$R2" | cut -d '|' -f 4 | sort -u | tr '\n' ' ')" \
    "false " "re-scrub: scrub_changed is false on every row"
J=$(tr -d ' \n' <"$T/second.json" 2>/dev/null)
like "$J" '"changes":\{[^}]*"changed":0,' \
    "re-scrub: the summary says nothing changed"
like "$J" '"changes":\{[^}]*"compared":[1-9]' \
    "re-scrub: the summary compared addresses with a previous status"

# ---------------------------------------------------------------- again
scrub third --offline "$C2"
C3=$T/third.cleaned.csv
scrub_ok "re-scrub of a re-scrub: exit status 0"
is "$(header_raw "$C3")" "$(header_raw "$C2")" \
    "re-scrub of a re-scrub: the same header (nothing piles up)"
is "$(data_rows "$C3")" "$(data_rows "$C2")" \
    "re-scrub of a re-scrub: the same rows"

# ---------------------------------------------------------------- own columns as people edit them
F=$T/edited.csv
printf '%s\n' 'Name,Email, Scrub_Status ,SCRUB_ROW,Note,scrub_statuses' \
    'Ann,ann.lee@gmail.com,invalid,1,"vip, call",x' \
    'Bob,bob.ray@yahoo.com,valid,2,,y' \
    'Cy,cy.jr@outlook.com, valid ,3,n,z' \
    'Dee,dee.ray@gmail.com,,4,n,w' >"$F"
scrub ed --offline "$F"
CE=$T/ed.cleaned.csv
scrub_ok "edited names: exit status 0"
is "$(header_raw "$CE")" \
    "Name,Email,Note,scrub_statuses,$(appended_header ,),scrub_previous_status,scrub_changed" \
    "' Scrub_Status ' and 'SCRUB_ROW' count as listscrub's (left out); 'scrub_statuses' is the user's"
is "$(out2 orig_part "$CE" | cut -f 2 | tr '\n' '/')" \
    'Ann,ann.lee@gmail.com,"vip, call",x/Bob,bob.ray@yahoo.com,,y/Cy,cy.jr@outlook.com,n,z/Dee,dee.ray@gmail.com,n,w/' \
    "edited names: the user's cells byte-identical"
is "$(out2 get "$CE" 1 scrub_status,scrub_previous_status,scrub_changed)" \
    "valid|invalid|true" "edited names: the status from ' Scrub_Status ' is the previous one; changed"
is "$(out2 get "$CE" 2 scrub_previous_status,scrub_changed)" "valid|false" \
    "edited names: same status, not changed"
is "$(out2 get "$CE" 4 scrub_previous_status,scrub_changed)" "|" \
    "edited names: no previous status: both cells empty"

# ---------------------------------------------------------------- --prefix
scrub px1 --offline --prefix x_ "$IN"
scrub px2 --offline --prefix x_ "$T/px1.cleaned.csv"
scrub_ok "--prefix x_ twice: exit status 0"
is "$(header_raw "$T/px2.cleaned.csv" | tr ',' '\n' | grep -c '^x_status$')" 1 \
    "--prefix x_ twice: x_status once"
is "$(header_raw "$T/px2.cleaned.csv")" \
    "$(header_raw "$IN"),$(appended_header , x_),x_previous_status,x_changed" \
    "--prefix x_ twice: the user's header, then one set of x_ names"
