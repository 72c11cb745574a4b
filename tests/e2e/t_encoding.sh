#!/bin/bash
# t_encoding.sh - input that is not UTF-8: without --encoding its bytes
# pass through unchanged with one warning naming the likely encoding (and
# --excel writes no BOM before them); with --encoding NAME the input is
# converted and every output is UTF-8 (IDN domains checked as such); a
# byte that is not NAME, or a NAME iconv does not know, stops the run.
# Offline, and in DNS mode against the loopback NSD of tests/dns when it
# is installed.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

plan 59

V=scrub_status,scrub_sub_status
CSV_DELIM=';'
export CSV_DELIM
no_outputs() { [ ! -e "$T/$1.cleaned.csv" ] && [ ! -e "$T/$1.rejected.csv" ]; }
# utf8 FILE - the whole file is valid UTF-8
utf8() { python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null; }
# warnings - the number of warning lines the last run printed
warnings() { printf '%s\n' "$SCRUB_ERR" | grep -c 'warning'; }

# A Windows-1252 list: e acute (0xE9), smart quotes (0x93 0x94, which
# ISO-8859-1 does not have), u umlaut (0xFC) in a domain.
W=$T/win.csv
printf 'Name;Email\r\nAm\351lie;amelie@example.com\r\n\223Zo\224;zoe@example.com\r\nJos\351;jose@b\374cher.example\r\nAnn;ann@example.com\r\n' >"$W"

# ---------------------------------------------------------------- bytes as they are
scrub raw --offline --allow-reserved "$W"
C=$T/raw.cleaned.csv R=$T/raw.rejected.csv
scrub_ok "Windows-1252, no --encoding: exit status 0"
is "$(warnings)" 1 "no --encoding: one warning for the file, not one per row (even under -q)"
like "$SCRUB_ERR" "^listscrub: warning: .*win\\.csv is not UTF-8 \\(first at line 2\\); it looks like Windows-1252\\. Its bytes pass through unchanged; to convert, run again with --encoding windows-1252$" \
    "no --encoding: the warning names the file, the line, the likely encoding and the option"
ok "no --encoding: 4 rows, each in exactly one output" rows_partition 4 "$C" "$R"
ok "no --encoding: original cells byte-identical" same_bytes "$W" 1 "$C" "$R"
is "$(cat "$C" "$R" | grep -c $'^Am\351lie;')" 1 "no --encoding: the 0xE9 byte is in the output unchanged"
orig_part "$C" >"$T/raw.c.orig"
orig_part "$R" >>"$T/raw.c.orig"
sort -n "$T/raw.c.orig" | cut -f 2 >"$T/raw.got"
raw_records "$W" | cut -f 2 >"$T/raw.want"
ok "no --encoding: the records' bytes compare equal (cmp)" cmp -s "$T/raw.got" "$T/raw.want"
is "$(look 3 scrub_sub_status "$C" "$R")" "rejected|bad_syntax" \
    "no --encoding: a domain with a byte that is not UTF-8 is bad syntax"
nok "no --encoding: the output is not UTF-8 (nothing was converted)" utf8 "$C"

# the summary says it
run_scrub --offline --allow-reserved --no-progress -o "$T/sum.c.csv" -r "$T/sum.r.csv" \
    --summary "$T/sum.json" "$W"
like "$SCRUB_ERR" "  encoding: not UTF-8 \\(first at line 2\\), looks like windows-1252; bytes passed through unchanged" \
    "no --encoding: the text summary's encoding line"
J=$(tr -d ' \n' <"$T/sum.json")
like "$J" '"utf8":false,"encoding":"windows-1252","first_non_utf8_line":2,"converted_from":null' \
    "no --encoding: the JSON summary's encoding keys"
run_scrub --offline --allow-reserved --no-progress -q -o "$T/sum.c.csv" -r "$T/sum.r.csv" \
    --summary "$T/sum.csv" "$W"
like "$(tr '\n' ' ' <"$T/sum.csv")" "input,utf8,false input,encoding,windows-1252 input,first_non_utf8_line,2 input,converted_from, " \
    "no --encoding: the CSV summary's encoding keys"

