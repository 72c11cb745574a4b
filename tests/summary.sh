#!/bin/sh
# summary.sh - the closing line of a test run, from automake's .trs files:
# "N passed, N failed, N skipped". Usage: summary.sh BUILDDIR
dir=${1:-.}
find "$dir" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
/^:test-result: (PASS|XFAIL)/ { p++ }
/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
/^:test-result: SKIP/ { s++ }
END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
