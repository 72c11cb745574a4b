#!/bin/bash
# t_html.sh - --report FILE.html: the page is one more output of the run's
# set (written with the others, never over the input, not at all when the
# run fails), its name must end in .html or .htm, it is self-contained and
# holds no address; with the DNS stage (the loopback NSD of tests/dns) it
# has the network figures and the sender-side problems. Then it is
# rendered by headless Chromium and the screenshot is decoded here (PNG,
# python3 stdlib only): not blank, and the chart colours of the SVG bars
# are there. The render is skipped only when Chromium is not installed.
. "$(dirname "$0")/lib.sh"
. "$srcdir/tests/proc.sh"

plan 39

# The SVG fills of report_html.c: keep/valid, remove/invalid,
# review/risky, skipped.
GREEN=1a9850 RED=d73027 AMBER=f0a202 GREY=9aa5b1

mkdir -p "$T/in" "$T/o"
IN=$T/in/contacts.csv
cp "$SAMPLES/contacts.csv" "$IN"
cp "$IN" "$T/in.orig"
P=$T/o/report.html

# ---------------------------------------------------------------- one more output
run_scrub -q --no-progress --offline -o "$T/o/c.csv" -r "$T/o/r.csv" \
    --report "$P" "$IN"
scrub_ok "offline run with --report: exit status 0"
ok "the page is written beside the other outputs, nothing else is left" \
    only_files "$T/o" c.csv r.csv report.html
is "$(head -1 "$P")" "<!DOCTYPE html>" "it is an HTML document"
is "$(tail -1 "$P")" "</html>" "it ends with </html> (written to the end)"
rows=$(( $(data_rows "$T/o/c.csv") + $(data_rows "$T/o/r.csv") ))
kept=$(data_rows "$T/o/c.csv")
like "$(cat "$P")" "<b>contacts\\.csv</b> &middot; <span class=\"num\">$rows</span> rows" \
    "the page names the input and its $rows rows"
pct=$(awk -v k="$kept" -v n="$rows" 'BEGIN { printf "%.1f%%", 100 * k / n }')
like "$(cat "$P")" "<span class=\"pct\">$pct</span><span class=\"what\">deliverable" \
    "deliverable share matches the cleaned file ($pct)"
nok "no script, no URL: no <script, http:, https:, //, url(, @import" \
    grep -Eiq '<script|https?:|//|url\(|@import|<link|<img|src=|href=' "$P"
leak=
for a in $(col "$IN" Email | grep '@' | tr -d ' ' | grep -v '^$'); do
	grep -qiF -- "$a" "$P" && leak="$leak $a"
done
is "$leak" "" "no address of the input is in the page"
like "$(cat "$P")" ">gmail\\.com<" "the top domains are there"
ok "the page's text is valid UTF-8" python3 -c '
import sys
open(sys.argv[1], "rb").read().decode("utf-8")' "$P"

# ---------------------------------------------------------------- with --summary
mkdir -p "$T/o2"
run_scrub -q --no-progress --offline -o "$T/o2/c.csv" -r "$T/o2/r.csv" \
    --summary "$T/o2/s.json" --report "$T/o2/p.htm" "$IN"
scrub_ok "--summary and --report (.htm) together: exit status 0"
ok "... both written with the CSV outputs" only_files "$T/o2" c.csv r.csv s.json p.htm
run_scrub -q --no-progress --offline -o "$T/o2/c.csv" -r "$T/o2/r.csv" \
    --report "$T/o2/P.HTML" "$IN"
ok "an upper-case .HTML is an HTML name too (exit 0, written)" \
    test "$SCRUB_RC" = 0 -a -s "$T/o2/P.HTML"

# ---------------------------------------------------------------- refused names
mkdir -p "$T/o3"
run_scrub -q --no-progress --offline -o "$T/o3/c.csv" -r "$T/o3/r.csv" \
    --report "$T/o3/report.csv" "$IN"
