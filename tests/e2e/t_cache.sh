#!/bin/bash
# t_cache.sh - `listscrub cache` on a result store whose rows are put
# there with the sqlite3 CLI: stats (counts by class, age and expiry),
# forget ADDRESS (normalized: case, IDN), forget --domain, prune under
# --max-age (rows deleted, rows trimmed to their verdict), export (CSV
# header, guarded cells, mode 0600, no temporary files), refusals of
# files that are not a store, a held lock, and usage errors (exit 2).
. "$(dirname "$0")/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP the sqlite3 CLI is not installed (contrib/install-deps)"
	exit 0
fi

plan 63

S=$T/store.sqlite
now=$(date +%s)
day=86400

# q SQL - one query on the store, rows as a|b|c
q() { sqlite3 "$S" "$1"; }
# cache ARGS... - listscrub cache on the store
cache() { run_scrub cache --cache "$S" "$@"; }

# ---------------------------------------------------------------- a store
: >"$S"
cache stats
scrub_ok "stats on an empty file: it becomes a store"
like "$SCRUB_OUT" '^addresses: 0 ' "stats: an empty store holds no addresses"
is "$(q 'PRAGMA application_id')|$(q 'PRAGMA user_version')" "1280529218|1" \
    "the new store has our application id and schema version 1"
is "$(stat -c %a "$S")" 600 "the store is mode 0600"

q "INSERT INTO address (key, smtp_sub, smtp_code, smtp_enhanced, smtp_text,
	smtp_tls, smtp_catch_all, smtp_at, last_status, last_sub, last_at) VALUES
('alice@example.com', 'mailbox_ok', 250, '2.1.5', '=HYPERLINK(\"http://x\")',
	'yes', 'no', $now - 3600, 'valid', 'mailbox_ok', $now - 3600),
('bob@example.com', 'mailbox_not_found', 550, '5.1.1', 'User unknown', 'no',
	NULL, $now - 100 * $day, 'invalid', 'mailbox_not_found', $now - 10 * $day),
('-carol@xn--bcher-kva.example', 'greylisted', 450, '4.7.1', 'try later',
	NULL, NULL, $now - 7 * 3600, NULL, NULL, NULL),
('dave@other.example', 'mailbox_ok', 250, NULL, NULL, NULL, NULL,
	$now - 40 * $day, NULL, NULL, NULL),
('erin@sub.example.com', 'accept_all', 250, NULL, '@home', NULL, 'yes',
	$now - 2 * $day, 'catch_all', 'accept_all', $now - 2 * $day),
('frank@other.example', 'mailbox_ok', 250, NULL, NULL, NULL, NULL,
	$now - 20 * $day, 'valid', 'mailbox_ok', $now - 20 * $day);
INSERT INTO domain (name, dns, mx, detail, hosts, dns_at, catch_all,
	catch_at) VALUES
('example.com', 'ok', 'mx.example.com', NULL, 'mx.example.com 192.0.2.1',
	$now - $day, 'no', $now - $day),
('xn--bcher-kva.example', 'timeout', NULL, '+timed out', NULL,
	$now - $day, NULL, NULL),
('other.example', 'ok', 'mx.other.example', NULL, NULL, $now - 5 * $day,
	NULL, NULL);"
is "$(q 'SELECT count(*) FROM address')|$(q 'SELECT count(*) FROM domain')" "6|3" \
    "rows put in with the sqlite3 CLI"

