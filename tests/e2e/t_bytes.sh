#!/bin/bash
# t_bytes.sh - original cells keep their exact bytes (leading zeros, dates,
# phones, needless quotes, spaces, UTF-8, multi-line cells) and the formula
# guard: auto (default) guards formulas but not plain numbers and phones,
# strict guards every trigger, off guards nothing.
. "$(dirname "$0")/lib.sh"

plan 41

# ---------------------------------------------------------------- untouched cells
F=$T/tricky.csv
{
	printf '%s\n' 'ID,Name,Email,Phone,Zip,Joined,Balance,Note'
	printf '%s\n' '007,Zoë Ångström,zoe.angstrom@gmail.com,+44 20 7946 0958,02134,03/04/2024,"1,234.50", padded  '
	printf '%s\n' '0012,"plain",ann.lee@gmail.com,-5,00501,2024-04-03T10:00:00Z,-0.00,""'
	printf '%s\n' "13,O'Neil,\"bob.ray@yahoo.com\",+1 (555) 010-4471,,1/2/24,1e5,it's"
	printf '%s\n' '14,"Chen, Wei",wei.chen@outlook.com,+86 10 5555 0123,100080,2024-05-01,"€ 99,00","multi' 'line"'
	printf '%s\n' '15,  spaced  , cy.jr@outlook.com ,  +49 30 555 0123,,,,trailing   '
	printf '%s\n' '16,Ünal,"Dee ""D"" Ray <dee.ray@gmail.com>",+90 (212) 555-0145,34000,,,"a ""quoted"" word"'
} >"$F"
for g in auto off; do
	scrub "tricky-$g" --offline --formula-guard "$g" "$F"
	scrub_ok "untouched cells (--formula-guard $g): exit status 0"
	ok "untouched cells (--formula-guard $g): 6 rows, each in exactly one output" rows_partition 6 \
	    "$T/tricky-$g.cleaned.csv" "$T/tricky-$g.rejected.csv"
	ok "untouched cells (--formula-guard $g): every original cell byte-identical" same_bytes "$F" 1 \
	    "$T/tricky-$g.cleaned.csv" "$T/tricky-$g.rejected.csv"
done
is "$(col "$T/tricky-auto.cleaned.csv" scrub_email | tr '\n' ' ')" \
    "zoe.angstrom@gmail.com ann.lee@gmail.com bob.ray@yahoo.com wei.chen@outlook.com cy.jr@outlook.com dee.ray@gmail.com " \
    "untouched cells: the addresses were still read and normalized"
scrub tricky-strict --offline --formula-guard strict "$F"
C=$T/tricky-strict.cleaned.csv
scrub_ok "untouched cells (--formula-guard strict): exit status 0"
is "$(get "$C" 1 Phone)" "'+44 20 7946 0958" "strict: +44 phone guarded"
is "$(get "$C" 2 Phone)" "'-5" "strict: -5 guarded"
is "$(get "$C" 2 Balance)" "'-0.00" "strict: -0.00 guarded"
is "$(get "$C" 1 ID)" "007" "strict: 007 untouched (no trigger)"
is "$(get "$C" 5 Phone)" "  +49 30 555 0123" "strict: a cell starting with a space is not a trigger"

# ---------------------------------------------------------------- formula guard
F=$T/formula.csv
{
	printf '%s\n' 'Name,Email,Note,Phone'
	printf '%s\n' 'A,a1@gmail.com,=1+1,+44 20 7946 0958'
	printf '%s\n' 'B,b1@gmail.com,+SUM(A1:A2),-5'
	printf '%s\n' 'C,c1@gmail.com,-2+3,+1 (555) 010-4471'
	printf '%s\n' 'D,d1@gmail.com,@cmd,12'
	printf 'E,e1@gmail.com,\ttabbed,0044 20 7946 0958\n'
	printf '%s\n' 'F,f1@gmail.com,"=HYPERLINK(""http://x.example"",""y"")",+44 20 7946 0958'
	printf 'G,g1@gmail.com,"\rcr",\n'
	printf '%s\n' 'H,h1@gmail.com,safe text,555-0100'
} >"$F"
TAB=$(printf '\t')
for g in auto strict off; do
	scrub "f-$g" --offline --formula-guard "$g" --summary "$T/f-$g.json" "$F"
