/*
 * t_smtp_classify - validator/verdict/smtp_classify.c pinned by real
 * reply lines: every line of tests/data/smtp/replies.tsv (stage, class,
 * fault, reply) is parsed with smtp_reply_parse_text() and classified
 * with the real lists/smtp-phrases.tsv. Then the rules themselves: codes
 * only (no table), word boundaries, case folding beyond ASCII, shadowing,
 * the stage rule, the names, and the table loader's errors (small tables
 * written under $TMPDIR).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verdict/smtp_classify.h"
#include "smtp/smtp_reply.h"
#include "tap.h"

static struct smtp_phrases *PH;
static char tmpdir[512];

/* classify_text - parse s as explain does and classify it. */
static int
classify_text(const struct smtp_phrases *ph, enum smtp_stage st,
    const char *s, struct smtp_verdict *v)
{
	struct smtp_reply r;

	if (smtp_reply_parse_text(s, strlen(s), &r) < 0)
		return -1;
	smtp_classify(ph, st, &r, v);
	return r.code;
}

/* unescape - "\n" in the data file becomes CRLF; in place is too short. */
static void
unescape(const char *in, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; in[i] != '\0' && o + 3 < max; i++) {
		if (in[i] == '\\' && in[i + 1] == 'n') {
			out[o++] = '\r';
			out[o++] = '\n';
			i++;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

static void
check_pinned(const char *src)
{
	char path[4096], line[8192], reply[8192];
	unsigned long lineno = 0;
	int n = 0, fails = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/smtp/replies.tsv", src);
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *col[5], *p = line;
		struct smtp_verdict v;
		enum smtp_stage st;
		int code, k;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (k = 0; k < 5 && p != NULL; k++)
			col[k] = strsep(&p, "\t");
		if (k < 5 || (st = smtp_stage_parse(col[0])) == SMTPS_LAST ||
		    smtp_class_parse(col[1]) == SMTPC_LAST ||
		    smtp_fault_parse(col[2]) == SMTPF_LAST) {
			ok(0, "replies.tsv:%lu: malformed line", lineno);
			continue;
		}
		n++;
		unescape(col[3], reply, sizeof(reply));
		code = classify_text(PH, st, reply, &v);
		if (!ok(code > 0 && strcmp(smtp_class_name(v.cls), col[1]) == 0 &&
		    strcmp(smtp_fault_name(v.fault), col[2]) == 0,
		    "replies.tsv:%lu: %s %s -> %s/%s (%s)", lineno, col[0],
		    col[3], col[1], col[2], col[4])) {
			fails++;
			diag("got %s/%s, decided by %s", smtp_class_name(v.cls),
			    smtp_fault_name(v.fault),
			    v.matched ? v.matched : "(nothing)");
			continue;
		}
		/* The rules that hold for every line. */
		if (code / 100 == 4 && v.permanent)
			ok(0, "replies.tsv:%lu: a 4xx is never permanent", lineno);
		if (st != SMTPS_RCPT && v.fault == SMTPF_RECIPIENT)
			ok(0, "replies.tsv:%lu: only RCPT blames the recipient",
			    lineno);
		if (v.advice == NULL || v.matched == NULL)
			ok(0, "replies.tsv:%lu: advice and matched set", lineno);
	}
	fclose(f);
	ok(n >= 80, "at least 80 pinned reply lines (%d)", n);
	diag("%d pinned reply lines, %d failed", n, fails);
}

static void
check_codes_only(void)
{
	static const struct {
		const char *reply;
		enum smtp_stage st;
		const char *cls;
		int perm;
	} c[] = {
		{ "250 2.1.5 Ok", SMTPS_RCPT, "accepted", 0 },
		{ "550 5.1.1 whatever", SMTPS_RCPT, "mailbox_not_found", 1 },
		{ "550 5.1.10 x", SMTPS_RCPT, "mailbox_not_found", 1 },
		{ "550 5.2.1 x", SMTPS_RCPT, "mailbox_disabled", 1 },
		{ "552 5.2.2 x", SMTPS_RCPT, "mailbox_full", 1 },
		{ "452 4.2.2 x", SMTPS_RCPT, "mailbox_full", 0 },
		{ "550 5.7.1 x", SMTPS_RCPT, "policy_blocked", 1 },
		{ "451 4.7.1 x", SMTPS_RCPT, "policy_blocked", 0 },
		{ "452 4.5.3 x", SMTPS_RCPT, "too_many_recipients", 0 },
		{ "552 5.5.3 x", SMTPS_RCPT, "too_many_recipients", 0 },
		{ "421 x", SMTPS_RCPT, "rate_limited", 0 },
		{ "450 4.1.1 x", SMTPS_RCPT, "temporary_error", 0 },
		{ "450 x", SMTPS_RCPT, "temporary_error", 0 },
		{ "552 x", SMTPS_RCPT, "temporary_error", 0 },
		{ "550 user unknown", SMTPS_RCPT, "rejected_other", 1 },
		{ "550 5.1.1 x", SMTPS_MAIL, "sender_rejected", 1 },
		{ "550 5.1.1 x", SMTPS_CONNECT, "policy_blocked", 1 },
		{ "450 5.1.1 x", SMTPS_RCPT, "temporary_error", 0 },
		{ "550 4.1.1 x", SMTPS_RCPT, "rejected_other", 1 },
		{ "553 5.1.8 x", SMTPS_RCPT, "sender_rejected", 1 },
	};
	struct smtp_verdict v;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		classify_text(NULL, c[i].st, c[i].reply, &v);
		ok(strcmp(smtp_class_name(v.cls), c[i].cls) == 0 &&
		    v.permanent == (c[i].perm != 0),
		    "codes only, %s '%s' -> %s%s", smtp_stage_name(c[i].st),
		    c[i].reply, c[i].cls, c[i].perm ? " (permanent)" : "");
	}
}

