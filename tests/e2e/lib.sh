# lib.sh - shared helpers for the end-to-end TAP tests (tests/e2e/t_*.sh).
#
# Source it first thing:   . "$(dirname "$0")/lib.sh"
#
# Environment (make check sets all of them; a script run by hand derives them):
#   LISTSCRUB        the program under test
#                    (default $top_builddir/validator/listscrub, else
#                    validator/listscrub two levels above this file)
#   srcdir           the source root (default: two levels above this file)
#   LISTSCRUB_LISTS  the data tables (default $srcdir/lists)
#   LISTSCRUB_TIMEOUT  seconds one run may take before it counts as hung (300)
#   KEEP_TMP=1       keep the scratch directory for a look after the run
#
# TAP:    plan N; ok DESC CMD...; nok DESC CMD...; is GOT WANT DESC;
#         isnt GOT UNWANTED DESC; like GOT ERE DESC; pass DESC; fail DESC;
#         skip N REASON; diag MSG; bail MSG. The script exits non-zero when a
#         test failed or the count differs from the plan (EXIT trap).
# Runs:   run_scrub ARGS...  runs $LISTSCRUB; sets SCRUB_RC, SCRUB_ERR
#         (stderr text), SCRUB_OUT (stdout text). Standard input is passed on.
#         scrub NAME ARGS... = run_scrub -q --no-progress
#         -o $T/NAME.cleaned.csv -r $T/NAME.rejected.csv ARGS...
# CSV:    every reader below is quote-aware (RFC 4180: a record may span
#         lines inside quotes) and byte-oriented (LC_ALL=C). The delimiter
#         is guessed from the first record unless CSV_DELIM is set.
#         count_rows FILE        records, blank lines not counted
#         col FILE NAME|N        one value per data record (header skipped;
#                                embedded CR/LF shown as \r \n)
#         col_nh FILE N          field N of every record (file without header)
#         nfields FILE           field count of every record, one per line
#         header_raw FILE        the first record, raw, BOM and EOL removed
#         raw_records FILE [H]   "N<TAB>raw" per data record (H=0: no header)
#         orig_part FILE [H]     "scrub_row<TAB>raw" per data record of an
#                                output: the record minus its NCOLS last cells
#         get FILE ROW COLS      values of the row whose scrub_row is ROW
#         look ROW COLS FILE...  the same over several outputs, file first
#         guess_delim FILE, data_rows FILE (records - 1)
# Checks: rows_partition N FILE... (scrub_row 1..N exactly once over FILEs),
#         ascending FILE, same_bytes INPUT H OUTPUT... (original cells
#         byte-identical, short rows padded), has_bom, all_crlf, no_crlf,
#         starts_with FILE BYTES, scrub_ok DESC (last run exited 0),
#         only_files DIR NAME... (DIR holds exactly these files)
# Other:  T (scratch dir, removed at exit), SAMPLES (lists/sample),
#         appended_header [DELIM] [PREFIX], gen_rows N [SEED]

# ---------------------------------------------------------------- locations
_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
if [ -z "${srcdir:-}" ] || [ ! -f "$srcdir/lists/role.txt" ]; then
	srcdir=$(cd "$_lib_dir/../.." && pwd)
fi
export srcdir
: "${LISTSCRUB_LISTS:=$srcdir/lists}"
export LISTSCRUB_LISTS
if [ -z "${LISTSCRUB:-}" ]; then
	if [ -n "${top_builddir:-}" ]; then
		LISTSCRUB=$top_builddir/validator/listscrub
	else
		LISTSCRUB=$(cd "$_lib_dir/../.." && pwd)/validator/listscrub
	fi
