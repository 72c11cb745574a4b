#!/bin/bash
# report-screenshot.sh - regenerate contrib/report-example.png, the README's
# picture of the --report page: the page of contrib/demo's run (the bundled
# loopback mail world: NSD and Postfix from Debian, as the tests use them;
# needs root, like the demo) rendered by headless Chromium, REPORT_WIDTH x
# REPORT_HEIGHT pixels (1040x2220: down to the top domains, under 300 KB).
# With --offline, or when the mail world cannot start, the page of an
# offline scrub of lists/sample/contacts.csv instead.
# Usage: contrib/report-screenshot.sh [--offline] [OUT.png]
# Needs: a built listscrub (LISTSCRUB, default validator/listscrub of the
# source tree) and chromium (CHROMIUM).
set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
export srcdir
LISTSCRUB=${LISTSCRUB:-$srcdir/validator/listscrub}
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
offline=no
[ "${1:-}" = --offline ] && { offline=yes; shift; }
out=${1:-$srcdir/contrib/report-example.png}
width=${REPORT_WIDTH:-1040}
height=${REPORT_HEIGHT:-2220}

[ -x "$LISTSCRUB" ] || { echo "report-screenshot: build first (./configure && make)" >&2; exit 2; }
[ -n "$CHROMIUM" ] || { echo "report-screenshot: chromium is not installed" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/report-shot.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
export LISTSCRUB_LISTS=${LISTSCRUB_LISTS:-$srcdir/lists}

ran=no
if [ $offline = no ]; then
	. "$srcdir/tests/dns/lib.sh"
	. "$srcdir/tests/smtp/lib.sh"
	list=$srcdir/lists/sample/mailworld.csv
	if smtp_start >/dev/null 2>&1 && dns_start "$SMTP_ZONE" >/dev/null 2>&1; then
		# contrib/demo's command, with the outputs and the store here.
		cp "$list" "$T/mailworld.csv"
		"$LISTSCRUB" -q --no-progress --dns-server "$DNS_ADDR" \
		    --allow-reserved --probe --helo probe.listscrub.test \
		    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" \
		    --retry-delay 2 --cache "$T/results.sqlite" \
		    --report "$T/report.html" "$T/mailworld.csv"
		rc=$?
		[ $rc -eq 0 ] || [ $rc -eq 3 ] && ran=yes
	else
		echo "report-screenshot: the mail world did not start (root?);" \
		    "using an offline scrub" >&2
	fi
	dns_stop 2>/dev/null
	smtp_stop 2>/dev/null
fi
if [ $ran = no ]; then
	cp "$srcdir/lists/sample/contacts.csv" "$T/contacts.csv"
	"$LISTSCRUB" -q --no-progress --offline --report "$T/report.html" \
	    "$T/contacts.csv" || exit 1
fi

# Its own session, so that everything it starts can be stopped by pid.
setsid timeout -k 5 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$T/chrome" --window-size="$width","$height" \
    --screenshot="$T/shot.png" "file://$T/report.html" >"$T/chrome.log" \
    2>&1 </dev/null &
sid=$!
wait $sid
rc=$?
for f in /proc/[0-9]*/stat; do
	st=$(cat "$f" 2>/dev/null) || continue
	set -- ${st##*) }
	[ "$4" = "$sid" ] && { p=${f#/proc/}; kill -9 "${p%/stat}" 2>/dev/null; }
done
if [ $rc -ne 0 ] || [ ! -s "$T/shot.png" ]; then
	echo "report-screenshot: chromium failed (exit $rc):" >&2
	tail -5 "$T/chrome.log" >&2
	exit 1
fi
cp "$T/shot.png" "$out" || exit 1
echo "report-screenshot: $out ($(wc -c <"$out") bytes)"
