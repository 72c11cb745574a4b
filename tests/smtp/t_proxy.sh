#!/bin/bash
# t_proxy.sh - `listscrub --probe --proxy socks5://...` through a real
# SOCKS5 proxy: Debian's dante-server (danted), started here as a private
# instance on loopback (tests/smtp/danted.conf.in: internal 127.0.0.1:PORT,
# external 127.0.3.1, methods "username none"), in front of the loopback
# mail world of tests/smtp.
#   - the verdicts through danted equal a direct run's, address by address;
#   - Postfix's log shows the connections coming from danted's external
#     address, 127.0.3.1 (a direct run comes from 127.0.0.1);
#   - wrong credentials: every address unknown/proxy_failed, exit status 3
#     (degraded), and the credentials appear nowhere;
#   - danted stopped in the middle of a run: unknown, never invalid;
#   - --proxy-for outlook_com=URL: only the Outlook.com-named host
#     (tests/smtp/providers) is reached through danted, the other hosts
#     directly (from --source-address, allowed next to --proxy-for); a
#     dead per-provider proxy makes only that provider's addresses
#     unknown/proxy_failed.
# Skips (counted as skipped) when danted is not installed or does not start;
# fails instead under CI or with SMTP_REQUIRE=1, like the other tests here.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"
. "$srcdir/tests/dns/lib.sh"
. "$srcdir/tests/smtp/lib.sh"
. "$srcdir/tests/proc.sh"

DANTED=${DANTED:-/usr/sbin/danted}
PROXY_EXT=127.0.3.1