fi
export LISTSCRUB
SAMPLES=$srcdir/lists/sample
SCRUB_COLS='scrub_row scrub_email scrub_status scrub_sub_status scrub_action scrub_reason scrub_did_you_mean scrub_role scrub_disposable scrub_free scrub_checked scrub_checked_at scrub_duplicate_of scrub_mx scrub_catch_all scrub_smtp_code scrub_smtp_enhanced scrub_smtp_response scrub_tls scrub_provider'
# shellcheck disable=SC2086
NCOLS=$(set -- $SCRUB_COLS; echo $#)	# appended scrub_* columns
LC_ALL=C
export LC_ALL
TZ=UTC
export TZ

# ---------------------------------------------------------------- TAP
_t_n=0
_t_fail=0
_t_plan=
_t_bailed=

plan() {
	_t_plan=$1
	echo "1..$1"
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

pass() {
	_t_n=$((_t_n + 1))
	echo "ok $_t_n - $1"
}

fail() {
	_t_n=$((_t_n + 1))
	_t_fail=$((_t_fail + 1))
	echo "not ok $_t_n - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

# ok DESC CMD [ARG...] - passes when CMD exits 0.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
	fi
}

# nok DESC CMD [ARG...] - passes when CMD exits non-zero.
nok() {
	local desc=$1
	shift
	if "$@"; then
		fail "$desc"
	else
		pass "$desc"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$(printf '%s' "$1" | head -c 600)'" \
		    "expected: '$(printf '%s' "$2" | head -c 600)'"
	fi
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "got the unwanted value '$(printf '%s' "$1" | head -c 600)'"
	fi
}

# like GOT ERE DESC
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "     got: '$(printf '%s' "$1" | head -c 600)'" \
		    "expected to match /$2/"
	fi
}

# unlike GOT ERE DESC
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3" "     got: '$(printf '%s' "$1" | head -c 600)'" \
		    "expected not to match /$2/"
	else
		pass "$3"
	fi
}

# skip N REASON
skip() {
	local i=0
	while [ $i -lt "$1" ]; do
		_t_n=$((_t_n + 1))
		echo "ok $_t_n # SKIP $2"
		i=$((i + 1))
	done
}

bail() {
	echo "Bail out! $*"
	_t_bailed=1
	exit 1
}

# scrub_ok DESC - the last run exited 0 (else show its stderr)
scrub_ok() {
	if [ "$SCRUB_RC" = 0 ]; then
		pass "$1"
	else
		fail "$1" "exit status $SCRUB_RC, stderr:" "$(printf '%s' "$SCRUB_ERR" | head -20)"
	fi
}

_t_end() {
	local rc=0
	if [ -n "$_t_bailed" ]; then
		rc=1
	elif [ -n "$_t_plan" ] && [ "$_t_n" -ne "$_t_plan" ]; then
		diag "planned $_t_plan tests but ran $_t_n"
		rc=1
	elif [ "$_t_fail" -gt 0 ]; then
		diag "failed $_t_fail of $_t_n tests"
		rc=1
	fi
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			diag "scratch files kept in $T"
		else
			rm -rf "$T"
		fi
	fi
	exit $rc
}

# ---------------------------------------------------------------- scratch dir
T=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-e2e.XXXXXX") || bail "cannot create a temporary directory"
# The result store of network runs lives under $XDG_CACHE_HOME: never the
# user's own; and each run_scrub gets a store of its own unless the test
# names one (--cache) or sets SCRUB_STORE to share one between runs.
export XDG_CACHE_HOME="$T/.cache"
_t_stores=0
trap _t_end EXIT
trap 'exit 1' HUP INT TERM

if [ ! -x "$LISTSCRUB" ]; then
	bail "listscrub not built: $LISTSCRUB (run make, or set LISTSCRUB)"
fi

# ---------------------------------------------------------------- running
SCRUB_RC=
SCRUB_ERR=
SCRUB_OUT=

run_scrub() {
	_t_stores=$((_t_stores + 1))
	XDG_CACHE_HOME=${SCRUB_STORE:-$T/.cache/run$_t_stores} \
	    timeout "${LISTSCRUB_TIMEOUT:-300}" "$LISTSCRUB" "$@" >"$T/.scrub.out" 2>"$T/.scrub.err"
	SCRUB_RC=$?
	SCRUB_OUT=$(cat "$T/.scrub.out")
	SCRUB_ERR=$(cat "$T/.scrub.err")
	if [ "$SCRUB_RC" = 124 ]; then
		diag "listscrub $* did not finish in ${LISTSCRUB_TIMEOUT:-300} s"
	elif [ "$SCRUB_RC" -gt 128 ]; then
		diag "listscrub $* died from signal $((SCRUB_RC - 128))"
	fi
	return 0
}

