#!/bin/sh
# summary.sh - the closing line of a test run, from automake's .trs files:
# "N skipped", then the last line "N passed, N failed". Usage: summary.sh BUILDDIR
# Before them, for each script with a failure, its "not ok" lines and the
# diagnostics ("# ...") that follow them, at most 40 lines a script: CI
# shows the end of the output, and test-suite.log is not kept there.
dir=${1:-.}
find "$dir" -name '*.trs' | sort | while read -r trs; do
	grep -q '^:test-result: \(FAIL\|XPASS\|ERROR\)' "$trs" || continue
	log=${trs%.trs}.log
	echo "--- ${log#"$dir"/}"
	[ -f "$log" ] || continue
	# no "not ok" (a missing plan, a crash): the end of the log
	if grep -q '^not ok ' "$log"; then
		awk '/^not ok / { on = 1; print; next }
		    on && /^# / { print; next }
		    /^Bail out!/ { print }
		    { on = 0 }' "$log" | head -40
	else
		tail -n 10 "$log"
	fi
done
find "$dir" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
/^:test-result: (PASS|XFAIL)/ { p++ }
/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
/^:test-result: SKIP/ { s++ }
END { printf "%d skipped\n%d passed, %d failed\n", s, p, f }'
