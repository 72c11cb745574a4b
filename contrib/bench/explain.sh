#!/bin/sh
# explain.sh - accuracy of `listscrub explain` on a pinned set of real
# reply lines (default tests/data/explain/replies.tsv: category, label,
# reply, source). Prints, per category and overall, how many lines get the
# right class group, and the share of sender-side or temporary refusals
# (categories policy, temporary, other) that are blamed on the recipient.
# Every 5th data line (the 5th, 10th, ...) is the held-out part: it is
# reported on its own, and phrases are not to be added by looking at it.
#
# usage: contrib/bench/explain.sh [LISTSCRUB [SET]]
#   LISTSCRUB  the binary (default validator/listscrub in the cwd)
#   SET        the TSV (default: the one beside this script's tree)
# Exit 0; with STRICT=1, 1 when overall < 90% or blamed > 2%.
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-./validator/listscrub}
set=${2:-$here/tests/data/explain/replies.tsv}
tab=$(printf '\t')

grep -v '^#' "$set" | grep -v '^$' | while IFS="$tab" read -r cat label reply src; do
	out=$("$bin" explain --json -- "$reply" 2>/dev/null)
	cls=$(printf '%s\n' "$out" | sed -n 's/.*"class":"\([a-z_]*\)".*/\1/p')
	flt=$(printf '%s\n' "$out" | sed -n 's/.*"fault":"\([a-z]*\)".*/\1/p')
	code=$(printf '%s\n' "$out" | sed -n 's/.*"code":\([0-9]*\),.*/\1/p')
	printf '%s\t%s\t%s\t%s\n' "$cat" "${cls:-none}" "${flt:-none}" "${code:-0}"
done | awk -F '\t' -v strict="${STRICT:-0}" -v verbose="${VERBOSE:-0}" '
function group(c) {
	if (c == "mailbox_not_found") return "not_found"
	if (c == "mailbox_disabled") return "disabled"
	if (c == "mailbox_full") return "full"
	if (c == "policy_blocked" || c == "sender_rejected" ||
	    c == "relay_denied") return "policy"
	if (c == "rate_limited" || c == "greylisted" ||
	    c == "too_many_recipients" || c == "temporary_error")
		return "temporary"
	if (c == "rejected_other") return "other"
	return "none"
}
{
	n++; part = (n % 5 == 0) ? "held" : "dev"
	g = group($2)
	# A sender-side refusal with a 4xx is both the sender side and
	# temporary; a full mailbox with a 4xx may read temporary; a refusal
	# of the message (other) may read as sender side.
	right = (g == $1) || ($1 == "other" && g == "policy") ||
	    ($1 == "full" && g == "temporary") ||
	    ($1 == "policy" && g == "temporary" && $4 ~ /^4/)
	if ($1 == "not_found" || $1 == "disabled") {
		rcp[part]++; rcp["all"]++
		if (g == "not_found" || g == "disabled") { rem[part]++; rem["all"]++ }
	}
	tot[part]++; tot["all"]++
	cat[$1 SUBSEP part]++; cat[$1 SUBSEP "all"]++
	if (right) { ok[part]++; ok["all"]++; cok[$1 SUBSEP part]++
	    cok[$1 SUBSEP "all"]++ }
	else if (verbose && part == "dev") print "wrong: line " n ": " $1 " -> " $2 > "/dev/stderr"
	if ($1 == "policy" || $1 == "temporary" || $1 == "other") {
		side[part]++; side["all"]++
		if ($3 == "recipient") { blame[part]++; blame["all"]++ }
	}
	cats[$1] = 1
}
function pct(a, b) { return b ? sprintf("%5.1f%%", 100 * a / b) : "  -  " }
END {
	split("all dev held", parts, " ")
	printf "%-10s", "category"
	for (i = 1; i <= 3; i++) printf " %18s", parts[i]
	printf "\n"
	for (c in cats) {
		printf "%-10s", c
		for (i = 1; i <= 3; i++) { p = parts[i]
			printf " %4d/%-4d %s", cok[c SUBSEP p], cat[c SUBSEP p],
			    pct(cok[c SUBSEP p], cat[c SUBSEP p]) }
		printf "\n"
	}
	printf "%-10s", "overall"
	for (i = 1; i <= 3; i++) { p = parts[i]
		printf " %4d/%-4d %s", ok[p], tot[p], pct(ok[p], tot[p]) }
	printf "\n%-10s", "blamed"
	for (i = 1; i <= 3; i++) { p = parts[i]
		printf " %4d/%-4d %s", blame[p], side[p], pct(blame[p], side[p]) }
	printf "\n%-10s", "removed"
	for (i = 1; i <= 3; i++) { p = parts[i]
		printf " %4d/%-4d %s", rem[p], rcp[p], pct(rem[p], rcp[p]) }
	printf "\n(removed: not_found and disabled lines that explain marks for removal, either class)"
	printf "\n(blamed: sender-side, temporary or other refusals the output blames on the recipient)\n"
	if (strict && (ok["all"] < 0.9 * tot["all"] || blame["all"] > 0.02 * side["all"])) exit 1
}'