# scrub NAME ARGS... - outputs go to $T/NAME.cleaned.csv and $T/NAME.rejected.csv
scrub() {
	local name=$1
	shift
	rm -f "$T/$name.cleaned.csv" "$T/$name.rejected.csv"
	run_scrub -q --no-progress -o "$T/$name.cleaned.csv" -r "$T/$name.rejected.csv" "$@"
}

# ---------------------------------------------------------------- CSV reading
# One awk program for every reader: assembles records from physical lines
# (a record continues while it has an odd number of quotes), strips the
# record's line end (LF or CRLF) and, on the first record, a UTF-8 BOM,
# then splits fields RFC 4180 style.
CSV_AWK='
function guess(rec,    best, bn, i, c, n, t) {
	best = ","; bn = -1
	for (i = 1; i <= 4; i++) {
		c = substr(",;\t|", i, 1)
		t = rec; gsub(/"[^"]*"/, "", t)
		n = gsub("[" c "]", "", t)
		if (n > bn) { bn = n; best = c }
	}
	return best
}
function parse(rec,    n, pos, len, start, j, val, rest) {
	n = 0; pos = 1; len = length(rec)
	while (1) {
		n++
		start = pos
		if (substr(rec, pos, 1) == "\"") {
			val = ""; pos++
			while (1) {
				rest = substr(rec, pos)
				j = index(rest, "\"")
				if (j == 0) { val = val rest; pos = len + 1; break }
				val = val substr(rest, 1, j - 1)
				pos += j
				if (substr(rec, pos, 1) == "\"") { val = val "\""; pos++; continue }
				break
			}
			if (pos <= len) {
				rest = substr(rec, pos); j = index(rest, D)
				if (j == 0) { val = val rest; pos = len + 1 }
				else { val = val substr(rest, 1, j - 1); pos += j - 1 }
			}
		} else {
			rest = substr(rec, pos); j = index(rest, D)
			if (j == 0) { val = rest; pos = len + 1 }
			else { val = substr(rest, 1, j - 1); pos += j - 1 }
		}
		F[n] = val; S[n] = start
		if (pos > len) break
		pos++
	}
	return n
}
function enc(s) {
	gsub(/\r/, "\\r", s); gsub(/\n/, "\\n", s)
	return s
}
# fidx(nf, name) - where the column called name (or numbered name) is in a
# record of nf fields. In an output file (its header ends with the K
# appended names) the appended columns are counted from the end, because a
# long row pushes them to the right. In a file without a header a negative
# number counts from the end (-NCOLS is scrub_row).
function setcols(nf,    i) {
	HN = nf
	for (i = 1; i <= nf; i++) if (!(F[i] in H)) H[F[i]] = i
	# with a result store two more: previous_status, changed
	if (nf > K + 2 && F[nf] == P "changed" && F[nf - K - 1] == P "row") K += 2
	OUTF = (nf > K && F[nf - K + 1] == P "row")
}
function fidx(nf, name,    w) {
	if (!hdr) { w = name + 0; return (w < 0) ? nf + w + 1 : w }
	if (name in H) w = H[name]
	else if (name ~ /^[0-9]+$/) w = name + 0
	else { print "csv: no column " name > "/dev/stderr"; err = 1; exit 1 }
	if (OUTF && w > HN - K) return nf - (HN - w)
	return w
}
function record(rec,    nf, i, k, n, out, c) {
	if (!started) {
		started = 1
		if (substr(rec, 1, 3) == "\357\273\277") rec = substr(rec, 4)
		if (D == "") D = guess(rec)
	}
	if (rec == "" && !keepblank) return
	nrec++
	isdata = !(hdr && nrec == 1)
	if (mode == "count") return
	if (mode == "delim") { print (D == "\t") ? "tab" : D; exit }
	if (mode == "header") { if (nrec == 1) print enc(rec); return }
	nf = parse(rec)
	if (mode == "nf") { print nf; return }
	if (!isdata) { setcols(nf); return }
	ndata++
	if (mode == "col") {
		k = fidx(nf, name)
		print enc(k >= 1 && k <= nf ? F[k] : "")
		return
	}
	if (mode == "get") {
		k = fidx(nf, hdr ? P "row" : -K)
		if (F[k] != row) return
		n = split(cols, c, ",")
		out = ""
		for (i = 1; i <= n; i++) {
			k = fidx(nf, c[i])
			out = out (i > 1 ? "|" : "") enc(k >= 1 && k <= nf ? F[k] : "")
		}
		print out
		found = 1
		exit
	}
	if (mode == "raw") { print ndata "\t" enc(rec); return }
	if (mode == "orig") {
		k = nf - K + 1
		if (k < 2) { print "?\t" enc(rec); return }
		print F[k] "\t" enc(substr(rec, 1, S[k] - 2))
		return
	}
}
{
	line = $0
	if (pending != "") line = pending "\n" line
	t = line
	q = gsub(/"/, "", t)
	if (q % 2 == 1) { pending = line; next }
	pending = ""
	sub(/\r$/, "", line)
	record(line)
}
END {
	if (err) exit 1
	if (pending != "") { sub(/\r$/, "", pending); record(pending) }
	if (mode == "count") print nrec + 0
}
'

# _csv MODE FILE [awk -v assignments...]
_csv() {
	local mode=$1 file=$2
	shift 2
	awk -v mode="$mode" -v D="${CSV_DELIM:-}" -v hdr="${CSV_HEADER:-1}" \
	    -v K="$NCOLS" -v P="${SCRUB_PREFIX:-scrub_}" "$@" "$CSV_AWK" "$file"
}

count_rows() { _csv count "$1"; }
# guess_delim FILE - the delimiter the readers use for FILE (tab as the word "tab")
guess_delim() { _csv delim "$1"; }
nfields() { _csv nf "$1"; }
header_raw() { _csv header "$1"; }
col() { _csv col "$1" -v name="$2"; }
col_nh() { CSV_HEADER=0 _csv col "$1" -v name="$2"; }
raw_records() { CSV_HEADER=${2:-1} _csv raw "$1"; }
orig_part() { CSV_HEADER=${2:-1} _csv orig "$1"; }
# get FILE ROW COL[,COL...] - "v1|v2|..." of the data record whose scrub_row
# is ROW (nothing when FILE has no such row). Column names as in col.
get() { [ -f "$1" ] && _csv get "$1" -v row="$2" -v cols="$3"; }
# look ROW COLS FILE... - "file|v1|v2..." from the first FILE holding ROW;
# file is cleaned, rejected or review (from the file name), else "none".
look() {
	local row=$1 cols=$2 f v tag
	shift 2
	for f in "$@"; do
		v=$(get "$f" "$row" "$cols")
		if [ -n "$v" ]; then
			case $f in
			*review*) tag=review ;;
			*rejected*) tag=rejected ;;
			*cleaned*) tag=cleaned ;;
			*) tag=$(basename "$f") ;;
			esac
			printf '%s|%s\n' "$tag" "$v"
			return
		fi
	done
	echo none
}

