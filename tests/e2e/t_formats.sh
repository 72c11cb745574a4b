#!/bin/bash
# t_formats.sh - input flavours: Excel export (BOM, ";", CRLF, CRLF inside
# quotes), tab, pipe, quoted newlines, doubled quotes, ragged rows, empty
# email cells, old-Mac CR line ends; output options --excel, --prefix,
# --delimiter.
. "$(dirname "$0")/lib.sh"

plan 73

TAB=$(printf '\t')
V=scrub_status,scrub_sub_status,scrub_action

# ---------------------------------------------------------------- Excel export
F=$T/excel.csv
printf '\357\273\277Name;Email;Note\r\n"M\303\274ller; Hans";hans.mueller@web.de;ok\r\nEva;eva.berg@gmx.de;"line one\r\nline two"\r\nOtto;otto.lang@t-online.de;Preis 1.234,56\r\n' >"$F"
scrub excel --offline "$F"
C=$T/excel.cleaned.csv R=$T/excel.rejected.csv
scrub_ok "excel export: exit status 0"
ok "excel export: 3 rows, each in exactly one output" rows_partition 3 "$C" "$R"
ok "excel export: output starts with a UTF-8 BOM" has_bom "$C"
nok "excel export: exactly one BOM (not doubled)" starts_with "$C" $'\357\273\277\357\273\277'
ok "excel export: output line ends are CRLF" all_crlf "$C"
is "$(header_raw "$C")" "Name;Email;Note;$(appended_header ';')" "excel export: ';' header, appended names joined by ';'"
ok "excel export: original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
is "$(look 1 scrub_email,Name "$C" "$R")" "cleaned|hans.mueller@web.de|Müller; Hans" \
    "excel export: quoted ';' inside a cell"
is "$(look 2 scrub_email,Note "$C" "$R")" 'cleaned|eva.berg@gmx.de|line one\r\nline two' \
    "excel export: CRLF inside a quoted cell kept"
is "$(look 3 scrub_email "$C" "$R")" "cleaned|otto.lang@t-online.de" "excel export: row after the multi-line cell"

# ---------------------------------------------------------------- tab
F=$T/tab.tsv
printf 'Name\tEmail\tCity\nAnn Lee\tann.lee@gmail.com\tPortland, OR\nBob Ray\tbob.ray@yahoo.com\tAustin, TX\nCy Jr\tcy.jr@outlook.com\tBoston, MA\n' >"$F"
for how in auto tab; do
	scrub "tab-$how" --offline --delimiter "$how" "$F"
	C=$T/tab-$how.cleaned.csv R=$T/tab-$how.rejected.csv
	scrub_ok "tab (--delimiter $how): exit status 0"
	is "$(header_raw "$C")" "Name${TAB}Email${TAB}City${TAB}$(appended_header "$TAB")" \
	    "tab (--delimiter $how): output is tab-separated"
	is "$(CSV_DELIM=$TAB col "$C" scrub_email | tr '\n' ' ')" \
	    "ann.lee@gmail.com bob.ray@yahoo.com cy.jr@outlook.com " "tab (--delimiter $how): addresses read"
	ok "tab (--delimiter $how): original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
done

# ---------------------------------------------------------------- pipe
F=$T/pipe.txt
printf 'name|email|city\nAnn Lee|ann.lee@gmail.com|Portland, OR\nBob Ray|bob.ray@yahoo.com|Austin, TX\n"Cy|Jr"|cy.jr@outlook.com|Boston, MA\n' >"$F"
for how in auto '|'; do
	scrub pipe --offline --delimiter "$how" "$F"
	C=$T/pipe.cleaned.csv R=$T/pipe.rejected.csv
	scrub_ok "pipe (--delimiter $how): exit status 0"
	is "$(header_raw "$C")" "name|email|city|$(appended_header '|')" "pipe (--delimiter $how): output is pipe-separated"
	ok "pipe (--delimiter $how): 3 rows, each in exactly one output" rows_partition 3 "$C" "$R"
	is "$(CSV_DELIM='|' look 3 scrub_email,name "$C" "$R")" "cleaned|cy.jr@outlook.com|Cy|Jr" \
	    "pipe (--delimiter $how): quoted '|' inside a cell"
	ok "pipe (--delimiter $how): original cells byte-identical" same_bytes "$F" 1 "$C" "$R"
done

