# lib.sh - a private one-node Slurm cluster on loopback for the tests of the
# Slurm recipe (contrib/shard): Debian's slurmctld and slurmd with their own
# munged and munge key, config, state, spool and logs in a temp dir. Source
# it from a bash test script:   . "$srcdir/tests/slurm/lib.sh"
# It can be sourced together with tests/dns/lib.sh and tests/smtp/lib.sh.
#
# Functions
#   slurm_require   a program missing (munged, mungekey, slurmctld, slurmd,
#                   sbatch, scontrol, sinfo, squeue, scancel) or not root:
#                   print "1..0 # SKIP ..." and exit 0; under CI (CI set and
#                   not "false") or with SLURM_REQUIRE=1: "Bail out! ..." and
#                   exit 1. Call it BEFORE printing the plan.
#   slurm_start     make the temp dir (SLURM_DIR), a munge key, slurm.conf
#                   from tests/slurm/slurm.conf.in (free ports on 127.0.0.1);
#                   start munged, slurmctld and slurmd in the foreground as
#                   background jobs of this shell, and wait until the node is
#                   idle. Exports SLURM_CONF, so sbatch & co. talk to this
#                   cluster only. Non-zero on failure, with the reason (the
#                   daemon's own error line) in SLURM_WHY and the logs on
#                   stderr.
#   slurm_stop      cancel the jobs still known to this cluster, then stop
#                   exactly what slurm_start started, by pid: slurmd,
#                   slurmctld, munged (SIGTERM; wait for them and their
#                   descendants; SIGKILL to those after SLURM_STOP_TIMEOUT
#                   s); remove the temp dir (kept with KEEP_TMP=1).
#                   Idempotent.
#   slurm_wait_job JOBID [SEC]
#                   wait (default 120 s) until the job (every task of an
#                   array) has ended; prints its final state(s), one a line
#                   ("COMPLETED 0:0" per record: JobState ExitCode).
#
# Exported variables: SLURM_CONF, SLURM_DIR, SLURM_NODE (the node's name),
# SLURM_CTLD_PID, SLURM_SLURMD_PID, SLURM_MUNGE_PID, SLURM_MUNGE_SOCKET.
# Cleanup: slurm_start adds slurm_stop to the EXIT trap (tests/proc.sh),
# in front of the traps already set. Do not call it in a subshell.
# Tunables: SLURM_START_TIMEOUT (default 60 s), SLURM_STOP_TIMEOUT (10 s),
# KEEP_TMP=1, TMPDIR.

_slurm_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_slurm_lib_dir/../proc.sh"
SLURM_NODE=localhost
export SLURM_NODE

_slurm_err() { printf 'slurm: %s\n' "$*" >&2; }

# _slurm_missing - why the cluster cannot run here ("" if it can)
_slurm_missing() {
	local p
	for p in munged mungekey slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
		command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null 2>&1 || {
			echo "$p not installed (run contrib/install-deps)"
			return
		}
	done
	command -v perl >/dev/null 2>&1 || { echo "perl not installed"; return; }
	[ "$(id -u)" = 0 ] || { echo "not root (slurmd runs jobs as their user)"; return; }
}