# ISO-8859-1: no byte in 0x80-0x9F
L1=$T/latin1.csv
printf 'Name,Email\nAnn,ann@example.com\nJos\351,jose@example.com\n' >"$L1"
scrub l1 --offline --allow-reserved "$L1"
scrub_ok "ISO-8859-1: exit status 0"
like "$SCRUB_ERR" "latin1\\.csv is not UTF-8 \\(first at line 3\\); it looks like ISO-8859-1 \\(Latin-1\\)\\..*--encoding iso-8859-1$" \
    "ISO-8859-1: the warning guesses ISO-8859-1, line 3"

# standard input
scrub stdin --offline --allow-reserved - <"$W"
scrub_ok "Windows-1252 on standard input: exit status 0"
like "$SCRUB_ERR" "warning: standard input is not UTF-8 \\(first at line 2\\)" \
    "standard input: the warning says standard input"

# UTF-8 input: no warning
U=$T/utf8.csv
printf 'Name,Email\nAm\303\251lie,amelie@example.com\n' >"$U"
run_scrub --offline --allow-reserved --no-progress -o "$T/u.c.csv" -r "$T/u.r.csv" "$U"
scrub_ok "UTF-8 input: exit status 0"
unlike "$SCRUB_ERR" "warning" "UTF-8 input: no warning"
like "$SCRUB_ERR" "  encoding: UTF-8" "UTF-8 input: the summary says UTF-8"

# --offline --excel: the one pass meets the bytes only after the BOM went
# out, so it writes again without one; the warning is given once.
run_scrub --offline --allow-reserved --no-progress --excel -o "$T/ox.c.csv" -r "$T/ox.r.csv" \
    --summary "$T/ox.json" "$W"
scrub_ok "--offline --excel, Windows-1252: exit status 0"
nok "--offline --excel, not UTF-8: no BOM before the bytes" has_bom "$T/ox.c.csv"
ok "--offline --excel, not UTF-8: still CRLF" all_crlf "$T/ox.c.csv"
is "$(printf '%s\n' "$SCRUB_ERR" | grep -c 'is not UTF-8')" 1 "--offline --excel: the warning once, not per pass"
like "$(tr -d ' \n' <"$T/ox.json")" "\"rows\":$(data_rows "$W")," "--offline --excel: each row counted once"
ok "--offline --excel: original cells byte-identical" same_bytes "$W" 1 "$T/ox.c.csv" "$T/ox.r.csv"
run_scrub --offline --allow-reserved --no-progress -q --excel -o "$T/oxu.c.csv" -r "$T/oxu.r.csv" "$U"
ok "--offline --excel, UTF-8 input: the BOM is written" has_bom "$T/oxu.c.csv"

# ---------------------------------------------------------------- --encoding
scrub conv --offline --allow-reserved --encoding windows-1252 "$W"
C=$T/conv.cleaned.csv R=$T/conv.rejected.csv
scrub_ok "--encoding windows-1252: exit status 0"
is "$SCRUB_ERR" "" "--encoding windows-1252: no warning"
ok "--encoding windows-1252: the cleaned file is UTF-8" utf8 "$C"
ok "--encoding windows-1252: the rejected file is UTF-8" utf8 "$R"
is "$(look 1 Name "$C" "$R")" "cleaned|Amélie" "--encoding: 0xE9 became é in UTF-8"
is "$(look 2 Name "$C" "$R")" "cleaned|“Zo”" "--encoding: 0x93 and 0x94 became curly quotes"
is "$(look 3 scrub_email,$V "$C" "$R")" "cleaned|jose@xn--bcher-kva.example|valid|syntax_ok" \
    "--encoding: the domain bücher gets the IDN check as UTF-8"
nok "--encoding: no BOM without --excel" has_bom "$C"
run_scrub --offline --allow-reserved --no-progress -q --encoding windows-1252 \
    -o "$T/cs.c.csv" -r "$T/cs.r.csv" --summary "$T/cs.json" "$W"
like "$(tr -d ' \n' <"$T/cs.json")" '"utf8":true,"encoding":"utf-8","first_non_utf8_line":null,"converted_from":"windows-1252"' \
    "--encoding: the JSON summary says converted from windows-1252"

