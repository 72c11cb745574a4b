/*
 * probe_sched - the SMTP stage: which address is asked where and when.
 * Addresses are queued per mail host (across the domains that share it),
 * each host gets at most --per-host connections and --host-rate new ones
 * a minute, and every connection serves batches of recipients until its
 * host's queue is empty; a host's addresses are tried in turn, in RFC
 * 6724 order (probe_addrsel), each session bound to the host's source
 * address of that family when --source-address gives some (probe_source;
 * an address of a family without a source is not tried). Per domain one
 * random local part, drawn once for the run, is asked first (catch-all);
 * an accepted address is mailbox_ok only when that test was refused as
 * not found. Replies are judged by smtp_classify; what a reply or the end
 * of a session means for the address and its host (answer, ask again now
 * or after --retry-delay, give up, back off, block the host) is decided by
 * probe_trouble, and carried out here. Each host follows the rules of the
 * providers (lists/providers.tsv) its name, its greeting and the domains
 * asked there name, and goes through its provider's --proxy-for; a reply
 * that means "slow down" ends nothing but the session (validator/README,
 * "Probe etiquette", "Mailbox providers"). Results go into the
 * probe_targets.
 */
#ifndef LISTSCRUB_PROBE_SCHED_H
#define LISTSCRUB_PROBE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe_source.h"
#include "smtp/smtp_session.h"
#include "smtp/socks5.h"
#include "verdict/classify.h"

struct diag;
struct domains;
struct evloop;
struct mailhosts;
struct probe_targets;
struct progress;
struct smtp_phrases;

#define PROBE_MAX_PROBLEMS 10	/* sender-side refusals kept for the report */

/*
 * Who hears of answers as they become final (the pipeline, for the result
 * store): answered(id) once per address, after its domain's catch-all
 * test has ended; catch_all(domain) when a test ended with a yes or no.
 */
struct probe_memory {
	void (*answered)(void *arg, uint32_t id);
	void (*catch_all)(void *arg, uint32_t domain, enum probe_tri t);
	void *arg;
};

/*
 * --proxy-for: the sessions to the mail hosts of one provider (the hosts
 * whose own name matches its rows) go through their own SOCKS5 proxy.
 */
struct probe_proxy_for {
	char provider[64];		/* a provider of lists/providers.tsv */
	struct socks5_proxy proxy;	/* resolved before probe_run */
};

struct probe_opts {
	const char *helo;
	const char *mail_from;
	unsigned port;
	enum smtp_tls tls;
	const char *tls_ca;		/* NULL: the system's CA store */
	unsigned rcpt_per_txn;
	unsigned rcpt_per_session;	/* 0: no limit */
	bool pipelining;
	unsigned retry_delay_ms;
	unsigned retries;
	unsigned per_host;
	unsigned host_rate;		/* new connections per host a minute */
	unsigned max_connections;
	unsigned connect_ms, banner_ms, command_ms;
	uint64_t seed;			/* catch-all local parts; 0: clock */
	const struct probe_sources *sources;	/* --source-address; NULL or
						 * none: the system's choice */
	const struct probe_memory *memory;	/* NULL: nobody */
	const struct socks5_proxy *proxy;	/* resolved; NULL: direct */
	const struct probe_proxy_for *proxy_for;	/* per provider: before
							 * proxy; bound to no
							 * source address */
	size_t nproxy_for;
	struct progress *progress;	/* the stage's line, or NULL */
};

/* A refusal aimed at the sender: a problem of the sending setup. */
struct probe_problem {
	char host[256];
	char reply[256];		/* "554 5.7.1 ..." */
	uint64_t count;
};

struct probe_stats {
	uint64_t hosts;			/* mail hosts with work */
	uint64_t connections;		/* sessions started */
	uint64_t tls_sessions;		/* of those, encrypted */
	uint64_t transactions;		/* MAIL FROM sent */
	uint64_t rcpts;			/* RCPT replies received */
	uint64_t requeued;		/* recipients without a reply, asked again */
	uint64_t retries;		/* 4xx recipients asked again */
	uint64_t catch_all_domains;
	uint64_t blocked_hosts;		/* stopped probing after refusals */
	uint64_t addresses;		/* addresses with an SMTP answer */
	/* lists/providers.tsv rules at work */
	uint64_t provider_not_asked;	/* accept_all: addresses not asked */
	uint64_t provider_no_test;	/* no_catch_all_test: domains */
	uint64_t provider_throttled;	/* throttle_codes replies, and
					 * sessions ended "slow down" */
	uint64_t provider_banner;	/* hosts known by their greeting */
	size_t nproblems;
	struct probe_problem problems[PROBE_MAX_PROBLEMS];
	/* --source-address: sessions started from each source (as in
	 * probe_opts.sources), and the mail hosts none of whose addresses
	 * has a source of its family (not reachable from here) */
	size_t nsources;
	char source_addr[PROBE_SOURCE_MAX][INET6_ADDRSTRLEN];
	uint64_t source_connections[PROBE_SOURCE_MAX];
	uint64_t source_unreachable;
	bool source_missing_v4;		/* such a host has IPv4 addresses */
	bool source_missing_v6;		/* ... IPv6 addresses */
	double seconds;
};

/*
 * probe_fd_check - make sure max_connections sessions (and the files the
 * run keeps open besides) fit under the process's open-file limit:
 * raises the soft limit up to the hard one when needed. Returns 0, or -1
 * with d set (a usage error) when even the hard limit is too low. A
 * socket that cannot be made later is the prober's trouble, never the
 * mail host's. probe_run calls it; main may call it at start.
 */
int probe_fd_check(unsigned max_connections, struct diag *d);

/*
 * probe_problems_sort - st's sender-side refusals in a fixed order: most
 * refusals first, then by host name. The order they happened in is the
 * network's, and a merge of shards must show what one process shows
 * (validator/README, "Shards and merge"). probe_run calls it.
 */
void probe_problems_sort(struct probe_stats *st);

/*
 * probe_run - ask the mail hosts about every address of ps (domains and
 * hosts from dt/mx, as the DNS stage left them) on loop, and fill in
 * each probe_targets_result. A domain without a provider whose preferred
 * mail host's greeting named one (a banner row of the table) gets it in
 * dt (domains_set_provider). An address whose result is set already (an
 * earlier run's answer) is not asked; o->progress counts the addresses
 * answered of those to ask. Returns 0, or -1 with d set when the stage
 * cannot run at all (open-file limit, TLS context, event loop failure, no
 * socket can be made while none is open). ph may be NULL.
 */
int probe_run(struct evloop *loop, struct probe_targets *ps,
    struct domains *dt, const struct mailhosts *mx,
    const struct smtp_phrases *ph, const struct probe_opts *o,
    struct probe_stats *st, struct diag *d);

#endif
