#!/bin/sh
# options_doc.sh - the options and the statuses are written down once, in
# the program: validator/options_table.c (every option, its heading and its
# help) and validator/verdict/verdict.c (what each status and sub-status
# means). The README and listscrub(1) carry copies of that text. This test
# checks the copies against the built program; with --update it rewrites
# them instead (make update-docs). TAP output.
#
# The copies, and the fixed transformation each one goes through:
#   README, section "Usage": the paragraph starting with the first option
#     heading ("Outputs") is, line for line, the option paragraph of
#     `listscrub --help` (its second paragraph: headings and options).
#   README, section "Statuses": the paragraph starting with the first
#     status ("valid") is the second paragraph of `listscrub --help statuses`.
#   listscrub.1, sections OPTIONS and STATUSES: the same two paragraphs
#     turned into man(7) markup by the awk programs below (headings become
#     .SS, options and statuses .TP items; text lines are kept as they are,
#     with - and \ escaped).
# It also checks that every --option the README or the man page names
# exists, and that listscrub handles every option its table lists.
#
# Environment: LISTSCRUB (the program), srcdir (the source root); make
# check sets both. Usage: options_doc.sh [--update]
LC_ALL=C
export LC_ALL
src=${srcdir:-.}
prog=${LISTSCRUB:-./validator/listscrub}
readme=$src/README
man=$src/validator/listscrub.1
update=no
[ "${1:-}" = --update ] && update=yes

T=$(mktemp -d "${TMPDIR:-/tmp}/options_doc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

if [ ! -x "$prog" ]; then
	echo "1..0 # SKIP listscrub not built: $prog"
	[ $update = yes ] && exit 1
	exit 0
fi

# para N - the Nth paragraph (blank-line separated) of standard input
para() {
	awk -v n="$1" 'BEGIN { p = 1 } /^$/ { p++; next } p == n'
}

# readme_block MODE FILE SECTION KEY [NEWFILE] - in the README FILE's
# section titled SECTION (a title line underlined with dashes), the
# paragraph whose first word is KEY. MODE get prints it; MODE put prints
# all of FILE with that paragraph replaced by NEWFILE's lines. Exit 1 if
# there is no such paragraph.
readme_block() {
	awk -v mode="$1" -v sec="$3" -v key="$4" -v new="${5:-}" '
	{ l[NR] = $0 }
	function title(i) {
		return l[i] != "" && l[i + 1] ~ /^-+$/ &&
		    length(l[i + 1]) == length(l[i])
	}
	END {
		for (s = 1; s < NR; s++)
			if (l[s] == sec && title(s))
				break
		if (s >= NR)
			exit 1
		for (b = s + 2; b <= NR && !title(b); b++) {
			if (l[b] == "" || (b > s + 2 && l[b - 1] != ""))
				continue
			split(l[b], w, " ")
			if (w[1] == key)
				break
		}
		if (b > NR || title(b))
			exit 1
		for (e = b; e <= NR && l[e] != ""; e++)
			;
		if (mode == "get") {
			for (i = b; i < e; i++)
				print l[i]
			exit 0
		}
		for (i = 1; i < b; i++)
			print l[i]
		while ((getline line < new) > 0)
			print line
		for (i = e; i <= NR; i++)
			print l[i]
	}' "$2"
}

# man_section MODE FILE NAME [NEWFILE] - the body of the man page FILE's
# section ".SH NAME" (up to the next .SH); get prints it, put prints the
# whole page with that body replaced by NEWFILE's lines.
man_section() {
	awk -v mode="$1" -v sec=".SH $3" -v new="${4:-}" '
	$0 == sec {
		found = 1; inside = 1
		if (mode == "put") {
			print
			while ((getline line < new) > 0)
				print line
		}
		next
	}
	inside && /^\.SH / { inside = 0 }
	inside { if (mode == "get") print; next }
	mode == "put" { print }
	END { if (!found) exit 1 }' "$2"
}

# The man(7) markup of a help paragraph. esc() escapes \ and -, and
# protects a line that would start with a control character.
ROFF_LIB='
function rep(s, from, to,    out, i) {
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + length(from))
	}
	return out s
}
function esc(s) { return rep(rep(s, "\\", "\\e"), "-", "\\-") }
function text(s) {
	sub(/^ +/, "", s)
	s = esc(s)
	if (s ~ /^[.\047]/) s = "\\&" s
	print s
}
'

# help2roff - the option paragraph of --help as the OPTIONS section:
# a heading becomes .SS; "  -o, --cleaned FILE  help" becomes .TP, the
# options in bold and their arguments in italics, then the help lines.
help2roff() {
	awk "$ROFF_LIB"'
	/^[^ ]/ { print ".SS \"" esc($0) "\""; next }
	/^(  -|      --)/ {
		label = $0; help = ""
		sub(/^ +/, "", label)
		if (match(label, /   */)) {
			help = substr(label, RSTART + RLENGTH)
			label = substr(label, 1, RSTART - 1)
		}
		n = split(label, w, " ")
		out = ""
		for (i = 1; i <= n; i++) {
			t = w[i]; comma = ""
			if (t ~ /,$/) { comma = ","; t = substr(t, 1, length(t) - 1) }
			t = (t ~ /^-/) ? "\\fB" esc(t) "\\fR" : "\\fI" esc(t) "\\fR"
			out = out (i > 1 ? " " : "") t comma
		}
		print ".TP"
		print out
		if (help != "") text(help)
		next
	}
	{ text($0) }'
}

