/*
 * smtp_reply - SMTP replies from the wire (RFC 5321 4.2): an incremental
 * parser that is fed bytes as they arrive and hands back complete
 * (possibly multi-line) replies, with the RFC 3463 enhanced status code
 * split off and a bounded, printable text.
 *
 * Wire rules: every line is "ddd-text" except the last, which is
 * "ddd text" or "ddd"; all lines of one reply carry the same code; lines
 * end in CRLF, and a bare LF is accepted too. The enhanced code is taken
 * by a strict scan right after "ddd[ -]" (class.subject.detail, subject
 * and detail 1-3 digits, then a space or the end of the line) and is kept
 * only when its class digit equals the first digit of the code (RFC 3463
 * 2; validator/README, "SMTP facts"); a mismatched one stays in the
 * text.
 *
 * Protocol errors (the parser returns -1 and stays failed until
 * smtp_reply_parser_reset): a line longer than SMTP_REPLY_LINE_MAX bytes
 * before its line end, a code that is not three digits 100-599, a fourth
 * character other than ' ', '-' or the line end, a continuation line that
 * changes the code, more than SMTP_REPLY_LINES_MAX lines in one reply.
 *
 * Owns: nothing on the heap; a parser is a plain struct (about 5 KiB).
 * Fails: only by returning -1; smtp_reply_error() says why.
 */
#ifndef LISTSCRUB_SMTP_REPLY_H
#define LISTSCRUB_SMTP_REPLY_H

#include <stddef.h>

#define SMTP_REPLY_TEXT_MAX	1024	/* text incl. NUL */
#define SMTP_REPLY_LINE_MAX	4096	/* bytes of one line, without CRLF */
#define SMTP_REPLY_LINES_MAX	200	/* lines in one reply */

struct smtp_reply {
	int code;		/* 100..599 */
	char enhanced[16];	/* "5.1.1", or "" when absent or mismatched */
	/*
	 * The lines' texts, each with its enhanced prefix removed and
	 * trimmed, joined with one space (empty texts skipped); CR, LF and
	 * other control bytes removed, TAB turned into a space; cut at a
	 * UTF-8 character boundary when longer than SMTP_REPLY_TEXT_MAX - 1
	 * bytes. Bytes >= 0x80 are kept as they came (not validated).
	 */
	char text[SMTP_REPLY_TEXT_MAX];
	int nlines;		/* lines the reply had on the wire (1-200) */
};

/* The parser state; treat the members as private. */
struct smtp_reply_parser {
	struct smtp_reply cur;	/* the reply being assembled */
	size_t textlen;		/* bytes used in cur.text */
	int textfull;		/* cur.text was cut: ignore further text */
	size_t linelen;		/* bytes in line[] */
	const char *error;	/* static text once failed, else NULL */
	char line[SMTP_REPLY_LINE_MAX + 2];	/* the line, maybe + CR */
};

/* smtp_reply_parser_init - a parser waiting for the first byte. */
void smtp_reply_parser_init(struct smtp_reply_parser *p);

/*
 * smtp_reply_parser_reset - forget any partial reply and a failure
 * (after STARTTLS, or on a new connection).
 */
void smtp_reply_parser_reset(struct smtp_reply_parser *p);

/*
 * smtp_reply_feed - consume bytes from buf (len bytes, any content).
 * Returns
 *    1  a reply completed: *out is filled and *used bytes were consumed
 *       (up to and including the last line's LF); call again with
 *       buf + *used for the rest, which may hold more (pipelined) replies;
 *    0  all len bytes consumed (*used == len), no reply completed yet;
 *   -1  protocol error: *used bytes were consumed up to the offending
 *       byte, *out is untouched, smtp_reply_error() says why, and every
 *       later call fails the same way until smtp_reply_parser_reset().
 * out may be written only when 1 is returned. used must not be NULL.
 */
int smtp_reply_feed(struct smtp_reply_parser *p, const char *buf,
    size_t len, size_t *used, struct smtp_reply *out);

/* smtp_reply_error - why the parser failed (static text), or NULL. */
const char *smtp_reply_error(const struct smtp_reply_parser *p);

/*
 * smtp_reply_parse_text - one reply from a string a person pasted (for
 * `listscrub explain` and tests); s need not be NUL-terminated.
 *  - When s (after leading white space) starts with a reply line, the
 *    lines are parsed as on the wire (CRLF or LF, the last line may lack
 *    its line end); the first complete reply is taken and anything after
 *    it is ignored ("(in reply to RCPT TO command)").
 *  - Otherwise (a bounce or log line), the first stand-alone [245]dd code
 *    (not part of a longer number, a dotted address or a word, followed
 *    by ' ', '-', a quote, ';', ',' or the end) is the code, an enhanced
 *    code right after it is taken as above, and the text is what follows,
 *    over all remaining lines, with repeats of "ddd-x.y.z" (flattened
 *    multi-line replies) removed; nlines counts the input lines from
 *    the code on (at most 200). Without such a code, the first
 *    stand-alone enhanced code [245].d{1,3}.d{1,3} gives the class and the
 *    code is inferred as 550 or 450 (250 for class 2).
 * Returns 0 (code found), 1 (code inferred from the enhanced code), or
 * -1 (no code at all; *out is zeroed).
 */
int smtp_reply_parse_text(const char *s, size_t len, struct smtp_reply *out);

#endif
