/*
 * preflight_main - the `listscrub preflight` subcommand. The contract is
 * in preflight_main.h.
 */
#include "preflight_main.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "preflight/preflight.h"
#include "probe/probe_source.h"
#include "util/diag.h"
#include "util/xalloc.h"

static const char usage[] =
    "usage: listscrub preflight --helo NAME --mail-from ADDR "
    "[--source-address IP[,IP...]]\n"
    "           [--dnsbl ZONE[=KIND][,ZONE...]] [--dns-server HOST[:PORT]]..."
    "\n           [--port25-test HOST[:PORT]] [--dns-timeout MS] [--json]\n"
    "Checks the probing IP and the sender before probing: DNS blocklists,\n"
    "forward-confirmed reverse DNS, the MAIL FROM domain's SPF, DMARC and "
    "MX,\noutbound port 25. Exit 0: no blocking failure; 4: a blocking "
    "failure\n(a --probe run would stop); 2: usage error.\n"
    "  --helo NAME            the EHLO name the probes use\n"
    "  --mail-from ADDR       the MAIL FROM address the probes use\n"
    "  --source-address IP[,IP...]  the probing IPs, each checked (default:\n"
    "                         the address of the route to the internet)\n"
    "  --dnsbl LIST           blocklist zones, KIND spamhaus or generic\n"
    "                         (default " PREFLIGHT_DNSBL_DEFAULT ")\n"
    "  --dns-server HOST[:PORT]  resolver to ask (repeatable)\n"
    "  --port25-test HOST[:PORT] connect there to test outbound port 25\n"
    "                         (default: not checked)\n"
    "  --dns-timeout MS       per DNS try (default 2000); the whole\n"
    "                         preflight ends by 4 times it\n"
    "  --json                 one JSON object\n";

int
preflight_main(int argc, char **argv)
{
	struct preflight_opts o;
	struct preflight_result *r;
	const char *servers[OPTIONS_MAX_DNS_SERVERS];
	const char *ips[PROBE_SOURCE_MAX];
	const char *sources = NULL, *timeout = NULL;
	struct probe_sources given;
	struct diag d = { DIAG_OK, "" };
	bool json = false;
	int i, rc;

	memset(&o, 0, sizeof o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
			continue;
		} else if (strcmp(a, "--helo") == 0) {
			slot = &o.helo;
		} else if (strcmp(a, "--mail-from") == 0) {
			slot = &o.mail_from;
		} else if (strcmp(a, "--source-address") == 0) {
			slot = &sources;
		} else if (strcmp(a, "--dns-timeout") == 0) {
			slot = &timeout;
		} else if (strcmp(a, "--dnsbl") == 0) {
			slot = &o.dnsbl;
		} else if (strcmp(a, "--port25-test") == 0) {
			slot = &o.port25;
		} else if (strcmp(a, "--dns-server") == 0) {
			if (o.nservers >= OPTIONS_MAX_DNS_SERVERS) {
				fprintf(stderr, "listscrub preflight: too many "
				    "--dns-server\n");
				return 2;
			}
			slot = &servers[o.nservers++];
		} else {
			fprintf(stderr, "listscrub preflight: unknown "
			    "argument '%s'\n%s", a, usage);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "listscrub preflight: %s needs a "
			    "value\n", a);
			return 2;
		}
		*slot = argv[++i];
	}
	o.servers = servers;
	if (sources != NULL) {
		if (probe_source_parse(sources, &given, &d) != 0) {
			fprintf(stderr, "listscrub preflight: %s\n", d.msg);
			return 2;
		}
		for (size_t k = 0; k < given.n; k++)
			ips[k] = given.src[k].text;
		o.sources = ips;
		o.nsources = given.n;
	}
	if (timeout != NULL) {
		char *end;
		unsigned long ms = strtoul(timeout, &end, 10);

		if (*timeout < '0' || *timeout > '9' || *end != '\0' ||
		    ms < 1 || ms > 60000) {
			fprintf(stderr, "listscrub preflight: --dns-timeout: "
			    "milliseconds, 1 to 60000\n");
			return 2;
		}
		o.timeout_ms = (unsigned)ms;
	}
	if (o.helo == NULL || o.mail_from == NULL) {
		fprintf(stderr, "listscrub preflight: --helo and --mail-from "
		    "are required\n%s", usage);
		return 2;
	}
	r = xcalloc(1, sizeof *r);
	if (preflight_run(&o, r, &d) != 0) {
		fprintf(stderr, "listscrub preflight: %s\n", d.msg);
		preflight_result_free(r);
		free(r);
		return d.code == DIAG_USAGE ? 2 : 1;
	}
	if (json) {
		preflight_write_json(stdout, r);
		fputc('\n', stdout);
	} else {
		preflight_write_text(stdout, r);
	}
	rc = preflight_blocking(r) > 0 ? PREFLIGHT_EXIT_BLOCKED : 0;
	preflight_result_free(r);
	free(r);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return rc;
}
