/*
 * email_column - which column of a list holds the email addresses: by header
 * name first, then by content (validator/README, "CSV facts").
 *
 * Header names are compared after normalizing: ASCII letters lower-cased,
 * Latin-1 accents folded (é -> e), and everything that is not a letter or
 * digit dropped (spaces, - _ . : * and so on). A name matches when it is
 * an email word (email, mail, courriel, correo, e-post, ...) plus only
 * words from two lists: address words (address, adresse, adres, id,
 * electronico, ...) and qualifiers (work, contact, primary, digits,
 * value, ...), or is one of a few whole names (メールアドレス, 电子邮件).
 * "E-mail Display Name", "E-mail 1 - Type", "Mailing Address" and "gmail"
 * do not match.
 * Owns: struct email_column, per-column counters (bounded: at most
 * EMAIL_COLUMN_MAX_COLUMNS columns are watched). Nothing here fails.
 */
#ifndef LISTSCRUB_EMAIL_COLUMN_H
#define LISTSCRUB_EMAIL_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMAIL_COLUMN_MAX_COLUMNS 4096

/*
 * email_column_header - index of the header field that names an email column,
 * or -1. The plainest name wins: "email" (any case and punctuation:
 * E-Mail, e_mail) over an email word with address words only ("Email
 * Address", "adresse e-mail", "Correo electrónico", "courriel", "mail")
 * over one with qualifiers ("Work Email", "contact_email", "E-mail 1 -
 * Value"); among equals, the leftmost. *others (if not NULL) gets the
 * number of other fields that also match.
 */
int email_column_header(const char *const *fields, const size_t *lens, size_t n,
    int *others);

/*
 * email_column_looks_like_email - cheap content test, after trimming ASCII
 * white space: exactly one '@' with something before it, a '.' after it
 * with at least one byte on each side, and no white space or control
 * byte inside. A display-name form "Name <a@b.c>" is judged on the part
 * in angle brackets.
 */
bool email_column_looks_like_email(const char *s, size_t n);

struct email_column;

/* email_column_new - empty content counters. */
struct email_column *email_column_new(void);

/*
 * email_column_add - count one row: per column, non-empty cells and cells
 * that email_column_looks_like_email(). Fields are borrowed for the call.
 */
void email_column_add(struct email_column *c, const char *const *fields,
    const size_t *lens, size_t n);

/*
 * email_column_best - the column where at least half of the non-empty cells
 * look like email, or -1. Among several, the one with the most such
 * cells, then the higher share, then the leftmost. *share (if not NULL)
 * gets that column's share, 0 when none.
 */
int email_column_best(const struct email_column *c, double *share);

/*
 * email_column_candidates - the columns where at least half of the
 * non-empty cells look like email (those email_column_best chooses
 * among), best first in email_column_best's order; up to max of them into
 * cols. Returns how many there are (may be more than max).
 */
size_t email_column_candidates(const struct email_column *c, int *cols,
    size_t max);

/*
 * email_column_counts - for column col: non-empty cells counted and, of
 * them, cells that look like email (0 and 0 for a column never seen).
 */
void email_column_counts(const struct email_column *c, size_t col,
    uint64_t *filled, uint64_t *emails);

/* Fewer address-like cells than 1 in this many: not an email column. */
#define EMAIL_COLUMN_REFUSE_RATIO 10
/* ... judged only on at least this many non-empty cells. */
#define EMAIL_COLUMN_REFUSE_MIN 10

/*
 * email_column_refuse - whether column col, chosen by option or header
 * name, plainly holds no addresses: at least EMAIL_COLUMN_REFUSE_MIN
 * non-empty cells counted, and fewer than 1 in EMAIL_COLUMN_REFUSE_RATIO
 * of them look like email (validator/README, "CSV facts"). A dirty column
 * (many bad addresses, but addresses) is never refused, nor an empty one.
 */
bool email_column_refuse(const struct email_column *c, size_t col);

/*
 * email_column_why - why candidate cols[0] beat cols[1] (as ordered by
 * email_column_candidates): "most address-like cells", "highest share of
 * address-like cells" or "leftmost of equals". A static string.
 */
const char *email_column_why(const struct email_column *c, int first,
    int second);

struct csvrow;
struct diag;

/*
 * email_column_label - "N 'name'" for column col (N 1-based, the name from
 * the header row h, cut at 40 bytes), or "N" when h is NULL or has no
 * such field, into buf (n bytes).
 */
void email_column_label(const struct csvrow *h, size_t col, char *buf,
    size_t n);

/*
 * email_column_refusal - fill d (exit status 2: DIAG_USAGE for a column
 * given by --column, DIAG_INPUT for one chosen by its header name) with
 * why column col holds no addresses: the input's name, the column by
 * number and header name (h, or NULL without a header), its counts over
 * the rows data rows read ahead, and the columns that do hold addresses
 * (email_column_candidates, up to 4).
 */
void email_column_refusal(const struct email_column *c, size_t col,
    bool by_name, const char *input, size_t rows, const struct csvrow *h,
    struct diag *d);

/* email_column_free - NULL ok. */
void email_column_free(struct email_column *c);

#endif
