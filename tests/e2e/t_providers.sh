#!/bin/bash
# t_providers.sh - which mailbox provider runs each domain's mail, against
# the test NSD on loopback serving stand-ins of real providers' MX names
# (tests/dns/providers/): the scrub_provider column, the summary's
# provider block (text, JSON, CSV, the --report page, the --xlsx Summary),
# --columns provider, the offline run, and a broken lists/providers.tsv
# refused with its file and line.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/dns/lib.sh"

dns_require
plan 26

dns_start lab "$srcdir/tests/dns/providers" || bail "cannot start the test DNS server"

DNS=(--dns-server "$DNS_ADDR" --allow-reserved)
P=scrub_provider

F=$T/prov.csv
{
	printf '%s\n' 'Name,Email'
	printf '%s\n' 'a,joe@yahoo.prov'     # 1 mta5.am0.yahoodns.net
	printf '%s\n' 'b,ann@aol.prov'       # 2 mx-aol.mail.gm0.yahoodns.net
	printf '%s\n' 'c,bob@mailru.prov'    # 3 mxs.mail.ru
	printf '%s\n' 'd,cy@gmail.prov'      # 4 gmail-smtp-in.l.google.com
	printf '%s\n' 'e,dee@hotmail.prov'   # 5 hotmail-com.olc.protection.outlook.com
	printf '%s\n' 'f,eve@m365.prov'      # 6 contoso-com.mail.protection.outlook.com
	printf '%s\n' 'g,fay@mixed.prov'     # 7 preferred host is no provider's
	printf '%s\n' 'h,gus@backup.prov'    # 8 preferred host is Yahoo's
	printf '%s\n' 'i,hal@own.prov'       # 9 no provider
	printf '%s\n' 'j,ida@fake.prov'      # 10 mx.notyahoodns.net: a look-alike
	printf '%s\n' 'k,not-an-address'     # 11 never reaches DNS
	printf '%s\n' 'l,joe2@yahoo.prov'    # 12 yahoo again
} >"$F"
C=$T/prov.cleaned.csv R=$T/prov.rejected.csv
scrub prov --summary "$T/prov.json" "${DNS[@]}" "$F"
scrub_ok "providers: exit status 0"
got=
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
	got="$got $n=$(look "$n" "scrub_row,$P" "$C" "$R" | cut -d'|' -f3)"
done
is "$got" " 1=yahoo 2=yahoo 3=mailru 4=google 5=outlook_com 6=microsoft365 7= 8=yahoo 9= 10= 11= 12=yahoo" \
    "scrub_provider of each row: the preferred mail host's provider, none for no match"
is "$(look 4 scrub_mx,$P "$C" "$R")" "cleaned|gmail-smtp-in.l.google.com|google" \
    "the provider is that of scrub_mx"
like "$(head -1 "$C")" ',scrub_tls,scrub_provider(,scrub_previous_status,scrub_changed)?$' \
    "scrub_provider follows scrub_tls; only the change columns come after it"

J=$(tr -d ' \n' <"$T/prov.json")
like "$J" '"providers":\[\{"provider":"yahoo","rows":4,"valid":4,"invalid":0,' \
    "JSON summary: yahoo first (first seen), 4 rows, all valid"
like "$J" '\{"provider":"mailru","rows":1,"valid":1,' "JSON summary: mailru 1"
like "$J" '\{"provider":"google","rows":1,' "JSON summary: google 1"
like "$J" '\{"provider":"outlook_com","rows":1,' "JSON summary: outlook_com 1"
like "$J" '\{"provider":"microsoft365","rows":1,' "JSON summary: microsoft365 1"
is "$(printf '%s' "$J" | grep -o '"provider":"[a-z0-9_]*"' | tr '\n' ' ')" \
    '"provider":"yahoo" "provider":"mailru" "provider":"google" "provider":"outlook_com" "provider":"microsoft365" ' \
    "JSON summary: exactly the five providers seen, no row for domains without one"

scrub prov2 --summary "$T/prov.csv.sum.csv" "${DNS[@]}" "$F"
is "$(grep '^provider' "$T/prov.csv.sum.csv" | grep -v ',0$' | tr '\n' ' ')" \
    "provider,yahoo,4 provider_valid,yahoo,4 provider,mailru,1 provider_valid,mailru,1 provider,google,1 provider_valid,google,1 provider,outlook_com,1 provider_valid,outlook_com,1 provider,microsoft365,1 provider_valid,microsoft365,1 " \
    "CSV summary: provider rows and their statuses"

