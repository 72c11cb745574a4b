#!/bin/sh
# summary.sh - the closing line of a test run, from automake's .trs files:
# "N skipped", then the last line "N passed, N failed". Usage: summary.sh BUILDDIR
dir=${1:-.}
find "$dir" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
/^:test-result: (PASS|XFAIL)/ { p++ }
/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
/^:test-result: SKIP/ { s++ }
END { printf "%d skipped\n%d passed, %d failed\n", s, p, f }'
