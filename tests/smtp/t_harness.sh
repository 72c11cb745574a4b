#!/bin/bash
# t_harness.sh - self-test of the loopback mail world (tests/smtp/lib.sh):
# the private Postfix answers each behaviour as documented, postgrey
# greylists, STARTTLS works / is required / is broken, the fault server
# misbehaves as asked, the MX zone is served by the DNS harness, Postfix's
# log shows the dialogue, and smtp_stop leaves no process behind. TAP.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/smtp/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/dns/lib.sh
. "$here/../dns/lib.sh"
smtp_require
dns_require

_n=0 _fail=0
ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
notok() {
	_n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"
	shift; local l; for l in "$@"; do echo "#   $l"; done
}
is() { if [ "$1" = "$2" ]; then ok "$3"; else notok "$3" "got:  '$1'" "want: '$2'"; fi; }
has() { case $1 in *"$2"*) ok "$3" ;; *) notok "$3" "got:  '$1'" "want: ...'$2'..." ;; esac; }
hasnt() { case $1 in *"$2"*) notok "$3" "got:  '$1'" "unwanted: '$2'" ;; *) ok "$3" ;; esac; }
# the replies of a chat, one a line, without the EHLO list
replies() { sed -n 's/^S: //p' | grep -v '^250-'; }

echo "1..46"
t0=$(date +%s%N)

# start
if FAULT_TARPIT_DELAY=1 smtp_start; then ok "smtp_start"; else notok "smtp_start"; echo "Bail out! no mail world"; exit 1; fi
t1=$(date +%s%N)
echo "# Postfix + postgrey up in $(((t1 - t0) / 1000000)) ms (port $SMTP_PORT, dir $SMTP_DIR)"
is "$(readlink "/proc/$SMTP_PID/exe")" /usr/lib/postfix/sbin/master "SMTP_PID is Postfix's master"
is "$(tr -d ' ' <"$SMTP_DIR/spool/pid/master.pid")" "$SMTP_PID" "master's pidfile holds SMTP_PID"
hexport=$(printf '%04X' "$SMTP_PORT")
socks=$(awk -v p=":$hexport" '$2 ~ p"$" && $4 == "0A" { print $2 }' /proc/net/tcp /proc/net/tcp6 | sort | tr '\n' ' ')
# 127.0.2.1-6 and .30 (Postfix), postgrey's 127.0.2.20, little-endian hex
is "$socks" "0102007F:$hexport 0202007F:$hexport 0302007F:$hexport 0402007F:$hexport 0502007F:$hexport 0602007F:$hexport 1402007F:$hexport 1E02007F:$hexport " "listens on 127.0.2.1-6 and .30 (Postfix) and 127.0.2.20 (postgrey) only"
if FAULT_TARPIT_DELAY=1 smtp_fault_start; then ok "smtp_fault_start (all modes)"; else notok "smtp_fault_start"; fi

# NORMAL, pipelined: every RCPT reply, in order
r=$(smtp_chat -p "$SMTP_NORMAL" "EHLO probe.test" "MAIL FROM:<>" \
	"RCPT TO:<alice@normal.mail>" "RCPT TO:<nobody@normal.mail>" \
	"RCPT TO:<full@normal.mail>" "RCPT TO:<tempfull@normal.mail>" \
	"RCPT TO:<disabled@normal.mail>" "RCPT TO:<u0999@bulk.mail>" \
	"RCPT TO:<bob@shared9.mail>" "RSET" "QUIT" | replies | tr '\n' '|')