slurm_require() {
	local why
	case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
	why=$(_slurm_missing)
	[ -z "$why" ] && return 0
	if [ "${SLURM_REQUIRE:-}" = 1 ] || { [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; }; then
		echo "Bail out! $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

# _slurm_free_ports N - N distinct TCP ports free on 127.0.0.1
_slurm_free_ports() {
	perl -MIO::Socket::INET -e '
		my ($n, %seen, @s) = @ARGV;
		for (1 .. 500) {
			last if @s >= $n;
			my $p = 20000 + int rand 40000;
			next if $seen{$p}++;
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => $p, Proto => "tcp", Listen => 1,
				ReuseAddr => 0) or next;
			push @s, $s; print "$p\n";
		}
		exit(@s >= $n ? 0 : 1);' "$1"
}

_slurm_exit_hook() {
	local rc=$?
	slurm_stop
	return $rc
}

# _slurm_why FILE... - the first error line of the daemons' output (the
# reason a start failed), else the last line
_slurm_why() {
	local l
	l=$(cat "$@" 2>/dev/null | grep -E '(fatal|[Ee]rror)' |
		grep -vE 'pmix|MPI|Could not open .*state file|NOTE: Trying backup|MailProg' | head -1)
	[ -n "$l" ] || l=$(cat "$@" 2>/dev/null | tail -1)
	printf '%s' "${l:-no log}" | tr -d '\r'
}

# _slurm_failed NAME FILE... - SLURM_WHY from NAME's output
_slurm_failed() {
	local name=$1
	shift
	SLURM_WHY=$(_slurm_why "$@")
	case $SLURM_WHY in "$name"*) ;; *) SLURM_WHY="$name: $SLURM_WHY" ;; esac
}

_slurm_fill() {
	sed -e "s|@DIR@|$SLURM_DIR|g" -e "s|@NODE@|$SLURM_NODE|g" \
		-e "s|@CTLD_PORT@|$1|g" -e "s|@SLURMD_PORT@|$2|g" \
		-e "s|@CPUS@|$3|g"
}

