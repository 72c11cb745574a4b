/*
 * t_explain - `listscrub explain` through explain_main(), with stdout
 * and stdin redirected to temporary files: arguments joined, stdin with a
 * multi-line reply, --json, --stage and the stage read from a Postfix
 * bounce, the exit statuses of usage errors and unparseable input.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verdict/explain.h"
#include "tap.h"

static char lists[4096];
static char out[65536];

/* run - explain_main(argv) with stdin from in (NULL: none); stdout in out. */
static int
run(const char *in, int argc, const char **argv)
{
	FILE *o = tmpfile(), *i = NULL;
	int saved_out, saved_in = -1, rc;
	size_t n;

	fflush(stdout);
	saved_out = dup(1);
	dup2(fileno(o), 1);
	if (in != NULL) {
		i = tmpfile();
		fputs(in, i);
		rewind(i);
		saved_in = dup(0);
		dup2(fileno(i), 0);
		clearerr(stdin);
	}
	rc = explain_main(argc, (char **)argv, lists);
	fflush(stdout);
	dup2(saved_out, 1);
	close(saved_out);
	if (i != NULL) {
		dup2(saved_in, 0);
		close(saved_in);
		fclose(i);
		clearerr(stdin);
	}
	rewind(o);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = '\0';
	fclose(o);
	return rc;
}

int
main(void)
{
	const char *src = getenv("srcdir");
	int rc;

	snprintf(lists, sizeof(lists), "%s/lists", src ? src : ".");

	{
		const char *a[] = { "explain", "550", "5.1.1", "User", "unknown" };

		rc = run(NULL, 5, a);
		is_int(rc, 0, "unquoted arguments: exit 0");
		ok(strstr(out, "class:      mailbox_not_found\n") != NULL &&
		    strstr(out, "enhanced:   5.1.1\n") != NULL &&
		    strstr(out, "at fault:   the recipient's address") != NULL &&
		    strstr(out, "remove:     yes") != NULL &&
		    strstr(out, "Remove the address") != NULL,
		    "plain text: class, fault, advice, remove");
	}
	{
		const char *a[] = { "explain", "--json" };

		rc = run("550-5.7.26 This mail has been blocked because the "
		    "sender is\r\n550 5.7.26 unauthenticated. DMARC \"policy\"\r\n",
		    2, a);
		is_int(rc, 0, "stdin, multi-line, --json: exit 0");
		ok(strstr(out, "\"code\":550") != NULL &&
		    strstr(out, "\"class\":\"policy_blocked\"") != NULL &&
		    strstr(out, "\"fault\":\"sender\"") != NULL &&
		    strstr(out, "\"remove\":false") != NULL &&
		    strstr(out, "DMARC \\\"policy\\\"") != NULL &&
		    strstr(out, "SPF, DKIM and DMARC") != NULL,
		    "JSON object with escaped text and the advice");
		if (strstr(out, "\"class\":\"policy_blocked\"") == NULL)
			diag("%s", out);
	}
	{
		const char *a[] = { "explain", "host mx.example[192.0.2.1] said: "
		    "550 5.1.1 <b@example.com>: User unknown (in reply to MAIL "
		    "FROM command)" };

		rc = run(NULL, 2, a);
		ok(rc == 0 && strstr(out, "stage:      mail") != NULL &&
		    strstr(out, "class:      sender_rejected") != NULL,
		    "stage read from '(in reply to MAIL FROM command)'");
	}
	{
		const char *a[] = { "explain", "--stage=connect", "554 no" };

		rc = run(NULL, 3, a);
		ok(rc == 0 && strstr(out, "class:      policy_blocked") != NULL,
		    "--stage=connect");
	}
	{
		const char *a[] = { "explain", "--json", "452 4.2.2 over quota" };

		rc = run(NULL, 3, a);
		ok(rc == 0 && strstr(out, "\"class\":\"mailbox_full\"") != NULL &&
		    strstr(out, "\"permanent\":false") != NULL,
		    "452 4.2.2: mailbox_full, not permanent");
	}
	{
		const char *a[] = { "explain", "Diagnostic-Code: smtp; 5.1.1" };

		rc = run(NULL, 2, a);
		ok(rc == 0 && strstr(out, "550, inferred") != NULL,
		    "code inferred from the enhanced code");
	}
	{
		const char *a[] = { "explain", "--bogus" };

		is_int(run(NULL, 2, a), 2, "unknown option: exit 2");
	}
	{
		const char *a[] = { "explain", "--stage=data", "550 x" };

		is_int(run(NULL, 3, a), 2, "unknown stage: exit 2");
	}
	{
		const char *a[] = { "explain", "hello", "world" };

		is_int(run(NULL, 3, a), 2, "no code in the input: exit 2");
	}
	{
		const char *a[] = { "explain" };

		is_int(run("", 1, a), 2, "empty stdin: exit 2");
	}
	{
		const char *a[] = { "explain", "--help" };

		ok(run(NULL, 2, a) == 0 && strstr(out, "usage:") != NULL,
		    "--help: usage, exit 0");
	}
	return done_testing();
}
