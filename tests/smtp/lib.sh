# lib.sh - a private, loopback-only mail world for the SMTP probe tests:
# a real Postfix (Debian's package) with one smtpd per behaviour, postgrey as
# its greylisting policy server, and a small C fault server for what Postfix
# cannot do. Source it from a bash test script:
#     . "$srcdir/tests/smtp/lib.sh"
# It can be sourced together with tests/dns/lib.sh (the MX records of the
# mail world are in tests/smtp/mail.zone: dns_start "$SMTP_ZONE").
#
# Functions
#   smtp_require        Postfix/postgrey/openssl/perl/cc missing: print
#                       "1..0 # SKIP ..." and exit 0; under CI (CI set and not
#                       "false") or with SMTP_REQUIRE=1: "Bail out! ..." and
#                       exit 1. Call it BEFORE printing the plan. Needs root
#                       too (Postfix's master runs as root, its daemons as
#                       the postfix user): not root -> SKIP (Bail under CI).
#   smtp_start          make a temp dir (SMTP_DIR), a test CA + server
#                       certificate, main.cf/master.cf from the templates,
#                       the queue; start postgrey and Postfix's master
#                       (master -c DIR -d, in the background: its pid is
#                       SMTP_PID) and wait until every listener answers 220.
#                       All listeners use one port, SMTP_PORT, each on its
#                       own 127.0.2.N. Returns non-zero (log on stderr) on
#                       failure.
#   smtp_stop           stop exactly what this library started, by pid: the
#                       fault server, master (SIGTERM; then wait until master
#                       and every child it had are gone; SIGKILL to those
#                       after SMTP_STOP_TIMEOUT s), postgrey; remove the temp
#                       dir (kept with KEEP_TMP=1). Idempotent. Non-zero if a
#                       process would not die.
#   smtp_fault_start MODE...
#                       build tests/smtp/faultsrv.c (${CC:-cc}) into the temp
#                       dir and start it with one listener per MODE, all on
#                       SMTP_PORT (smtp_start first, or a port of its own):
#                       421 nobanner endless inject tarpit drop (default), throttle,
#                       ratelimit, slowgreet, vanity (addresses below). Exports FAULT_<MODE>_ADDR, FAULT_PID,
#                       FAULT_LOG. Stopped by smtp_stop.
#   smtp_chat [-p] [-w SEC] ADDR CMD...
#                       a plain SMTP client (smtpchat.pl, perl-base): reads
#                       the banner, sends each CMD and prints the replies
#                       ("C: cmd" / "S: reply line"; "EOF" when the server
#                       closed, "TIMEOUT" after SEC s of silence). -p sends all
#                       the commands after the first in one write (pipelining).
#                       Port: SMTP_PORT unless ADDR is HOST:PORT.
#   smtp_tls_chat ADDR SERVERNAME CMD...
#                       the same over STARTTLS with openssl s_client (verifies
#                       against SMTP_CA and SERVERNAME; sends EHLO itself).
#                       Prints s_client's output, then "rc=N".
#   smtp_log_commands [ADDR]
#                       the SMTP commands clients sent, as Postfix logged them
#                       (debug_peer_list covers 127.0.0.0/8), one a line;
#                       ADDR: only the connections to that listener.
#   smtp_log_disconnects
#                       Postfix's "disconnect from ..." summary lines
#                       ("... ehlo=1 mail=1 rcpt=1/2 quit=1 commands=4/5").
#   smtp_wait_log REGEX [SEC]
#                       wait (default 5 s) until the maillog has a line
#                       matching the extended REGEX. Postfix logs through
#                       postlogd, a little after the fact: wait before you
#                       assert on the last connection.
#
# Addresses (all on port SMTP_PORT; exported)
#   SMTP_NORMAL    127.0.2.1  mx.normal.mail     known users; unknown 550 5.1.1;
#                             full 552 5.2.2; tempfull 452 4.2.2; disabled
#                             550 5.2.1; default error limits; STARTTLS (may)
#   SMTP_CATCHALL  127.0.2.2  mx.catchall.mail   every local part accepted
#   SMTP_POLICY    127.0.2.3  mx.policy.mail     554 5.7.1 at RCPT (client block)
#   SMTP_GREYLIST  127.0.2.4  mx.grey.mail       postgrey: 450 4.7.1 first
#   SMTP_TLSREQ    127.0.2.5  mx.tlsreq.mail     MAIL before STARTTLS: 530 5.7.0
#   SMTP_TLSBROKEN 127.0.2.6  mx.tlsbroken.mail  STARTTLS 220, handshake fails
#   SMTP_DEAD      127.0.2.7  nothing listens (connection refused)
#   SMTP_RCPTCAP   127.0.2.30 mx.rcptcap.mail    normal users, but one RCPT a
#                             transaction: 452 4.5.3 to a second one
#   FAULT_421_ADDR 127.0.2.8, FAULT_NOBANNER_ADDR .9, FAULT_ENDLESS_ADDR .10,
#   FAULT_INJECT_ADDR .11, FAULT_TARPIT_ADDR .12, FAULT_DROP_ADDR .13,
#   FAULT_THROTTLE_ADDR .14
#   SMTP_GREY_POLICY 127.0.2.20:SMTP_PORT  postgrey's policy port
#
# Other exported variables
#   SMTP_PORT  the port; SMTP_DIR the temp dir; SMTP_PID master's pid;
#   SMTP_LOG   Postfix's log file (maillog_file, through postlogd);
#   SMTP_CA    the test CA certificate (PEM) that signed the server's;
#   SMTP_GREY_PID postgrey's pid, SMTP_GREY_LOG its log (stderr);
#   SMTP_GREY_DELAY its --delay (s; SMTP_GREY_DELAY set before smtp_start
#              changes it, default 1: a retry >= 1.1 s later passes);
#   SMTP_ZONE  the zone file of the mail world (tests/smtp/mail.zone).
#
# Cleanup: smtp_start / smtp_fault_start add smtp_stop to the shell's EXIT
# trap, in front of any EXIT trap already set (tests/dns/lib.sh's chains the
# same way), and set "exit 1" traps for HUP/INT/PIPE/TERM where none is set.
# Do not call smtp_start in a subshell. The servers are background jobs of
# the calling shell: wait only for your own pids.
#
# Tunables: SMTP_START_TIMEOUT (default 30 s), SMTP_STOP_TIMEOUT (5 s),
# SMTP_GREY_DELAY (1 s), FAULT_TARPIT_DELAY (30 s), KEEP_TMP=1, TMPDIR.
# For benchmarks: SMTP_EXTRA_DOMAINS (more virtual mailbox domains, space
# separated), SMTP_EXTRA_USERS (a file of more "user@domain<TAB>x" lines)
# and SMTP_DIALOGUE_LOG=0 (no debug_peer_list: the full dialogue log costs
# Postfix ~10 ms a command; smtp_log_commands then sees nothing).

