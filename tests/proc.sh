# proc.sh - process helpers shared by the server harnesses (tests/dns,
# tests/smtp, tests/slurm, tests/ssh): they stop exactly what they
# started, by pid, and wait for every descendant; and a free port for
# them. Sourced; defines functions only.

# proc_alive PID - the process exists and is not a zombie. (The state is
# the field after the ")" that closes the command name, which may hold
# spaces: NSD's "(nsd: server 1)".)
proc_alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# proc_tree PID - PID and all its descendants (one awk over /proc/*/stat;
# the ppid is the 2nd field after the ")" that closes the command name).
# getline, not the main loop: a process that exits meanwhile is no error.
proc_tree() {
	awk -v root="$1" '
		BEGIN {
			for (i = 1; i < ARGC; i++) {
				line = ""
				if ((getline line < ARGV[i]) > 0) {
					sub(/.*\) /, "", line); split(line, f, " ")
					pid = ARGV[i]; gsub(/[^0-9]/, "", pid)
					parent[pid] = f[2]
				}
				close(ARGV[i])
			}
			keep[root] = 1; print root
			do {
				more = 0
				for (p in parent)
					if (!(p in keep) && (parent[p] in keep)) {
						keep[p] = 1; print p; more = 1
					}
			} while (more)
			exit 0
		}' /proc/[0-9]*/stat
}

# proc_stop NAME PID TIMEOUT ERRFUNC - SIGTERM PID; wait until it and every
# process that was its descendant at that moment are gone; after TIMEOUT s
# SIGKILL the rest (only those pids). ERRFUNC says what went wrong. Non-zero
# when a process would not die.
proc_stop() {
	local name=$1 pid=$2 timeout=$3 err=$4 pids p left deadline rc=0
	pids=$(proc_tree "$pid" | tr '\n' ' ')
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + timeout))
	while :; do
		left=
		for p in $pids; do
			proc_alive "$p" && left="$left $p"
		done
		[ -z "$left" ] && break
		if [ $SECONDS -ge $deadline ]; then
			"$err" "$name did not stop in $timeout s; SIGKILL$left"
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null
			sleep 0.2
			for p in $left; do
				proc_alive "$p" && { "$err" "pid $p still runs"; rc=1; }
			done
			break
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	return $rc
}

# proc_free_port ADDR... - a TCP port free on every address (tried with
# a listening socket on each, 200 random ports at most)
proc_free_port() {
	perl -MIO::Socket::INET -e '
		PORT: for (1 .. 200) {
			my $p = 20000 + int rand 40000;
			my @s;
			for my $a (@ARGV) {
				my $s = IO::Socket::INET->new(LocalAddr => $a,
					LocalPort => $p, Proto => "tcp", Listen => 1,
					ReuseAddr => 0) or next PORT;
				push @s, $s;
			}
			print "$p\n"; exit 0;
		}
		exit 1;' "$@"
}

# proc_on_exit FUNC - run FUNC when the shell exits, in front of whatever
# EXIT trap is set already (once per shell and FUNC), and make HUP, INT,
# PIPE and TERM exit (so the EXIT trap runs) where no trap is set for them.
# FUNC should keep $? for the traps after it.
proc_on_exit() {
	local mark="_proc_exit_$1" old sig
	[ "${!mark:-}" = "$BASHPID" ] && return 0
	printf -v "$mark" '%s' "$BASHPID"
	old=$(trap -p EXIT)
	if [ -n "$old" ]; then
		old=${old#trap -- }
		old=${old% EXIT}
		eval "old=$old"
		# shellcheck disable=SC2064
		trap "$1; $old" EXIT
	else
		trap "$1" EXIT
	fi
	for sig in HUP INT PIPE TERM; do
		[ -n "$(trap -p $sig)" ] || trap 'exit 1' $sig
	done
}
