# lib.sh - a private, loopback-only NSD for the DNS stage tests.
# Source it from a bash test script:   . "$srcdir/tests/dns/lib.sh"
# (it does not depend on tests/e2e/lib.sh and can be sourced after it).
#
# Functions
#   dns_require            nsd/nsd-control/perl missing: print the TAP line
#                          "1..0 # SKIP nsd not installed ..." and exit 0.
#                          Under CI (CI set and not "false") or with
#                          DNS_REQUIRE=1 a missing nsd is a failure instead:
#                          "Bail out! ..." and exit 1. Call it BEFORE printing
#                          the plan; dns_start calls it too.
#   dns_start [ZONE...]    start NSD on 127.0.0.1:<free port> and wait until
#                          it answers. A ZONE is a NAME (tests/dns/zones/
#                          NAME.zone), a FILE (*.zone; the zone name is the
#                          file name less .zone), NAME=FILE, or a directory
#                          (every *.zone in it). Default: lab. The zone
#                          "broken." is always configured with a zone file
#                          that does not exist, so it answers SERVFAIL.
#                          Query counters are reset once it is up, so the
#                          readiness probes are not counted. Returns non-zero
#                          (message on stderr, NSD log shown) on failure.
#   dns_stop               stop exactly what this library started, by pid
#                          (NSD with SIGTERM, and its children; the dead
#                          server), wait until the processes are gone
#                          (SIGKILL after DNS_STOP_TIMEOUT s), remove the temp
#                          dir (kept with KEEP_TMP=1). Idempotent. Returns
#                          non-zero if a process would not die.
#   dns_query_count [TYPE] queries the server has received since start (or
#                          since dns_query_reset): all of them (num.queries),
#                          or those of one QTYPE (num.type.MX, A, AAAA, ...),
#                          UDP and TCP alike. Exact: the counters come from
#                          "nsd-control stats_noreset" over the unix control
#                          socket. NSD 4.6 gathers them by a reload that
#                          replaces its server process (the listening
#                          sockets stay, queued UDP queries are answered, but
#                          an open TCP connection may be cut): read counts
#                          when the client under test has finished.
#   dns_stat KEY           one counter of stats_noreset (num.tcp,
#                          num.truncated, num.rcode.NXDOMAIN, ...; 0 if absent)
#   dns_stats              the whole stats_noreset output (KEY=VALUE lines)
#   dns_query_reset        reset all counters to 0
#   dns_ask [-t] [-e SIZE] [-w SEC] NAME [TYPE]
#                          one query to the test server without dig; prints
#                          "rcode=NOERROR aa=1 tc=0 an=1 ns=1 ar=3 size=88",
#                          or "timeout" (status 2). See dnsprobe.pl.
#   dns_dead_server        start a UDP+TCP listener on 127.0.0.1 that reads
#                          and never answers (perl, from perl-base): a
#                          resolver that times out. Sets DEAD_DNS_ADDR.
#   dns_closed_addr        set CLOSED_DNS_ADDR to 127.0.0.1:PORT where nothing
#                          listens right now (UDP gets ICMP port unreachable,
#                          i.e. "connection refused").
#
# Exported variables (set by dns_start / dns_dead_server / dns_closed_addr)
#   DNS_ADDR       127.0.0.1:PORT of the test server (listscrub --resolver)
#   DNS_HOST       127.0.0.1
#   DNS_PORT       PORT
#   DNS_PID        pid of the NSD process started (its pidfile pid too)
#   DNS_DIR        the private temp dir (nsd.conf, nsd.log, nsd.pid, nsd.ctl)
#   DNS_CONF       $DNS_DIR/nsd.conf
#   DNS_LOG        $DNS_DIR/nsd.log
#   DEAD_DNS_ADDR  127.0.0.1:PORT that never answers; DEAD_DNS_PID its pid
#   CLOSED_DNS_ADDR  127.0.0.1:PORT where nothing listens
#
# Cleanup: dns_start and dns_dead_server add dns_stop to the shell's EXIT
# trap, in front of whatever EXIT trap is already set (e.g. the one of
# tests/e2e/lib.sh), and set "exit 1" traps for HUP/INT/PIPE/TERM where none
# is set, so an interrupted test stops its servers too (SIGKILL cannot be
# caught: then the servers are left running). A script that sets its own
# EXIT trap AFTER dns_start must call dns_stop in it. Do not call dns_start in
# a subshell ($(...), a pipeline): the variables and the child would be lost.
# NSD and the dead server are background jobs of the calling shell: a bare
# "wait" (no pid) would wait for them forever; wait for your own pids.
#
# Tunables: DNS_START_TIMEOUT (s to wait for the first answer, default 30),
# DNS_STOP_TIMEOUT (s before SIGKILL, default 5), KEEP_TMP=1, TMPDIR.

