#!/bin/bash
# t_columns.sh - finding the email column and the header (--column NAME|N,
# --no-header, detection by header name and by content, the candidates
# content detection chose among) and the inputs that must be refused with
# exit status 2 (a chosen column that holds no addresses, no email column,
# missing, empty, UTF-16, a directory, usage errors).
. "$(dirname "$0")/lib.sh"

plan 79

# no_outputs NAME - neither output of `scrub NAME` exists
no_outputs() { [ ! -e "$T/$1.cleaned.csv" ] && [ ! -e "$T/$1.rejected.csv" ]; }

# ---------------------------------------------------------------- --column
F=$T/two.csv
printf '%s\n' 'id,primary,backup,name' \
    '1,ann.lee@gmail.com,ann.backup@yahoo.com,Ann' \
    '2,bob.ray@gmail.com,,Bob' \
    '3,cy.jr@gmail.com,cy.backup@outlook.com,Cy' \
    '4,dee.ray@gmail.com,dee.backup@web.de,Dee' >"$F"
scrub def --offline "$F"
scrub_ok "two email columns, no option: exit status 0"
is "$(col "$T/def.cleaned.csv" scrub_email | head -1)" "ann.lee@gmail.com" \
    "two email columns, no option: the fuller column (primary) is chosen"
for c in backup BACKUP 3; do
	scrub "col-$c" --offline --column "$c" "$F"
	scrub_ok "--column $c: exit status 0"
	is "$(look 1 scrub_email "$T/col-$c.cleaned.csv" "$T/col-$c.rejected.csv")" "cleaned|ann.backup@yahoo.com" \
	    "--column $c: row 1 judged on the backup column"
	is "$(look 2 scrub_status,scrub_sub_status "$T/col-$c.cleaned.csv" "$T/col-$c.rejected.csv")" \
	    "rejected|skipped|no_email" "--column $c: row 2 (empty backup cell) is no_email"
	is "$(header_raw "$T/col-$c.cleaned.csv")" "id,primary,backup,name,$(appended_header ,)" \
	    "--column $c: header row kept"
done
scrub col-x --offline --column nosuch "$F"
is "$SCRUB_RC" 2 "--column nosuch: exit status 2"
like "$SCRUB_ERR" "nosuch" "--column nosuch: the message names the column"
ok "--column nosuch: no output files" no_outputs col-x

scrub col-5 --offline --column 5 "$F"
is "$SCRUB_RC" 2 "--column 5 on a 4-column file: exit status 2 (there is no such email column)"
ok "--column 5 on a 4-column file: no output files" no_outputs col-5
scrub col-0 --offline --column 0 "$F"
is "$SCRUB_RC" 2 "--column 0: exit status 2 (columns count from 1)"

# ---------------------------------------------------------------- a column that holds no addresses
F=$T/names.csv
awk 'BEGIN { print "id,First Name,Email"; for (i = 1; i <= 25; i++)
	printf "%d,Name%d,user%d@corp-mail.net\n", i, i, i }' >"$F"
for c in 2 "First Name"; do
	scrub "wrong-$c" --offline --column "$c" "$F"
	is "$SCRUB_RC" 2 "--column '$c' on first names: exit status 2, not 25 rows of bad_syntax"
	like "$SCRUB_ERR" "names\\.csv: column 2 'First Name' holds no addresses: 0 of its 25 non-empty cells" \
	    "--column '$c': the message names the file, the column and the count"
	like "$SCRUB_ERR" "addresses are in column 3 'Email' \\(25 of 25\\)" \
	    "--column '$c': the message names the column that holds addresses"
	ok "--column '$c': no output files" no_outputs "wrong-$c"
done
awk 'BEGIN { print "id,Email,Contact"; for (i = 1; i <= 25; i++)
	printf "%d,Name%d,user%d@corp-mail.net\n", i, i, i }' >"$T/shifted.csv"
scrub shifted --offline "$T/shifted.csv"
is "$SCRUB_RC" 2 "a column named Email that holds names: exit status 2"
like "$SCRUB_ERR" "column 2 'Email' \\(chosen by its name\\) holds no addresses.*column 3 'Contact'" \
    "a column named Email that holds names: says so, names the address column"
awk 'BEGIN { for (i = 1; i <= 25; i++) printf "Name%d,user%d@corp-mail.net\n", i, i }' >"$T/nh-names.csv"
scrub nh-wrong --offline --no-header --column 1 "$T/nh-names.csv"
like "$SCRUB_ERR" "column 1 holds no addresses: 0 of its 25 non-empty cells in the first 25 rows.*column 2 \\(25 of 25\\)" \
    "--no-header: the columns are named by number"
