/*
 * explain - the `listscrub explain` subcommand: one SMTP reply in, what it
 * means out. The contract is in explain.h.
 */
#include "verdict/explain.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/xalloc.h"
#include "verdict/bounce_text.h"
#include "verdict/dsn.h"
#include "verdict/smtp_classify.h"
#include "smtp/smtp_reply.h"

#define EXPLAIN_INPUT_MAX	(64 * 1024)
#define EXPLAIN_DSN_MAX		(16 * 1024 * 1024)
#define EXPLAIN_DSN_RCPTS	1000
#define PATH_LEN		4096

static const char usage[] =
    "usage: listscrub explain [--json] [--stage=connect|ehlo|starttls|"
    "mail|rcpt] [REPLY...]\n"
    "       listscrub explain [--json] [--dsn] < BOUNCE\n"
    "Explains one SMTP reply or bounce line (the arguments, or standard "
    "input),\n"
    "or a whole bounce message on standard input: a delivery status "
    "notification\n"
    "(RFC 3464, multipart/report with a message/delivery-status part), "
    "every\n"
    "failed or delayed recipient with its Status, Diagnostic-Code, class, "
    "who is\n"
    "at fault and what to do. Input that starts with mail headers is read "
    "as a\n"
    "bounce message (--dsn: always). Options:\n"
    "  --json         one JSON object on one line\n"
    "  --stage=STAGE  what the reply answered (default: from the text, "
    "else rcpt)\n"
    "  --dsn          read standard input as a bounce message (up to 16 "
    "MiB)\n"
    "  -h, --help     this text\n"
    "Exit: 0 explained; 2 usage error, no reply code, or not a delivery "
    "status\nnotification; 1 the phrase table cannot be loaded.\n";

static int ex_read_stdin(struct buf *in);
static int ex_dsn(const struct smtp_phrases *ph, const struct buf *in,
    bool json);
static enum smtp_stage ex_guess_stage(const char *s, size_t n);
static const char *ex_fault_text(const struct smtp_verdict *v);
static bool ex_remove(const struct smtp_verdict *v);
static const char *ex_remove_text(const struct smtp_verdict *v);
static void ex_json_str(FILE *f, const char *s);

/* ex_read_stdin - all of stdin, at most EXPLAIN_INPUT_MAX bytes. */
static int
ex_read_stdin(struct buf *in)
{
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(in, chunk, n) == -1) {
			fprintf(stderr, "listscrub explain: input longer than "
			    "16 MiB\n");
			return -1;
		}
	if (ferror(stdin)) {
		fprintf(stderr, "listscrub explain: cannot read standard "
		    "input\n");
		return -1;
	}
	return 0;
}

/* ex_guess_stage - the stage a Postfix-style bounce names; else rcpt. */
static enum smtp_stage
ex_guess_stage(const char *s, size_t n)
{
	if (ascii_has(s, n, "in reply to MAIL FROM") ||
	    ascii_has(s, n, "after MAIL FROM"))	/* Exim */
		return SMTPS_MAIL;
	if (ascii_has(s, n, "in reply to EHLO") ||
	    ascii_has(s, n, "in reply to HELO"))
		return SMTPS_EHLO;
	if (ascii_has(s, n, "in reply to STARTTLS"))
		return SMTPS_STARTTLS;
	if (ascii_has(s, n, "refused to talk to me"))
		return SMTPS_CONNECT;
	return SMTPS_RCPT;
}

static const char *
ex_fault_text(const struct smtp_verdict *v)
{
	switch (v->fault) {
	case SMTPF_RECIPIENT:
		return "the recipient's address";
	case SMTPF_SENDER:
		return "your sending setup (IP, domain, authentication), not "
		    "the address";
	case SMTPF_TEMPORARY:
		return "temporary: a passing condition, not the address";
	default:
		return v->cls == SMTPC_ACCEPTED ? "nobody: the server accepted" :
		    "cannot tell from this reply";
	}
}

static bool
ex_remove(const struct smtp_verdict *v)
{
	return v->permanent && (v->cls == SMTPC_MAILBOX_NOT_FOUND ||
	    v->cls == SMTPC_MAILBOX_DISABLED);
}