_smtp_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_smtp_lib_dir/../proc.sh"
SMTP_ZONE=$_smtp_lib_dir/mail.zone
export SMTP_ZONE
_smtp_master=${POSTFIX_MASTER:-/usr/lib/postfix/sbin/master}
_smtp_postgrey=${POSTGREY:-/usr/sbin/postgrey}

SMTP_NORMAL=127.0.2.1
SMTP_CATCHALL=127.0.2.2
SMTP_POLICY=127.0.2.3
SMTP_GREYLIST=127.0.2.4
SMTP_TLSREQ=127.0.2.5
SMTP_TLSBROKEN=127.0.2.6
SMTP_DEAD=127.0.2.7
SMTP_RCPTCAP=127.0.2.30
_smtp_grey_host=127.0.2.20
export SMTP_NORMAL SMTP_CATCHALL SMTP_POLICY SMTP_GREYLIST SMTP_TLSREQ \
	SMTP_TLSBROKEN SMTP_DEAD SMTP_RCPTCAP
# fault server modes and their addresses
declare -A _smtp_fault_addr=([421]=127.0.2.8 [nobanner]=127.0.2.9
	[endless]=127.0.2.10 [inject]=127.0.2.11 [tarpit]=127.0.2.12
	[drop]=127.0.2.13 [throttle]=127.0.2.14 [ratelimit]=127.0.2.15
	[slowgreet]=127.0.2.16 [vanity]=127.0.2.17)
_smtp_postfix_addrs="127.0.2.1 127.0.2.2 127.0.2.3 127.0.2.4 127.0.2.5 127.0.2.6 127.0.2.30"
# every address that must be free on the port (incl. the dead one)
_smtp_all_addrs="$_smtp_postfix_addrs 127.0.2.7 127.0.2.8 127.0.2.9 127.0.2.10 127.0.2.11 127.0.2.12 127.0.2.13 127.0.2.14 127.0.2.15 127.0.2.16 127.0.2.17 $_smtp_grey_host"

_smtp_err() { printf 'smtp: %s\n' "$*" >&2; }

