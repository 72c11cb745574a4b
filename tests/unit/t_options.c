/*
 * t_options - options_parse on hand-built argument vectors, for the
 * options whose checks are more than a number range: --proxy-for
 * PROVIDER=URL (the provider's spelling, the URL as --proxy's, the
 * credentials masked in messages and blanked in argv, once per provider,
 * a limit, --probe needed, allowed with --source-address and --proxy)
 * and the --proxy refusals next to it. The check of the provider against
 * lists/providers.tsv happens when the run reads the table
 * (tests/e2e/t_providers.sh).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "tap.h"
#include "util/diag.h"

#define MAXARG 40
#define PASS "s3cr3tpass"	/* never in a message or argv after parsing */

struct run {
	int argc;
	char *argv[MAXARG];
	enum options_result res;
	struct options o;
	struct diag d;
};

/* parse - options_parse on the words given (NULL ends them), each a
 * writable copy, after "listscrub"; the input file last. */
static void
parse(struct run *r, ...)
{
	va_list ap;
	const char *w;

	memset(r, 0, sizeof(*r));
	r->argv[r->argc++] = strdup("listscrub");
	va_start(ap, r);
	while ((w = va_arg(ap, const char *)) != NULL && r->argc < MAXARG - 2)
		r->argv[r->argc++] = strdup(w);
	va_end(ap);
	r->argv[r->argc++] = strdup("in.csv");
	r->argv[r->argc] = NULL;
	memset(&r->d, 0, sizeof(r->d));
	r->res = options_parse(r->argc, r->argv, &r->o, &r->d);
}

/* secret_gone - the password is in no argument and not in the message */
static int
secret_gone(const struct run *r)
{
	for (int i = 0; i < r->argc; i++)
		if (strstr(r->argv[i], PASS) != NULL)
			return 0;
	return strstr(r->d.msg, PASS) == NULL;
}

static void
done(struct run *r)
{
	if (r->res == OPTIONS_RUN)
		options_free(&r->o);
	for (int i = 0; i < r->argc; i++)
		free(r->argv[i]);
}

#define PROBE "--probe", "--helo", "probe.listscrub.test", "--mail-from", \
	"lists@sender.test"