static const char *
ex_remove_text(const struct smtp_verdict *v)
{
	if (ex_remove(v))
		return "yes: listscrub marks the address invalid";
	if (v->cls == SMTPC_ACCEPTED)
		return "no: the address was accepted";
	if (v->cls == SMTPC_MAILBOX_FULL)
		return "no: listscrub marks it risky (mailbox full), retry "
		    "later";
	return "no: listscrub marks it unknown, never invalid, on this reply";
}

/* ex_json_str - s as a JSON string; bad UTF-8 becomes U+FFFD. */
static void
ex_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', f);
	while (*p != '\0') {
		unsigned char c = *p;
		size_t k = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 :
		    (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xf0 && c <= 0xf4) ?
		    4 : 0;
		size_t i;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		for (i = 1; i < k && (p[i] & 0xc0) == 0x80; i++)
			;
		/* Reject overlongs and surrogates of the 3/4-byte forms. */
		if (k == 0 || i < k || (k == 3 && c == 0xe0 && p[1] < 0xa0) ||
		    (k == 3 && c == 0xed && p[1] >= 0xa0) ||
		    (k == 4 && c == 0xf0 && p[1] < 0x90) ||
		    (k == 4 && c == 0xf4 && p[1] >= 0x90)) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, k, f);
		p += k;
	}
	putc('"', f);
}

/* ex_phrases - load the phrase table of lists_dir (NULL: none); 0 or 1. */
static int
ex_phrases(const char *lists_dir, struct smtp_phrases **ph)
{
	struct diag d = { DIAG_OK, "" };
	char path[PATH_LEN];

	*ph = NULL;
	if (lists_dir == NULL)
		return 0;
	if (snprintf(path, sizeof(path), "%s/smtp-phrases.tsv", lists_dir) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "listscrub explain: lists directory name too "
		    "long\n");
		return 1;
	}
	if ((*ph = smtp_phrases_load(path, &d)) == NULL) {
		fprintf(stderr, "listscrub explain: %s\n", d.msg);
		return 1;
	}
	return 0;
}

/*
 * ex_dsn_reply - the reply a DSN recipient block stands for: the
 * Diagnostic-Code text when it holds a code, else the Status with the
 * text. Returns smtp_reply_parse_text()'s result.
 */
static int
ex_dsn_reply(const struct dsn_rcpt *dr, struct smtp_reply *r)
{
	char t[sizeof(dr->diag) + sizeof(dr->status) + 2];
	int pr = -1;

	if (dr->diag[0] != '\0')
		pr = smtp_reply_parse_text(dr->diag, strlen(dr->diag), r);
	if (pr < 0 && dr->status[0] != '\0') {
		snprintf(t, sizeof(t), "%s %s", dr->status, dr->diag);
		pr = smtp_reply_parse_text(t, strlen(t), r);
	}
	return pr;
}

/*
 * ex_dsn - explain every failed or delayed recipient of the bounce in
 * in; other actions (delivered, relayed, expanded) are counted only.
 * Returns the exit status.
 */
