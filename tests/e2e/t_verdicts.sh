#!/bin/bash
# t_verdicts.sh - what ends up in scrub_email and the verdict columns:
# duplicates (case-insensitive local part, A-label domain, first occurrence
# wins), IDN domains as A-labels, reserved domains with and without
# --allow-reserved, lengths.
. "$(dirname "$0")/lib.sh"

plan 45

V=scrub_status,scrub_sub_status

# ---------------------------------------------------------------- duplicates
F=$T/dups.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,Ann.Lee@gmail.com'            # 1
	printf '%s\n' 'b,bob.ray@yahoo.com'            # 2
	printf '%s\n' 'c,ann.lee@gmail.com'            # 3 dup of 1
	printf '%s\n' 'd,ANN.LEE@GMAIL.COM'            # 4 dup of 1
	printf '%s\n' 'e,<ann.lee@gmail.com>'          # 5 dup of 1
	printf '%s\n' 'f,mailto:Bob.Ray@Yahoo.com'     # 6 dup of 2
	printf '%s\n' 'g,jonas@bücher.de'              # 7
	printf '%s\n' 'h,Jonas@xn--bcher-kva.de'       # 8 dup of 7
	printf '%s\n' 'i,jonas@BÜCHER.DE'              # 9 dup of 7
	printf '%s\n' 'j,ann.lee@googlemail.com'       # 10 other domain
	printf '%s\n' 'k,ann.lee+news@gmail.com'       # 11 plus tag kept
	printf '%s\n' 'l, ann.lee@gmail.com '          # 12 dup of 1
	printf '%s\n' 'm,annlee@gmail.com'             # 13 dots count
} >"$F"
scrub dup --offline "$F"
C=$T/dup.cleaned.csv R=$T/dup.rejected.csv
scrub_ok "duplicates: exit status 0"
for pair in 3:1 4:1 5:1 6:2 8:7 9:7 12:1; do
	r=${pair%:*} first=${pair#*:}
	is "$(look "$r" $V,scrub_action,scrub_duplicate_of "$C" "$R")" "rejected|skipped|duplicate|remove|$first" \
	    "duplicates: row $r ($(sed -n "$((r + 1))p" "$F" | cut -d, -f2-)) is a duplicate of row $first"
done
for r in 1 2 7 10 11 13; do
	is "$(look "$r" $V,scrub_duplicate_of "$C" "$R")" "cleaned|valid|syntax_ok|" \
	    "duplicates: row $r ($(sed -n "$((r + 1))p" "$F" | cut -d, -f2-)) is not a duplicate"
done
is "$(get "$R" 4 scrub_email)" "ANN.LEE@gmail.com" "duplicates: a duplicate's scrub_email is still its own normalized address"
scrub dupj --offline --summary "$T/dup.json" "$F"
like "$(tr -d ' \n' <"$T/dup.json")" '"unique_addresses":6[,}]' "duplicates: summary counts 6 unique addresses"

# ---------------------------------------------------------------- IDN
F=$T/idn.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,jonas.weber@bücher.de'        # 1
	printf '%s\n' 'b,info.desk@MÜLLER-DRUCK.DE'    # 2 upper case mapped
	printf '%s\n' 'c,yuki@例え.jp'                  # 3
	printf '%s\n' 'd,hans@straße.de'               # 4 IDNA2008: ß kept
	printf '%s\n' 'e,olaf@xn--bcher-kva.de'        # 5 A-label given
	printf '%s\n' 'f,snow@snow☃man.de'             # 6 disallowed code point
	printf '%s\n' 'g,ivan@пример.рф'               # 7 Cyrillic
	printf '%s\n' 'h,bad@xn--zzzzzzzzz-.de'        # 8 broken A-label
} >"$F"
scrub idn --offline "$F"
C=$T/idn.cleaned.csv R=$T/idn.rejected.csv
scrub_ok "IDN: exit status 0"
is "$(look 1 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|jonas.weber@xn--bcher-kva.de" "IDN: bücher.de -> xn--bcher-kva.de"
is "$(look 2 scrub_email "$C" "$R")" "cleaned|info.desk@xn--mller-druck-thb.de" "IDN: MÜLLER-DRUCK.DE lower-cased to xn--mller-druck-thb.de"
is "$(look 3 scrub_email "$C" "$R")" "cleaned|yuki@xn--r8jz45g.jp" "IDN: 例え.jp -> xn--r8jz45g.jp"
is "$(look 4 scrub_email "$C" "$R")" "cleaned|hans@xn--strae-oqa.de" "IDN: straße.de -> xn--strae-oqa.de (IDNA2008, not strasse.de)"
is "$(look 5 $V,scrub_email "$C" "$R")" "cleaned|valid|syntax_ok|olaf@xn--bcher-kva.de" "IDN: a valid A-label passes through"
is "$(look 6 $V "$C" "$R")" "rejected|invalid|bad_idn" "IDN: a disallowed code point (☃) is bad_idn"
is "$(look 7 scrub_email "$C" "$R")" "cleaned|ivan@xn--e1afmkfd.xn--p1ai" "IDN: пример.рф -> xn--e1afmkfd.xn--p1ai"
is "$(look 8 scrub_status "$C" "$R")" "rejected|invalid" "IDN: a broken A-label is invalid"

