#!/bin/bash
# t_store.sh - the result store without a mail world: previous statuses
# and "what changed" (--offline --cache), a re-scrubbed input without a
# store, where the default store is and is not created, and the usage
# and file errors (validator/README, "The result store"). The network
# side (a second run asks nothing, resume after SIGKILL) is
# tests/smtp/t_resume.sh.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"

plan 42

jnum() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
LISTS=$srcdir/lists

F=$T/list.csv
printf '%s\n' 'Email,Name' 'ann@gmail.com,Ann' 'bob@gmail.com,Bob' 'bad@@x.com,Bad' \
    'carl@tempbox-for-tests.net,Carl' 'ANN@gmail.com,Ann again' >"$F"
S=$T/s.sqlite

# ---------------------------------------------------------------- previous statuses, offline
scrub a --offline --cache "$S" --summary "$T/a.json" "$F"
scrub_ok "--offline --cache: exit status 0"
like "$(head -1 "$T/a.cleaned.csv")" ',scrub_tls,scrub_provider,scrub_previous_status,scrub_changed' \
    "with a store the two change columns come last"
is "$(look 1 scrub_previous_status,scrub_changed "$T/a.cleaned.csv" "$T/a.rejected.csv")" "cleaned||" \
    "first run: no previous status, changed empty"
is "$(jnum "$T/a.json" compared)" 0 "first run: the summary compared no address"
is "$(stat -c %a "$S")" 600 "the store file is mode 0600"
scrub b --offline --cache "$S" --summary "$T/b.json" "$F"
is "$(look 1 scrub_status,scrub_previous_status,scrub_changed "$T/b.cleaned.csv" "$T/b.rejected.csv")" \
    "cleaned|valid|valid|false" "second run: the previous status is the first run's, unchanged"
is "$(look 3 scrub_status,scrub_previous_status "$T/b.cleaned.csv" "$T/b.rejected.csv")" "rejected|invalid|" \
    "an address that cannot be read has no previous status"