static int
ex_dsn(const struct smtp_phrases *ph, const struct buf *in, bool json)
{
	struct dsn_rcpt *dr = xcalloc(EXPLAIN_DSN_RCPTS, sizeof(*dr));
	struct diag d = { DIAG_OK, "" };
	size_t total, n, shown = 0, other = 0;
	bool text = false;
	int rc = 2;

	if (dsn_parse(buf_str(in), in->len, dr, EXPLAIN_DSN_RCPTS, &total,
	    &d) == -1) {
		/* No RFC 3464 part: a bounce in free text? */
		size_t tn;
		char *t = dsn_text_part(buf_str(in), in->len, &tn);
		int tr = t == NULL ? -1 : bounce_text_parse(t, tn, dr,
		    EXPLAIN_DSN_RCPTS, &total, &d);

		free(t);
		if (tr == -1) {
			fprintf(stderr, "listscrub explain: %s\n", d.msg);
			goto done;
		}
		text = true;
	}
	n = total < EXPLAIN_DSN_RCPTS ? total : EXPLAIN_DSN_RCPTS;
	if (json)
		printf("{\"dsn\":true,\"format\":\"%s\",\"recipients\":[",
		    text ? "text" : "rfc3464");
	else if (text)
		printf("(a bounce in free text, not RFC 3464: recipients and "
		    "replies as its words give them)\n\n");
	for (size_t i = 0; i < n; i++) {
		struct smtp_reply r;
		struct smtp_verdict v;
		enum smtp_stage st;
		int pr;

		if (strcmp(dr[i].action, "failed") != 0 &&
		    strcmp(dr[i].action, "delayed") != 0 &&
		    dr[i].action[0] != '\0') {
			other++;
			continue;
		}
		pr = ex_dsn_reply(&dr[i], &r);
		st = ex_guess_stage(dr[i].diag, strlen(dr[i].diag));
		if (pr >= 0)
			smtp_classify(ph, st, &r, &v);
		if (json) {
			fputs(shown > 0 ? ",{\"recipient\":" : "{\"recipient\":",
			    stdout);
			ex_json_str(stdout, dr[i].recipient);
			fputs(",\"action\":", stdout);
			ex_json_str(stdout, dr[i].action);
			fputs(",\"status\":", stdout);
			ex_json_str(stdout, dr[i].status);
			fputs(",\"diagnostic_type\":", stdout);
			ex_json_str(stdout, dr[i].diag_type);
			fputs(",\"diagnostic\":", stdout);
			ex_json_str(stdout, dr[i].diag);
			fputs(",\"remote_mta\":", stdout);
			ex_json_str(stdout, dr[i].remote_mta);
			if (pr >= 0) {
				printf(",\"code\":%d,\"class\":\"%s\","
				    "\"fault\":\"%s\",\"permanent\":%s,"
				    "\"remove\":%s,\"matched\":", r.code,
				    smtp_class_name(v.cls),
				    smtp_fault_name(v.fault),
				    v.permanent ? "true" : "false",
				    ex_remove(&v) ? "true" : "false");
				ex_json_str(stdout, v.matched);
				fputs(",\"advice\":", stdout);
				ex_json_str(stdout, v.advice);
			} else {
				fputs(",\"class\":null", stdout);
			}
			fputs("}", stdout);
		} else {
			printf("%srecipient:  %s\n", shown > 0 ? "\n" : "",
			    dr[i].recipient[0] ? dr[i].recipient : "(none given)");
			printf("action:     %s\n", dr[i].action[0] ?
			    dr[i].action : "(none given)");
			printf("status:     %s\n", dr[i].status[0] ?
			    dr[i].status : "(none given)");
			printf("diagnostic: %s%s%s\n", dr[i].diag_type,
			    dr[i].diag_type[0] ? "; " : "",
			    dr[i].diag[0] ? dr[i].diag : "(none given)");
			if (dr[i].remote_mta[0] != '\0')
				printf("remote MTA: %s\n", dr[i].remote_mta);
			if (pr < 0) {
				printf("class:      cannot tell: no SMTP code "
				    "in the Status or Diagnostic-Code\n");
			} else {
				printf("class:      %s\n",
				    smtp_class_name(v.cls));
				printf("at fault:   %s\n", ex_fault_text(&v));
				printf("what to do: %s\n", v.advice);
				printf("remove:     %s\n", ex_remove_text(&v));
			}
		}
		shown++;
	}
	if (json) {
		printf("],\"recipients_total\":%zu,\"not_failed\":%zu,"
		    "\"truncated\":%s}\n", total, other,
		    total > n ? "true" : "false");
	} else {
		if (shown == 0)
			printf("no failed or delayed recipient in this delivery "
			    "status notification\n");
		if (other > 0)
			printf("%s%zu recipient(s) not failed (delivered, "
			    "relayed or expanded)\n", shown ? "\n" : "", other);
		if (total > n)
			printf("only the first %zu of %zu recipients read\n",
			    n, total);
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
	if (rc != 0)
		fprintf(stderr, "listscrub explain: cannot write the output\n");
done:
	free(dr);
	return rc;
}

int
explain_main(int argc, char **argv, const char *lists_dir)
{
	struct smtp_phrases *ph = NULL;
	struct smtp_reply r;
	struct smtp_verdict v;
	struct buf in;
	enum smtp_stage st = SMTPS_LAST;
	bool json = false, opts = true, dsn = false;
	int i, rc = 2, pr, nargs = 0;

	buf_init(&in, EXPLAIN_DSN_MAX);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "--json") == 0) {
			json = true;
		} else if (opts && strcmp(a, "--dsn") == 0) {
			dsn = true;
		} else if (opts && (strcmp(a, "-h") == 0 ||
		    strcmp(a, "--help") == 0)) {
			fputs(usage, stdout);
			rc = 0;
			goto done;
		} else if (opts && (strncmp(a, "--stage=", 8) == 0 ||
		    strcmp(a, "--stage") == 0)) {
			const char *name = a[7] == '=' ? a + 8 :
			    (i + 1 < argc ? argv[++i] : "");

			if ((st = smtp_stage_parse(name)) == SMTPS_LAST) {
				fprintf(stderr, "listscrub explain: unknown "
				    "stage '%s' (connect, ehlo, starttls, "
				    "mail, rcpt)\n%s", name, usage);
				goto done;
			}
		} else if (opts && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "listscrub explain: unknown option "
			    "'%s'\n%s", a, usage);
			goto done;
		} else {
			if ((nargs++ > 0 && buf_addc(&in, ' ') == -1) ||
			    buf_addstr(&in, a) == -1) {
				fprintf(stderr, "listscrub explain: input "
				    "longer than 64 KiB\n");
				goto done;
			}
		}
	}
	if (nargs > 0 && dsn) {
		fprintf(stderr, "listscrub explain: --dsn reads the bounce "
		    "from standard input, not the arguments\n%s", usage);
		goto done;
	}
	if (nargs == 0 && ex_read_stdin(&in) == -1)
		goto done;
	if (nargs == 0 && !dsn)
		dsn = dsn_looks_like_message(buf_str(&in), in.len);
	if (!dsn && in.len > EXPLAIN_INPUT_MAX) {
		fprintf(stderr, "listscrub explain: input longer than 64 KiB "
		    "(give one reply, or a bounce message with its "
		    "headers)\n");
		goto done;
	}
	if (dsn) {
		if ((rc = ex_phrases(lists_dir, &ph)) == 0)
			rc = ex_dsn(ph, &in, json);
		goto done;
	}

	pr = smtp_reply_parse_text(buf_str(&in), in.len, &r);
	if (pr < 0) {
		fprintf(stderr, "listscrub explain: no SMTP reply code (like "
		    "550 or 5.1.1) in the input\n");
		goto done;
	}
	if (st == SMTPS_LAST)
		st = ex_guess_stage(buf_str(&in), in.len);
	if ((rc = ex_phrases(lists_dir, &ph)) != 0)
		goto done;
	rc = 2;
	smtp_classify(ph, st, &r, &v);

	if (json) {
		printf("{\"code\":%d,\"code_inferred\":%s,\"enhanced\":",
		    r.code, pr == 1 ? "true" : "false");
		ex_json_str(stdout, r.enhanced);
		fputs(",\"text\":", stdout);
		ex_json_str(stdout, r.text);
		printf(",\"stage\":\"%s\",\"class\":\"%s\",\"fault\":\"%s\","
		    "\"permanent\":%s,\"remove\":%s,\"matched\":",
		    smtp_stage_name(st), smtp_class_name(v.cls),
		    smtp_fault_name(v.fault), v.permanent ? "true" : "false",
		    ex_remove(&v) ? "true" : "false");
		ex_json_str(stdout, v.matched);
		fputs(",\"advice\":", stdout);
		ex_json_str(stdout, v.advice);
		fputs("}\n", stdout);
	} else {
		printf("code:       %d%s (%s)\n", r.code,
		    pr == 1 ? ", inferred from the enhanced code" : "",
		    r.code / 100 == 5 ? "permanent failure" :
		    r.code / 100 == 4 ? "temporary failure" :
		    r.code / 100 == 2 ? "success" : "intermediate");
		printf("enhanced:   %s\n", r.enhanced[0] ? r.enhanced : "none");
		printf("text:       %s\n", r.text);
		printf("stage:      %s\n", smtp_stage_name(st));
		printf("class:      %s\n", smtp_class_name(v.cls));
		printf("at fault:   %s\n", ex_fault_text(&v));
		printf("what to do: %s\n", v.advice);
		printf("remove:     %s\n", ex_remove_text(&v));
		printf("decided by: %s\n", v.matched);
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
	if (rc != 0)
		fprintf(stderr, "listscrub explain: cannot write the output\n");
done:
	smtp_phrases_free(ph);
	buf_free(&in);
	return rc;
}
