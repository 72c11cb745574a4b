/*
 * t_email_column - header names that do and do not name the email column, the
 * preference between several, the content test, and content picking.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"

#include "csv/email_column.h"

static int header(const char *const *names, size_t n, int *others);
static void names(void);
static void preference(void);
static void looks(void);
static void content(void);
static void candidates(void);
static void refuse(void);

/* header - email_column_header over C strings. */
static int
header(const char *const *names, size_t n, int *others)
{
	size_t lens[16];

	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(names[i]);
	return email_column_header(names, lens, n, others);
}

/* names - one header name next to "Name": matched or not. */
static void
names(void)
{
	static const char *const yes[] = {
		"email", "Email", "EMAIL", "e-mail", "E-Mail", "e_mail",
		"emailaddress", "email_address", "Email Address",
		"E-mail Address", "mail", "Mail", "e-mail-adresse",
		"E-Mail-Adresse", "emailadresse", "adresse e-mail",
		"Adresse e-mail", "courriel", "Adresse courriel", "correo",
		"correo electr\xC3\xB3nico", "CORREO ELECTR\xC3\x93NICO",
		"correo electronico", "Direcci\xC3\xB3n de correo electr\xC3\xB3nico",
		"indirizzo email", "Indirizzo e-mail", "e-mailadres",
		"E-mailadres", "E-mail 1 - Value", "E-mail 2 - Value",
		"contact_email", "Contact Email", "work email", "Work E-mail",
		"Primary Email", "email 2", "Email Address 2", "E-post",
		"E-postadress", "Email ID", "Emails", " Email ", "Email:",
		"*Email", "\xC2\xA0" "Email", "\xEF\xBB\xBF" "email",
		"S\xC3\xA4hk\xC3\xB6posti", "Adresse \xC3\xA9lectronique",
		"\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB\xE3\x82\xA2\xE3\x83\x89"
		    "\xE3\x83\xAC\xE3\x82\xB9",
		"\xE7\x94\xB5\xE5\xAD\x90\xE9\x82\xAE\xE4\xBB\xB6",
		"Gesch\xC3\xA4" "ftlich E-Mail",
	};
	static const char *const no[] = {
		"Name", "Phone", "", "Mailing Address", "gmail", "Voicemail",
		"E-mail Display Name", "E-mail 1 - Type", "Email Opt-in",
		"email_verified", "Emailed", "Email Domain", "Address",
		"Company", "Mail Merge", "Hotmail", "e", "-", "Email Status",
		"emailemailemailemailemailemailemailemailemailemailemailemailemail",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		const char *h[2] = { "Name", yes[i] };
		int others = -1;

		ok(header(h, 2, &others) == 1 && others == 0,
		    "header '%s' names the email column", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		const char *h[2] = { "Name", no[i] };
		int others = -1;

		ok(header(h, 2, &others) == -1 && others == 0,
		    "header '%s' does not", no[i]);
	}
}

/* preference - the plainest name wins; others counts the rest. */
static void
preference(void)
{
	static const char *const a[] = { "Work Email", "Email", "E-mail Address" };
	static const char *const b[] = { "E-mail 1 - Value", "E-mail 2 - Value" };
	static const char *const c[] = { "Name", "contact_email", "Email Address" };
	static const char *const d[] = { "E-Mail", "email" };
	int others;

	is_int(header(a, 3, &others), 1, "plain 'Email' beats 'Work Email' and 'E-mail Address'");
	is_int(others, 2, "... and the two others are reported");
	is_int(header(b, 2, &others), 0, "Google Contacts: first 'E-mail N - Value'");
	is_int(others, 1, "... the second is reported");
	is_int(header(c, 3, &others), 2, "'Email Address' beats 'contact_email'");
	is_int(others, 1, "... one other");
	is_int(header(d, 2, &others), 0, "equal names: the leftmost");
	is_int(header(d, 2, NULL), 0, "others may be NULL");
}

/* looks - email_column_looks_like_email. */
static void
looks(void)
{
	static const struct {
		const char *s;
		bool want;
	} t[] = {
		{ "a@b.co", true }, { "  a@b.co \t", true },
		{ "first.last+tag@sub.example.org", true },
		{ "Joe <joe@x.com>", true }, { "\"Joe, X\" <joe@x.com>", true },
		{ "mailto:a@b.co", true }, { "a@b.co\r\n", true },
		{ "j\xC3\xB6rg@b\xC3\xBC" "cher.de", true },
		{ "a@b", false }, { "@b.co", false }, { "a@@b.co", false },
		{ "a@b@c.co", false }, { "a b@c.co", false },
		{ "a@b.c o", false }, { "a@.co", false }, { "a@b.", false },
		{ "a.b@c", false }, { "", false }, { "   ", false },
		{ "a\tb@c.co", false }, { "Joe <joe@x>", false },
		{ "name", false }, { "+44 20 7946 0958", false },
		{ "a@b.co\0", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = strlen(t[i].s) + (i == sizeof(t) / sizeof(t[0]) - 1);

		char shown[64];
		size_t k;

		/* No raw control bytes in a TAP line. */
		for (k = 0; t[i].s[k] && k + 1 < sizeof(shown); k++)
			shown[k] = (unsigned char)t[i].s[k] < 0x20 ? '?' :
			    t[i].s[k];
		shown[k] = '\0';
		ok(email_column_looks_like_email(t[i].s, n) == t[i].want,
		    "looks_like_email #%zu '%s': %s", i, shown,
		    t[i].want ? "yes" : "no");
	}
}

/* add - one row of C strings. */
static void
add(struct email_column *c, const char *a, const char *b, const char *d)
{
	const char *f[3] = { a, b, d };
	size_t l[3] = { strlen(a), strlen(b), strlen(d) };

	email_column_add(c, f, l, 3);
}

/* content - picking by the share of email-looking cells. */
static void
content(void)
{
	struct email_column *c = email_column_new();
	double share = -1;

	is_int(email_column_best(c, &share), -1, "content: nothing added, no column");
	ok(share == 0, "content: share 0");
	add(c, "Ann", "ann@x.com", "");
	add(c, "Bob", "", "see bob@x.com");
	add(c, "Cy", "cy@x.com", "cy@y.com");
	add(c, "Dee", "not an address", "");
	add(c, "Eve", "eve@x.com", "");
	is_int(email_column_best(c, &share), 1, "content: column 2 (3 of 4 filled cells)");
	ok(share > 0.74 && share < 0.76, "content: share 0.75 (%.2f)", share);
	email_column_free(c);

	c = email_column_new();
	add(c, "Ann", "ann@x.com", "x");
	add(c, "Bob", "no", "y");
	add(c, "Cy", "no", "z");
	is_int(email_column_best(c, &share), -1, "content: 1 of 3 is under half: none");
	email_column_free(c);

	c = email_column_new();
	add(c, "a@x.com", "b@x.com", "");
	add(c, "", "c@x.com", "");
	add(c, "", "d@x.com", "");
	is_int(email_column_best(c, NULL), 1, "content: the column with more addresses wins");
	email_column_free(c);

	c = email_column_new();
	add(c, "a@x.com", "b@x.com", "");
	add(c, "c@x.com", "d@x.com", "");
	add(c, "", "junk", "");
	is_int(email_column_best(c, NULL), 0, "content: equal counts: the higher share wins");
	email_column_free(c);

	c = email_column_new();
	add(c, "a@x.com", "b@x.com", "");
	{
		const char *f[1] = { "c@x.com" };
		size_t l[1] = { 7 };

		email_column_add(c, f, l, 1);	/* a short row */
	}
	add(c, "", "d@x.com", "");
	is_int(email_column_best(c, NULL), 0, "content: equal count and share: the leftmost");
	email_column_free(c);
	email_column_free(NULL);
	ok(1, "email_column_free(NULL)");
}

/* candidates - the address-like columns, best first, and why the first won. */
static void
candidates(void)
{
	struct email_column *c = email_column_new();
	int cols[3] = { -1, -1, -1 };

	is_int((int)email_column_candidates(c, cols, 3), 0,
	    "candidates: none before any row");
	add(c, "a@x.com", "b@x.com", "Ann");
	add(c, "c@x.com", "d@x.com", "Bob");
	add(c, "", "e@x.com", "Cy");
	is_int((int)email_column_candidates(c, cols, 3), 2,
	    "candidates: two address-like columns");
	is_int(cols[0], 1, "candidates: the best (more addresses) first");
	is_int(cols[1], 0, "candidates: then the other");
	is_int(cols[0], email_column_best(c, NULL),
	    "candidates: the first is email_column_best's choice");
	is_str(email_column_why(c, cols[0], cols[1]), "most address-like cells",
	    "why: most address-like cells");
	is_int((int)email_column_candidates(c, cols, 1), 2,
	    "candidates: the count beyond max");
	is_int(cols[0], 1, "candidates: max 1 keeps the best");
	email_column_free(c);

	c = email_column_new();
	add(c, "a@x.com", "b@x.com", "");
	add(c, "c@x.com", "d@x.com", "");
	add(c, "", "junk", "");
	email_column_candidates(c, cols, 3);
	is_str(email_column_why(c, cols[0], cols[1]),
	    "highest share of address-like cells", "why: the higher share");
	email_column_free(c);

	c = email_column_new();
	add(c, "a@x.com", "b@x.com", "");
	email_column_candidates(c, cols, 3);
	is_int(cols[0], 0, "candidates: equal: the leftmost first");
	is_str(email_column_why(c, cols[0], cols[1]), "leftmost of equals",
	    "why: the leftmost of equals");
	email_column_free(c);
}

/*
 * refuse - a named column with almost no address-like cells is refused;
 * a dirty one, an empty one and a short sample never are.
 */
static void
refuse(void)
{
	struct email_column *c = email_column_new();
	uint64_t filled, emails;
	char name[32], addr[32];

	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "Name%d", i);
		snprintf(addr, sizeof(addr), "u%d@x.com", i);
		add(c, name, addr, "");
	}
	ok(email_column_refuse(c, 0), "25 names, no address: refused");
	ok(!email_column_refuse(c, 1), "25 addresses: taken");
	ok(!email_column_refuse(c, 2), "an empty column: not refused");
	ok(!email_column_refuse(c, 7), "a column never seen: not refused");
	email_column_counts(c, 0, &filled, &emails);
	ok(filled == 25 && emails == 0, "counts: 25 cells, 0 addresses");
	email_column_free(c);

	/* 2 of 20 look like addresses (10%): dirty, not refused. */
	c = email_column_new();
	for (int i = 0; i < 20; i++)
		add(c, i < 2 ? "a@x.com" : "junk", "", "");
	ok(!email_column_refuse(c, 0), "2 of 20 address-like: dirty, taken");
	add(c, "junk", "", "");
	ok(email_column_refuse(c, 0), "2 of 21 address-like: refused");
	email_column_free(c);

	/* Bad addresses that still look like addresses count as such. */
	c = email_column_new();
	for (int i = 0; i < 20; i++)
		add(c, "a..b@x.com", "", "");
	ok(!email_column_refuse(c, 0), "20 bad but address-like: taken");
	email_column_free(c);

	/* Fewer than EMAIL_COLUMN_REFUSE_MIN non-empty cells: no judgement. */
	c = email_column_new();
	for (int i = 0; i < EMAIL_COLUMN_REFUSE_MIN - 1; i++)
		add(c, "junk", "", "");
	ok(!email_column_refuse(c, 0), "9 junk cells: too few to judge");
	add(c, "junk", "", "");
	ok(email_column_refuse(c, 0), "10 junk cells: refused");
	email_column_free(c);
}

int
main(void)
{
	names();
	preference();
	looks();
	content();
	candidates();
	refuse();
	return done_testing();
}