has "$r" "220 mx.normal.mail ESMTP Postfix|250 CHUNKING|250 2.1.0 Ok|" "NORMAL: banner, EHLO, MAIL"
has "$r" "|250 2.1.5 Ok|550 5.1.1 <nobody@normal.mail>: Recipient address rejected: User unknown in virtual mailbox table|" "NORMAL: known user 250 2.1.5, unknown 550 5.1.1"
has "$r" "|552 5.2.2 <full@normal.mail>: Recipient address rejected: Mailbox full|" "NORMAL: full@ 552 5.2.2"
has "$r" "|452 4.2.2 <tempfull@normal.mail>: Recipient address rejected: Mailbox full, try again later|" "NORMAL: tempfull@ 452 4.2.2"
has "$r" "|550 5.2.1 <disabled@normal.mail>: Recipient address rejected: Mailbox disabled, not accepting messages|250 2.1.5 Ok|250 2.1.5 Ok|250 2.0.0 Ok|221 2.0.0 Bye|" "NORMAL: disabled@ 550 5.2.1; u0999@bulk.mail, bob@shared9.mail 250; RSET, QUIT"
r=$(smtp_chat "$SMTP_NORMAL" "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<x@nowhere.example>" "VRFY alice@normal.mail" QUIT | replies | tr '\n' '|')
has "$r" "554 5.7.1 <x@nowhere.example>: Relay access denied|502 5.5.1 VRFY command is disabled|" "NORMAL: other domains 554 5.7.1 relay denied; VRFY disabled"
r=$(smtp_tls_chat "$SMTP_NORMAL" mx.normal.mail "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<carol@normal.mail>" QUIT)
has "$r" "Verify return code: 0 (ok)" "NORMAL: STARTTLS, certificate verified against SMTP_CA for mx.normal.mail"
has "$(printf '%s\n' "$r" | grep -E '^[0-9]{3} ' | tr '\n' '|')" "250 2.1.0 Ok|250 2.1.5 Ok|221 2.0.0 Bye|" "NORMAL: MAIL/RCPT over TLS"

# CATCHALL, POLICY, DEAD
r=$(smtp_chat "$SMTP_CATCHALL" "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<zq7x-surely-absent@catchall.mail>" QUIT | replies | tr '\n' '|')
has "$r" "220 mx.catchall.mail ESMTP Postfix|250 CHUNKING|250 2.1.0 Ok|250 2.1.5 Ok|221" "CATCHALL: any local part 250 2.1.5"
r=$(smtp_chat "$SMTP_POLICY" "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<alice@policy.mail>" QUIT | replies | tr '\n' '|')
has "$r" "|554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Service unavailable; Client host blocked using zen.spamhaus.org|221" "POLICY: 554 5.7.1 client block at RCPT"
is "$(smtp_chat "$SMTP_DEAD" "EHLO probe.test")" REFUSED "DEAD: connection refused"

# GREYLIST (postgrey --delay=1)
r=$(smtp_chat "$SMTP_GREYLIST" "EHLO probe.test" "MAIL FROM:<probe@sender.test>" "RCPT TO:<alice@grey.mail>" "RCPT TO:<nobody@grey.mail>" sleep:1.2 "RCPT TO:<alice@grey.mail>" QUIT | replies | tr '\n' '|')
has "$r" "|450 4.7.1 <alice@grey.mail>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/grey.mail.html|" "GREYLIST: first attempt 450 4.7.1"
has "$r" "|550 5.1.1 <nobody@grey.mail>: Recipient address rejected: User unknown in virtual mailbox table|250 2.1.5 Ok|221" "GREYLIST: unknown user still 550 5.1.1; retry after 1.2 s 250 2.1.5"
has "$(cat "$SMTP_GREY_LOG")" "action=pass, reason=triplet found" "postgrey log: greylist, then pass"