# ---------------------------------------------------------------- reserved domains
F=$T/reserved.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,bob@shop.test'
	printf '%s\n' 'b,carl@site.invalid'
	printf '%s\n' 'c,dora@example.org'
	printf '%s\n' 'd,ed@example.com'
	printf '%s\n' 'e,fay@foo.example'
	printf '%s\n' 'f,gus@dev.localhost'
	printf '%s\n' 'g,hal@example-shop.com'
	printf '%s\n' 'h,ivy@mytest.com'
} >"$F"
scrub res --offline "$F"
C=$T/res.cleaned.csv R=$T/res.rejected.csv
scrub_ok "reserved: exit status 0"
for r in 1 2 3 4 5 6; do
	is "$(look $r $V,scrub_action "$C" "$R")" "rejected|invalid|reserved_domain|remove" \
	    "reserved: row $r ($(sed -n "$((r + 1))p" "$F" | cut -d, -f2)) is invalid/reserved_domain"
done
for r in 7 8; do
	is "$(look $r $V "$C" "$R")" "cleaned|valid|syntax_ok" \
	    "reserved: row $r ($(sed -n "$((r + 1))p" "$F" | cut -d, -f2)) only looks reserved: valid"
done
scrub resa --offline --allow-reserved "$F"
C=$T/resa.cleaned.csv R=$T/resa.rejected.csv
scrub_ok "--allow-reserved: exit status 0"
is "$(col "$C" scrub_status | sort -u | tr '\n' ' ')" "valid " "--allow-reserved: every reserved domain is valid"
is "$(data_rows "$C")|$(data_rows "$R")" "8|0" "--allow-reserved: all 8 rows kept"

# ---------------------------------------------------------------- lengths
L64=$(printf 'a%.0s' $(seq 1 64))
L65=$(printf 'a%.0s' $(seq 1 65))
LAB=$(printf 'b%.0s' $(seq 1 63))
F=$T/len.csv
{
	printf '%s\n' 'Name,Email'
	printf 'a,%s@gmail.com\n' "$L64"
	printf 'b,%s@gmail.com\n' "$L65"
	printf 'c,x@%s.%s.%s.%s.com\n' "$LAB" "$LAB" "$LAB" "$LAB"
} >"$F"
scrub len --offline "$F"
is "$(look 1 $V "$T/len.cleaned.csv" "$T/len.rejected.csv")" "cleaned|valid|syntax_ok" "length: 64-octet local part is valid"
is "$(look 2 $V "$T/len.cleaned.csv" "$T/len.rejected.csv")" "rejected|invalid|too_long" "length: 65-octet local part is too_long"
is "$(look 3 $V "$T/len.cleaned.csv" "$T/len.rejected.csv")" "rejected|invalid|too_long" "length: 259-octet domain is too_long"

# ---------------------------------------------------------------- --lists-dir
mkdir "$T/lists"
cp "$LISTSCRUB_LISTS"/*.txt "$LISTSCRUB_LISTS"/*.tsv "$T/lists/"
printf 'founders\n' >>"$T/lists/role.txt"
F=$T/ld.csv
printf '%s\n' 'Name,Email' 'a,founders@kessler-bikes.com' 'b,info@kessler-bikes.com' >"$F"
scrub ld0 --offline "$F"
is "$(look 1 $V "$T/ld0.cleaned.csv" "$T/ld0.rejected.csv")" "cleaned|valid|syntax_ok" "--lists-dir: founders@ is a person with the shipped tables"
scrub ld1 --offline --lists-dir "$T/lists" "$F"
scrub_ok "--lists-dir: exit status 0"
is "$(look 1 $V,scrub_role "$T/ld1.cleaned.csv" "$T/ld1.rejected.csv")" "cleaned|risky|role_based|true" \
    "--lists-dir: founders@ is role_based with a role.txt that lists it"
scrub ld2 --offline --lists-dir "$T/no-such-lists" "$F"
is "$SCRUB_RC" 1 "--lists-dir to a missing directory: exit status 1"
like "$SCRUB_ERR" "no-such-lists" "--lists-dir to a missing directory: the message names it"