done
C=$T/f-auto.cleaned.csv
scrub_ok "formula guard auto: exit status 0"
is "$(get "$C" 1 Note,Phone)" "'=1+1|+44 20 7946 0958" "auto: =1+1 guarded, +44 phone kept"
is "$(get "$C" 2 Note,Phone)" "'+SUM(A1:A2)|-5" "auto: +SUM guarded, -5 kept"
is "$(get "$C" 3 Note,Phone)" "'-2+3|+1 (555) 010-4471" "auto: -2+3 is not a plain number: guarded; phone with parentheses kept"
is "$(get "$C" 4 Note)" "'@cmd" "auto: @cmd guarded"
is "$(get "$C" 5 Note)" "'${TAB}tabbed" "auto: leading TAB guarded"
is "$(get "$C" 6 Note)" "'=HYPERLINK(\"http://x.example\",\"y\")" "auto: =HYPERLINK guarded"
is "$(get "$C" 7 Note)" "'\\rcr" "auto: leading CR guarded"
is "$(orig_part "$C" | awk -F '\t' '$1 == 1 { print $2 }')" "A,a1@gmail.com,'=1+1,+44 20 7946 0958" \
    "auto: guarded cell needs no quotes, the rest of the row byte-identical"
is "$(orig_part "$C" | awk -F '\t' '$1 == 6 { print $2 }')" \
    "F,f1@gmail.com,\"'=HYPERLINK(\"\"http://x.example\"\",\"\"y\"\")\",+44 20 7946 0958" \
    "auto: guarded cell with quotes and a comma re-quoted RFC 4180 style"
is "$(orig_part "$C" | awk -F '\t' '$1 == 7 { print $2 }')" "G,g1@gmail.com,\"'\\rcr\"," \
    "auto: guarded cell with a CR stays quoted"
is "$(orig_part "$C" | awk -F '\t' '$1 == 8 { print $2 }')" "H,h1@gmail.com,safe text,555-0100" \
    "auto: row without triggers byte-identical"
like "$(tr -d ' \n' <"$T/f-auto.json")" '"guarded_rows":7[,}]' "auto: summary counts 7 guarded rows"
ok "auto: all 8 rows present" rows_partition 8 "$C" "$T/f-auto.rejected.csv"

C=$T/f-strict.cleaned.csv
scrub_ok "formula guard strict: exit status 0"
is "$(get "$C" 1 Note,Phone)" "'=1+1|'+44 20 7946 0958" "strict: =1+1 and the +44 phone guarded"
is "$(get "$C" 2 Note,Phone)" "'+SUM(A1:A2)|'-5" "strict: -5 guarded"
is "$(get "$C" 3 Phone)" "'+1 (555) 010-4471" "strict: +1 phone guarded"
is "$(get "$C" 4 Phone)" "12" "strict: a cell starting with a digit untouched"
is "$(get "$C" 8 Note,Phone)" "safe text|555-0100" "strict: cells without a trigger untouched"

C=$T/f-off.cleaned.csv
scrub_ok "formula guard off: exit status 0"
is "$(get "$C" 1 Note,Phone)" "=1+1|+44 20 7946 0958" "off: =1+1 not guarded"
is "$(get "$C" 6 Note)" "=HYPERLINK(\"http://x.example\",\"y\")" "off: =HYPERLINK not guarded"
ok "off: every original cell byte-identical" same_bytes "$F" 1 "$C" "$T/f-off.rejected.csv"
like "$(tr -d ' \n' <"$T/f-off.json")" '"guarded_rows":0[,}]' "off: summary counts 0 guarded rows"

# ---------------------------------------------------------------- listscrub's own cells
F=$T/own.csv
printf '%s\n' 'Name,Email' 'X,=cmd@gmail.com' 'Y,y1@gmail.com' >"$F"
scrub own --offline --formula-guard off "$F"
scrub_ok "own cells: exit status 0"
is "$(look 1 Email "$T/own.cleaned.csv" "$T/own.rejected.csv" | cut -d '|' -f 2-)" "=cmd@gmail.com" \
    "own cells: original email cell untouched under off"
like "$(look 1 scrub_email "$T/own.cleaned.csv" "$T/own.rejected.csv" | cut -d '|' -f 2-)" "^'=" \
    "own cells: scrub_email starting with = is guarded even under off"
