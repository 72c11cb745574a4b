/*
 * preflight_main - `listscrub preflight --helo NAME --mail-from ADDR
 * [--source-address IP] [--dnsbl ZONE[=KIND][,...]] [--dns-server
 * HOST[:PORT]]... [--port25-test HOST[:PORT]] [--json]`: the sender
 * preflight on its own (validator/preflight/preflight.h; README, "Sender
 * preflight").
 *
 * Output: text (or one JSON object and a newline with --json) on stdout;
 * errors as "listscrub preflight: MESSAGE" on stderr. Exit: 0 no blocking
 * failure (warnings allowed), 4 at least one blocking failure (a --probe
 * run would stop), 2 usage error, 1 anything else.
 */
#ifndef LISTSCRUB_PREFLIGHT_MAIN_H
#define LISTSCRUB_PREFLIGHT_MAIN_H

/* Exit status of a blocking failure, here and for a stopped --probe run. */
#define PREFLIGHT_EXIT_BLOCKED	4

/* preflight_main - run the subcommand; argv[0] is "preflight". */
int preflight_main(int argc, char **argv);

#endif