# ---------------------------------------------------------------- stats
# row CLASS - the counts of one class in the first table (SMTP answers)
row() { printf '%s\n' "$SCRUB_OUT" | awk -v c="$1" '$1 == c { print; exit }' | tr -s ' ' | sed 's/^ //'; }
cache stats
scrub_ok "stats: exit status 0"
is "$SCRUB_ERR" "" "stats: nothing on standard error"
like "$SCRUB_OUT" '^addresses: 6 \(SMTP answers 6, last verdicts 4\)' "stats: addresses, answers, verdicts"
like "$SCRUB_OUT" '^domains: 3 \(DNS answers 3, catch-all tests 1\)' "stats: domains, DNS answers, tests"
like "$SCRUB_OUT" "^result store: $S \([0-9]+ bytes\)" "stats: the path and the file size"
# columns: class total <1d <7d <30d <90d older expired max-age
is "$(row valid)" "valid 3 1 0 1 1 0 1 30d" "stats: valid answers by age, 1 expired (40 days)"
is "$(row invalid)" "invalid 1 0 0 0 0 1 1 90d" "stats: invalid answer older than 90 days, expired"
is "$(row temporary)" "temporary 1 1 0 0 0 0 1 6h" "stats: temporary answer of 7 hours, expired"
is "$(row catch_all)" "catch_all 1 0 1 0 0 0 0 30d" "stats: catch_all answer of 2 days"
cache stats --max-age valid=10d --max-age temporary=8h
is "$(row valid)" "valid 3 1 0 1 1 0 2 10d" "stats --max-age valid=10d: 2 valid answers expired"
is "$(row temporary)" "temporary 1 1 0 0 0 0 0 8h" "stats --max-age temporary=8h: none expired"
unlike "$SCRUB_OUT" '@' "stats shows no address"

# ---------------------------------------------------------------- forget
cache forget ALICE@Example.COM
scrub_ok "forget ADDRESS: exit status 0"
like "$SCRUB_OUT" '^alice@example\.com: forgotten$' "forget: says it was there (lower-cased)"
is "$(q "SELECT count(*) FROM address WHERE key = 'alice@example.com'")" 0 "forget: the address is gone"
is "$(q 'SELECT count(*) FROM address')" 5 "forget: the other addresses remain"
cache forget alice@example.com
scrub_ok "forget an address not stored: exit status 0"
like "$SCRUB_OUT" 'was not in the result store' "forget: says it was not there"
cache forget -- '-Carol@BÜCHER.example'
like "$SCRUB_OUT" '^-carol@xn--bcher-kva\.example: forgotten$' "forget: a Unicode domain is found by its A-label"
is "$(q "SELECT count(*) FROM address WHERE key LIKE '%bcher%'")" 0 "forget: the IDN address is gone"
cache forget --domain Example.COM
scrub_ok "forget --domain: exit status 0"
like "$SCRUB_OUT" '^example\.com: 1 addresses forgotten; the domain' "forget --domain: one address and the domain row"
is "$(q "SELECT key FROM address ORDER BY key" | tr '\n' ' ')" \
    "dave@other.example erin@sub.example.com frank@other.example " \
    "forget --domain: addresses of other domains (and subdomains) remain"
is "$(q "SELECT name FROM domain ORDER BY name" | tr '\n' ' ')" "other.example xn--bcher-kva.example " \
    "forget --domain: the domain row is gone"

# ---------------------------------------------------------------- prune
cache prune --max-age valid=30d
scrub_ok "prune: exit status 0"
like "$SCRUB_OUT" '1 addresses deleted, 0 trimmed; 1 domains deleted' "prune: says what it dropped"
is "$(q "SELECT key FROM address ORDER BY key" | tr '\n' ' ')" "erin@sub.example.com frank@other.example " \
    "prune: a valid answer of 40 days without a verdict is deleted"
is "$(q "SELECT name FROM domain")" "other.example" "prune: an expired DNS timeout is deleted"
cache prune --max-age valid=10d
like "$SCRUB_OUT" '0 addresses deleted, 1 trimmed' "prune --max-age valid=10d: one row trimmed"
is "$(q "SELECT smtp_sub IS NULL, smtp_at IS NULL, last_sub FROM address WHERE key = 'frank@other.example'")" \
    "1|1|mailbox_ok" "prune: an expired answer with a younger verdict keeps the row, SMTP fields NULL"
is "$(q "SELECT smtp_sub FROM address WHERE key = 'erin@sub.example.com'")" "accept_all" \
    "prune: a fresh answer stays"