# data_rows FILE - records minus the header record (0 when the file is missing)
data_rows() {
	local n
	if [ ! -f "$1" ]; then
		echo 0
		return
	fi
	n=$(count_rows "$1")
	echo $((n > 0 ? n - 1 : 0))
}

# rows_partition N FILE... - scrub_row 1..N each appear exactly once over FILEs
rows_partition() {
	local n=$1 f
	shift
	for f in "$@"; do
		[ -f "$f" ] && col "$f" scrub_row
	done | sort -n >"$T/.rows.got"
	seq 1 "$n" >"$T/.rows.want"
	if ! cmp -s "$T/.rows.got" "$T/.rows.want"; then
		diag "scrub_row values differ from 1..$n (first differences, < got > want):"
		diff "$T/.rows.got" "$T/.rows.want" | grep '^[<>]' | head -8 | sed 's/^/# /'
		return 1
	fi
}

# only_files DIR NAME... - DIR holds exactly these files
only_files() {
	local d=$1 want='' f
	shift
	for f in "$@"; do want="$want$f"$'\n'; done
	[ "$(cd "$d" && ls -A | sort | tr '\n' ' ')" = "$(printf '%s' "$want" | sort | tr '\n' ' ')" ] || {
		diag "files in $d: $(cd "$d" && ls -A | tr '\n' ' ')"
		return 1
	}
}

