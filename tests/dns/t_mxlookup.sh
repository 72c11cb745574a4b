#!/bin/bash
# t_mxlookup.sh - run the DNS engine's unit test (tests/unit/t_mxlookup)
# against a private NSD serving tests/dns/zones/mxt.zone on loopback.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$srcdir}"
. "$srcdir/tests/dns/lib.sh"

dns_require
if ! dns_start mxt; then
	echo "Bail out! cannot start the test DNS server"
	exit 1
fi
LISTSCRUB_TEST_DNS=$DNS_ADDR LISTSCRUB_TEST_ZONE=mxt \
    LISTSCRUB_TEST_SERVFAIL=x.broken. "$top_builddir/tests/unit/t_mxlookup"
rc=$?
dns_stop || rc=1
exit $rc