# statuses2roff - the status paragraph of --help statuses as the STATUSES
# section: each status a .TP item, its sub-statuses .TP items inside it.
statuses2roff() {
	awk "$ROFF_LIB"'
	function item(s,    name) {
		sub(/^ +/, "", s)
		name = s; sub(/ .*/, "", name)
		s = substr(s, length(name) + 1)
		print ".TP"
		print ".B " esc(name)
		if (s ~ /[^ ]/) text(s)
	}
	/^[^ ]/ { if (open) print ".RE"; item($0); print ".RS"; open = 1; next }
	/^  [^ ]/ { item($0); next }
	{ text($0) }
	END { if (open) print ".RE" }'
}

# ------------------------------------------------------------ the texts
"$prog" --help >"$T/help" 2>"$T/help.err" || { echo "Bail out! listscrub --help failed"; exit 1; }
"$prog" --help statuses >"$T/statuses" 2>"$T/statuses.err" ||
    { echo "Bail out! listscrub --help statuses failed"; exit 1; }
para 2 <"$T/help" >"$T/help.block"
para 2 <"$T/statuses" >"$T/statuses.block"
help2roff <"$T/help.block" >"$T/help.roff"
statuses2roff <"$T/statuses.block" >"$T/statuses.roff"
okey=$(head -1 "$T/help.block" | awk '{ print $1 }')
skey=$(head -1 "$T/statuses.block" | awk '{ print $1 }')

# ------------------------------------------------------------ --update
if [ $update = yes ]; then
	rc=0
	if readme_block put "$readme" Usage "$okey" "$T/help.block" \
	    >"$T/README.1" && readme_block put "$T/README.1" Statuses "$skey" \
	    "$T/statuses.block" >"$T/README.2"; then
		if cmp -s "$T/README.2" "$readme"; then
			echo "README: up to date"
		else
			cat "$T/README.2" >"$readme" && echo "README: updated"
		fi
	else
		echo "README: no paragraph starting with '$okey' in section" \
		    "Usage, or with '$skey' in section Statuses" >&2
		rc=1
	fi
	if man_section put "$man" OPTIONS "$T/help.roff" >"$T/man.1" &&
	    man_section put "$T/man.1" STATUSES "$T/statuses.roff" \
	    >"$T/man.2"; then
		if cmp -s "$T/man.2" "$man"; then
			echo "listscrub.1: up to date"
		else
			cat "$T/man.2" >"$man" && echo "listscrub.1: updated"
		fi
	else
		echo "listscrub.1: no .SH OPTIONS or .SH STATUSES section" >&2
		rc=1
	fi
	exit $rc
fi

# ------------------------------------------------------------ the checks
echo "1..7"
n=0
fails=0
# same DESC GOTFILE WANTFILE - ok when equal, else the diff as diagnostics
same() {
	n=$((n + 1))
	if diff -u "$2" "$3" >"$T/diff"; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1 (run make update-docs)"
		sed -e 's/^/# /' "$T/diff" | head -60
	fi
}
# result DESC PROBLEMS - ok when PROBLEMS is empty
result() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed -e 's/^/# /'
	fi
}

readme_block get "$readme" Usage "$okey" >"$T/readme.options" ||
    echo "(no paragraph starting with '$okey' in the README's Usage)" >"$T/readme.options"
same "README's option list is listscrub --help's" "$T/readme.options" "$T/help.block"
readme_block get "$readme" Statuses "$skey" >"$T/readme.statuses" ||
    echo "(no paragraph starting with '$skey' in the README's Statuses)" >"$T/readme.statuses"
same "README's status list is listscrub --help statuses'" "$T/readme.statuses" "$T/statuses.block"
man_section get "$man" OPTIONS >"$T/man.options" || echo "(no .SH OPTIONS)" >"$T/man.options"
same "listscrub.1's OPTIONS section is listscrub --help's" "$T/man.options" "$T/help.roff"
man_section get "$man" STATUSES >"$T/man.statuses" || echo "(no .SH STATUSES)" >"$T/man.statuses"
same "listscrub.1's STATUSES section is listscrub --help statuses'" "$T/man.statuses" "$T/statuses.roff"

# Every --option the documents name is one of listscrub's, of listscrub
# explain's, cache's, preflight's, or configure's --enable-*.
grep -o -- '--[a-z][a-z0-9-]*' "$T/help.block" | sort -u >"$T/known"
"$prog" explain --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u >>"$T/known"
"$prog" cache --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u >>"$T/known"
"$prog" preflight --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u >>"$T/known"
bad=$( { grep -o -- '--[a-z][a-z0-9-]*' "$readme"
	sed 's/\\-/-/g' "$man" | grep -o -- '--[a-z][a-z0-9-]*'; } |
    grep -v -- '^--enable-' | sort -u | grep -vxF -f "$T/known")
result "every --option the README and listscrub.1 name exists" \
    "${bad:+not an option of listscrub or its explain, cache or preflight: }$(echo $bad)"

# Every option of the table reaches a handler of options.c: with any
# value, the answer is never "unknown option".
bad=
for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help.block" | sort -u); do
	"$prog" "$o" /nonexistent.d/x.csv </dev/null >/dev/null 2>"$T/err"
	grep -q 'unknown option' "$T/err" && bad="$bad $o"
done
result "listscrub handles every option --help lists" \
    "${bad:+not handled (a row in options_table.c without a case in options.c):$bad}"

# The texts fit a terminal and a plain-text README: ASCII, 78 columns.
bad=$(cat "$T/help" "$T/statuses" | awk '/[^ -~]/ || length($0) > 78')
result "--help and --help statuses: ASCII, at most 78 columns" "$bad"
[ $fails -eq 0 ]
