# lib.sh - a private OpenSSH server on loopback, for the -S (ssh) variant
# of contrib/shard/parallel-scrub (tests/smtp/t_parallel.sh). Sourced after
# tests/proc.sh; defines functions only.
#
# The server: Debian's /usr/sbin/sshd (openssh-server, contrib/install-deps)
# with a host key, a client key, its config (tests/ssh/sshd_config.in) and
# its pid file in a temp dir; one port on every address given; the user
# running the tests may log in with the client key only. Stopped by pid
# (and every process it started) when the shell exits.
#
#   sshd_require      - "" when the server can be tried, else why not
#   sshd_start ADDR.. - start it and log in once through every address;
#                       0, or 1 with the reason on stderr. Exports
#                       SSHD_DIR, SSHD_PORT, SSHD_PID, SSHD_LOG and
#                       SSH_CONFIG: a client config (ssh -F) in which
#                       h0, h1, ... are the addresses, in order, with the
#                       port, the key and a known_hosts file that holds
#                       the server's real host key (strict checking)
#   sshd_stop         - stop it (the EXIT hook does this too)
#   sshd_home         - the home directory logins get (from the passwd
#                       entry, as sshd takes it; not $HOME)

sshd_require() {
	[ -x /usr/sbin/sshd ] ||
	    { echo "no /usr/sbin/sshd (openssh-server; run contrib/install-deps)"; return; }
	command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 ||
	    { echo "no ssh or ssh-keygen (openssh-client; run contrib/install-deps)"; return; }
	echo ""
}

sshd_home() {
	getent passwd "$(id -un)" | cut -d: -f6
}

_sshd_err() {
	echo "sshd: $*" >&2
}

_sshd_exit_hook() {
	local rc=$?
	sshd_stop
	return $rc
}

sshd_start() {
	local d user i a key try
	[ $# -gt 0 ] || { _sshd_err "sshd_start: no address"; return 1; }
	SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/listscrub-sshd.XXXXXX") || return 1
	export SSHD_DIR
	proc_on_exit _sshd_exit_hook
	d=$SSHD_DIR
	chmod 700 "$d"
	SSHD_PORT=$(proc_free_port "$@") || { _sshd_err "no free port"; return 1; }
	export SSHD_PORT
	ssh-keygen -q -t ed25519 -N '' -C listscrub-test-host -f "$d/host_key" &&
	    ssh-keygen -q -t ed25519 -N '' -C listscrub-test-client -f "$d/client_key" ||
	    { _sshd_err "ssh-keygen failed"; return 1; }
	cp "$d/client_key.pub" "$d/authorized_keys"
	user=$(id -un)
	awk -v dir="$d" -v port="$SSHD_PORT" -v user="$user" -v addrs="$*" '
		/^@LISTEN@$/ {
			n = split(addrs, a, " ")
			for (i = 1; i <= n; i++)
				print "ListenAddress " a[i]
			next
		}
		{ gsub(/@DIR@/, dir); gsub(/@PORT@/, port); gsub(/@USER@/, user)
		  print }' \
	    "$srcdir/tests/ssh/sshd_config.in" >"$d/sshd_config" || return 1
	key=$(cut -d' ' -f1,2 "$d/host_key.pub")
	: >"$d/known_hosts"
	: >"$d/ssh_config"
	i=0
	for a in "$@"; do
		echo "[$a]:$SSHD_PORT $key" >>"$d/known_hosts"
		printf 'Host h%d\n\tHostName %s\n' "$i" "$a" >>"$d/ssh_config"
		i=$((i + 1))
	done
	cat >>"$d/ssh_config" <<EOF
Host *
	Port $SSHD_PORT
	User $user
	IdentityFile $d/client_key
	IdentitiesOnly yes
	UserKnownHostsFile $d/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ControlMaster no
	ConnectTimeout 10
	LogLevel ERROR
EOF
	SSH_CONFIG=$d/ssh_config
	export SSH_CONFIG
	# as root, sshd wants its privilege separation directory (the
	# ssh.service unit makes it at boot): made if missing, removed by
	# sshd_stop if we made it
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -m 755 /run/sshd && : >"$d/made-run-sshd" ||
		    { _sshd_err "cannot make /run/sshd"; return 1; }
	fi
	/usr/sbin/sshd -t -f "$d/sshd_config" 2>"$d/sshd.log" ||
	    { _sshd_err "sshd -t: $(cat "$d/sshd.log")"; return 1; }
	SSHD_LOG=$d/sshd.log
	export SSHD_LOG
	# -D: no daemon, so $! is sshd itself; -e: its log to stderr
	/usr/sbin/sshd -D -e -f "$d/sshd_config" 2>>"$SSHD_LOG" </dev/null &
	SSHD_PID=$!
	export SSHD_PID
	# ready when a login works through every address
	i=0
	for a in "$@"; do
		try=0
		until ssh -F "$SSH_CONFIG" "h$i" true </dev/null 2>"$d/login.err"; do
			try=$((try + 1))
			if ! proc_alive "$SSHD_PID" || [ $try -ge 100 ]; then
				_sshd_err "cannot log in through $a:$SSHD_PORT:" \
				    "$(cat "$d/login.err")" "$(tail -5 "$SSHD_LOG")"
				return 1
			fi
			sleep 0.1
		done
		i=$((i + 1))
	done
	return 0
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] || return 0
	proc_stop sshd "$SSHD_PID" 5 _sshd_err
	SSHD_PID=
	if [ -n "${SSHD_DIR:-}" ] && [ -e "$SSHD_DIR/made-run-sshd" ]; then
		rmdir /run/sshd 2>/dev/null
	fi
	[ -z "${SSHD_DIR:-}" ] || rm -rf "$SSHD_DIR"
	SSHD_DIR=
	return 0
}