# _smtp_missing - why the mail world cannot run here ("" if it can)
_smtp_missing() {
	[ -x "$_smtp_master" ] || { echo "postfix not installed (run contrib/install-deps)"; return; }
	[ -x "$_smtp_postgrey" ] || { echo "postgrey not installed (run contrib/install-deps)"; return; }
	command -v openssl >/dev/null 2>&1 || { echo "openssl not installed (run contrib/install-deps)"; return; }
	command -v perl >/dev/null 2>&1 || { echo "perl not installed"; return; }
	command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler (${CC:-cc})"; return; }
	id postfix >/dev/null 2>&1 || { echo "no postfix user (postfix package not set up)"; return; }
	[ "$(id -u)" = 0 ] || { echo "not root (Postfix's master must run as root)"; return; }
}

smtp_require() {
	local why
	why=$(_smtp_missing)
	[ -z "$why" ] && return 0
	if [ "${SMTP_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; }; then
		echo "Bail out! $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

# _smtp_free_port - a TCP port free on every address of the mail world
_smtp_free_port() {
	# shellcheck disable=SC2086
	proc_free_port $_smtp_all_addrs
}


_smtp_exit_hook() {
	local rc=$?
	smtp_stop
	return $rc
}

# _smtp_mkdir - the temp dir (once); world-readable: Postfix's daemons run as
# the postfix user, postgrey as postgrey
_smtp_mkdir() {
	[ -n "${SMTP_DIR:-}" ] && [ -d "$SMTP_DIR" ] && return 0
	SMTP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-smtp.XXXXXX") || return 1
	chmod 755 "$SMTP_DIR"
	export SMTP_DIR
	proc_on_exit _smtp_exit_hook
}

# _smtp_certs DIR - test CA + server certificate for every mx.*.mail name
_smtp_certs() {
	local d=$1 san n
	mkdir -p "$d" || return 1
	san=DNS:mx.normal.mail
	for n in catchall policy grey tlsreq tlsbroken rcptcap; do
		san=$san,DNS:mx.$n.mail
	done
	san=$san,DNS:mx2.fallback.mail,IP:127.0.2.1
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -days 7 -subj "/CN=listscrub test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign \
			-keyout ca.key -out ca.crt &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -subj "/CN=mx.normal.mail" \
			-keyout server.key -out server.csr &&
		printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
			"$san" >server.ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 7 -extfile server.ext -out server.crt &&
		chmod 644 server.key
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
}

# _smtp_fill FILE - the template on stdin with the @...@ placeholders set
_smtp_fill() {
	local domains="normal.mail catchall.mail policy.mail grey.mail tlsreq.mail tlsbroken.mail fallback.mail bulk.mail" i
	for i in 1 2 3 4 5 6 7 8 9; do domains="$domains shared$i.mail"; done
	domains="$domains ${SMTP_EXTRA_DOMAINS:-}"	# benchmarks add theirs
	awk -v dir="$SMTP_DIR" -v port="$SMTP_PORT" -v domains="$domains" \
		-v grey="$_smtp_grey_host" -v greydelay="${SMTP_GREY_DELAY:-1}" \
		-v broken="$_smtp_tlsbroken_opts" \
		-v debugpeers="$([ "${SMTP_DIALOGUE_LOG:-1}" = 0 ] || echo 127.0.0.0/8)" '{
		gsub(/@DIR@/, dir); gsub(/@PORT@/, port); gsub(/@DOMAINS@/, domains)
		gsub(/@DEBUGPEERS@/, debugpeers)
		gsub(/@GREYADDR@/, grey)
		gsub(/@GREYDELAY@/, greydelay); gsub(/@TLSBROKEN_OPTS@/, broken)
		gsub(/@NORMAL@/, "127.0.2.1"); gsub(/@CATCHALL@/, "127.0.2.2")
		gsub(/@POLICY@/, "127.0.2.3"); gsub(/@GREYLIST@/, "127.0.2.4")
		gsub(/@TLSREQ@/, "127.0.2.5"); gsub(/@TLSBROKEN@/, "127.0.2.6")
		gsub(/@RCPTCAP@/, "127.0.2.30")
		print }'
}

# TLSBROKEN: STARTTLS is advertised and answered "220 2.0.0 Ready to start
# TLS", but the server offers TLS 1.0 only, which OpenSSL 3 (server and
# client, at the default security level) refuses: the handshake fails.
_smtp_tlsbroken_opts='-o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1.1,!TLSv1.2,!TLSv1.3'

# _smtp_wait_banner ADDR PORT SEC - a 220 banner within SEC s
_smtp_wait_banner() {
	perl -MIO::Socket::INET -e '
		my ($a, $p, $t) = @ARGV; my $end = time + $t;
		while (time <= $end) {
			my $s = IO::Socket::INET->new(PeerAddr => $a, PeerPort => $p,
				Proto => "tcp", Timeout => 1);
			if ($s) {
				my $l = ""; eval {
					local $SIG{ALRM} = sub { die "t\n" }; alarm 2;
					$l = <$s>; alarm 0; };
				print $s "QUIT\r\n" if defined $l;
				exit 0 if defined $l && $l =~ /^220 /;
			}
			select undef, undef, undef, 0.05;
		}
		exit 1;' "$1" "$2" "$3"
}

# _smtp_wait_listen ADDR PORT SEC - something accepts TCP connections
_smtp_wait_listen() {
	perl -MIO::Socket::INET -e '
		my ($a, $p, $t) = @ARGV; my $end = time + $t;
		while (time <= $end) {
			exit 0 if IO::Socket::INET->new(PeerAddr => $a, PeerPort => $p,
				Proto => "tcp", Timeout => 1);
			select undef, undef, undef, 0.05;
		}
		exit 1;' "$1" "$2" "$3"
}

_smtp_start_postgrey() {
	local d=$SMTP_DIR
	mkdir -p "$d/postgrey" && chown postgrey: "$d/postgrey" 2>/dev/null ||
		chown postgrey "$d/postgrey" || return 1
	: >"$d/etc/empty"
	# --auto-whitelist-clients=0: the one test client would be whitelisted
	# after 5 passes otherwise; empty whitelists: the package's ones are not
	# for tests. No --daemonize: stays in the foreground, logs to stderr.
	"$_smtp_postgrey" --inet="$_smtp_grey_host:$SMTP_PORT" \
		--delay="${SMTP_GREY_DELAY:-1}" --dbdir="$d/postgrey" \
		--pidfile="$d/postgrey.pid" --auto-whitelist-clients=0 \
		--whitelist-clients="$d/etc/empty" \
		--whitelist-recipients="$d/etc/empty" \
		--greylist-text='4.7.1 Greylisted, see http://postgrey.schweikert.ch/help/%r.html' \
		</dev/null >"$d/postgrey.log" 2>&1 &
	SMTP_GREY_PID=$!
	SMTP_GREY_LOG=$d/postgrey.log
	SMTP_GREY_POLICY=$_smtp_grey_host:$SMTP_PORT
	export SMTP_GREY_PID SMTP_GREY_LOG SMTP_GREY_POLICY
}

smtp_start() {
	smtp_require
	if [ -n "${SMTP_PID:-}" ] && proc_alive "$SMTP_PID"; then
		_smtp_err "already started (pid $SMTP_PID); call smtp_stop first"
		return 1
	fi
	local d a i ok
	_smtp_mkdir || return 1
	d=$SMTP_DIR
	SMTP_LOG=$d/maillog
	SMTP_CA=$d/tls/ca.crt
	export SMTP_LOG SMTP_CA
	_smtp_certs "$d/tls" || { smtp_stop; return 1; }
	for _ in 1 2 3 4 5; do
		SMTP_PORT=$(_smtp_free_port) || { _smtp_err "no free port"; smtp_stop; return 1; }
		export SMTP_PORT
		rm -rf "${d:?}/etc" "${d:?}/spool" "${d:?}/data" "${d:?}/postgrey"
		mkdir -p "$d/etc" "$d/data" || return 1
		_smtp_fill <"$_smtp_lib_dir/main.cf.in" >"$d/etc/main.cf"
		_smtp_fill <"$_smtp_lib_dir/master.cf.in" >"$d/etc/master.cf"
		cp "$_smtp_lib_dir/rcpt_access" "$_smtp_lib_dir/policy.cidr" \
			"$_smtp_lib_dir/catchall.regexp" "$d/etc/" || return 1
		{
			cat "$_smtp_lib_dir/users"
			for i in $(seq -f '%04g' 0 999); do printf 'u%s@bulk.mail\tx\n' "$i"; done
			if [ -n "${SMTP_EXTRA_USERS:-}" ]; then cat "$SMTP_EXTRA_USERS"; fi
		} >"$d/etc/users"
		# the queue: what "postfix check" (post-install create-missing)
		# would make, without running the package's scripts
		mkdir -p "$d/spool" && chmod 755 "$d/spool"
		for a in active bounce corrupt defer deferred flush hold incoming \
			private saved trace maildrop public pid; do
			mkdir -p "$d/spool/$a"
		done
		chown postfix: "$d/data" "$d/spool"/* && chown root: "$d/spool/pid"
		chmod 700 "$d/spool"/*
		chmod 755 "$d/spool/pid"
		chgrp postdrop "$d/spool/public" "$d/spool/maildrop" &&
			chmod 710 "$d/spool/public" && chmod 730 "$d/spool/maildrop"
		# Postfix waits (up to 1.5 s) while a config file looks "being
		# edited" (modified within the last second): make them older
		touch -d '-1 min' "$d/etc"/*
		: >"$SMTP_LOG"
		_smtp_start_postgrey || { smtp_stop; return 1; }
		# master -c DIR: this config dir, no alternate_config_directories
		# needed (root, no set-gid program involved); -d: no daemon
		# fork, so $! is master's own pid (also in spool/pid/master.pid).
		MAIL_CONFIG=$d/etc "$_smtp_master" -c "$d/etc" -d </dev/null \
			>"$d/master.out" 2>&1 &
		SMTP_PID=$!
		export SMTP_PID
		ok=1
		for a in $_smtp_postfix_addrs; do
			if ! _smtp_wait_banner "$a" "$SMTP_PORT" "${SMTP_START_TIMEOUT:-30}"; then
				ok=
				break
			fi
			proc_alive "$SMTP_PID" || { ok=; break; }
		done
		if [ -n "$ok" ] && _smtp_wait_listen "$_smtp_grey_host" "$SMTP_PORT" "${SMTP_START_TIMEOUT:-30}"; then
			return 0
		fi
		if grep -qi 'address already in use' "$d/master.out" "$SMTP_LOG" "$d/postgrey.log" 2>/dev/null; then
			_smtp_stop_servers
			continue	# lost the race for the port
		fi
		_smtp_err "mail world did not start:"
		cat "$d/master.out" "$SMTP_LOG" "$d/postgrey.log" >&2 2>/dev/null
		smtp_stop
		return 1
	done
	_smtp_err "could not start Postfix (ports busy?)"
	smtp_stop
	return 1
}

# _smtp_kill_wait NAME PID - SIGTERM PID, wait until it and every process
# that was its descendant at that moment are gone; SIGKILL the rest (only
# those pids) after SMTP_STOP_TIMEOUT s
_smtp_kill_wait() {
	proc_stop "$1" "$2" "${SMTP_STOP_TIMEOUT:-5}" _smtp_err
}

# the servers, not the temp dir
_smtp_stop_servers() {
	local rc=0
	if [ -n "${FAULT_PID:-}" ]; then
		_smtp_kill_wait faultsrv "$FAULT_PID" || rc=1
		FAULT_PID=
	fi
	if [ -n "${SMTP_PID:-}" ]; then
		_smtp_kill_wait "postfix master" "$SMTP_PID" || rc=1
		SMTP_PID=
	fi
	if [ -n "${SMTP_GREY_PID:-}" ]; then
		_smtp_kill_wait postgrey "$SMTP_GREY_PID" || rc=1
		SMTP_GREY_PID=
	fi
	return $rc
}

smtp_stop() {
	local rc=0
	_smtp_stop_servers || rc=1
	if [ -n "${SMTP_DIR:-}" ] && [ -d "$SMTP_DIR" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			_smtp_err "kept $SMTP_DIR"
		else
			rm -rf "$SMTP_DIR"
		fi
	fi
	SMTP_DIR=
	return $rc
}

smtp_fault_start() {
	local m M a specs=() p
	[ $# -gt 0 ] || set -- 421 nobanner endless inject tarpit drop
	command -v "${CC:-cc}" >/dev/null 2>&1 || { _smtp_err "no C compiler"; return 1; }
	if [ -n "${FAULT_PID:-}" ] && proc_alive "$FAULT_PID"; then
		_smtp_err "fault server already started (pid $FAULT_PID)"
		return 1
	fi
	_smtp_mkdir || return 1
	if [ -z "${SMTP_PORT:-}" ]; then
		SMTP_PORT=$(_smtp_free_port) || { _smtp_err "no free port"; return 1; }
		export SMTP_PORT
	fi
	if [ ! -x "$SMTP_DIR/faultsrv" ]; then
		# shellcheck disable=SC2086
		"${CC:-cc}" -O2 -Wall -Wextra -o "$SMTP_DIR/faultsrv" \
			"$_smtp_lib_dir/faultsrv.c" >"$SMTP_DIR/faultsrv.cc.log" 2>&1 || {
			_smtp_err "cannot build faultsrv:"
			cat "$SMTP_DIR/faultsrv.cc.log" >&2
			return 1
		}
	fi
	for m in "$@"; do
		a=${_smtp_fault_addr[$m]:-}
		[ -n "$a" ] || { _smtp_err "unknown fault mode: $m"; return 1; }
		specs+=("$m=$a:$SMTP_PORT")
	done
	FAULT_LOG=$SMTP_DIR/faultsrv.log
	rm -f "$SMTP_DIR/faultsrv.ready"
	"$SMTP_DIR/faultsrv" -l "$FAULT_LOG" -r "$SMTP_DIR/faultsrv.ready" \
		-t "${FAULT_TARPIT_DELAY:-30}" "${specs[@]}" </dev/null \
		>"$SMTP_DIR/faultsrv.out" 2>&1 &
	FAULT_PID=$!
	export FAULT_PID FAULT_LOG
	for _ in $(seq 200); do
		[ -e "$SMTP_DIR/faultsrv.ready" ] && break
		proc_alive "$FAULT_PID" || break
		sleep 0.025
	done
	if [ ! -e "$SMTP_DIR/faultsrv.ready" ]; then
		_smtp_err "faultsrv did not start: $(cat "$SMTP_DIR/faultsrv.out")"
		_smtp_kill_wait faultsrv "$FAULT_PID"
		FAULT_PID=
		return 1
	fi
	for m in "$@"; do
		M=$(printf '%s' "$m" | tr '[:lower:]' '[:upper:]')
		p=${_smtp_fault_addr[$m]}
		export "FAULT_${M}_ADDR=$p"
	done
}

smtp_chat() {
	perl "$_smtp_lib_dir/smtpchat.pl" -P "${SMTP_PORT:-25}" "$@"
}

smtp_tls_chat() {
	local addr=$1 name=$2 out rc
	shift 2
	case $addr in *:*) ;; *) addr=$addr:$SMTP_PORT ;; esac
	out=$(printf '%s\n' "$@" | timeout 10 openssl s_client -starttls smtp \
		-connect "$addr" -servername "$name" -verify_hostname "$name" \
		-CAfile "$SMTP_CA" -verify_return_error -crlf -nocommands \
		-ign_eof -name listscrub.test 2>&1 | tr -d '\r'
		exit "${PIPESTATUS[1]}")
	rc=$?
	printf '%s\nrc=%s\n' "$out" "$rc"
}

smtp_log_commands() {
	# smtpd's debug lines "< unknown[127.0.0.1]: COMMAND". Postfix does not
	# log the local address of a connection, so with ADDR the smtpd
	# processes of that listener are found by their banner line
	# "> unknown[127.0.0.1]: 220 mx.<name>.mail ESMTP Postfix".
	local addr=${1:-} host
	if [ -z "$addr" ]; then
		sed -n 's/.*smtpd\[[0-9]*\]: < [^ ]*: //p' "$SMTP_LOG" | tr -d '\r'
		return
	fi
	case $addr in
	127.0.2.1) host=mx.normal.mail ;; 127.0.2.2) host=mx.catchall.mail ;;
	127.0.2.3) host=mx.policy.mail ;; 127.0.2.4) host=mx.grey.mail ;;
	127.0.2.5) host=mx.tlsreq.mail ;; 127.0.2.6) host=mx.tlsbroken.mail ;;
	127.0.2.30) host=mx.rcptcap.mail ;;
	*) return 1 ;;
	esac
	awk -v host="$host" '
		match($0, /smtpd\[[0-9]+\]/) {
			pid = substr($0, RSTART, RLENGTH)
			if ($0 ~ ("> [^ ]*: 220 " host " ")) mine[pid] = 1
			else if ($0 ~ /> [^ ]*: 220 /) delete mine[pid]
			if ((pid in mine) && sub(/.*smtpd\[[0-9]+\]: < [^ ]*: /, "")) {
				sub(/\r$/, ""); print
			}
		}' "$SMTP_LOG"
}

smtp_log_disconnects() {
	grep -E 'smtpd\[[0-9]+\]: disconnect from ' "$SMTP_LOG"
}

smtp_wait_log() {
	local re=$1 end=$((SECONDS + ${2:-5}))
	while :; do
		grep -Eq -- "$re" "$SMTP_LOG" 2>/dev/null && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
