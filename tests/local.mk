# Tests: unit tests (TAP, one per module), fuzz-corpus replays, and
# end-to-end shell tests against the built program. `make test` runs them
# all and prints the closing "N passed, N failed" line.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	srcdir='$(abs_top_srcdir)'; export srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	LISTSCRUB='$(abs_top_builddir)/validator/listscrub'; export LISTSCRUB; \
	LISTSCRUB_LISTS='$(abs_top_srcdir)/lists'; export LISTSCRUB_LISTS;

UNIT_TESTS = \
	tests/unit/t_addr \
	tests/unit/t_ascii \
	tests/unit/t_bgjob \
	tests/unit/t_classify \
	tests/unit/t_csvread \
	tests/unit/t_csvwrite \
	tests/unit/t_dedupe \
	tests/unit/t_dsn \
	tests/unit/t_email_column \
	tests/unit/t_encoding \
	tests/unit/t_explain \
	tests/unit/t_fileid \
	tests/unit/t_infile \
	tests/unit/t_interrupt \
	tests/unit/t_listcheck \
	tests/unit/t_options \
	tests/unit/t_preflight \
	tests/unit/t_probe_addrsel \
	tests/unit/t_progress \
	tests/unit/t_providers \
	tests/unit/t_probe_sched \
	tests/unit/t_probe_source \
	tests/unit/t_probe_targets \
	tests/unit/t_probe_trouble \
	tests/unit/t_report \
	tests/unit/t_report_html \
	tests/unit/t_row_write \
	tests/unit/t_shard_owner \
	tests/unit/t_part \
	tests/unit/t_session_peer \
	tests/unit/t_smtp_classify \
	tests/unit/t_smtp_reply \
	tests/unit/t_socks5 \
	tests/unit/t_store \
	tests/unit/t_strmap \
	tests/unit/t_utf8 \
	tests/unit/t_wordlist \
	tests/unit/t_xlsxbook
FUZZ_REPLAYS = tests/fuzz/replay_addr tests/fuzz/replay_csvread \
	tests/fuzz/replay_csvread_small tests/fuzz/replay_smtp_reply \
	tests/fuzz/replay_dns tests/fuzz/replay_smtp_session tests/fuzz/replay_dsn
check_PROGRAMS += $(UNIT_TESTS) $(FUZZ_REPLAYS) \
	tests/unit/t_mxlookup tests/unit/t_smtp_session
TESTS += $(UNIT_TESTS) $(FUZZ_REPLAYS)

tests_unit_t_addr_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_ascii_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_classify_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_email_column_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_encoding_LDADD = $(LISTSCRUB_LIBS)
# Makes its workbooks, archives and gzip files with python3 (skipped
# without it).
tests_unit_t_infile_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_csvread_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_csvwrite_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_dedupe_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_bgjob_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_dsn_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_explain_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_listcheck_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_options_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_preflight_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_probe_trouble_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_providers_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_report_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_report_html_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_row_write_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_probe_targets_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_probe_addrsel_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_probe_source_LDADD = $(LISTSCRUB_LIBS)
# The scheduler (probe_run) against scripted peers on 127.0.0.x
# (tests/data/sched/*.sched): no root, no mail server.
tests_unit_t_probe_sched_SOURCES = tests/unit/t_probe_sched.c tests/unit/peer.c tests/unit/peer.h
tests_unit_t_probe_sched_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_mxlookup_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_smtp_classify_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_smtp_reply_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_smtp_session_LDADD = $(LISTSCRUB_LIBS)
# The session engine against scripted peers (tests/data/peer/*.peer, a
# forked child on 127.0.0.1): no root, no mail server. tests/data, and so
# the scripts, is in EXTRA_DIST below.
tests_unit_t_session_peer_SOURCES = tests/unit/t_session_peer.c tests/unit/peer.c tests/unit/peer.h
tests_unit_t_session_peer_LDADD = $(LISTSCRUB_LIBS)
# The SOCKS5 client in a real session against scripted fake proxies
# (tests/data/socks5/*.s5), and the --proxy URL grammar.
tests_unit_t_socks5_SOURCES = tests/unit/t_socks5.c tests/unit/peer.c tests/unit/peer.h
tests_unit_t_socks5_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_fileid_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_interrupt_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_utf8_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_strmap_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_progress_LDADD = $(LISTSCRUB_LIBS)
# The result store; it also opens databases with the plain SQLite API.
tests_unit_t_store_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_t_store_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_shard_owner_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_part_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_t_part_LDADD = $(LISTSCRUB_LIBS)
tests_unit_t_wordlist_LDADD = $(LISTSCRUB_LIBS)
# The --xlsx workbook, read back by tests/xlsx_check.py (python3).
tests_unit_t_xlsxbook_LDADD = $(LISTSCRUB_LIBS)
# Test driver for tests/e2e/t_xlsx_lo.sh: a CSV into a workbook.
check_PROGRAMS += tests/unit/xlsx_csv
tests_unit_xlsx_csv_LDADD = $(LISTSCRUB_LIBS)