static void
check_proxy_for(void)
{
	struct run r;
	char many[12][64];

	parse(&r, PROBE, "--proxy-for",
	    "google=socks5://user:" PASS "@127.0.0.1:1080", NULL);
	is_int(r.res, OPTIONS_RUN, "--proxy-for google=URL: accepted (%s)",
	    r.d.msg);
	is_int((int)r.o.nproxy_for, 1, "one per-provider proxy");
	is_str(r.o.proxy_for[0].provider, "google", "its provider");
	ok(r.o.proxy_for[0].proxy.port == 1080 && r.o.proxy_for[0].proxy.auth &&
	    strcmp(r.o.proxy_for[0].proxy.pass, PASS) == 0,
	    "its URL parsed as --proxy's (port, credentials)");
	ok(strstr(r.o.proxy_for[0].proxy.shown, PASS) == NULL &&
	    strstr(r.o.proxy_for[0].proxy.shown, "127.0.0.1:1080") != NULL,
	    "the form shown masks the credentials (%s)",
	    r.o.proxy_for[0].proxy.shown);
	ok(secret_gone(&r), "the credentials are blanked in argv");
	ok(strstr(r.argv[7], "google=socks5://") == r.argv[7] &&
	    strstr(r.argv[7], "@127.0.0.1:1080") != NULL,
	    "... and only they (%s)", r.argv[7]);
	ok(!r.o.proxied, "no --proxy: the other hosts go direct");
	done(&r);

	parse(&r, PROBE, "--proxy-for", "google=socks5://127.0.0.1:1080",
	    "--proxy-for", "outlook_com=socks5://[::1]:1081", "--proxy",
	    "socks5://127.0.0.1:1082", NULL);
	is_int(r.res, OPTIONS_RUN, "repeated, and with --proxy: accepted (%s)",
	    r.d.msg);
	ok(r.o.nproxy_for == 2 && strcmp(r.o.proxy_for[1].provider,
	    "outlook_com") == 0 && r.o.proxy_for[1].proxy.port == 1081 &&
	    r.o.proxied && r.o.proxy.port == 1082,
	    "two providers in order, and --proxy for the rest");
	done(&r);

	parse(&r, PROBE, "--proxy-for", "google=socks5://127.0.0.1:1080",
	    "--source-address", "127.0.0.1", NULL);
	is_int(r.res, OPTIONS_RUN, "with --source-address: accepted (the other "
	    "hosts are bound to it) (%s)", r.d.msg);
	done(&r);

	parse(&r, PROBE, "--proxy", "socks5://127.0.0.1:1080",
	    "--source-address", "127.0.0.1", NULL);
	is_int(r.res, OPTIONS_ERROR, "--proxy with --source-address: refused");
	ok(strstr(r.d.msg, "cannot be used together") != NULL,
	    "... saying why (%s)", r.d.msg);
	done(&r);

	parse(&r, "--proxy-for", "google=socks5://127.0.0.1:1080", NULL);
	is_int(r.res, OPTIONS_ERROR, "without --probe: refused");
	ok(strstr(r.d.msg, "--proxy-for is for the SMTP stage") != NULL,
	    "... asking for --probe (%s)", r.d.msg);
	done(&r);

	{
		static const char *const bad[] = {
			"socks5://u:" PASS "@127.0.0.1:1080",	/* no PROVIDER= */
			"=socks5://u:" PASS "@127.0.0.1:1080",
			"Google=socks5://u:" PASS "@127.0.0.1:1080",
			"goo gle=socks5://u:" PASS "@127.0.0.1:1080",
			"google.com=socks5://u:" PASS "@127.0.0.1:1080",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			parse(&r, PROBE, "--proxy-for", bad[i], NULL);
			ok(r.res == OPTIONS_ERROR && strstr(r.d.msg,
			    "PROVIDER=URL") != NULL, "bad provider %zu: "
			    "refused (%s)", i, r.d.msg);
			ok(secret_gone(&r), "bad provider %zu: the credentials "
			    "are blanked anyway", i);
			done(&r);
		}
	}
	parse(&r, PROBE, "--proxy-for", "google=http://u:" PASS "@127.0.0.1:1",
	    NULL);
	ok(r.res == OPTIONS_ERROR && strncmp(r.d.msg, "--proxy-for google: ",
	    20) == 0, "a URL --proxy refuses: refused, naming the provider (%s)",
	    r.d.msg);
	ok(secret_gone(&r), "... without the credentials, blanked in argv");
	done(&r);
	parse(&r, PROBE, "--proxy-for", "google=socks5://127.0.0.1:0", NULL);
	is_int(r.res, OPTIONS_ERROR, "port 0: refused");
	done(&r);

	parse(&r, PROBE, "--proxy-for", "google=socks5://127.0.0.1:1080",
	    "--proxy-for", "google=socks5://127.0.0.1:1081", NULL);
	ok(r.res == OPTIONS_ERROR && strstr(r.d.msg, "twice") != NULL,
	    "one provider twice: refused (%s)", r.d.msg);
	done(&r);

	/* more than OPTIONS_PROXY_FOR_MAX */
	memset(&r, 0, sizeof(r));
	r.argv[r.argc++] = strdup("listscrub");
	{
		static const char *const pr[] = { "--probe", "--helo",
		    "probe.listscrub.test", "--mail-from", "lists@sender.test" };

		for (size_t i = 0; i < 5; i++)
			r.argv[r.argc++] = strdup(pr[i]);
	}
	for (int i = 0; i <= OPTIONS_PROXY_FOR_MAX; i++) {
		snprintf(many[i], sizeof(many[i]),
		    "p%d=socks5://127.0.0.1:%d", i, 1080 + i);
		r.argv[r.argc++] = strdup("--proxy-for");
		r.argv[r.argc++] = strdup(many[i]);
	}
	r.argv[r.argc++] = strdup("in.csv");
	memset(&r.d, 0, sizeof(r.d));
	r.res = options_parse(r.argc, r.argv, &r.o, &r.d);
	ok(r.res == OPTIONS_ERROR && strstr(r.d.msg, "at most") != NULL,
	    "%d providers: refused (%s)", OPTIONS_PROXY_FOR_MAX + 1, r.d.msg);
	done(&r);
}

/* --now TIME, --shard I/N and --part (validator/README, "Shards and
 * merge") */