scrub convx --offline --allow-reserved --excel --encoding windows-1252 "$W"
scrub_ok "--encoding windows-1252 --excel: exit status 0"
ok "--encoding --excel: a UTF-8 BOM" has_bom "$T/convx.cleaned.csv"
ok "--encoding --excel: UTF-8 after it" utf8 "$T/convx.cleaned.csv"
ok "--encoding --excel: CRLF" all_crlf "$T/convx.cleaned.csv"

# wrong byte for the encoding: 0x81 is not Windows-1252
B=$T/bad81.csv
printf 'Name;Email\r\nAnn;ann@example.com\r\nB\201b;bob@example.com\r\n' >"$B"
scrub bad81 --offline --allow-reserved --encoding windows-1252 "$B"
is "$SCRUB_RC" 2 "a byte that is not Windows-1252: exit status 2"
like "$SCRUB_ERR" "bad81\\.csv:3: byte 0x81 is not windows-1252" "the message names the file, line and byte"
ok "a byte that is not the encoding: no output files" no_outputs bad81

scrub unk --offline --encoding klingon-8 "$W"
is "$SCRUB_RC" 2 "unknown encoding name: exit status 2"
like "$SCRUB_ERR" "--encoding klingon-8:.*windows-1252.*iso-8859-1.*iso-8859-15.*utf-16" \
    "unknown encoding name: named, with examples"
ok "unknown encoding name: no output files" no_outputs unk

# UTF-16 with a BOM: refused with the way out, read with --encoding utf-16
U16=$T/u16.csv
printf 'Name,Email\r\nAm\303\251lie,amelie@example.com\r\n' | iconv -f UTF-8 -t UTF-16 >"$U16"
scrub u16 --offline --allow-reserved "$U16"
is "$SCRUB_RC" 2 "UTF-16 without --encoding: exit status 2"
like "$SCRUB_ERR" "u16\\.csv is UTF-16; run again with --encoding utf-16" "UTF-16: the message says which --encoding reads it"
scrub u16c --offline --allow-reserved --encoding utf-16 "$U16"
scrub_ok "--encoding utf-16: exit status 0"
is "$(CSV_DELIM=, look 1 Name,scrub_email "$T/u16c.cleaned.csv" "$T/u16c.rejected.csv")" \
    "cleaned|Amélie|amelie@example.com" "--encoding utf-16: read and converted"

# ---------------------------------------------------------------- DNS mode (two passes)
if ! dns_have_nsd; then
	skip 10 "nsd not installed: the DNS-mode cases"
	exit 0
fi
dns_start lab || bail "cannot start the test DNS server"
DNS=(--dns-server "$DNS_ADDR" --allow-reserved)
WL=$T/winlab.csv
printf 'Name;Email\r\nAm\351lie;amelie@mx-ok.lab\r\nJos\351;jose@b\374cher.lab\r\n' >"$WL"

scrub dnsraw "${DNS[@]}" --excel "$WL"
C=$T/dnsraw.cleaned.csv R=$T/dnsraw.rejected.csv
scrub_ok "DNS mode, Windows-1252, --excel: exit status 0"
nok "DNS mode, not UTF-8, --excel: no BOM before the bytes" has_bom "$C"
ok "DNS mode, --excel: still CRLF" all_crlf "$C"
is "$(warnings)" 1 "DNS mode: one warning (pass 1 scans, pass 2 does not again)"
ok "DNS mode: original cells byte-identical" same_bytes "$WL" 1 "$C" "$R"

scrub dnsconv "${DNS[@]}" --excel --encoding windows-1252 "$WL"
C=$T/dnsconv.cleaned.csv R=$T/dnsconv.rejected.csv
scrub_ok "DNS mode, --encoding windows-1252 --excel: exit status 0"
ok "DNS mode, --encoding --excel: a UTF-8 BOM" has_bom "$C"
ok "DNS mode, --encoding: the output is UTF-8" utf8 "$C"
is "$(look 2 Name,scrub_email,$V "$C" "$R")" "cleaned|José|jose@xn--bcher-kva.lab|valid|domain_ok" \
    "DNS mode, --encoding: bücher.lab looked up by its A-label"

scrub dnsu8 "${DNS[@]}" --excel "$U"
ok "DNS mode, UTF-8 input, --excel: the BOM is written" has_bom "$T/dnsu8.cleaned.csv"
dns_stop
