#!/bin/sh
#
# update-lists.sh - refresh lists/disposable.txt from the npm package
# disposable-email-domains, and check the hand-curated tables.
#
# Usage: contrib/update-lists.sh [--check] [VERSION]
#
#   (no argument)  fetch the latest package version with "npm pack",
#                  regenerate lists/disposable.txt, then check every table
#   VERSION        fetch that version instead (e.g. 1.0.62)
#   --check        fetch nothing; only check the tables in lists/
#
# Needs npm, node (for JSON and IDNA, both ship with npm) and tar. The
# package's install scripts are never run: "npm pack" only downloads the
# tarball. The new file is written next to the old one and renamed into
# place, so a failed run leaves lists/disposable.txt as it was.
#
# What "check" means: every data line of every table is printable ASCII
# without spaces, domain tables hold lower-case A-labels with at least two
# labels, no table has a duplicate entry, and typos.tsv has exactly two
# tab-separated fields per line. The C loader (validator/util/wordlist.c,
# validator/address/listcheck.c) enforces the same rules at run time; this
# is the early warning for whoever edits the files.
#
# Exit status: 0 on success, 1 on any failure (with a message on stderr).

set -eu

PKG=disposable-email-domains
top=$(cd "$(dirname "$0")/.." && pwd)
lists=$top/lists

die() {
	echo "update-lists.sh: $*" >&2
	exit 1
}