is "$(jnum "$T/b.json" compared)" 3 "second run: 3 addresses compared (the duplicate row counts once)"
is "$(jnum "$T/b.json" changed)" 0 "second run: none changed"
# the domain becomes disposable: valid -> risky
mkdir "$T/lists" && cp -r "$LISTS"/*.txt "$LISTS"/*.tsv "$T/lists/" 2>/dev/null
echo 'tempbox-for-tests.net' >>"$T/lists/disposable.txt"
scrub c --offline --cache "$S" --lists-dir "$T/lists" --summary "$T/c.json" "$F"
scrub_ok "third run (the domain is now disposable): exit status 0"
is "$(look 4 scrub_status,scrub_previous_status,scrub_changed "$T/c.cleaned.csv" "$T/c.rejected.csv")" \
    "rejected|risky|valid|true" "third run: valid -> risky is a change"
is "$(jnum "$T/c.json" changed)" 1 "third run: the summary counts 1 change"
is "$(jnum "$T/c.json" went_bad)" 0 "third run: risky is not bad"
scrub d --offline --cache "$S" --lists-dir "$T/lists" "$F"
is "$(look 4 scrub_previous_status,scrub_changed "$T/d.cleaned.csv" "$T/d.rejected.csv")" "rejected|risky|false" \
    "fourth run: the store holds the third run's status"

run_scrub --no-progress -o "$T/s.c.csv" -r "$T/s.r.csv" --offline --cache "$S" "$F"
like "$SCRUB_ERR" "result store: $S" "the summary on standard error names the store"

# ---------------------------------------------------------------- a re-scrubbed input, no store
G=$T/again.csv
printf '%s\n' 'Email,scrub_status, Scrub_Reason ' 'ok@gmail.com,invalid,old reason' \
    'broken@@gmail.com,valid,old reason' 'new@gmail.com,,' >"$G"
scrub e --offline --summary "$T/e.json" "$G"
scrub_ok "re-scrubbed input, no store: exit status 0"
h=$(head -1 "$T/e.cleaned.csv")
is "$(printf '%s\n' "$h" | tr ',' '\n' | grep -ci '^ *scrub_status *$')" 1 "its scrub_status column is there once"
unlike "$h" 'Scrub_Reason' "its old Scrub_Reason column is replaced"
is "$(look 1 scrub_status,scrub_previous_status,scrub_changed "$T/e.cleaned.csv" "$T/e.rejected.csv")" \
    "cleaned|valid|invalid|true" "invalid then, valid now: changed"
is "$(look 2 scrub_status,scrub_previous_status "$T/e.cleaned.csv" "$T/e.rejected.csv")" \
    "rejected|invalid|valid" "valid then, invalid now"
is "$(look 3 scrub_previous_status,scrub_changed "$T/e.cleaned.csv" "$T/e.rejected.csv")" "cleaned||" \
    "an empty previous status is none"
is "$(jnum "$T/e.json" went_bad)" 1 "the summary: 1 went bad"
is "$(jnum "$T/e.json" recovered)" 1 "the summary: 1 recovered"
is "$(tr -d ' \n' <"$T/e.json" | grep -o '"went_bad_by_sub_status":{[^}]*}')" \
    '"went_bad_by_sub_status":{"bad_syntax":1}' "the summary: went bad by sub-status"

# ---------------------------------------------------------------- where the default store is
scrub f --offline "$F"
ok "an --offline run without --cache creates no store" test ! -e "$T/.cache/run$_t_stores/listscrub"
unlike "$(head -1 "$T/f.cleaned.csv")" previous_status "... and writes no change columns"
dns_closed_addr >/dev/null 2>&1 || true
XDG_CACHE_HOME=$T/xdg "$LISTSCRUB" -q --no-progress -o "$T/g.c.csv" -r "$T/g.r.csv" \
    --dns-server "${CLOSED_DNS_ADDR:-127.0.0.1:9}" --dns-tries 1 --dns-timeout 100 "$F" 2>/dev/null
is "$(stat -c %a "$T/xdg/listscrub/results.sqlite" 2>&1)" 600 \
    "a DNS run keeps its answers in \$XDG_CACHE_HOME/listscrub/results.sqlite, mode 0600"
is "$(stat -c %a "$T/xdg/listscrub" 2>&1)" 700 "... in a directory created mode 0700"
XDG_CACHE_HOME=$T/xdg2 "$LISTSCRUB" -q --no-progress -o "$T/h.c.csv" -r "$T/h.r.csv" --no-cache \
    --dns-server "${CLOSED_DNS_ADDR:-127.0.0.1:9}" --dns-tries 1 --dns-timeout 100 "$F" 2>/dev/null
ok "--no-cache: no store is created" test ! -e "$T/xdg2/listscrub"

echo 'not a directory' >"$T/xdg3"
XDG_CACHE_HOME=$T/xdg3 "$LISTSCRUB" -q --no-progress -o "$T/i.c.csv" -r "$T/i.r.csv" \
    --dns-server "${CLOSED_DNS_ADDR:-127.0.0.1:9}" --dns-tries 1 --dns-timeout 100 "$F" 2>"$T/i.err"
rc=$?
ok "a default store that cannot be made does not stop the scrub (exit $rc, outputs written)" \
    test "$rc" != 1 -a "$rc" != 2 -a -s "$T/i.c.csv"
like "$(cat "$T/i.err")" "warning: no result store" "... it says so, even with -q"

# ---------------------------------------------------------------- quick_check only when needed
# The lock file notes, after a clean close, the store's size, mtime and
# when quick_check last passed ("clean SIZE SEC NSEC CHECKED_AT").
Q=$T/q.sqlite
scrub q1 --offline --cache "$Q" "$F"
seal=$(sed -n 2p "$Q.lock")
like "$seal" '^clean [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "a clean close leaves its note in the lock file"
set -- $seal
fresh=$(( $(date +%s) - 10 ))
printf '1\nclean %s %s %s %s\n' "$2" "$3" "$4" "$fresh" >"$Q.lock"
scrub q2 --offline --cache "$Q" "$F"
is "$(sed -n 2p "$Q.lock" | cut -d' ' -f5)" "$fresh" \
    "a store left as it was, checked 10 s ago, is not checked again"
set -- $(sed -n 2p "$Q.lock")
printf '1\nclean %s %s %s %s\n' "$2" "$3" "$4" "$(( $(date +%s) - 8 * 86400 ))" >"$Q.lock"
scrub q3 --offline --cache "$Q" "$F"
[ "$(sed -n 2p "$Q.lock" | cut -d' ' -f5)" -ge "$fresh" ]
ok "... checked 8 days ago, it is checked again" test $? = 0

# ---------------------------------------------------------------- a full disk under the store
# A 160 KiB tmpfs holds the store; 4,000 statuses do not fit. The scrub's
# outputs are elsewhere: they are completed, every row in one of them, and
# one warning says the store was not fully written.
SF=$T/storefull
mkdir -p "$SF"
if mount -t tmpfs -o size=160k tmpfs "$SF" 2>/dev/null; then
	cleanup_sf() { local rc=$?; umount "$SF" 2>/dev/null; return $rc; }
	proc_on_exit cleanup_sf
	{ echo 'First,Last,Email,Phone'; gen_rows 4000 7; } >"$T/many.csv"
	run_scrub --offline -q --no-progress -o "$T/sf.c.csv" -r "$T/sf.r.csv" --cache "$SF/s.sqlite" "$T/many.csv"
	is "$SCRUB_RC" 0 "store on a full disk: the scrub still exits 0"
	ok "store on a full disk: every row in exactly one output" rows_partition 4000 "$T/sf.c.csv" "$T/sf.r.csv"
	like "$SCRUB_ERR" "warning: the result store .*s\\.sqlite was not fully written" \
	    "store on a full disk: one warning names the store"
else
	skip 3 "cannot mount a tmpfs (not root?)"
fi

# ---------------------------------------------------------------- usage and file errors
scrub u1 --offline --cache "$S" --no-cache "$F"
is "$SCRUB_RC" 2 "--cache and --no-cache together: exit status 2"
scrub u2 --offline --max-age forever=1d "$F"
like "$SCRUB_RC:$SCRUB_ERR" "^2:.*valid" "--max-age with an unknown class: exit 2, naming the classes"
scrub u3 --offline --max-age valid=soon "$F"
is "$SCRUB_RC" 2 "--max-age with a bad age: exit status 2"
printf 'Email\nnot a store\n' >"$T/text.csv"
cp "$T/text.csv" "$T/text.before"
scrub u4 --offline --cache "$T/text.csv" "$F"
like "$SCRUB_RC:$SCRUB_ERR" "^2:.*text.csv" "a --cache file that is not a store: exit 2, naming it"
ok "... and the file is left as it was" cmp -s "$T/text.csv" "$T/text.before"