is "$SCRUB_RC" 2 "--report report.csv: refused, exit status 2"
like "$SCRUB_ERR" "--report .*report\\.csv.*\\.html or \\.htm" "... the message says why"
ok "... and nothing is written" only_files "$T/o3"
run_scrub -q --no-progress --offline -o "$T/o3/c.csv" -r "$T/o3/r.csv" \
    --report "$T/o3/report" "$IN"
is "$SCRUB_RC" 2 "--report without an extension: refused, exit status 2"
run_scrub -q --no-progress --offline -o "$T/o3/c.csv" -r "$T/o3/r.csv" \
    --report "$T/o3/.html" "$IN"
is "$SCRUB_RC" 2 "--report .html (a dot-file, no extension): refused"

# Over the input: the same file by name, and through a symbolic link.
cp "$IN" "$T/in/list.html"
run_scrub -q --no-progress --offline -o "$T/o3/c.csv" -r "$T/o3/r.csv" \
    --report "$T/in/list.html" "$T/in/list.html"
is "$SCRUB_RC" 2 "--report naming the input: refused, exit status 2"
ok "... the input is untouched, nothing is written" \
    cmp -s "$T/in/list.html" "$T/in.orig"
ln -s contacts.csv "$T/in/link.html"
run_scrub -q --no-progress --offline -o "$T/o3/c.csv" -r "$T/o3/r.csv" \
    --report "$T/in/link.html" "$IN"
is "$SCRUB_RC" 2 "--report through a symbolic link to the input: refused"
like "$SCRUB_ERR" "--report .*is the input file" "... the message says so"
ok "... the input is untouched" cmp -s "$IN" "$T/in.orig"
ok "... no output was written" only_files "$T/o3"

# A failed run leaves the old page as it was, and no temporary file.
mkdir -p "$T/o4"
echo old >"$T/o4/p.html"
run_scrub -q --no-progress --offline -o "$T/o4/c.csv" -r "$T/o4/r.csv" \
    --column nosuch --report "$T/o4/p.html" "$IN"
is "$SCRUB_RC" 2 "a run that fails (no such column): exit status 2"
ok "... the old page is kept, nothing else is left" \
    test "$(cat "$T/o4/p.html")" = old -a "$(ls -A "$T/o4")" = p.html

# ---------------------------------------------------------------- with the DNS stage
. "$srcdir/tests/dns/lib.sh"
if dns_have_nsd && dns_start lab >/dev/null 2>&1; then
	F=$T/dns.csv
	{
		echo 'Name,Email'
		echo 'a,joe@mx-ok.lab'
		echo 'b,ann@mx-ok.lab'
		echo 'c,joe@nx.lab'
		echo 'd,joe@implicit.lab'
		echo 'e,joe@x.broken'
		echo 'f,not-an-address'
	} >"$F"
	mkdir -p "$T/o5"
	run_scrub -q --no-progress -o "$T/o5/c.csv" -r "$T/o5/r.csv" \
	    --dns-server "$DNS_ADDR" --allow-reserved --report "$T/o5/p.html" "$F"
	scrub_ok "DNS run with --report: exit status 0"
	D=$(tr '\n' ' ' <"$T/o5/p.html")
	like "$D" "<b>4</b><span>domains looked up" "DNS figures: 4 domains looked up"
	like "$D" "<b>2</b><span>have a mail server.*<b>1</b><span>receive no mail.*<b>1</b><span>lookups failed" \
	    "DNS figures: 2 with a mail server, 1 without, 1 failed"
	like "$D" "<code>dns_error</code></td><td class=\"n\">1<" \
	    "sender-side problems: the failed lookup, with its fix"
	like "$D" ">mx-ok\\.lab<.*has a mail server" "top domains: the DNS answer in words"
	dns_stop
else
	skip 5 "nsd not installed or the test DNS server did not start"
fi

# ---------------------------------------------------------------- the render
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
chrome_sid=

