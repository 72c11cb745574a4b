#!/bin/bash
# t_usage.sh - the command line's own texts and refusals: --help (headings
# in order, the explain subcommand, the pointer to the statuses),
# --help statuses (every sub-status --keep accepts, and only those),
# messages about a wrong sub-status, and --summary names: .json, .csv,
# .txt or no extension are written, any other extension is refused before
# anything is written. (tests/options_doc.sh checks that the README and the
# man page carry the same texts.)
. "$(dirname "$0")/lib.sh"

plan 31

IN=$SAMPLES/contacts.csv

# ---------------------------------------------------------------- --help
run_scrub --help
scrub_ok "--help: exit status 0"
is "$SCRUB_ERR" "" "--help: nothing on standard error"
is "$(printf '%s\n' "$SCRUB_OUT" | grep -E '^[A-Z]' | grep -vE '^(Usage|Clean|original|Exit|Every)' |
    sed 's/ .*//' | tr '\n' ' ')" \
    "Outputs Input Checks DNS SMTP Result Spreadsheets Shards Help " \
    "--help: the headings, in order"
like "$SCRUB_OUT" '^ +--policy P ' "--help: --policy is listed"
is "$(printf '%s\n' "$SCRUB_OUT" | awk '/^[A-Z]/ { h = $0 } /^      --(policy|keep|remove|allow-reserved|lists-dir)( |$)/ { print h }' | sort -u)" \
    "Checks and policy" "--help: --policy, --keep, --remove, --allow-reserved, --lists-dir under Checks and policy"
like "$SCRUB_OUT" 'listscrub explain \[--json\]' "--help: names the explain subcommand"
like "$SCRUB_OUT" 'listscrub --help statuses' "--help: points to --help statuses"
run_scrub --offline --help
scrub_ok "--help after another option: exit status 0"

# ---------------------------------------------------------------- --help statuses
run_scrub --help statuses
scrub_ok "--help statuses: exit status 0"
ST=$SCRUB_OUT
run_scrub --help=statuses
is "$SCRUB_OUT" "$ST" "--help=statuses prints the same"
is "$(printf '%s\n' "$ST" | grep -E '^[a-z]' | sed 's/ .*//' | tr '\n' ' ')" \
    "valid invalid catch_all risky unknown skipped " "--help statuses: the six statuses"
subs=$(printf '%s\n' "$ST" | grep -E '^  [a-z]' | awk '{ print $1 }')
ok "--help statuses: at least the 34 sub-statuses of 0.1.0" test "$(printf '%s\n' "$subs" | wc -l)" -ge 34
is "$(printf '%s\n' "$subs" | sort | uniq -d)" "" "--help statuses: no sub-status twice"
bad=
for s in $subs; do
	run_scrub --offline -q --no-progress --keep "$s" -o "$T/k.c.csv" -r "$T/k.r.csv" "$IN"
	[ "$SCRUB_RC" = 0 ] || bad="$bad $s"
done
is "$bad" "" "--keep accepts every sub-status --help statuses lists"
nolines=$(printf '%s\n' "$ST" | grep -cE '^  [a-z_]+$')
is "$nolines" 0 "--help statuses: every sub-status has a meaning"
run_scrub --help=bogus
is "$SCRUB_RC" 2 "--help=bogus: exit status 2"
like "$SCRUB_ERR" "statuses" "--help=bogus: the message names statuses"

# ---------------------------------------------------------------- wrong sub-statuses
scrub keeprole --offline --keep role "$IN"
is "$SCRUB_RC" 2 "--keep role: exit status 2"
like "$SCRUB_ERR" "unknown sub-status 'role'.*listscrub --help statuses" \
    "--keep role: the message points to listscrub --help statuses"
scrub keeprisky --offline --remove disposable,risky "$IN"
is "$SCRUB_RC" 2 "--remove risky: exit status 2"
like "$SCRUB_ERR" "'risky' is a status.*listscrub --help statuses" \
    "--remove risky: the message says it is a status"

# ---------------------------------------------------------------- --summary names
scrub xlsx --offline --summary "$T/s.xlsx" "$IN"
is "$SCRUB_RC" 2 "--summary s.xlsx: exit status 2"
like "$SCRUB_ERR" "'\.xlsx'.*\.json.*\.csv.*\.txt.*no extension" \
    "--summary s.xlsx: the message names the extension and the accepted forms"
ok "--summary s.xlsx: nothing written" test ! -e "$T/s.xlsx" -a ! -e "$T/xlsx.cleaned.csv" -a ! -e "$T/xlsx.rejected.csv"
scrub upper --offline --summary "$T/s.JSON" "$IN"
is "$SCRUB_RC" 2 "--summary s.JSON: refused (the endings are lower-case)"
scrub noext --offline --summary "$T/summary" "$IN"
scrub_ok "--summary without an extension: exit status 0"
like "$(cat "$T/summary")" "cleaned: [0-9]+ \\([0-9.]+%\\) +rejected: [0-9]+" "--summary without an extension: text"
mkdir "$T/dir.d"
scrub dotdir --offline --summary "$T/dir.d/summary" "$IN"
scrub_ok "--summary in a directory with a dot, no extension: exit status 0"
cmp -s <(grep -v ' s \| rows/s\|outputs:' "$T/summary") \
    <(grep -v ' s \| rows/s\|outputs:' "$T/dir.d/summary")
is "$?" 0 "--summary dir.d/summary: the same text"
scrub dotfile --offline --summary "$T/.summary" "$IN"
scrub_ok "--summary .summary (a dot file, no extension): exit status 0"
scrub txt --offline --summary "$T/s.txt" "$IN"
like "$(cat "$T/s.txt")" "cleaned: [0-9]+ \\([0-9.]+%\\) +rejected: [0-9]+" "--summary s.txt: text"