# ---------------------------------------------------------------- quoted newlines
F=$T/newlines.csv
printf 'Name,Email,Note\n"Ann\nLee",ann.lee@gmail.com,"a\nb\n\nc"\nBob,bob.ray@yahoo.com,plain\n"Cy","cy.jr@outlook.com","x\n"\n' >"$F"
scrub nl --offline "$F"
C=$T/nl.cleaned.csv R=$T/nl.rejected.csv
scrub_ok "quoted newlines: exit status 0"
ok "quoted newlines: 3 rows (not 8 lines), each in exactly one output" rows_partition 3 "$C" "$R"
is "$(look 1 scrub_email,Name,Note "$C" "$R")" 'cleaned|ann.lee@gmail.com|Ann\nLee|a\nb\n\nc' \
    "quoted newlines: cells spanning lines (one with an empty line inside) kept"
is "$(look 2 scrub_email "$C" "$R")" "cleaned|bob.ray@yahoo.com" "quoted newlines: next row read normally"
is "$(look 3 scrub_email,Note "$C" "$R")" 'cleaned|cy.jr@outlook.com|x\n' "quoted newlines: newline at the end of a cell"
ok "quoted newlines: original cells byte-identical" same_bytes "$F" 1 "$C" "$R"

# ---------------------------------------------------------------- doubled quotes
F=$T/quotes.csv
printf '%s\n' 'Name,Email,Note' \
    '"Ann ""The Boss"" Lee","""Ann Lee"" <ann.lee@gmail.com>","She said ""hi"", then left"' \
    '"""","bob.ray@yahoo.com",""""""' \
    'Cy,cy.jr@outlook.com,""' >"$F"
scrub q --offline "$F"
C=$T/q.cleaned.csv R=$T/q.rejected.csv
scrub_ok "doubled quotes: exit status 0"
ok "doubled quotes: 3 rows, each in exactly one output" rows_partition 3 "$C" "$R"
is "$(look 1 scrub_email,Name,Note "$C" "$R")" 'cleaned|ann.lee@gmail.com|Ann "The Boss" Lee|She said "hi", then left' \
    "doubled quotes: read as one quote, display name unwrapped"
is "$(look 2 scrub_email,Name,Note "$C" "$R")" 'cleaned|bob.ray@yahoo.com|"|""' \
    "doubled quotes: cells that are only quotes"
ok "doubled quotes: original cells byte-identical (needless quotes kept)" same_bytes "$F" 1 "$C" "$R"

# ---------------------------------------------------------------- ragged rows
F=$T/ragged.csv
printf '%s\n' 'A,B,Email,D' '1,2,ann.lee@gmail.com,4' '1,2,bob.ray@yahoo.com' '1,2' \
    '1,2,cy.jr@outlook.com,4,5,6' '1' >"$F"
scrub rag --offline --summary "$T/rag.json" "$F"
C=$T/rag.cleaned.csv R=$T/rag.rejected.csv
scrub_ok "ragged: exit status 0"
ok "ragged: 5 rows, each in exactly one output" rows_partition 5 "$C" "$R"
nf_of() { paste -d ' ' <(cat <(col "$C" scrub_row) <(col "$R" scrub_row)) \
    <(cat <(nfields "$C" | tail -n +2) <(nfields "$R" | tail -n +2)) | awk -v r="$1" '$1 == r { print $2 }'; }
# the appended columns start after the widest row (6 cells), in every row
is "$(nf_of 2)" $((6 + NCOLS)) "ragged: row with 3 of 4 cells padded to the widest, 6 + $NCOLS"
is "$(nf_of 3)" $((6 + NCOLS)) "ragged: row with 2 of 4 cells padded to 6 + $NCOLS"
is "$(nf_of 5)" $((6 + NCOLS)) "ragged: row with 1 of 4 cells padded to 6 + $NCOLS"
is "$(nf_of 4)" $((6 + NCOLS)) "ragged: row with 6 cells keeps them all (6 + $NCOLS)"
is "$(look 4 scrub_email "$C" "$R")" "cleaned|cy.jr@outlook.com" "ragged: long row judged on its email cell"
is "$(look 2 scrub_email "$C" "$R")" "cleaned|bob.ray@yahoo.com" "ragged: short row judged on its email cell"
is "$(look 3 $V "$C" "$R")" "rejected|skipped|no_email|remove" "ragged: row without the email cell is no_email"
ok "ragged: original cells byte-identical, padding is empty cells" same_bytes "$F" 1 "$C" "$R"
is "$(tr -d ' \n' <"$T/rag.json" | grep -o '"short_rows":[0-9]*,"long_rows":[0-9]*')" \
    '"short_rows":3,"long_rows":1' "ragged: summary counts 3 short and 1 long row"