# check_domains FILE [WILDCARD] - domain table sanity (see the header).
check_domains() {
	LC_ALL=C awk -v wild="${2:-}" -v f="$1" '
	/^[ \t]*(#|$)/ { next }
	{
		sub(/[ \t]+#.*$/, ""); sub(/[ \t\r]+$/, ""); sub(/^[ \t]+/, "")
		d = $0
		if (wild != "" && substr(d, 1, 2) == "*.")
			d = substr(d, 3)
		if (d !~ /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/) {
			printf "%s:%d: not a lower-case A-label domain with a dot: %s\n", f, NR, $0
			bad = 1
		}
		if (seen[$0]++) {
			printf "%s:%d: duplicate entry: %s\n", f, NR, $0
			bad = 1
		}
	}
	END { exit bad }' "$1" >&2
}

# check_words FILE - role.txt sanity: printable ASCII, no spaces, no dups.
check_words() {
	LC_ALL=C awk -v f="$1" '
	/^[ \t]*(#|$)/ { next }
	{
		sub(/[ \t]+#.*$/, ""); sub(/[ \t\r]+$/, ""); sub(/^[ \t]+/, "")
		if ($0 !~ /^[!-~]+$/) {
			printf "%s:%d: not printable ASCII without spaces: %s\n", f, NR, $0
			bad = 1
		}
		k = tolower($0)
		if (seen[k]++) {
			printf "%s:%d: duplicate entry: %s\n", f, NR, $0
			bad = 1
		}
	}
	END { exit bad }' "$1" >&2
}

# check_typos FILE - typos.tsv sanity: two tab-separated domains, no dups.
check_typos() {
	LC_ALL=C awk -F '\t' -v f="$1" '
	/^[ \t]*(#|$)/ { next }
	{
		sub(/[ \t]+#.*$/, ""); sub(/[ \t\r]+$/, "")
		if (NF != 2 || $1 !~ /^[a-z0-9.-]+$/ || $2 !~ /^[a-z0-9.-]+\.[a-z0-9-]+$/) {
			printf "%s:%d: expected wrong-domain<TAB>right-domain: %s\n", f, NR, $0
			bad = 1
		}
		if (seen[$1]++) {
			printf "%s:%d: duplicate key: %s\n", f, NR, $1
			bad = 1
		}
		if ($1 == $2) {
			printf "%s:%d: maps a domain to itself: %s\n", f, NR, $1
			bad = 1
		}
	}
	END { exit bad }' "$1" >&2
}

check_all() {
	rc=0
	check_domains "$lists/disposable.txt" wild || rc=1
	check_domains "$lists/free.txt" || rc=1
	check_domains "$lists/popular.txt" || rc=1
	check_words "$lists/role.txt" || rc=1
	check_typos "$lists/typos.tsv" || rc=1
	[ $rc -eq 0 ] || die "table check failed"
	for f in disposable.txt free.txt popular.txt role.txt; do
		printf '%-15s %7d entries\n' "$f" \
		    "$(grep -cv '^[[:space:]]*\(#\|$\)' "$lists/$f")"
	done
	printf '%-15s %7d entries\n' typos.tsv \
	    "$(grep -cv '^[[:space:]]*\(#\|$\)' "$lists/typos.tsv")"
}

# fetch_disposable VERSION - regenerate lists/disposable.txt.
fetch_disposable() {
	command -v npm >/dev/null 2>&1 || die "npm not found"
	command -v node >/dev/null 2>&1 || die "node not found"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	spec=$PKG
	[ -n "$1" ] && spec="$PKG@$1"
	tgz=$(cd "$tmp" && npm pack --silent "$spec" 2>/dev/null | tail -n 1) ||
	    die "npm pack $spec failed"
	[ -f "$tmp/$tgz" ] || die "npm pack $spec produced no tarball"
	tar xzf "$tmp/$tgz" -C "$tmp" || die "cannot extract $tgz"
	[ -f "$tmp/package/index.json" ] || die "$tgz has no index.json"

	# JSON -> one A-label per line. IDN entries go through UTS #46
	# (url.domainToASCII); anything that still is not a plain LDH name
	# is reported and dropped rather than shipped. Wildcard entries that
	# upstream also lists as a plain domain are covered by our subdomain
	# matching already; the rest become "*.domain" lines.
	node - "$tmp/package" >"$tmp/body" 2>"$tmp/dropped" <<'EOF' ||
const fs = require('fs'), path = require('path'), url = require('url');
const dir = process.argv[2];
const read = f => fs.existsSync(path.join(dir, f)) ?
    JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) : [];
const ldh = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const norm = d => {
	const a = url.domainToASCII(String(d).trim().toLowerCase());
	if (!ldh.test(a) || a.length > 253) {
		console.error('dropped: ' + JSON.stringify(d));
		return null;
	}
	return a;
};
const plain = new Set(read('index.json').map(norm).filter(Boolean));
const out = new Set(plain);
for (const w of read('wildcard.json').map(norm).filter(Boolean))
	if (!plain.has(w))
		out.add('*.' + w);
process.stdout.write([...out].join('\n') + '\n');
EOF
	    die "converting the package's JSON failed"
	version=$(node -p "require('$tmp/package/package.json').version")
	licence=$(node -p "require('$tmp/package/package.json').license")
	[ "$licence" = MIT ] ||
	    die "package licence is now '$licence', not MIT: review before use"
	nwild=$(grep -c '^\*\.' "$tmp/body" || true)
	ndrop=$(grep -c . "$tmp/dropped" || true)

	new=$lists/disposable.txt.new
	{
		cat <<EOF
# disposable.txt - disposable (throwaway) mail domains, one per line.
#
# Source:  npm package $PKG $version
#          (index.json and wildcard.json; upstream repository
#          github.com/ivolo/disposable-email-domains)
# Fetched: $(date -u +%Y-%m-%d) by contrib/update-lists.sh. Do not edit by
#          hand: the next refresh overwrites this file. Local additions
#          belong upstream.
# Licence: MIT, as declared in the package's package.json. The package
#          ships the MIT warranty disclaimer and no copyright line:
#          THE SOFTWARE IS PROVIDED "AS IS" AND "AS AND WHEN AVAILABLE",
#          WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
#          NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
#          PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
#          AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
#          OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
#          OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
#          SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
#
# Format:  lower-case A-labels (IDN entries converted with UTS #46),
#          sorted in the C locale, deduplicated. "example.com" matches
#          example.com and every subdomain of it; "*.example.com" matches
#          subdomains only ($nwild upstream wildcard entries that upstream
#          does not also list as a plain domain). $ndrop upstream entries
#          were dropped as unusable.
#
# Some entries are typo-squatting domains of big providers (gmai.com,
# gmil.com, hotmil.com): they are listed here and may also be keys of
# typos.tsv; listcheck reports both facts. free.txt is kept independent
# of this file (see lists/README).
#
EOF
		LC_ALL=C sort -u "$tmp/body"
	} >"$new" || die "cannot write $new"
	check_domains "$new" wild || { rm -f "$new"; die "generated list failed the check"; }
	mv "$new" "$lists/disposable.txt" || die "cannot replace disposable.txt"
	if [ "$ndrop" -gt 0 ]; then
		echo "update-lists.sh: dropped $ndrop upstream entries:" >&2
		cat "$tmp/dropped" >&2
	fi
	echo "disposable.txt: $PKG $version, $(grep -vc '^#' "$lists/disposable.txt") entries"
}

case "${1:-}" in
--check)
	check_all
	;;
-h|--help)
	sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'
	;;
-*)
	die "unknown option $1 (try --help)"
	;;
*)
	fetch_disposable "${1:-}"
	check_all
	;;
esac