scrub prov3 --summary "$T/prov.txt" "${DNS[@]}" "$F"
like "$(cat "$T/prov.txt")" 'providers: yahoo 4 \(valid 4\); mailru 1 \(valid 1\); google 1 \(valid 1\); outlook_com 1 \(valid 1\); microsoft365 1 \(valid 1\)' \
    "text summary: one providers line, rows and statuses"

# The page and the workbook: rows, outcomes and the rule applied.
scrub page --report "$T/prov.html" --xlsx "$T/prov.xlsx" "${DNS[@]}" "$F"
scrub_ok "--report and --xlsx: exit status 0"
H=$(tr -d '\n' <"$T/prov.html")
like "$H" '<h2>Mailbox providers</h2>' "--report: the Mailbox providers section"
like "$H" '<td class="dom">yahoo</td><td class="n">4</td><td class="n">33.3%</td><td>valid 4</td><td>accepts all: not asked</td>' \
    "--report: yahoo's rows, share, outcomes and rule"
like "$H" '<td class="dom">outlook_com</td>.*<td>1 recipient per connection</td>' \
    "--report: outlook_com's rule"
# the Summary sheet's provider rows, read back: A|B|D|E
xrows() {
	python3 - "$1" <<'PY'
import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode('utf-8')
rows = {}
for ref, body in re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*>(.*?)</c>', x):
    col, row = re.match(r'([A-Z]+)([0-9]+)', ref).groups()
    t = re.search(r'<t[^>]*>(.*?)</t>', body) or re.search(r'<v>(.*?)</v>', body)
    rows.setdefault(int(row), {})[col] = t.group(1) if t else ''
on = False
for r in sorted(rows):
    c = rows[r]
    if c.get('A') == 'Mailbox provider':
        on = True
    elif on and 'A' in c:
        print('%s|%s|%s|%s' % (c.get('A'), c.get('B'), c.get('D'), c.get('E')))
PY
}
X=$(xrows "$T/prov.xlsx" | tr '\n' ';')
is "$X" "yahoo|4|valid 4|accepts all: not asked;mailru|1|valid 1|accepts all: not asked;google|1|valid 1|throttling replies retried (450 4.2.1, 421 4.7.28);outlook_com|1|valid 1|1 recipient per connection;microsoft365|1|valid 1|none;" \
    "--xlsx Summary: one row per provider, rows, outcomes and rule"

# Offline: no provider, so neither shows the block.
scrub offpage --offline --report "$T/off.html" --xlsx "$T/off.xlsx" "$F"
ok "offline: the page has no provider section" sh -c "! grep -q 'Mailbox providers' '$T/off.html'"
is "$(xrows "$T/off.xlsx")" "" "offline: the Summary has no provider table"

scrub cols --columns status,provider "${DNS[@]}" "$F"
is "$(head -1 "$T/cols.cleaned.csv")" "Name,Email,scrub_status,scrub_provider" "--columns provider"
is "$(sed -n 4p "$T/cols.cleaned.csv")" "c,bob@mailru.prov,valid,mailru" "--columns provider: the cell"

scrub off --offline --summary "$T/off.json" "$F"
is "$(look 1 scrub_row,$P "$T/off.cleaned.csv" "$T/off.rejected.csv")" "cleaned|1|" "offline: no provider (no mail host known)"
like "$(tr -d ' \n' <"$T/off.json")" '"providers":\[\],' "offline: the JSON summary's providers list is empty"

# A broken table stops the run before any output, naming file and line.
L=$T/lists
cp -r "$LISTSCRUB_LISTS" "$L"
printf '.bad.example\tx\taccept_all\tunsourced: nothing\n' >>"$L/providers.tsv"
n=$(wc -l <"$L/providers.tsv")
scrub broken --lists-dir "$L" "${DNS[@]}" "$F"
is "$SCRUB_RC" 1 "a broken providers.tsv: exit status 1"
like "$SCRUB_ERR" "providers.tsv:$n: a probe rule needs a source" "... naming the file, the line and what is wrong"
ok "... and writing no output" test ! -e "$T/broken.cleaned.csv"