dns_require
smtp_require
if [ ! -x "$DANTED" ]; then
	if [ "${SMTP_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "$CI" != false ]; }; then
		echo "Bail out! danted not installed (contrib/install-deps)"
		exit 1
	fi
	echo "1..0 # SKIP danted (dante-server) not installed"
	exit 0
fi

PROXY_PID=
PROXY_DIR=
# proxy_start - a private danted on 127.0.0.1:PROXY_PORT; its pid PROXY_PID
proxy_start() {
	PROXY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-socks.XXXXXX") || return 1
	for _ in 1 2 3 4 5; do
		PROXY_PORT=$(perl -MIO::Socket::INET -e '
			for (1 .. 200) { my $p = 20000 + int rand 40000;
			    IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => $p, Proto => "tcp", Listen => 1)
			    or next; print "$p\n"; exit 0 } exit 1') || return 1
		sed -e "s|@DIR@|$PROXY_DIR|g" -e "s|@PORT@|$PROXY_PORT|g" \
		    -e "s|@EXT@|$PROXY_EXT|g" \
		    "$srcdir/tests/smtp/danted.conf.in" >"$PROXY_DIR/danted.conf"
		"$DANTED" -f "$PROXY_DIR/danted.conf" -p "$PROXY_DIR/danted.pid" \
		    -N 1 </dev/null >"$PROXY_DIR/danted.out" 2>&1 &
		PROXY_PID=$!
		for _ in $(seq 1 50); do
			proc_alive "$PROXY_PID" || break
			if perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
			    PeerAddr => "127.0.0.1", PeerPort => $ARGV[0],
			    Proto => "tcp")' "$PROXY_PORT"; then
				return 0
			fi
			sleep 0.1
		done
		proxy_stop
	done
	cat "$PROXY_DIR/danted.out" "$PROXY_DIR/danted.log" >&2 2>/dev/null
	return 1
}
# proxy_stop - SIGTERM to the danted we started and its children, by pid;
# wait until they are gone (SIGKILL after 5 s)
proxy_stop() {
	local pids p
	[ -n "$PROXY_PID" ] || return 0
	pids=$(proc_tree "$PROXY_PID")
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for _ in $(seq 1 50); do
		local alive=
		for p in $pids; do proc_alive "$p" && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $pids; do proc_alive "$p" && kill -KILL "$p" 2>/dev/null; done
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
}
_proxy_exit() {
	local rc=$?
	proxy_stop
	[ -n "$PROXY_DIR" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$PROXY_DIR"
	return $rc
}
proc_on_exit _proxy_exit

if ! proxy_start; then
	if [ "${SMTP_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "$CI" != false ]; }; then
		echo "Bail out! danted does not start"
		exit 1
	fi
	echo "1..0 # SKIP danted does not start"
	exit 0
fi
plan 27

export FAULT_TARPIT_DELAY=4
SMTP_EXTRA_DOMAINS="hotmail.provmail"
smtp_start >/dev/null || bail "cannot start the mail world"
smtp_fault_start tarpit >/dev/null || bail "cannot start the fault server"
dns_start "$SMTP_ZONE" "$srcdir/tests/smtp/providers" >/dev/null || bail "cannot start the DNS server"

V=scrub_status,scrub_sub_status
PROBE=(--dns-server "$DNS_ADDR" --allow-reserved --probe --helo probe.listscrub.test
    --mail-from lists@sender.test --smtp-port "$SMTP_PORT" --banner-timeout 8
    --command-timeout 20 --connect-timeout 3)
PROXY="socks5://127.0.0.1:$PROXY_PORT"

# ---------------------------------------------------------------- the same verdicts, through danted
F=$T/list.csv
ADDRS=(alice@normal.mail bob@normal.mail zed@normal.mail full@normal.mail
    disabled@normal.mail anyone@catchall.mail alice@policy.mail
    carol@normal.mail ghost@normal.mail u0001@bulk.mail alice@fallback.mail
    bob@fallback.mail)
{ echo Email; printf '%s\n' "${ADDRS[@]}"; } >"$F"
N=${#ADDRS[@]}
scrub direct "${PROBE[@]}" "$F"
DIRECT_RC=$SCRUB_RC
scrub proxied --summary "$T/proxied.json" "${PROBE[@]}" --proxy "$PROXY" "$F"
is "$SCRUB_RC" "$DIRECT_RC" "through danted: the exit status of a direct run ($DIRECT_RC)"
same=0 diff=
for i in $(seq 1 "$N"); do
	a=$(look "$i" $V "$T/direct.cleaned.csv" "$T/direct.rejected.csv")
	b=$(look "$i" $V "$T/proxied.cleaned.csv" "$T/proxied.rejected.csv")
	if [ "$a" = "$b" ] && [ "$a" != none ]; then
		same=$((same + 1))
	else
		diff="$diff ${ADDRS[$((i - 1))]}: direct $a, proxied $b;"
	fi
done
is "$same" "$N" "every verdict through danted equals the direct run's${diff:+ (differ:$diff)}"
is "$(look 3 $V "$T/proxied.cleaned.csv" "$T/proxied.rejected.csv")" \
    "rejected|invalid|mailbox_not_found" "through danted: a 550 5.1.1 is still invalid"
like "$(cat "$T/proxied.json")" "\"proxy\": \"socks5://127.0.0.1:$PROXY_PORT\"" \
    "the summary JSON names the proxy"
smtp_wait_log "connect from [^ ]*\\[$PROXY_EXT\\]" 5
like "$(grep 'connect from' "$SMTP_LOG")" "connect from [^ ]*\\[127\\.0\\.3\\.1\\]" \
    "Postfix's log shows connections from danted's external address"
like "$(grep 'connect from' "$SMTP_LOG")" "connect from [^ ]*\\[127\\.0\\.0\\.1\\]" \
    "... and the direct run's from 127.0.0.1"
like "$(grep 'TLS connection established from' "$SMTP_LOG")" \
    "TLS connection established from [^ ]*\\[127\\.0\\.3\\.1\\]" \
    "STARTTLS runs end to end through the tunnel"
like "$(cat "$PROXY_DIR/danted.log")" "pass\\(1\\): tcp/connect" \
    "danted's log has the CONNECTs it passed"

# ---------------------------------------------------------------- wrong credentials
SECRET=Pw-$RANDOM-notreal
scrub badauth --summary "$T/badauth.json" "${PROBE[@]}" \
    --proxy "socks5://nosuchuser:$SECRET@127.0.0.1:$PROXY_PORT" "$F"
is "$SCRUB_RC" 3 "wrong credentials: degraded, exit status 3"
unknown=0
for i in $(seq 1 "$N"); do
	v=$(look "$i" $V "$T/badauth.cleaned.csv" "$T/badauth.rejected.csv")
	case $v in
	*"|unknown|proxy_failed") unknown=$((unknown + 1)) ;;
	*) diag "row $i: $v" ;;
	esac
done
is "$unknown" "$N" "wrong credentials: every address unknown/proxy_failed"
like "$SCRUB_ERR" "DEGRADED: the --proxy failed for $N of $N addresses" \
    "wrong credentials: the degraded line names the proxy"
unlike "$(cat "$T/.scrub.err" "$T/badauth.json" "$T/badauth.cleaned.csv" \
    "$T/badauth.rejected.csv")" "$SECRET|nosuchuser" \
    "the credentials appear in no message, summary or output"
like "$(cat "$T/badauth.json")" "socks5://\\*\\*\\*:\\*\\*\\*@127\\.0\\.0\\.1" \
    "the summary shows the credentials masked"
like "$(get "$T/badauth.cleaned.csv" 1 scrub_reason)" "." \
    "a proxy_failed row has a reason text"
# What ps shows once the options are read: the input is a FIFO, so the
# run waits there with its arguments parsed.
mkfifo "$T/in.fifo"
XDG_CACHE_HOME=$T/.cache/argv "$LISTSCRUB" -q --no-progress \
    -o "$T/argv.cleaned.csv" -r "$T/argv.rejected.csv" "${PROBE[@]}" \
    --proxy "socks5://nosuchuser:$SECRET@127.0.0.1:$PROXY_PORT" \
    "$T/in.fifo" >/dev/null 2>&1 &
LPID=$!
CMD=
for _ in $(seq 1 50); do
	CMD=$(tr '\0' ' ' <"/proc/$LPID/cmdline" 2>/dev/null)
	case $CMD in *"socks5://****"*) break ;; esac
	sleep 0.1