_dns_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_dns_lib_dir/../proc.sh"
DNS_ZONES_DIR=$_dns_lib_dir/zones
_dns_nsd=${NSD:-$(command -v nsd 2>/dev/null || echo /usr/sbin/nsd)}
_dns_ctl=${NSD_CONTROL:-$(command -v nsd-control 2>/dev/null || echo /usr/sbin/nsd-control)}

_dns_err() { printf 'dns: %s\n' "$*" >&2; }

dns_have_nsd() {
	[ -x "$_dns_nsd" ] && [ -x "$_dns_ctl" ] && command -v perl >/dev/null 2>&1
}

dns_require() {
	dns_have_nsd && return 0
	local why="nsd not installed (run contrib/install-deps)"
	command -v perl >/dev/null 2>&1 || why="perl not installed"
	if [ "${DNS_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; }; then
		echo "Bail out! $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

# _dns_free_port - a port that is free for both UDP and TCP on 127.0.0.1.
_dns_free_port() {
	perl -MIO::Socket::INET -e '
		for (1 .. 200) {
			my $p = 20000 + int rand 40000;
			my $u = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => $p, Proto => "udp") or next;
			my $t = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => $p, Proto => "tcp", Listen => 1) or next;
			print "$p\n"; exit 0;
		}
		exit 1;'
}


# Keeps $? for the EXIT trap that follows.
_dns_exit_hook() {
	local rc=$?
	dns_stop
	return $rc
}