# Dirty is not wrong: 3 of 25 cells look like addresses (12%).
awk 'BEGIN { print "Name,Email"; for (i = 1; i <= 25; i++)
	printf "n%d,%s\n", i, i <= 3 ? "u" i "@corp-mail.net" : "call back " i }' >"$T/dirty.csv"
scrub dirty --offline "$T/dirty.csv"
scrub_ok "a dirty email column (3 of 25 address-like): taken, exit status 0"
is "$(col "$T/dirty.rejected.csv" scrub_sub_status | sort | uniq -c | awk '{print $1 $2}')" "22bad_syntax" \
    "a dirty email column: its junk is bad_syntax"
printf '%s\n' 'Name,Email' 'Ann,call me' 'Bob,none' >"$T/tiny.csv"
scrub tiny --offline --column 2 "$T/tiny.csv"
scrub_ok "2 rows without an address: too few to judge, exit status 0"

# ---------------------------------------------------------------- content detection between candidates
scrub cand --offline --summary "$T/cand.txt" "$T/two.csv"
like "$(grep 'input:' "$T/cand.txt")" "email column 2 'primary' \\(by content among column 2 'primary': 4 of 4 cells address-like; column 3 'backup': 3 of 3 cells address-like; chosen for the most address-like cells\\)" \
    "two address columns by content: the summary's input line names both and why"
scrub cand2 --offline --summary "$T/cand.json" "$T/two.csv"
like "$(tr -d '\n' <"$T/cand.json")" '"column_candidates": \[\{"column": 2, "cells": 4, "addresses": 4\}, \{"column": 3, "cells": 3, "addresses": 3\}\], "column_why": "most address-like cells"' \
    "two address columns by content: the JSON summary lists them"

# ---------------------------------------------------------------- --no-header
F=$T/nohdr.csv
printf '%s\n' 'ann.lee@gmail.com,Ann' 'bob.ray@yahoo.com,Bob' 'not an address,Cy' >"$F"
scrub nh --offline --no-header --no-header-out "$F"
C=$T/nh.cleaned.csv R=$T/nh.rejected.csv
scrub_ok "--no-header: exit status 0"
is "$(($(count_rows "$C") + $(count_rows "$R")))" 3 "--no-header: 3 records out, no header rows written"
is "$(CSV_HEADER=0 get "$C" 1 -$((NCOLS - 1)))" "ann.lee@gmail.com" "--no-header: the first line is data row 1"
is "$(nfields "$C" | sort -u)" $((2 + NCOLS)) "--no-header: rows are 2 cells + $NCOLS"
ok "--no-header: original cells byte-identical" same_bytes "$F" 0 "$C" "$R"
F=$T/hdr-as-data.csv
printf '%s\n' 'Email,Name' 'ann.lee@gmail.com,Ann' >"$F"
scrub hd --offline --no-header --no-header-out --column 1 "$F"
scrub_ok "--no-header on a file with a header line: exit status 0"
is "$(CSV_HEADER=0 look 1 -$((NCOLS - 1)),-$((NCOLS - 2)),-$((NCOLS - 3)) "$T/hd.cleaned.csv" "$T/hd.rejected.csv")" "rejected|Email|invalid|bad_syntax" \
    "--no-header: the line 'Email,Name' is data, and not an address"
is "$(($(count_rows "$T/hd.cleaned.csv") + $(count_rows "$T/hd.rejected.csv")))" 2 \
    "--no-header: both lines are rows"
scrub nhname --offline --no-header --column Email "$F"
is "$SCRUB_RC" 2 "--no-header with --column NAME: exit status 2 (no names without a header)"

# ---------------------------------------------------------------- detection by content
F=$T/sniff-nohdr.csv
printf '%s\n' 'Ann Lee,ann.lee@gmail.com,+1 555 0100' 'Bob Ray,bob.ray@yahoo.com,+1 555 0101' \
    'Cy Jr,cy.jr@outlook.com,+1 555 0102' >"$F"
scrub sn --offline --no-header-out "$F"
C=$T/sn.cleaned.csv R=$T/sn.rejected.csv
scrub_ok "no header, no option: exit status 0"
is "$(($(count_rows "$C") + $(count_rows "$R")))" 3 "no header, no option: first line taken as data (no header written)"
is "$(CSV_HEADER=0 col "$C" -$((NCOLS - 1)) | tr '\n' ' ')" "ann.lee@gmail.com bob.ray@yahoo.com cy.jr@outlook.com " \
    "no header, no option: column 2 found by content"
ok "no header, no option: original cells byte-identical" same_bytes "$F" 0 "$C" "$R"

F=$T/sniff-hdr.csv
printf '%s\n' 'Who,Contact,Notes' 'Ann Lee,ann.lee@gmail.com,met 2023' 'Bob Ray,bob.ray@yahoo.com,' \
    'Cy Jr,cy.jr@outlook.com,vip' 'Dee Ray,,no address' >"$F"