tests_fuzz_replay_addr_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_addr.c
tests_fuzz_replay_addr_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_CORPUS='"addr"'
tests_fuzz_replay_addr_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_replay_csvread_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_csvread.c
tests_fuzz_replay_csvread_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_CORPUS='"csvread"'
tests_fuzz_replay_csvread_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_replay_dsn_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dsn.c
tests_fuzz_replay_dsn_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_CORPUS='"dsn"'
tests_fuzz_replay_dsn_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_replay_smtp_reply_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_smtp_reply.c
tests_fuzz_replay_smtp_reply_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_CORPUS='"smtp_reply"'
tests_fuzz_replay_smtp_reply_LDADD = $(LISTSCRUB_LIBS)
# The CSV reader with tiny buffers (csv/csvread.c compiled into the
# target), so that small inputs reach the refill and grow paths; it also
# replays the csvread corpus.
CSVREAD_SMALL = -DCSVREAD_BUF=64 -DCSVREAD_SLACK=16
tests_fuzz_replay_csvread_small_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_csvread.c validator/csv/csvread.c
tests_fuzz_replay_csvread_small_CPPFLAGS = $(AM_CPPFLAGS) $(CSVREAD_SMALL) \
	-DREPLAY_CORPUS='"csvread_small csvread"'
tests_fuzz_replay_csvread_small_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_replay_dns_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dns.c
tests_fuzz_replay_dns_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_CORPUS='"dns"'
tests_fuzz_replay_dns_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_replay_smtp_session_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_smtp_session.c
tests_fuzz_replay_smtp_session_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_CORPUS='"smtp_session"'
tests_fuzz_replay_smtp_session_LDADD = $(LISTSCRUB_LIBS)

E2E_TESTS = \
	tests/e2e/t_bytes.sh \
	tests/e2e/t_cache.sh \
	tests/e2e/t_columns.sh \
	tests/e2e/t_degraded.sh \
	tests/e2e/t_dns.sh \
	tests/e2e/t_providers.sh \
	tests/e2e/t_encoding.sh \
	tests/e2e/t_formats.sh \
	tests/e2e/t_hostile.sh \
	tests/e2e/t_inputs.sh \
	tests/e2e/t_html.sh \
	tests/e2e/t_io.sh \
	tests/e2e/t_malformed.sh \
	tests/e2e/t_policy.sh \
	tests/e2e/t_rescrub.sh \
	tests/e2e/t_samples.sh \
	tests/e2e/t_scale.sh \
	tests/e2e/t_sheets.sh \
	tests/e2e/t_schedule.sh \
	tests/e2e/t_store.sh \
	tests/e2e/t_threads.sh \
	tests/e2e/t_trust.sh \
	tests/e2e/t_usage.sh \
	tests/e2e/t_verdicts.sh \
	tests/e2e/t_xlsx.sh \
	tests/e2e/t_xlsx_lo.sh
TESTS += $(E2E_TESTS)
# Tests that need the loopback NSD of tests/dns (t_mxlookup runs through
# its wrapper, which starts the server).
DNS_TESTS = tests/dns/t_harness.sh tests/dns/t_mxlookup.sh tests/dns/t_preflight.sh
TESTS += $(DNS_TESTS)
# The loopback mail world of tests/smtp (Postfix, postgrey, a fault
# server); t_smtp_session runs through its wrapper.
SMTP_TESTS = tests/smtp/t_harness.sh tests/smtp/t_session.sh tests/smtp/t_probe.sh \
	tests/smtp/t_degraded.sh tests/smtp/t_resume.sh tests/smtp/t_source.sh tests/smtp/t_shard.sh \
	tests/smtp/t_proxy.sh \
	tests/smtp/t_progress.sh \
	tests/smtp/t_providers.sh \
	tests/smtp/t_preflight_run.sh \
	tests/smtp/t_parallel.sh