# _dns_zone_clauses ZONE... - print the zone: clauses for nsd.conf.
_dns_zone_clauses() {
	local z name file f
	[ $# -gt 0 ] || set -- lab
	for z in "$@"; do
		if [ -d "$z" ]; then
			for f in "$z"/*.zone; do
				[ -e "$f" ] || continue
				_dns_zone_clauses "$f" || return 1
			done
			continue
		fi
		case $z in
		*=*) name=${z%%=*}; file=${z#*=} ;;
		*.zone | */*) file=$z; name=$(basename "$z" .zone) ;;
		*) name=$z; file=$DNS_ZONES_DIR/$z.zone ;;
		esac
		if [ ! -f "$file" ]; then
			_dns_err "zone file not found: $file"
			return 1
		fi
		case $file in /*) ;; *) file=$PWD/$file ;; esac
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$name" "$file"
	done
}

dns_start() {
	dns_require
	if [ -n "${DNS_PID:-}" ] && proc_alive "$DNS_PID"; then
		_dns_err "already started (pid $DNS_PID); call dns_stop first"
		return 1
	fi
	local zones dir port pid ans deadline first
	zones=$(_dns_zone_clauses "$@") || return 1
	# readiness: the SOA of the first zone answers (zones are loaded)
	first=$(printf '%s\n' "$zones" | sed -n 's/^[[:space:]]*name: "\(.*\)"$/\1/p' | head -1)
	zones=$zones$(printf '\n# answers SERVFAIL: its zone file does not exist\nzone:\n\tname: "broken"\n\tzonefile: "%s"\n' '@RUNDIR@/broken.zone-missing')
	dir=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-dns.XXXXXX") || return 1
	DNS_DIR=$dir
	DNS_CONF=$dir/nsd.conf
	DNS_LOG=$dir/nsd.log
	export DNS_DIR DNS_CONF DNS_LOG
	proc_on_exit _dns_exit_hook
	for _ in 1 2 3 4 5 6 7 8; do
		port=$(_dns_free_port) || { _dns_err "no free port"; return 1; }
		ZONES=$zones awk -v port="$port" -v rundir="$dir" '
			$0 == "@ZONES@" { $0 = ENVIRON["ZONES"] }
			{ gsub(/@PORT@/, port); gsub(/@RUNDIR@/, rundir); print }
		' "$_dns_lib_dir/nsd.conf.in" >"$DNS_CONF" || return 1
		rm -f "$dir/nsd.pid" "$DNS_LOG"
		# -d: no daemon fork, so $! is NSD's own pid (it writes the same
		# pid to its pidfile; it forks "main" and the server child).
		"$_dns_nsd" -d -c "$DNS_CONF" </dev/null >"$dir/nsd.out" 2>&1 &
		pid=$!
		DNS_PID=$pid
		export DNS_PID
		deadline=$((SECONDS + ${DNS_START_TIMEOUT:-30}))
		ans=
		while [ $SECONDS -le $deadline ]; do
			if ! proc_alive "$pid"; then
				wait "$pid" 2>/dev/null
				break
			fi
			ans=$(perl "$_dns_lib_dir/dnsprobe.pl" -w 0.2 127.0.0.1 "$port" "$first" SOA 2>/dev/null)
			case $ans in rcode=NOERROR*) break ;; esac
			ans=
		done
		[ -n "$ans" ] && break
		if proc_alive "$pid"; then
			_dns_err "nsd (pid $pid) did not answer within ${DNS_START_TIMEOUT:-30} s"
			cat "$DNS_LOG" "$dir/nsd.out" >&2 2>/dev/null
			dns_stop
			return 1
		fi
		DNS_PID=
		if grep -qi 'in use\|can.t bind' "$DNS_LOG" "$dir/nsd.out" 2>/dev/null; then
			continue	# lost the race for the port: another one
		fi
		_dns_err "nsd exited at start:"
		cat "$DNS_LOG" "$dir/nsd.out" >&2 2>/dev/null
		dns_stop
		return 1
	done
	if [ -z "$ans" ]; then
		_dns_err "could not start nsd (ports busy?)"
		dns_stop
		return 1
	fi
	DNS_HOST=127.0.0.1
	DNS_PORT=$port
	DNS_ADDR=$DNS_HOST:$DNS_PORT
	export DNS_HOST DNS_PORT DNS_ADDR
	dns_query_reset || { dns_stop; return 1; }
	return 0
}

dns_stop() {
	local rc=0 p left deadline
	if [ -n "${DEAD_DNS_PID:-}" ]; then
		kill -TERM "$DEAD_DNS_PID" 2>/dev/null
		wait "$DEAD_DNS_PID" 2>/dev/null
		if proc_alive "$DEAD_DNS_PID"; then
			kill -KILL "$DEAD_DNS_PID" 2>/dev/null
			wait "$DEAD_DNS_PID" 2>/dev/null
		fi
		DEAD_DNS_PID=
		DEAD_DNS_ADDR=
	fi
	if [ -n "${DNS_PID:-}" ]; then
		# every process of the server now (NSD replaces its server
		# child at each reload, so this is taken at stop time), to check
		# that all of them are gone
		_dns_pids=$(proc_tree "$DNS_PID" | tr '\n' ' ')
		kill -TERM "$DNS_PID" 2>/dev/null
		deadline=$((SECONDS + ${DNS_STOP_TIMEOUT:-5}))
		while :; do
			left=
			for p in $_dns_pids; do
				proc_alive "$p" && left="$left $p"
			done
			[ -z "$left" ] && break
			if [ $SECONDS -ge $deadline ]; then
				_dns_err "nsd did not stop in ${DNS_STOP_TIMEOUT:-5} s; SIGKILL$left"
				for p in $left; do
					case $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) in
					nsd*|*/nsd*) kill -KILL "$p" 2>/dev/null ;;
					esac
				done
				sleep 0.2
				for p in $left; do
					proc_alive "$p" && { _dns_err "pid $p still runs"; rc=1; }
				done
				break
			fi
			sleep 0.05
		done
		wait "$DNS_PID" 2>/dev/null
		DNS_PID=
		_dns_pids=
	fi
	for p in "${DNS_DIR:-}" "${_dns_dead_dir:-}"; do
		{ [ -n "$p" ] && [ -d "$p" ]; } || continue
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			_dns_err "kept $p"
		else
			rm -rf "$p"
		fi
	done
	DNS_DIR='' _dns_dead_dir=''
	DNS_ADDR='' DNS_PORT=''
	return $rc
}

