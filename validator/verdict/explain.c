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
#include "verdict/smtp_classify.h"
#include "smtp/smtp_reply.h"

#define EXPLAIN_INPUT_MAX	(64 * 1024)
#define PATH_LEN		4096

static const char usage[] =
    "usage: listscrub explain [--json] [--stage=connect|ehlo|starttls|"
    "mail|rcpt] [REPLY...]\n"
    "Explains one SMTP reply or bounce line (the arguments, or standard "
    "input).\n";

static int ex_read_stdin(struct buf *in);
static bool ex_contains(const char *s, size_t n, const char *needle);
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
			    "64 KiB (give one reply)\n");
			return -1;
		}
	if (ferror(stdin)) {
		fprintf(stderr, "listscrub explain: cannot read standard "
		    "input\n");
		return -1;
	}
	return 0;
}

/* ex_contains - ASCII case-insensitive substring test. */
static bool
ex_contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (ascii_ncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* ex_guess_stage - the stage a Postfix-style bounce names; else rcpt. */
static enum smtp_stage
ex_guess_stage(const char *s, size_t n)
{
	if (ex_contains(s, n, "in reply to MAIL FROM"))
		return SMTPS_MAIL;
	if (ex_contains(s, n, "in reply to EHLO") ||
	    ex_contains(s, n, "in reply to HELO"))
		return SMTPS_EHLO;
	if (ex_contains(s, n, "in reply to STARTTLS"))
		return SMTPS_STARTTLS;
	if (ex_contains(s, n, "refused to talk to me"))
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

int
explain_main(int argc, char **argv, const char *lists_dir)
{
	struct smtp_phrases *ph = NULL;
	struct smtp_reply r;
	struct smtp_verdict v;
	struct diag d = { DIAG_OK, "" };
	struct buf in;
	enum smtp_stage st = SMTPS_LAST;
	bool json = false, opts = true;
	char path[PATH_LEN];
	int i, rc = 2, pr, nargs = 0;

	buf_init(&in, EXPLAIN_INPUT_MAX);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "--json") == 0) {
			json = true;
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
	if (nargs == 0 && ex_read_stdin(&in) == -1)
		goto done;

	pr = smtp_reply_parse_text(buf_str(&in), in.len, &r);
	if (pr < 0) {
		fprintf(stderr, "listscrub explain: no SMTP reply code (like "
		    "550 or 5.1.1) in the input\n");
		goto done;
	}
	if (st == SMTPS_LAST)
		st = ex_guess_stage(buf_str(&in), in.len);
	if (lists_dir != NULL) {
		if (snprintf(path, sizeof(path), "%s/smtp-phrases.tsv",
		    lists_dir) >= (int)sizeof(path)) {
			fprintf(stderr, "listscrub explain: lists directory "
			    "name too long\n");
			rc = 1;
			goto done;
		}
		if ((ph = smtp_phrases_load(path, &d)) == NULL) {
			fprintf(stderr, "listscrub explain: %s\n", d.msg);
			rc = 1;
			goto done;
		}
	}
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