# ---------------------------------------------------------------- export
q "INSERT INTO address (key, smtp_sub, smtp_code, smtp_text, smtp_at) VALUES
('+plus@example.net', 'mailbox_not_found', 550, '-1 no such user', $now - 60)"
cache export "$T/out.csv"
scrub_ok "export: exit status 0"
like "$SCRUB_OUT" "exported 3 addresses to $T/out.csv and 1 domains to $T/out.domains.csv" \
    "export: says what it wrote where"
is "$(header_raw "$T/out.csv")" \
    "address,smtp_status,smtp_sub_status,smtp_code,smtp_enhanced,smtp_text,tls,catch_all,checked,last_status,last_sub_status,last_seen" \
    "export: the address header"
is "$(header_raw "$T/out.domains.csv")" \
    "domain,dns,mx,detail,hosts,dns_checked,catch_all,catch_all_checked" "export: the domain header"
is "$(col "$T/out.csv" address | tr '\n' ' ')" "'+plus@example.net erin@sub.example.com frank@other.example " \
    "export: one row per address, a leading + guarded"
is "$(col "$T/out.csv" smtp_text | tr '\n' ' ')" "'-1 no such user '@home  " "export: cells starting with - and @ guarded"
is "$(col "$T/out.csv" smtp_status | head -1)|$(col "$T/out.csv" smtp_sub_status | head -1)" "invalid|mailbox_not_found" \
    "export: SMTP status and sub-status in words"
like "$(col "$T/out.csv" checked | head -1)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    "export: times in ISO 8601 UTC"
is "$(nfields "$T/out.csv" | sort -u)" 12 "export: every record has 12 fields"
is "$(stat -c %a "$T/out.csv")$(stat -c %a "$T/out.domains.csv")" 600600 "export: files mode 0600"
only_files_t() { [ "$(cd "$T" && ls out* | tr '\n' ' ')" = "out.csv out.domains.csv " ]; }
ok "export: no temporary files left" only_files_t

# ---------------------------------------------------------------- refusals
run_scrub cache --cache "$T/none.sqlite" stats
is "$SCRUB_RC" 1 "a store that does not exist: exit status 1"
ok "... and is not created" test ! -e "$T/none.sqlite"
printf 'email\nalice@example.com\n' >"$T/list.csv"
run_scrub cache --cache "$T/list.csv" stats
is "$SCRUB_RC|$(cat "$T/list.csv" | tr '\n' ' ')" "1|email alice@example.com " \
    "a CSV file as the store: exit status 1, the file untouched"
like "$SCRUB_ERR" 'not a listscrub result store' "... and says it is not a store"
echo 4242 >"$S.lock"
flock -x "$S.lock" sleep 4 &
holder=$!
sleep 0.3
cache stats
is "$SCRUB_RC" 1 "a store held by another process: exit status 1"
like "$SCRUB_ERR" 'is in use by another listscrub \(pid 4242\)' "... naming the holder"
wait "$holder"

# ---------------------------------------------------------------- usage
usage_rc() { run_scrub cache --cache "$S" "$@"; [ "$SCRUB_RC" = 2 ]; }
ok "no command: exit status 2" usage_rc
ok "unknown command: exit status 2" usage_rc frobnicate
ok "unknown option: exit status 2" usage_rc --frob stats
ok "forget without an address: exit status 2" usage_rc forget
ok "forget something that is not an address: exit status 2" usage_rc forget 'not an address'
ok "--max-age with forget: exit status 2" usage_rc --max-age valid=1d forget a@b.example
ok "--max-age with a bad class or duration: exit status 2" \
    eval 'usage_rc --max-age bogus=1d stats && usage_rc --max-age valid=-1d prune'
ok "export without a file: exit status 2" usage_rc export
run_scrub cache --help
is "$SCRUB_RC|$SCRUB_ERR" "0|" "--help: exit status 0, nothing on standard error"
like "$SCRUB_OUT" 'forget --domain DOMAIN' "--help: names the commands"