done
printf 'Email\nalice@normal.mail\n' >"$T/in.fifo"
wait "$LPID"
like "$CMD" "socks5://\*+@127\.0\.0\.1" "ps shows the --proxy credentials blanked"

# ---------------------------------------------------------------- --proxy-for PROVIDER=URL
# hotmail.provmail's MX is an Outlook.com name (outlook_com) on the normal
# listener, as is normal.mail's own: one Postfix, told apart by the
# client address in its log. Postfix logs every refused RCPT with it.
SRC=127.0.4.1
FP=$T/pf.csv
{ echo Email; echo u1@hotmail.provmail; echo u2@hotmail.provmail; echo alice@normal.mail
  echo zed@normal.mail; echo ghost@normal.mail; } >"$FP"
m=$(wc -l <"$SMTP_LOG")
scrub pf --summary "$T/pf.json" "${PROBE[@]}" --source-address "$SRC" \
    --proxy-for "outlook_com=$PROXY" "$FP"
is "$(for i in 1 2 4 5; do look "$i" $V "$T/pf.cleaned.csv" "$T/pf.rejected.csv"; done | sort -u)" \
    "rejected|invalid|mailbox_not_found" "--proxy-for: both hosts answered (550 5.1.1 is invalid)"
is "$(look 3 $V "$T/pf.cleaned.csv" "$T/pf.rejected.csv")" "cleaned|valid|mailbox_ok" \
    "--proxy-for: an address of the direct host is mailbox_ok"