static void
check_matching(void)
{
	struct smtp_verdict v;

	classify_text(PH, SMTPS_RCPT, "550 USER UNKNOWN", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found", "ASCII case");
	classify_text(PH, SMTPS_RCPT, "550 ПОЛЬЗОВАТЕЛЬ НЕ СУЩЕСТВУЕТ", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found", "Cyrillic case");
	classify_text(PH, SMTPS_RCPT, "550 EMPFÄNGER UNBEKANNT", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found", "Latin-1 case");
	classify_text(PH, SMTPS_RCPT, "550 user\t  unknown", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found",
	    "white space runs fold to one space");
	classify_text(PH, SMTPS_RCPT, "550 interruption: user unknown", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found",
	    "'ptr' does not match inside 'interruption'");
	classify_text(PH, SMTPS_RCPT, "550 no PTR record: user unknown", &v);
	is_str(smtp_class_name(v.cls), "policy_blocked",
	    "a sender phrase beats a recipient phrase");
	classify_text(PH, SMTPS_RCPT, "550 5.1.1 blocked using "
	    "zen.spamhaus.org", &v);
	is_str(smtp_class_name(v.cls), "policy_blocked",
	    "a sender phrase beats 5.1.1");
	classify_text(PH, SMTPS_RCPT, "550 5.4.1 Recipient address rejected: "
	    "Access denied", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found",
	    "Microsoft DBEB (5.4.1) shadows 'access denied'");
	ok(v.matched && strstr(v.matched, "smtp-phrases.tsv line") != NULL,
	    "matched names the table line: %s", v.matched ? v.matched : "");
	classify_text(PH, SMTPS_RCPT, "550 Recipient address rejected: "
	    "Access denied", &v);
	is_str(smtp_class_name(v.cls), "policy_blocked",
	    "without 5.4.1 'access denied' is policy");
	classify_text(PH, SMTPS_RCPT, "550 greylisted", &v);
	is_str(smtp_class_name(v.cls), "rejected_other",
	    "greylisting phrases apply to 4xx only");
	classify_text(PH, SMTPS_RCPT, "421 try again later", &v);
	is_str(smtp_class_name(v.cls), "rate_limited",
	    "'try again later' is greylisting only for 450/451");
	classify_text(PH, SMTPS_RCPT, "451 try again later", &v);
	is_str(smtp_class_name(v.cls), "greylisted", "451 try again later");
	classify_text(PH, SMTPS_RCPT, "450 4.2.2 quota exceeded", &v);
	ok(v.cls == SMTPC_MAILBOX_FULL && !v.permanent &&
	    strstr(v.advice, "do not remove") != NULL,
	    "4xx mailbox full: not permanent, retry advice");
	classify_text(PH, SMTPS_RCPT, "450 mailbox full", &v);
	ok(v.cls == SMTPC_MAILBOX_FULL && !v.permanent,
	    "4xx mailbox-full phrase without enhanced code");
	classify_text(PH, SMTPS_RCPT, "450 no such user", &v);
	is_str(smtp_class_name(v.cls), "temporary_error",
	    "4xx with a not-found phrase is never invalid");
	classify_text(PH, SMTPS_EHLO, "550 no such user", &v);
	ok(v.fault != SMTPF_RECIPIENT, "EHLO never blames the recipient");
	classify_text(PH, SMTPS_RCPT, "199 odd", &v);
	is_str(smtp_class_name(v.cls), "temporary_error", "1xx: temporary");
}

static void
check_names(void)
{
	static const char *const want[] = { "accepted", "mailbox_not_found",
	    "mailbox_disabled", "mailbox_full", "policy_blocked",
	    "sender_rejected", "relay_denied", "rate_limited", "greylisted",
	    "too_many_recipients", "temporary_error", "rejected_other" };
	int bad = 0;

	for (int i = 0; i < SMTPC_LAST; i++)
		if (strcmp(smtp_class_name((enum smtp_class)i), want[i]) != 0 ||
		    smtp_class_parse(want[i]) != (enum smtp_class)i)
			bad++;
	is_int(bad, 0, "class names are the contract words");
	is_str(smtp_class_name(SMTPC_LAST), "?", "out of range class");
	is_str(smtp_fault_name(SMTPF_SENDER), "sender", "fault name");
	is_str(smtp_stage_name(SMTPS_MAIL), "mail", "stage name");
	ok(smtp_stage_parse("data") == SMTPS_LAST, "unknown stage");
}

/* load_bad - write text as a table; the load must fail with want. */
static void
load_bad(const char *name, const char *text, const char *want)
{
	char path[700];
	struct diag d = { DIAG_OK, "" };
	struct smtp_phrases *ph;
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.tsv", tmpdir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	ph = smtp_phrases_load(path, &d);
	ok(ph == NULL && d.code == DIAG_DATA && strstr(d.msg, want) != NULL,
	    "bad table: %s", name);
	if (ph != NULL || strstr(d.msg, want) == NULL)
		diag("message: %s", d.msg);
	smtp_phrases_free(ph);
	unlink(path);
}

static void
check_loader(void)
{
	char path[700];
	struct diag d = { DIAG_OK, "" };
	struct smtp_phrases *ph;
	struct smtp_verdict v;
	FILE *f;
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/t_smtp_classify.XXXXXX",
	    t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	load_bad("unknown class", "# c\nnope\tsender\tx y\n",
	    "t.tsv:2: unknown class 'nope'");
	load_bad("accepted is no table class", "accepted\tnone\tok ok\n",
	    ":1: unknown class 'accepted'");
	load_bad("unknown fault", "policy_blocked\tthem\tspam\n",
	    ":1: unknown fault 'them'");
	load_bad("fault does not fit", "mailbox_full\tsender\tfull\n",
	    ":1: class mailbox_full needs fault recipient");
	load_bad("missing column", "policy_blocked\tsender\n",
	    ":1: expected CLASS<TAB>FAULT<TAB>phrase");
	load_bad("five columns", "policy_blocked\tsender\tspam\t550\tx\n",
	    ":1: more than four tab-separated columns");
	load_bad("bad WHEN", "policy_blocked\tsender\tspam\t55\n",
	    ":1: bad WHEN code '55'");
	load_bad("phrase too short", "policy_blocked\tsender\tx\n",
	    ":1: phrase must be");
	load_bad("control byte", "policy_blocked\tsender\tsp\x01m\n",
	    ":1: non-printable byte 0x01");
	snprintf(path, sizeof(path), "%s/nonexistent.tsv", tmpdir);
	ok(smtp_phrases_load(path, &d) == NULL &&
	    strstr(d.msg, "cannot open") != NULL, "missing file");

	snprintf(path, sizeof(path), "%s/ok.tsv", tmpdir);
	f = fopen(path, "w");
	fputs("\xef\xbb\xbf# BOM, CRLF, WHEN with an enhanced code\r\n"
	    "mailbox_not_found\trecipient\tgone away\t5.0.0, 5x0\r\n"
	    "greylisted\ttemporary\tgreylist*\r\n", f);
	fclose(f);
	ph = smtp_phrases_load(path, &d);
	ok(ph != NULL && smtp_phrases_count(ph) == 2, "BOM and CRLF accepted");
	classify_text(ph, SMTPS_RCPT, "550 gone away", &v);
	is_str(smtp_class_name(v.cls), "mailbox_not_found", "WHEN 5x0");
	classify_text(ph, SMTPS_RCPT, "554 gone away", &v);
	is_str(smtp_class_name(v.cls), "rejected_other", "WHEN excludes 554");
	classify_text(ph, SMTPS_RCPT, "450 4.7.1 Greylisted", &v);
	is_str(smtp_class_name(v.cls), "greylisted", "trailing '*' prefix");
	smtp_phrases_free(ph);
	unlink(path);
	rmdir(tmpdir);
}

int
main(void)
{
	const char *src = getenv("srcdir");
	char path[4096];
	struct diag d = { DIAG_OK, "" };

	if (src == NULL)
		src = ".";
	snprintf(path, sizeof(path), "%s/lists/smtp-phrases.tsv", src);
	PH = smtp_phrases_load(path, &d);
	if (!ok(PH != NULL, "load %s", path)) {
		diag("%s", d.msg);
		return done_testing();
	}
	diag("%u phrase rules", smtp_phrases_count(PH));
	check_pinned(src);
	check_codes_only();
	check_matching();
	check_names();
	check_loader();
	smtp_phrases_free(PH);
	return done_testing();
}