_dns_ctl_run() {
	if [ -z "${DNS_CONF:-}" ] || [ -z "${DNS_PID:-}" ]; then
		_dns_err "server not started"
		return 1
	fi
	"$_dns_ctl" -c "$DNS_CONF" "$@"
}

dns_stats() { _dns_ctl_run stats_noreset; }

dns_query_reset() { _dns_ctl_run stats >/dev/null; }

dns_stat() {
	local out
	out=$(_dns_ctl_run stats_noreset) || return 1
	printf '%s\n' "$out" | awk -F= -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}

dns_query_count() {
	if [ $# -eq 0 ]; then
		dns_stat num.queries
	else
		dns_stat "num.type.$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
	fi
}

dns_ask() {
	local opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		-t) opts+=("$1"); shift ;;
		-e | -w) opts+=("$1" "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	if [ -z "${DNS_PORT:-}" ]; then
		_dns_err "server not started"
		return 1
	fi
	perl "$_dns_lib_dir/dnsprobe.pl" "${opts[@]}" "$DNS_HOST" "$DNS_PORT" "$@"
}

dns_dead_server() {
	local d port
	if [ -n "${DEAD_DNS_PID:-}" ] && proc_alive "$DEAD_DNS_PID"; then
		return 0
	fi
	command -v perl >/dev/null 2>&1 || { _dns_err "perl not installed"; return 1; }
	if [ -n "${DNS_DIR:-}" ] && [ -d "$DNS_DIR" ]; then
		d=$DNS_DIR
	else
		d=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-dns.XXXXXX") || return 1
		_dns_dead_dir=$d
	fi
	proc_on_exit _dns_exit_hook
	rm -f "$d/dead.port"
	perl "$_dns_lib_dir/deadserver.pl" "$d/dead.port" </dev/null >"$d/dead.out" 2>&1 &
	DEAD_DNS_PID=$!
	export DEAD_DNS_PID
	for _ in $(seq 100); do
		[ -s "$d/dead.port" ] && break
		proc_alive "$DEAD_DNS_PID" || break
		sleep 0.05
	done
	port=$(cat "$d/dead.port" 2>/dev/null)
	if [ -z "$port" ]; then
		_dns_err "dead server did not start: $(cat "$d/dead.out" 2>/dev/null)"
		kill "$DEAD_DNS_PID" 2>/dev/null
		wait "$DEAD_DNS_PID" 2>/dev/null
		DEAD_DNS_PID=
		return 1
	fi
	DEAD_DNS_ADDR=127.0.0.1:$port
	export DEAD_DNS_ADDR
}

dns_closed_addr() {
	local port
	port=$(_dns_free_port) || return 1
	CLOSED_DNS_ADDR=127.0.0.1:$port
	export CLOSED_DNS_ADDR
}