smtp_wait_log "RCPT from [^ ]*\\[127\\.0\\.3\\.1\\]" 5
rej=$(tail -n +"$((m + 1))" "$SMTP_LOG" | grep 'reject: RCPT from')
is "$(printf '%s\n' "$rej" | grep -c "\[$PROXY_EXT\]:.*@hotmail\.provmail>")" 3 \
    "--proxy-for: the Outlook.com-named host heard its 2 addresses and the catch-all test from danted's address"
is "$(printf '%s\n' "$rej" | grep -c "\[$PROXY_EXT\]:.*@normal\.mail>")" 0 \
    "... and no other host's address came through danted"
is "$(printf '%s\n' "$rej" | grep -c "\[$SRC\]:.*<\(zed\|ghost\)@normal\.mail>")" 2 \
    "... which went directly, from --source-address $SRC (allowed next to --proxy-for)"
like "$(cat "$T/pf.json")" "\"proxy\": \"outlook_com=socks5://127.0.0.1:$PROXY_PORT\"" \
    "the summary JSON names the per-provider proxy"

# a dead per-provider proxy: nobody listens at its port
DEADPORT=$(perl -MIO::Socket::INET -e 'for (1 .. 200) { my $p = 20000 + int rand 40000;
    IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $p, Proto => "tcp",
    Listen => 1) or next; print "$p\n"; exit 0 } exit 1')
scrub pfdead "${PROBE[@]}" --proxy-for "outlook_com=socks5://127.0.0.1:$DEADPORT" "$FP"
is "$(for i in 1 2; do look "$i" $V "$T/pfdead.cleaned.csv" "$T/pfdead.rejected.csv"; done | sort -u)" \
    "cleaned|unknown|proxy_failed" "a dead --proxy-for: that provider's addresses unknown/proxy_failed"
is "$(for i in 3 4; do look "$i" $V "$T/pfdead.cleaned.csv" "$T/pfdead.rejected.csv"; done | tr '\n' ' ')" \
    "cleaned|valid|mailbox_ok rejected|invalid|mailbox_not_found " \
    "... and only theirs: the other host still answers"

# ---------------------------------------------------------------- danted stopped mid-run
# The tarpit host greets only after 4 s; the run's sessions to it are open
# through danted when danted goes away.
F2=$T/mid.csv
{ echo Email; echo alice@tarpit.mail; echo bob@tarpit.mail; echo zed@tarpit.mail; } >"$F2"
rm -f "$T/mid.cleaned.csv" "$T/mid.rejected.csv"
XDG_CACHE_HOME=$T/.cache/mid timeout 120 "$LISTSCRUB" -q --no-progress \
    -o "$T/mid.cleaned.csv" -r "$T/mid.rejected.csv" "${PROBE[@]}" \
    --proxy "$PROXY" "$F2" >"$T/mid.out" 2>"$T/mid.err" &
RUN=$!
for _ in $(seq 1 40); do
	grep -q "tcp/connect.*127.0.2.12" "$PROXY_DIR/danted.log" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
proxy_stop
wait "$RUN"
MID_RC=$?
ok "danted stopped mid-run: the run completes (exit $MID_RC)" test "$MID_RC" -eq 0 -o "$MID_RC" -eq 3
inval=0 unk=0
for i in 1 2 3; do
	v=$(look "$i" $V "$T/mid.cleaned.csv" "$T/mid.rejected.csv")
	case $v in
	*"|unknown|"*) unk=$((unk + 1)) ;;
	*"|invalid|"*) inval=$((inval + 1)) ;;
	esac
	case $v in *"|unknown|"*) ;; *) diag "row $i: $v" ;; esac
done
is "$inval" 0 "danted stopped mid-run: no address invalid"
is "$unk" 3 "danted stopped mid-run: every address unknown"
like "$(cat "$T/mid.cleaned.csv")" "proxy_failed" \
    "danted stopped mid-run: the addresses say proxy_failed"

dns_stop
smtp_stop