# TLSREQ, TLSBROKEN
r=$(smtp_chat "$SMTP_TLSREQ" "EHLO probe.test" "MAIL FROM:<>" QUIT | replies | tr '\n' '|')
has "$r" "|530 5.7.0 Must issue a STARTTLS command first|221" "TLSREQ: MAIL before STARTTLS 530 5.7.0"
r=$(smtp_tls_chat "$SMTP_TLSREQ" mx.tlsreq.mail "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<alice@tlsreq.mail>" QUIT)
has "$(printf '%s\n' "$r" | grep -E '^[0-9]{3} |^rc=' | tr '\n' '|')" "250 2.1.0 Ok|250 2.1.5 Ok|221 2.0.0 Bye|rc=0|" "TLSREQ: after STARTTLS MAIL/RCPT 250"
r=$(smtp_chat "$SMTP_TLSBROKEN" "EHLO probe.test" STARTTLS | tr '\n' '|')
has "$r" "S: 250-STARTTLS|S: 250-ENHANCEDSTATUSCODES|S: 250-8BITMIME|S: 250-DSN|S: 250-SMTPUTF8|S: 250 CHUNKING|C: STARTTLS|S: 220 2.0.0 Ready to start TLS|" "TLSBROKEN: advertises STARTTLS, answers 220 2.0.0 Ready to start TLS"
r=$(smtp_tls_chat "$SMTP_TLSBROKEN" mx.tlsbroken.mail "EHLO probe.test" QUIT)
case $r in
*"rc=0") notok "TLSBROKEN: handshake must fail" "$r" ;;
*) ok "TLSBROKEN: 220 to STARTTLS, then the handshake fails (s_client: $(printf '%s\n' "$r" | grep -m1 -o 'error:[0-9A-F]*:SSL routines:[^:]*:[^:]*'))" ;;
esac

# fault server
r=$(smtp_chat "$FAULT_421_ADDR" "EHLO probe.test" "MAIL FROM:<>" | tr '\n' '|')
has "$r" "S: 220 fault.mail ESMTP faultsrv|C: EHLO probe.test|S: 421 4.7.0 fault.mail Too many connections, closing|" "fault 421: 421 4.7.0 after EHLO"
has "$r" "EOF" "fault 421: then closed"
is "$(smtp_chat -w 0.5 "$FAULT_NOBANNER_ADDR" "EHLO probe.test")" TIMEOUT "fault nobanner: no banner (client times out)"
r=$(smtp_chat -w 1 "$FAULT_ENDLESS_ADDR" "EHLO probe.test" | head -50 | tail -1)
has "$r" "S: 250-endless reply line 47 " "fault endless: 250- lines without end"
t=$SECONDS
r=$(smtp_chat -w 3 "$FAULT_TARPIT_ADDR" "EHLO probe.test" QUIT | replies | tr '\n' '|')
has "$r" "220 fault.mail ESMTP faultsrv|250 8BITMIME|221 2.0.0 Bye|" "fault tarpit: banner after FAULT_TARPIT_DELAY (1 s), then normal"
r=$(smtp_chat "$FAULT_INJECT_ADDR" "EHLO probe.test" STARTTLS | tr '\n' '|')
has "$r" "S: 250-STARTTLS|S: 250 ENHANCEDSTATUSCODES|C: STARTTLS|S: 220 ready|S: 250 injected|" "fault inject: 220 to STARTTLS with '250 injected' in the same write"
r=$(smtp_chat -p "$FAULT_DROP_ADDR" "EHLO probe.test" "MAIL FROM:<>" "RCPT TO:<a@drop.mail>" "RCPT TO:<b@drop.mail>" "RCPT TO:<c@drop.mail>" "RCPT TO:<d@drop.mail>" "RCPT TO:<e@drop.mail>" QUIT | replies | tr '\n' '|')
is "$r" "220 fault.mail ESMTP faultsrv|250 8BITMIME|250 2.1.0 Ok|250 2.1.5 Ok|250 2.1.5 Ok|250 2.1.5 Ok|" "fault drop: 3 RCPTs answered, then closed mid-batch"
sleep 0.1
has "$(grep -E '^drop [0-9]+ (< RCPT|drop|close)' "$FAULT_LOG" | cut -d' ' -f3- | tr '\n' '|')" "< RCPT TO:<c@drop.mail>|< RCPT TO:<d@drop.mail>|drop after 3 RCPT|close|" "fault log: one line per event (the drop)"

