/*
 * explain - `listscrub explain [--json] [--stage=STAGE] [REPLY...]`: read
 * one SMTP reply or bounce line and say what it means for the address:
 * the code and enhanced code, the class (smtp_classify.h), who is at
 * fault (the recipient's address / your sending setup / a temporary
 * condition), what to do, and whether listscrub would remove the address.
 *
 * Input: the REPLY arguments joined with spaces (so an unquoted
 * `listscrub explain 550 5.1.1 User unknown` works), or, with none, the
 * standard input: a multi-line reply or a pasted bounce, up to 64 KiB.
 * The stage is --stage (connect, ehlo, starttls, mail, rcpt), or read from
 * a Postfix-style "(in reply to MAIL FROM command)" / "refused to talk to
 * me" in the input, else rcpt.
 * Output: plain text on stdout, or one JSON object with --json (keys
 * code, code_inferred, enhanced, text, stage, class, fault, permanent,
 * remove, matched, advice).
 * Bounce messages: with --dsn, or when standard input starts with a
 * header section (dsn_looks_like_message), the input (up to 16 MiB) is a
 * delivery status notification read by dsn_parse(); every recipient whose
 * Action is failed or delayed (or missing) is explained from its
 * Diagnostic-Code, else its Status: text blocks (recipient, action,
 * status, diagnostic, remote MTA, class, at fault, what to do, remove),
 * or with --json one object {"dsn":true, "recipients":[...],
 * "recipients_total", "not_failed", "truncated"}. At most 1000
 * recipients are read.
 * Exit: 0 explained; 2 usage error, no reply code in the input, or a
 * message that is no delivery status notification (message on stderr);
 * 1 the phrase table cannot be loaded.
 */
#ifndef LISTSCRUB_EXPLAIN_H
#define LISTSCRUB_EXPLAIN_H

/*
 * explain_main - run the subcommand; argv[0] is "explain". lists_dir
 * (borrowed) holds smtp-phrases.tsv; NULL classifies by codes only.
 * Returns the exit status.
 */
int explain_main(int argc, char **argv, const char *lists_dir);

#endif