# ascending FILE - scrub_row strictly ascending in FILE
ascending() {
	col "$1" scrub_row | awk 'NR > 1 && $1 + 0 <= prev + 0 { bad = 1 } { prev = $1 } END { exit bad }'
}

# same_bytes INPUT [H] OUTPUT... - every output row starts with the input
# record's raw bytes (plus padding delimiters for short rows).
same_bytes() {
	local in=$1 h=$2 width d f
	shift 2
	d=${CSV_DELIM:-$(guess_delim "$in")}
	[ "$d" = tab ] && d=$(printf '\t')
	raw_records "$in" "$h" >"$T/.raw.in"
	# listscrub pads every record up to the widest one (header or not)
	width=$(nfields "$in" | sort -n | tail -1)
	paste <(nfields "$in" | tail -n +$((h + 1))) "$T/.raw.in" |
	    awk -F '\t' -v w="$width" -v d="$d" '
	    BEGIN { OFS = "\t" }
	    { n = $1; sub(/^[^\t]*\t/, ""); s = $0
	      # pad a short record with delimiters up to the header width
	      for (i = n; i < w; i++) s = s d
	      print s }' >"$T/.raw.want"
	for f in "$@"; do
		[ -f "$f" ] && orig_part "$f" "$h"
	done | sort -t "$(printf '\t')" -k1,1n -s | cut -f 2- >"$T/.raw.got"
	cut -f 2- "$T/.raw.want" >"$T/.raw.want2"
	if ! cmp -s "$T/.raw.got" "$T/.raw.want2"; then
		diag "original cells differ (first differences, < got > want):"
		diff "$T/.raw.got" "$T/.raw.want2" | grep '^[<>]' | head -6 | cut -c 1-300 | sed 's/^/# /'
		return 1
	fi
}

# ---------------------------------------------------------------- bytes
has_bom() { [ "$(head -c 3 "$1" | od -An -tx1 | tr -d ' \n')" = efbbbf ]; }
# every physical line ends in CRLF (the file must end with a line end)
all_crlf() {
	[ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" = 0a ] &&
	    ! grep -qv $'\r$' "$1"
}
# no line ends in CR
no_crlf() { [ -s "$1" ] && ! grep -q $'\r$' "$1"; }
# starts_with FILE BYTES - FILE begins with the bytes of the string
starts_with() {
	local n
	n=$(printf '%s' "$2" | wc -c)
	[ "$(head -c "$n" "$1" | od -An -tx1)" = "$(printf '%s' "$2" | od -An -tx1)" ]
}

# appended_header [DELIM] [PREFIX] - the names listscrub appends, joined
appended_header() {
	local d=${1:-,} p=${2:-scrub_} out='' c
	for c in $SCRUB_COLS; do
		out=$out${out:+$d}$p${c#scrub_}
	done
	printf '%s' "$out"
}

# gen_rows N [SEED] - N data rows "First,Last,Email,Phone" on stdout,
# with ~10% exact duplicates and ~5% case-only duplicates (mawk-safe).
gen_rows() {
	awk -v n="$1" -v seed="${2:-42}" 'BEGIN {
		srand(seed)
		split("gmail.com outlook.com yahoo.com web.de gmx.de orange.fr acme-tools.com brightlane.co.uk", dom, " ")
		for (i = 1; i <= n; i++) {
			k = i
			r = rand()
			if (i > 20 && r < 0.10) k = int(rand() * (i - 1)) + 1
			e = "user" k "." (k % 97) "@" dom[(k % 8) + 1]
			if (i > 20 && r >= 0.10 && r < 0.15) { k = int(rand() * (i - 1)) + 1; e = "USER" k "." (k % 97) "@" toupper(dom[(k % 8) + 1]) }
			printf "Given%d,Family%d,%s,+1 555 %04d\n", i, k, e, i % 10000
		}
	}'
}