scrub sh --offline "$F"
C=$T/sh.cleaned.csv R=$T/sh.rejected.csv
scrub_ok "unknown header names: exit status 0"
is "$(header_raw "$C")" "Who,Contact,Notes,$(appended_header ,)" "unknown header names: first row kept as the header"
is "$(col "$C" scrub_email | tr '\n' ' ')" "ann.lee@gmail.com bob.ray@yahoo.com cy.jr@outlook.com " \
    "unknown header names: column Contact found by content"
is "$(look 4 scrub_sub_status "$C" "$R")" "rejected|no_email" "unknown header names: empty cell in that column is no_email"

F=$T/byname.csv
printf '%s\n' 'Full Name,Email Address,Referrer' 'Ann Lee,ann.lee@gmail.com,bob.ray@yahoo.com' \
    'Cy Jr,,dee.ray@gmail.com' >"$F"
scrub bn --offline "$F"
is "$(look 1 scrub_email "$T/bn.cleaned.csv" "$T/bn.rejected.csv")" "cleaned|ann.lee@gmail.com" \
    "header 'Email Address' wins over a column of addresses named otherwise"
is "$(look 2 scrub_sub_status "$T/bn.cleaned.csv" "$T/bn.rejected.csv")" "rejected|no_email" \
    "header 'Email Address': its empty cell is no_email"

# ---------------------------------------------------------------- refused inputs (exit 2)
F=$T/noemail.csv
printf '%s\n' 'Name,Phone,City' 'Ann Lee,+1 555 0100,Portland' 'Bob Ray,+1 555 0101,Austin' >"$F"
scrub ne --offline "$F"
is "$SCRUB_RC" 2 "no email column: exit status 2"
like "$SCRUB_ERR" "noemail\\.csv" "no email column: the message names the file"
ok "no email column: no output files" no_outputs ne

scrub miss --offline "$T/does-not-exist.csv"
is "$SCRUB_RC" 2 "missing file: exit status 2"
like "$SCRUB_ERR" "does-not-exist\\.csv" "missing file: the message names it"
ok "missing file: no output files" no_outputs miss

: >"$T/empty.csv"
scrub empty --offline "$T/empty.csv"
is "$SCRUB_RC" 2 "empty file: exit status 2"
like "$SCRUB_ERR" "empty\\.csv" "empty file: the message names it"
ok "empty file: no output files" no_outputs empty

printf '\n\n\r\n' >"$T/blank.csv"
scrub blank --offline "$T/blank.csv"
is "$SCRUB_RC" 2 "file of blank lines: exit status 2"

printf '\377\376' >"$T/utf16le.csv"
printf 'Name,Email\r\nAnn,ann.lee@gmail.com\r\n' | iconv -f UTF-8 -t UTF-16LE >>"$T/utf16le.csv"
scrub u16 --offline "$T/utf16le.csv"
is "$SCRUB_RC" 2 "UTF-16LE file (BOM FF FE): exit status 2"
like "$SCRUB_ERR" "utf16le\\.csv" "UTF-16LE file: the message names it"
like "$SCRUB_ERR" "UTF-16" "UTF-16LE file: the message says UTF-16"
ok "UTF-16LE file: no output files" no_outputs u16

printf '\376\377' >"$T/utf16be.csv"
printf 'Name,Email\r\nAnn,ann.lee@gmail.com\r\n' | iconv -f UTF-8 -t UTF-16BE >>"$T/utf16be.csv"
scrub u16be --offline "$T/utf16be.csv"
is "$SCRUB_RC" 2 "UTF-16BE file (BOM FE FF): exit status 2"

mkdir -p "$T/adir"
scrub dir --offline "$T/adir"
is "$SCRUB_RC" 2 "a directory as input: exit status 2"

# ---------------------------------------------------------------- usage
run_scrub --offline
is "$SCRUB_RC" 2 "no input argument: exit status 2"
run_scrub --no-such-option "$SAMPLES/contacts.csv"
is "$SCRUB_RC" 2 "unknown option: exit status 2"
scrub pol --offline --policy bogus "$SAMPLES/contacts.csv"
is "$SCRUB_RC" 2 "--policy bogus: exit status 2"
scrub delim --offline --delimiter x "$SAMPLES/contacts.csv"
is "$SCRUB_RC" 2 "--delimiter x: exit status 2"
run_scrub --help
is "$SCRUB_RC" 0 "--help: exit status 0"
like "$SCRUB_OUT" "--column" "--help: lists the options"
run_scrub --version
is "$SCRUB_RC" 0 "--version: exit status 0"
like "$SCRUB_OUT" "listscrub" "--version: names the program"