# _slurm_wait SEC CMD... - until CMD succeeds (every 0.2 s); fails after
# SEC s or when one of the daemons started so far died
_slurm_wait() {
	local end=$((SECONDS + $1)) p
	shift
	while :; do
		"$@" && return 0
		for p in $SLURM_MUNGE_PID $SLURM_CTLD_PID $SLURM_SLURMD_PID; do
			proc_alive "$p" || return 1
		done
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

_slurm_munge_ok() {
	munge -n -S "$SLURM_MUNGE_SOCKET" 2>/dev/null |
		unmunge -S "$SLURM_MUNGE_SOCKET" >/dev/null 2>&1
}
_slurm_ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
_slurm_node_idle() {
	[ "$(sinfo -h -N -n "$SLURM_NODE" -o %t 2>/dev/null)" = idle ]
}

slurm_start() {
	local d ports cpus t=${SLURM_START_TIMEOUT:-60}
	export SLURM_WHY=
	if [ -n "${SLURM_CTLD_PID:-}" ] && proc_alive "$SLURM_CTLD_PID"; then
		_slurm_err "already started (slurmctld pid $SLURM_CTLD_PID)"
		return 1
	fi
	SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-slurm.XXXXXX") || return 1
	d=$SLURM_DIR
	export SLURM_DIR
	SLURM_MUNGE_PID='' SLURM_CTLD_PID='' SLURM_SLURMD_PID=''
	proc_on_exit _slurm_exit_hook
	# munged wants its socket dir searchable by all, the key dir private
	chmod 755 "$d"
	mkdir -p "$d/munge" "$d/key" "$d/ctld" "$d/slurmd" && chmod 711 "$d/munge" &&
		chmod 700 "$d/key" || return 1
	mungekey -c -b 1024 -k "$d/key/munge.key" >"$d/mungekey.out" 2>&1 ||
		dd if=/dev/urandom of="$d/key/munge.key" bs=128 count=1 2>"$d/mungekey.out" ||
		{ SLURM_WHY="cannot make a munge key: $(_slurm_why "$d/mungekey.out")"; return 1; }
	chmod 400 "$d/key/munge.key"
	SLURM_MUNGE_SOCKET=$d/munge/munge.socket
	export SLURM_MUNGE_SOCKET
	munged -F --key-file="$d/key/munge.key" --socket="$SLURM_MUNGE_SOCKET" \
		--pid-file="$d/munge/munged.pid" --seed-file="$d/munge/munged.seed" \
		--log-file="$d/munged.log" </dev/null >"$d/munged.out" 2>&1 &
	SLURM_MUNGE_PID=$!
	export SLURM_MUNGE_PID
	if ! _slurm_wait 10 _slurm_munge_ok; then
		_slurm_failed munged "$d/munged.out" "$d/munged.log"
		cat "$d/munged.out" >&2
		return 1
	fi

	ports=$(_slurm_free_ports 2) || { SLURM_WHY="no free ports"; return 1; }
	# shellcheck disable=SC2086
	set -- $ports
	cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	_slurm_fill "$1" "$2" "$cpus" <"$_slurm_lib_dir/slurm.conf.in" >"$d/slurm.conf"
	SLURM_CONF=$d/slurm.conf
	export SLURM_CONF
	slurmctld -D -f "$SLURM_CONF" </dev/null >"$d/slurmctld.out" 2>&1 &
	SLURM_CTLD_PID=$!
	export SLURM_CTLD_PID
	if ! _slurm_wait "$t" _slurm_ctld_ok; then
		_slurm_failed slurmctld "$d/slurmctld.out" "$d/slurmctld.log"
		cat "$d/slurmctld.out" >&2
		return 1
	fi
	slurmd -D -f "$SLURM_CONF" -N "$SLURM_NODE" </dev/null >"$d/slurmd.out" 2>&1 &
	SLURM_SLURMD_PID=$!
	export SLURM_SLURMD_PID
	if ! _slurm_wait "$t" _slurm_node_idle; then
		_slurm_failed slurmd "$d/slurmd.out" "$d/slurmd.log"
		cat "$d/slurmd.out" >&2
		scontrol show node "$SLURM_NODE" >&2 2>/dev/null
		return 1
	fi
}

# _slurm_kill_wait NAME PID - SIGTERM PID; wait until it and every process
# that was its descendant then are gone; SIGKILL the rest after the timeout
_slurm_kill_wait() {
	proc_stop "$1" "$2" "${SLURM_STOP_TIMEOUT:-10}" _slurm_err
}

slurm_stop() {
	local rc=0 end
	# jobs still queued or running: their slurmstepd is not a child of
	# slurmd (it daemonizes), so cancel them while slurmctld is there
	if [ -n "${SLURM_CTLD_PID:-}" ] && proc_alive "$SLURM_CTLD_PID" && [ -n "${SLURM_CONF:-}" ]; then
		if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
			scancel -u "$(id -un)" 2>/dev/null
			end=$((SECONDS + 10))
			while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ $SECONDS -lt $end ]; do
				sleep 0.2
			done
		fi
	fi
	if [ -n "${SLURM_SLURMD_PID:-}" ]; then
		_slurm_kill_wait slurmd "$SLURM_SLURMD_PID" || rc=1
		SLURM_SLURMD_PID=
	fi
	if [ -n "${SLURM_CTLD_PID:-}" ]; then
		_slurm_kill_wait slurmctld "$SLURM_CTLD_PID" || rc=1
		SLURM_CTLD_PID=
	fi
	if [ -n "${SLURM_MUNGE_PID:-}" ]; then
		_slurm_kill_wait munged "$SLURM_MUNGE_PID" || rc=1
		SLURM_MUNGE_PID=
	fi
	if [ -n "${SLURM_DIR:-}" ] && [ -d "$SLURM_DIR" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			_slurm_err "kept $SLURM_DIR"
		else
			rm -rf "$SLURM_DIR"
		fi
	fi
	SLURM_DIR=
	return $rc
}

slurm_wait_job() {
	local id=$1 end=$((SECONDS + ${2:-120})) out
	while :; do
		out=$(scontrol -o show job "$id" 2>/dev/null |
			sed -n 's/.* JobState=\([A-Z_]*\) .* ExitCode=\([0-9]*:[0-9]*\).*/\1 \2/p')
		if [ -n "$out" ] && ! printf '%s\n' "$out" |
			grep -qE '^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|RESIZING) '; then
			printf '%s\n' "$out"
			return 0
		fi
		[ $SECONDS -ge $end ] && { printf '%s\n' "$out"; return 1; }
		sleep 0.5
	done
}