# chrome_left - pids of live processes of the render's session (the
# browser and whatever it started: renderers, the crash handler).
chrome_left() {
	local f st pid
	[ -n "$chrome_sid" ] || return 0
	for f in /proc/[0-9]*/stat; do
		st=$(cat "$f" 2>/dev/null) || continue
		pid=${f#/proc/}
		pid=${pid%/stat}
		st=${st##*) }
		# fields after the command: state ppid pgrp session
		set -- $st
		[ "$4" = "$chrome_sid" ] && proc_alive "$pid" && echo "$pid"
	done
	return 0
}

# chrome_stop - kill, by pid, what is left of the render's session, and
# wait until it is gone (5 s).
chrome_stop() {
	local rc=$? i pids
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(chrome_left)
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null
		sleep 0.5
	done
	return $rc
}

if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
	proc_on_exit chrome_stop
	# Its own session (setsid), so that all it starts can be found;
	# timeout ends a browser that hangs.
	setsid timeout -k 5 120 "$CHROMIUM" --headless --no-sandbox \
	    --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --hide-scrollbars --user-data-dir="$T/chrome" \
	    --window-size=1200,2400 --screenshot="$T/r.png" "file://$P" \
	    >"$T/chrome.log" 2>&1 </dev/null &
	chrome_sid=$!
	wait "$chrome_sid"
	crc=$?
	ok "Chromium rendered the page (exit $crc)" test "$crc" = 0 -a -s "$T/r.png"
	[ "$crc" = 0 ] || diag "$(tail -5 "$T/chrome.log")"
	chrome_stop
	is "$(chrome_left)" "" "no Chromium process is left"
	cat >"$T/png.py" <<'EOF'
# png.py FILE RRGGBB... - decode a PNG (8-bit RGB or RGBA, not interlaced;
# filters 0-4, PNG spec 9.2) and print: "size WxH", "nonwhite N", "ink N"
# (dark pixels: text), "colours N" (distinct), then "RRGGBB N" per colour.
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('not a PNG')
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace != 0:
        sys.exit('unsupported PNG: depth %d, colour type %d, interlace %d'
                 % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 255
        elif f == 3:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((a + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                c = prev[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + paeth(a, prev[x], c)) & 255
        elif f != 0:
            sys.exit('bad filter type %d' % f)
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = read_png(sys.argv[1])
counts = {}
for line in rows:
    for x in range(0, len(line), bpp):
        rgb = line[x:x + 3]
        counts[rgb] = counts.get(rgb, 0) + 1
ink = sum(n for rgb, n in counts.items() if sum(rgb) < 300)
print('size %dx%d' % (w, h))
print('nonwhite %d' % (w * h - counts.get(b'\xff\xff\xff', 0)))
print('ink %d' % ink)
print('colours %d' % len(counts))
for want in sys.argv[2:]:
    print('%s %d' % (want, counts.get(bytes.fromhex(want), 0)))
EOF
	if [ -s "$T/r.png" ] && python3 "$T/png.py" "$T/r.png" $GREEN $RED $AMBER $GREY \
	    >"$T/png.out" 2>"$T/png.err"; then
		px() { awk -v k="$1" '$1 == k { print $2 }' "$T/png.out"; }
		is "$(px size)" 1200x2400 "the screenshot is 1200x2400"
		ok "it is not blank: $(px nonwhite) non-white pixels, $(px ink) dark (text), $(px colours) colours" \
		    test "$(px nonwhite)" -gt 500000 -a "$(px ink)" -gt 5000 -a "$(px colours)" -ge 64
		ok "the green of keep/valid bars: $(px $GREEN) pixels" test "$(px $GREEN)" -ge 5000
		ok "the red of remove/invalid bars: $(px $RED) pixels" test "$(px $RED)" -ge 1000
		ok "the amber of risky bars: $(px $AMBER) pixels" test "$(px $AMBER)" -ge 500
		ok "the grey of skipped bars: $(px $GREY) pixels" test "$(px $GREY)" -ge 500
	else
		fail "the screenshot decodes as a PNG" "$(cat "$T/png.err" 2>/dev/null)"
		skip 5 "no screenshot to look at"
	fi
else
	skip 8 "chromium is not installed"
fi
