#!/bin/bash
# t_session.sh - run the SMTP session engine's unit test
# (tests/unit/t_smtp_session) against the loopback mail world of
# tests/smtp/lib.sh: Postfix (NORMAL, TLSREQ, TLSBROKEN, DEAD) and the fault
# server (421, nobanner, endless, inject, tarpit, drop).
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$srcdir}"
. "$srcdir/tests/smtp/lib.sh"

smtp_require
if ! smtp_start; then
	echo "Bail out! cannot start the test mail servers"
	exit 1
fi
# a short tarpit: the test's command timeout is 0.8 s, the server's delay
# 30 s would only make smtp_stop wait
FAULT_TARPIT_DELAY=${FAULT_TARPIT_DELAY:-5}
if [ -e "$srcdir/tests/smtp/faultsrv.c" ]; then
	if ! smtp_fault_start 421 nobanner endless inject tarpit drop; then
		echo "Bail out! cannot start the fault server"
		exit 1
	fi
else
	echo "# tests/smtp/faultsrv.c missing: fault-server cases skipped"
fi
fa() { [ -n "$1" ] && echo "$1:$SMTP_PORT"; }
P=$SMTP_PORT
LISTSCRUB_TEST_SMTP=$SMTP_NORMAL:$P \
LISTSCRUB_TEST_SMTP_CA=$SMTP_CA \
LISTSCRUB_TEST_SMTP_TLSREQ=$SMTP_TLSREQ:$P \
LISTSCRUB_TEST_SMTP_TLSBROKEN=$SMTP_TLSBROKEN:$P \
LISTSCRUB_TEST_SMTP_DEAD=$SMTP_DEAD:$P \
LISTSCRUB_TEST_SMTP_F421=$(fa "${FAULT_421_ADDR:-}") \
LISTSCRUB_TEST_SMTP_NOBANNER=$(fa "${FAULT_NOBANNER_ADDR:-}") \
LISTSCRUB_TEST_SMTP_ENDLESS=$(fa "${FAULT_ENDLESS_ADDR:-}") \
LISTSCRUB_TEST_SMTP_INJECT=$(fa "${FAULT_INJECT_ADDR:-}") \
LISTSCRUB_TEST_SMTP_TARPIT=$(fa "${FAULT_TARPIT_ADDR:-}") \
LISTSCRUB_TEST_SMTP_DROP=$(fa "${FAULT_DROP_ADDR:-}") \
	"$top_builddir/tests/unit/t_smtp_session"
rc=$?
# what Postfix saw, for the log (never asserted on here)
smtp_log_disconnects 2>/dev/null | sed 's/^/# /'
smtp_stop || rc=1
exit $rc