# ---------------------------------------------------------------- empty email cells
F=$T/empty.csv
printf '%s\n' 'Name,Email' 'Ann,' 'Bob,"   "' 'Cy,""' 'Dee,dee.ray@gmail.com' >"$F"
scrub empty --offline "$F"
C=$T/empty.cleaned.csv R=$T/empty.rejected.csv
scrub_ok "empty cells: exit status 0"
for r in 1 2 3; do
	is "$(look $r $V,scrub_checked,scrub_role,scrub_free "$C" "$R")" "rejected|skipped|no_email|remove|||" \
	    "empty cells: row $r is skipped/no_email, nothing checked"
done
is "$(look 4 $V "$C" "$R")" "cleaned|valid|syntax_ok|keep" "empty cells: the next address is judged"

# ---------------------------------------------------------------- CR line ends
F=$T/mac.csv
printf 'Name,Email\rAnn,ann.lee@gmail.com\rBob,bob.ray@yahoo.com\rCy,cy.jr@outlook.com\r' >"$F"
scrub mac --offline "$F"
scrub_ok "CR line ends: exit status 0"
tr '\r' '\n' <"$T/mac.cleaned.csv" >"$T/mac.c.lf"
tr '\r' '\n' <"$T/mac.rejected.csv" >"$T/mac.r.lf"
ok "CR line ends: 3 rows, each in exactly one output" rows_partition 3 "$T/mac.c.lf" "$T/mac.r.lf"
is "$(col "$T/mac.c.lf" scrub_email | tr '\n' ' ')" "ann.lee@gmail.com bob.ray@yahoo.com cy.jr@outlook.com " \
    "CR line ends: addresses read"

# ---------------------------------------------------------------- --excel
scrub xl --offline --excel "$SAMPLES/contacts.csv"
C=$T/xl.cleaned.csv R=$T/xl.rejected.csv
scrub_ok "--excel: exit status 0"
ok "--excel: cleaned starts with a UTF-8 BOM" has_bom "$C"
ok "--excel: rejected starts with a UTF-8 BOM" has_bom "$R"
ok "--excel: cleaned has CRLF line ends" all_crlf "$C"
ok "--excel: rejected has CRLF line ends" all_crlf "$R"
ok "--excel: every row in exactly one output" rows_partition 40 "$C" "$R"
is "$(header_raw "$C")" "$(header_raw "$SAMPLES/contacts.csv"),$(appended_header ,)" "--excel: header kept, comma kept"
ok "--excel: original cells byte-identical" same_bytes "$SAMPLES/contacts.csv" 1 "$C" "$R"
scrub xl2 --offline --excel "$SAMPLES/excel-semicolon.csv"
nok "--excel on a BOM input: exactly one BOM" starts_with "$T/xl2.cleaned.csv" $'\357\273\277\357\273\277'
ok "--excel on a BOM input: CRLF line ends" all_crlf "$T/xl2.cleaned.csv"

# ---------------------------------------------------------------- --prefix
scrub pre --offline --prefix x_ "$SAMPLES/contacts.csv"
C=$T/pre.cleaned.csv R=$T/pre.rejected.csv
scrub_ok "--prefix x_: exit status 0"
is "$(header_raw "$C")" "$(header_raw "$SAMPLES/contacts.csv"),$(appended_header , x_)" \
    "--prefix x_: appended names start with x_"
is "$(SCRUB_PREFIX=x_ get "$C" 13 x_email)" "jonas.weber@xn--bcher-kva.de" "--prefix x_: values unchanged"

# ---------------------------------------------------------------- --delimiter ;
F=$T/semi.csv
printf '%s\n' 'Name;Email' 'Smith, John;john.smith@gmail.com' 'Doe, Jane;jane.doe@yahoo.com' >"$F"
scrub semi --offline --delimiter ';' "$F"
scrub_ok "--delimiter ';': exit status 0"
is "$(CSV_DELIM=';' col "$T/semi.cleaned.csv" scrub_email | tr '\n' ' ')" "john.smith@gmail.com jane.doe@yahoo.com " \
    "--delimiter ';': cells with commas are one cell"