TESTS += $(SMTP_TESTS)
EXTRA_DIST += $(SMTP_TESTS) tests/smtp/lib.sh tests/smtp/main.cf.in \
	tests/smtp/danted.conf.in \
	tests/smtp/master.cf.in tests/smtp/users tests/smtp/catchall.regexp \
	tests/smtp/rcpt_access tests/smtp/policy.cidr tests/smtp/mail.zone tests/smtp/providers \
	tests/smtp/faultsrv.c tests/smtp/smtpchat.pl tests/smtp/README
# The Slurm recipe (contrib/shard) on a private one-node cluster
# (slurmctld, slurmd, munged on loopback), against the mail world above;
# t_k8s.sh reads the Kubernetes manifest (python3-yaml) and runs its scripts.
SLURM_TESTS = tests/slurm/t_slurm.sh tests/slurm/t_k8s.sh
TESTS += $(SLURM_TESTS)
EXTRA_DIST += $(SLURM_TESTS) tests/slurm/lib.sh tests/slurm/slurm.conf.in
# The private sshd of t_parallel.sh's -S variant.
EXTRA_DIST += tests/ssh/lib.sh tests/ssh/sshd_config.in
TESTS += tests/checksrc.sh tests/layers.sh
# The README's and listscrub.1's option and status lists against --help
# (make update-docs rewrites them).
TESTS += tests/options_doc.sh

if FUZZING
# Real libFuzzer binaries: ./configure --enable-fuzzing CC=clang
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined
noinst_PROGRAMS += tests/fuzz/fuzz_addr tests/fuzz/fuzz_csvread \
	tests/fuzz/fuzz_csvread_small tests/fuzz/fuzz_smtp_reply \
	tests/fuzz/fuzz_dns tests/fuzz/fuzz_smtp_session tests/fuzz/fuzz_dsn
tests_fuzz_fuzz_dsn_SOURCES = tests/fuzz/fuzz_dsn.c
tests_fuzz_fuzz_dsn_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dsn_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_dsn_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_addr_SOURCES = tests/fuzz/fuzz_addr.c
tests_fuzz_fuzz_addr_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_addr_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_addr_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_csvread_SOURCES = tests/fuzz/fuzz_csvread.c
tests_fuzz_fuzz_csvread_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_csvread_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_csvread_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_csvread_small_SOURCES = tests/fuzz/fuzz_csvread.c \
	validator/csv/csvread.c
tests_fuzz_fuzz_csvread_small_CPPFLAGS = $(AM_CPPFLAGS) $(CSVREAD_SMALL)
tests_fuzz_fuzz_csvread_small_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_csvread_small_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_csvread_small_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_smtp_reply_SOURCES = tests/fuzz/fuzz_smtp_reply.c
tests_fuzz_fuzz_smtp_reply_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_smtp_reply_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_smtp_reply_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_dns_SOURCES = tests/fuzz/fuzz_dns.c
tests_fuzz_fuzz_dns_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dns_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_dns_LDADD = $(LISTSCRUB_LIBS)
tests_fuzz_fuzz_smtp_session_SOURCES = tests/fuzz/fuzz_smtp_session.c
tests_fuzz_fuzz_smtp_session_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_smtp_session_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_smtp_session_LDADD = $(LISTSCRUB_LIBS)
endif

EXTRA_DIST += tests/tap.h tests/unit/slurp.h tests/xlsx_check.py tests/fuzz/fuzz.h tests/summary.sh tests/checksrc.sh tests/layers.sh \
	tests/options_doc.sh \
	tests/data tests/fuzz/corpus tests/fuzz/known tests/e2e/lib.sh tests/e2e/lo.sh $(E2E_TESTS) \
	tests/proc.sh $(DNS_TESTS) tests/dns/lib.sh tests/dns/nsd.conf.in tests/dns/dnsprobe.pl \
	tests/dns/deadserver.pl tests/dns/slowproxy.pl tests/dns/zones tests/dns/providers tests/dns/README

# make test: the whole suite, then the closing line CI reads.
test:
	@$(MAKE) $(AM_MAKEFLAGS) check; rc=$$?; \
	$(SHELL) $(top_srcdir)/tests/summary.sh .; exit $$rc
.PHONY: test