static void
check_now_shard(void)
{
	static const struct { const char *s; long long want; } good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1999-12-31T23:59:59Z", 946684799 },
		{ "2000-02-29T12:34:56Z", 951827696 },
		{ "2026-12-04T10:00:00Z", 1796378400 },
		{ "2100-03-01T00:00:00Z", 4107542400LL },
		{ "@1800000000", 1800000000 },
		{ "@0", 0 },
	};
	static const char *const bad[] = {
		"2001-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2026-12-04 10:00:00Z", "2026-12-04T10:00:00",
		"2026-12-04T24:00:00Z", "2026-13-01T00:00:00Z",
		"2026-12-04T10:00:00+01:00", "1969-12-31T23:59:59Z",
		"@", "@12x", "@-5", "", "2026-1-04T10:00:00Z",
	};
	struct run r;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = -1;
		struct diag d = { 0 };

		ok(options_now(good[i].s, &t, &d) == 0 && t == good[i].want,
		    "--now %s: %lld", good[i].s, (long long)t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = -1;
		struct diag d = { 0 };

		ok(options_now(bad[i], &t, &d) == -1 && d.code == DIAG_USAGE &&
		    strstr(d.msg, "--now takes") != NULL,
		    "--now '%s': refused", bad[i]);
	}
	parse(&r, PROBE, "--now", "2026-12-04T10:00:00Z", "--shard", "2/3",
	    "--part", "p2.part", NULL);
	ok(r.res == OPTIONS_RUN && r.o.now_set && r.o.now == 1796378400 &&
	    r.o.shard == 2 && r.o.shards == 3 &&
	    strcmp(r.o.part, "p2.part") == 0, "--now, --shard 2/3, --part");
	done(&r);
	parse(&r, PROBE, "--shard", "0/4097", "--part", "p", NULL);
	ok(r.res == OPTIONS_ERROR, "--shard 0/4097: refused");
	done(&r);
	parse(&r, PROBE, "--shard", "0/4096", "--part", "p", NULL);
	ok(r.res == OPTIONS_RUN && r.o.shards == 4096, "--shard 0/4096");
	done(&r);
	parse(&r, PROBE, "--shard", "1/1", "--part", "p", NULL);
	ok(r.res == OPTIONS_ERROR, "--shard 1/1: refused");
	done(&r);
	parse(&r, PROBE, "--shard", "0/2", "--part", "p", "-o", "c.csv",
	    NULL);
	ok(r.res == OPTIONS_ERROR && strstr(r.d.msg, "-o/-r") != NULL,
	    "--shard with -o: refused (%s)", r.d.msg);
	done(&r);
	parse(&r, PROBE, "--shard", "0/2", "--part", "p", "--split", "d",
	    NULL);
	ok(r.res == OPTIONS_ERROR && strstr(r.d.msg, "--split") != NULL,
	    "--shard with --split: refused (%s)", r.d.msg);
	done(&r);
}

/* merge_parse - options_parse_merge over writable copies of words
 * (NULL-terminated) kept in argv until merge_done. */
static enum options_result
merge_parse(struct run *r, const char *const *words)
{
	memset(r, 0, sizeof(*r));
	while (words[r->argc] != NULL && r->argc < MAXARG - 1) {
		r->argv[r->argc] = strdup(words[r->argc]);
		r->argc++;
	}
	r->argv[r->argc] = NULL;
	r->res = options_parse_merge(r->argc, r->argv, &r->o, &r->d);
	return r->res;
}

static void
check_merge(void)
{
	static const char *const ok1[] = { "merge", "--policy", "strict",
	    "in.csv", "a.part", "b.part", NULL };
	static const char *const none[] = { "merge", "in.csv", NULL };
	static const char *const shard[] = { "merge", "--shard", "0/2",
	    "in.csv", "a.part", NULL };
	static const char *const cache[] = { "merge", "--cache", "s.sqlite",
	    "in.csv", "a.part", NULL };
	struct run r;

	ok(merge_parse(&r, ok1) == OPTIONS_RUN && r.o.merge && r.o.probe &&
	    r.o.no_cache && !r.o.preflight && r.o.nparts == 2 &&
	    strcmp(r.o.input, "in.csv") == 0 &&
	    strcmp(r.o.parts[1], "b.part") == 0 &&
	    r.o.policy == POLICY_STRICT,
	    "merge: INPUT and two parts; --probe implied, no store, no "
	    "preflight");
	done(&r);
	ok(merge_parse(&r, none) == OPTIONS_ERROR &&
	    strstr(r.d.msg, "no part file given") != NULL,
	    "merge without a part: refused (%s)", r.d.msg);
	done(&r);
	ok(merge_parse(&r, shard) == OPTIONS_ERROR &&
	    strstr(r.d.msg, "--shard is for the shards") != NULL,
	    "merge --shard: refused (%s)", r.d.msg);
	done(&r);
	ok(merge_parse(&r, cache) == OPTIONS_ERROR &&
	    strstr(r.d.msg, "uses no result store") != NULL,
	    "merge --cache: refused (%s)", r.d.msg);
	done(&r);
}

int
main(void)
{
	check_proxy_for();
	check_now_shard();
	check_merge();
	return done_testing();
}