# Postfix's log: dialogue, summaries, TLS, no DATA
smtp_wait_log 'disconnect from .* commands=' 5
smtp_wait_log 'mx.tlsbroken.mail|SSL_accept error' 5
sleep 0.3
cmds=$(smtp_log_commands)
has "$cmds" "RCPT TO:<tempfull@normal.mail>" "log: every client command ('< client: CMD', debug_peer_list)"
is "$(printf '%s\n' "$cmds" | grep -ciE '^(DATA|BDAT|VRFY|EXPN)')" 1 "log: no DATA/BDAT/EXPN ever; the one VRFY of test 11"
has "$(smtp_log_commands "$SMTP_CATCHALL" | tr '\n' '|')" "EHLO probe.test|MAIL FROM:<>|RCPT TO:<zq7x-surely-absent@catchall.mail>|QUIT|" "smtp_log_commands ADDR: one listener's commands"
has "$(smtp_log_disconnects)" "ehlo=1 mail=1 rcpt=3/7 rset=1 quit=1 commands=7/11" "log: disconnect summary of the pipelined NORMAL session"
has "$(grep -E 'TLS connection established|SSL_accept error' "$SMTP_LOG" | tr '\n' '|')" "Anonymous TLS connection established from unknown[127.0.0.1]: TLSv1.3" "log: TLS connections (smtpd_tls_loglevel 1)"

# Postfix's default error limits: 22 unknown users in one pipelined batch ->
# 20 x 550 (1 s sleep before each reply after the 10th error:
# smtpd_soft_error_limit 10, smtpd_error_sleep_time 1s), then at the 21st
# error 421 and close (smtpd_hard_error_limit 20)
rc=()
for i in $(seq -w 1 22); do rc+=("RCPT TO:<nobody$i@normal.mail>"); done
t=$SECONDS
r=$(smtp_chat -w 20 -p "$SMTP_NORMAL" "EHLO probe.test" "MAIL FROM:<>" "${rc[@]}" QUIT)
has "$r" "EOF" "error limit: the server closed"
r=$(printf '%s\n' "$r" | replies)
is "$(printf '%s\n' "$r" | grep -c '^550 5.1.1 ')" 20 "error limit: 20 x 550 5.1.1 (smtpd_hard_error_limit 20)"
is "$(printf '%s\n' "$r" | tail -1)" "421 4.7.0 mx.normal.mail Error: too many errors" "error limit: then '421 4.7.0 ... Error: too many errors' and close ($((SECONDS - t)) s)"

# the MX zone, served by the DNS harness
if dns_start "$SMTP_ZONE"; then ok "dns_start \$SMTP_ZONE (zone mail.)"; else notok "dns_start"; fi
has "$(dns_ask normal.mail MX mx.normal.mail A)" "MX:10:mx.normal.mail." "normal.mail MX mx.normal.mail"
has "$(dns_ask fallback.mail MX | tr '\n' ' ')" "MX:10:mx1.fallback.mail. MX:20:mx2.fallback.mail." "fallback.mail: MX 10 (dead), MX 20 (NORMAL)"

# stop: every process gone, by pid
pids="$(proc_tree "$SMTP_PID" | tr '\n' ' ')$SMTP_GREY_PID $FAULT_PID"
dir=$SMTP_DIR
t2=$(date +%s%N)
if smtp_stop; then ok "smtp_stop"; else notok "smtp_stop"; fi
echo "# stopped in $((($(date +%s%N) - t2) / 1000000)) ms"
left=
for p in $pids; do proc_alive "$p" && left="$left $p"; done
is "$left" "" "no process left of master + children, postgrey, faultsrv ($(echo "$pids" | wc -w) pids)"
is "$(test -d "$dir" && echo exists)" "" "temp dir removed"
dns_stop
is "$(awk -v p=":$hexport" '$2 ~ p"$" && $4 == "0A"' /proc/net/tcp | wc -l)" 0 "port $SMTP_PORT free again"
echo "# total $((($(date +%s%N) - t0) / 1000000)) ms"
[ $_fail -eq 0 ]
