/*
 * t_addr - the per-cell address check against golden files
 * (tests/data/addr/cases.in/.ref, and allow_reserved.in/.ref run with
 * allow_reserved), plus direct tests of the options, the domain memo,
 * result reuse and the addr_idn paths the facade cannot reach.
 * Data is read from $srcdir/tests/data/addr/ (srcdir defaults to ".").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address/addr_check.h"
#include "address/addr_idn.h"
#include "address/addr_parse.h"
#include "util/buf.h"
#include "tap.h"
#include "util/xalloc.h"

struct golden {
	char **in;	/* raw .in lines (escapes not yet expanded) */
	char **ref;
	size_t n;
};

static const char *const flag_names[] = {
	"quoted", "ip_literal", "smtputf8", "unwrapped", "trimmed", "idn"
};

static int hexval(char c);
static int unescape(const char *s, struct buf *out);
static char **read_lines(const char *path, size_t *n);
static void flags_str(unsigned f, char *out, size_t size);
static int check_one(struct addr_checker *c, struct addr_result *r,
    const char *file, size_t lineno, const char *in, char *ref);
static void run_golden(const char *name, bool allow_reserved);
static void test_options(void);
static void test_memo(void);
static void test_reuse(void);
static void test_idn_direct(void);
static void test_names(void);
static void test_plain_parse(void);

/* hexval - value of a hex digit, -1 if c is not one. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * unescape - expand \\ \t \r \n \0 \xHH \E (nothing) and \{N*text}
 * (text N times). Returns -1 on a malformed escape.
 */
static int
unescape(const char *s, struct buf *out)
{
	buf_reset(out);
	while (*s) {
		if (*s != '\\') {
			buf_addc(out, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case '\\':
			buf_addc(out, '\\');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 'n':
			buf_addc(out, '\n');
			break;
		case '0':
			buf_addc(out, '\0');
			break;
		case 'E':
			break;
		case 'x': {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0)
				return -1;
			buf_addc(out, (char)(hi * 16 + lo));
			s += 2;
			break;
		}
		case '{': {
			char *end;
			unsigned long n = strtoul(s + 1, &end, 10);
			const char *close;

			if (*end != '*' || (close = strchr(end, '}')) == NULL)
				return -1;
			for (unsigned long i = 0; i < n; i++)
				buf_append(out, end + 1,
				    (size_t)(close - end - 1));
			s = close;
			break;
		}
		default:
			return -1;
		}
		s++;
	}
	return 0;
}

/* read_lines - the lines of path that are not blank or '#' comments. */
static char **
read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **v = NULL, line[8192];
	size_t cap = 0;

	*n = 0;
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = xstrdup(line);
	}
	fclose(f);
	return v;
}

/* flags_str - ADDR_F_* as comma-separated names, "-" for none. */
static void
flags_str(unsigned f, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]);
	    i++)
		if (f & (1u << i))
			len += (size_t)snprintf(out + len, size - len, "%s%s",
			    len ? "," : "", flag_names[i]);
	if (len == 0)
		snprintf(out, size, "-");
}

/*
 * check_one - run one cell (in an exact-size heap copy, so ASan sees any
 * over-read) and compare with its .ref line; an OK norm must also check
 * OK to itself. Returns 1 when everything matched.
 */
static int
check_one(struct addr_checker *c, struct addr_result *r, const char *file,
    size_t lineno, const char *in, char *ref)
{
	static struct buf cell, want;
	char got_flags[128];
	const char *f[4];
	char *copy, *p = ref;
	int good = 1, rc;

	if (cell.max == 0) {
		buf_init(&cell, 1 << 20);
		buf_init(&want, 1 << 20);
	}
	/* status, flags, norm, detail (optional: editors eat a last tab) */
	for (int i = 0; i < 4; i++) {
		f[i] = p ? p : "";
		if (p == NULL && i < 3)
			return ok(0, "%s #%zu %s: malformed .ref line", file,
			    lineno, in);
		if (p && (p = strchr(p, '\t')) != NULL)
			*p++ = '\0';
	}
	if (unescape(in, &cell) != 0 || unescape(f[2], &want) != 0)
		return ok(0, "%s #%zu %s: bad escape", file, lineno, in);

	copy = xmalloc(cell.len ? cell.len : 1);
	memcpy(copy, cell.data ? cell.data : "", cell.len);
	rc = addr_check(c, copy, cell.len, r);
	free(copy);
	flags_str(r->flags, got_flags, sizeof(got_flags));

	if (rc != 0 || strcmp(addr_status_name(r->status), f[0]) != 0) {
		diag("status: got %s (rc %d), want %s",
		    addr_status_name(r->status), rc, f[0]);
		good = 0;
	}
	if (strcmp(got_flags, f[1]) != 0) {
		diag("flags: got %s, want %s", got_flags, f[1]);
		good = 0;
	}
	if (r->norm.len != want.len ||
	    memcmp(buf_str(&r->norm), buf_str(&want), want.len) != 0) {
		diag("norm: got '%s' (%zu), want '%s' (%zu)",
		    buf_str(&r->norm), r->norm.len, buf_str(&want), want.len);
		good = 0;
	}
	if (r->status == ADDR_OK ? r->detail[0] != '\0' :
	    strcmp(r->detail, f[3]) != 0) {
		diag("detail: got '%s', want '%s'", r->detail, f[3]);
		good = 0;
	}
	if (r->status == ADDR_OK) {
		struct addr_result again;

		if (r->at >= r->norm.len || r->norm.data[r->at] != '@') {
			diag("at %zu does not point at the '@'", r->at);
			good = 0;
		}
		addr_result_init(&again);
		if (addr_check(c, r->norm.data, r->norm.len, &again) != 0 ||
		    again.status != ADDR_OK || again.norm.len != r->norm.len ||
		    memcmp(again.norm.data, r->norm.data, r->norm.len) != 0 ||
		    again.at != r->at) {
			diag("norm does not check OK to itself: %s %s",
			    addr_status_name(again.status),
			    buf_str(&again.norm));
			good = 0;
		}
		addr_result_free(&again);
	}
	return ok(good, "%s #%zu %s", file, lineno, in);
}

/* run_golden - every case of name.in against name.ref. */
static void
run_golden(const char *name, bool allow_reserved)
{
	const char *src = getenv("srcdir");
	char path[4096];
	struct golden g;
	size_t nref;
	struct addr_opts o = { .allow_reserved = allow_reserved };
	struct addr_checker *c = addr_checker_new(&o);
	struct addr_result r;

	snprintf(path, sizeof(path), "%s/tests/data/addr/%s.in",
	    src ? src : ".", name);
	g.in = read_lines(path, &g.n);
	snprintf(path, sizeof(path), "%s/tests/data/addr/%s.ref",
	    src ? src : ".", name);
	g.ref = read_lines(path, &nref);
	if (!ok(g.in != NULL && g.ref != NULL && g.n == nref && g.n > 0,
	    "%s: %zu cases, %zu results", name, g.n, nref))
		return;
	addr_result_init(&r);
	for (size_t i = 0; i < g.n; i++) {
		check_one(c, &r, name, i + 1, g.in[i], g.ref[i]);
		free(g.in[i]);
		free(g.ref[i]);
	}
	free(g.in);
	free(g.ref);
	addr_result_free(&r);
	addr_checker_free(c);
}

/* test_options - allow_reserved changes only the special-use verdict. */
static void
test_options(void)
{
	struct addr_opts strict = { .allow_reserved = false };
	struct addr_opts lax = { .allow_reserved = true };
	struct addr_checker *a = addr_checker_new(&strict);
	struct addr_checker *b = addr_checker_new(&lax);
	struct addr_result r;
	static const char cell[] = "Tester <QA@Mail.Example.ORG>";

	addr_result_init(&r);
	addr_check(a, cell, sizeof(cell) - 1, &r);
	is_int(r.status, ADDR_RESERVED, "default: example.org subdomain is "
	    "reserved");
	is_str(buf_str(&r.norm), cell, "reserved: norm is the typed cell");
	addr_check(b, cell, sizeof(cell) - 1, &r);
	is_int(r.status, ADDR_OK, "allow_reserved: accepted");
	is_str(buf_str(&r.norm), "QA@mail.example.org",
	    "allow_reserved: local part kept, domain lower-cased");
	is_int(r.flags, ADDR_F_UNWRAPPED, "allow_reserved: unwrapped flag");
	addr_check(b, "a@localhost", 11, &r);
	is_int(r.status, ADDR_BAD_SYNTAX, "allow_reserved still needs a dot");
	addr_result_free(&r);
	addr_checker_free(a);
	addr_checker_free(b);
}

/* test_memo - each distinct domain is judged once; case folds. */
static void
test_memo(void)
{
	struct addr_opts o = { .allow_reserved = false };
	struct addr_checker *c = addr_checker_new(&o);
	struct addr_result r;
	uint64_t lookups, misses;
	char cell[64];
	int bad = 0;

	addr_result_init(&r);
	addr_check(c, "a@shop.de", 9, &r);
	addr_check(c, "b@SHOP.de", 9, &r);
	addr_check(c, "c@Shop.DE", 9, &r);
	addr_checker_stats(c, &lookups, &misses);
	ok(lookups == 3 && misses == 1, "memo: 3 lookups, 1 miss (got %llu, "
	    "%llu)", (unsigned long long)lookups, (unsigned long long)misses);
	is_str(buf_str(&r.norm), "c@shop.de", "memo hit gives the A-label");
	is_int(addr_checker_domains(c), 1, "memo: one domain");

	addr_check(c, "x@bücher.de", strlen("x@bücher.de"), &r);
	addr_check(c, "y@BÜCHER.de", strlen("y@BÜCHER.de"), &r);
	is_str(buf_str(&r.norm), "y@xn--bcher-kva.de",
	    "memo: a second Unicode spelling converts too");
	ok(r.flags == ADDR_F_IDN, "memo hit keeps the idn flag");

	addr_check(c, "z@a..b", 6, &r);
	addr_check(c, "z@a..b", 6, &r);
	addr_checker_stats(c, &lookups, &misses);
	ok(r.status == ADDR_BAD_SYNTAX && misses == 4,
	    "memo: a bad domain is memoized too (misses %llu)",
	    (unsigned long long)misses);

	/* Growth: the memo and its A-label storage must stay valid. */
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(cell, sizeof(cell), "u@d%d-ü.example.net", i);

		addr_check(c, cell, (size_t)n, &r);
		if (r.status != ADDR_RESERVED)
			bad++;
		n = snprintf(cell, sizeof(cell), "u@d%d-ü.de", i);
		addr_check(c, cell, (size_t)n, &r);
		if (r.status != ADDR_OK)
			bad++;
	}
	is_int(bad, 0, "10000 new domains judged");
	addr_check(c, "x@bücher.de", strlen("x@bücher.de"), &r);
	is_str(buf_str(&r.norm), "x@xn--bcher-kva.de",
	    "an early A-label survives memo growth");
	addr_check(c, "u@D17-Ü.DE", strlen("u@D17-Ü.DE"), &r);
	is_str(buf_str(&r.norm), "u@xn--d17--3ra.de",
	    "a grown entry reads back (Unicode upper case maps)");
	addr_checker_stats(c, &lookups, &misses);
	ok(misses == 4 + 10000 + 1, "misses counted once per spelling "
	    "(got %llu)", (unsigned long long)misses);
	addr_result_free(&r);
	addr_checker_free(c);
}

/* test_reuse - one result serves many cells; nothing leaks across. */
static void
test_reuse(void)
{
	struct addr_opts o = { .allow_reserved = false };
	struct addr_checker *c = addr_checker_new(&o);
	struct addr_result r;

	addr_result_init(&r);
	addr_check(c, " \"a b\"@shop.de ", 15, &r);
	is_int(r.flags, ADDR_F_QUOTED_LOCAL | ADDR_F_TRIMMED,
	    "reuse: quoted and trimmed");
	is_int(r.at, 5, "reuse: at after the quoted local part");
	addr_check(c, "broken", 6, &r);
	is_int(r.status, ADDR_BAD_SYNTAX, "reuse: failure after success");
	is_int(r.flags, 0, "reuse: flags cleared");
	is_int(r.at, 0, "reuse: at cleared");
	addr_check(c, "", 0, &r);
	ok(r.status == ADDR_EMPTY && r.norm.len == 0, "reuse: empty cell");
	/* a prefetch of another cell in between changes nothing */
	addr_checker_prefetch(c, "Other@Elsewhere.DE", 18);
	addr_checker_prefetch(c, "no-at", 5);
	addr_checker_prefetch(c, "", 0);
	addr_check(c, "ok@shop.de", 10, &r);
	ok(r.status == ADDR_OK && r.detail[0] == '\0' && r.flags == 0,
	    "reuse: OK has no detail and no flags");
	is_str(buf_str(&r.norm), "ok@shop.de",
	    "reuse: a prefetch in between leaves the result alone");
	addr_check(c, NULL, 0, &r);
	is_int(r.status, ADDR_EMPTY, "NULL cell of length 0 is empty");
	addr_result_free(&r);
	addr_result_free(&r);
	addr_checker_free(c);
	addr_checker_free(NULL);
}

/* test_idn_direct - addr_idn paths addr_check filters out earlier. */
static void
test_idn_direct(void)
{
	struct addr_idn *t = addr_idn_new(false);
	struct addr_idn_result d;
	struct buf name;
	static const char zwj[] = "\xe2\x80\x8d.com";
	static const char zwnj[] = "a\xe2\x80\x8c" "b.com";

	buf_init(&name, 4096);
	addr_idn_domain(t, zwj, sizeof(zwj) - 1, &d);
	is_int(d.status, ADDR_IDN_BAD, "idn: lone ZWJ is CONTEXTJ");
	addr_idn_domain(t, zwnj, sizeof(zwnj) - 1, &d);
	is_int(d.status, ADDR_IDN_BAD, "idn: ZWNJ between Latin is CONTEXTJ");
	addr_idn_domain(t, "xn--.de", 7, &d);
	is_int(d.status, ADDR_IDN_SYNTAX, "idn: xn-- alone ends with '-'");
	addr_idn_domain(t, "a\0b.de", 6, &d);
	is_int(d.status, ADDR_IDN_SYNTAX, "idn: NUL refused before libidn2");
	addr_idn_domain(t, "", 0, &d);
	is_int(d.status, ADDR_IDN_SYNTAX, "idn: empty domain");

	/* 63.63.63.61 = 253 octets: fine alone; 254 is too long. */
	unescape("\\{63*a}.\\{63*b}.\\{63*c}.\\{61*d}", &name);
	addr_idn_domain(t, name.data, name.len, &d);
	ok(name.len == 253 && d.status == ADDR_IDN_OK && d.alabel_len == 253,
	    "idn: 253-octet domain is OK");
	buf_addc(&name, 'd');
	addr_idn_domain(t, name.data, name.len, &d);
	is_int(d.status, ADDR_IDN_TOO_LONG, "idn: 254-octet domain too long");
	/* 'a'*55+'ü' is a 63-octet A-label, so this is 253 after IDN. */
	unescape("\\{55*a}\xc3\xbc.\\{63*b}.\\{63*c}.\\{61*d}", &name);
	addr_idn_domain(t, name.data, name.len, &d);
	ok(d.status == ADDR_IDN_OK && d.alabel_len == 253 && d.converted,
	    "idn: 253 octets after IDN is OK");
	unescape("\\{55*a}\xc3\xbc.\\{63*b}.\\{63*c}.\\{62*d}", &name);
	addr_idn_domain(t, name.data, name.len, &d);
	is_int(d.status, ADDR_IDN_TOO_LONG, "idn: 254 octets after IDN");
	unescape("\\{1100*a}.de", &name);
	addr_idn_domain(t, name.data, name.len, &d);
	is_int(d.status, ADDR_IDN_TOO_LONG, "idn: huge input refused early");
	is_int(addr_idn_count(t), 8, "idn: memo holds each judged name once");

	/* ASCII host names skip libidn2; any xn-- label still goes to it. */
	addr_idn_domain(t, "shop.de", 7, &d);
	ok(d.status == ADDR_IDN_OK && !d.converted && d.alabel_len == 7 &&
	    memcmp(d.alabel, "shop.de", 7) == 0,
	    "idn: an ASCII name is its own A-label");
	addr_idn_domain(t, "mail.xn--zz.de", 14, &d);
	is_int(d.status, ADDR_IDN_BAD,
	    "idn: a bad xn-- label after the first is still judged");
	addr_idn_domain(t, "xn--a.de", 8, &d);
	is_int(d.status, ADDR_IDN_BAD, "idn: a bad first xn-- label too");
	addr_idn_domain(t, "shop.xn--mnchen-3ya.de", 22, &d);
	ok(d.status == ADDR_IDN_OK && d.alabel_len == 22 && !d.converted,
	    "idn: a good xn-- label passes");
	addr_idn_domain(t, "mail.shop.test", 14, &d);
	is_int(d.status, ADDR_IDN_RESERVED,
	    "idn: an ASCII name is still checked for reserved names");
	buf_free(&name);
	addr_idn_free(t);
	addr_idn_free(NULL);
}

/* test_names - the status vocabulary is part of the user contract. */
static void
test_names(void)
{
	static const char *const want[] = {
		"ok", "empty", "bad_syntax", "bad_idn", "too_long",
		"reserved_domain"
	};

	for (int s = 0; s < ADDR_STATUS_LAST; s++)
		is_str(addr_status_name((enum addr_status)s), want[s],
		    "status name %d", s);
	is_str(addr_status_name(ADDR_STATUS_LAST), "unknown",
	    "out-of-range status name");
}

/* same_parse - addr_parse and addr_parse_full agree on s, field by field. */
static bool
same_parse(const char *s, size_t len, struct buf *sa, struct buf *sb)
{
	struct addr_parsed a, b;
	int ra = addr_parse(s, len, sa, &a), rb = addr_parse_full(s, len, sb,
	    &b);

	if (ra != rb || a.detail != b.detail || a.flags != b.flags)
		return false;
	if (ra != 0)
		return true;
	return a.local_len == b.local_len &&
	    memcmp(a.local, b.local, a.local_len) == 0 &&
	    a.dom_off == b.dom_off && a.dom_len == b.dom_len &&
	    a.lit_len == b.lit_len && strcmp(a.lit, b.lit) == 0;
}

/*
 * test_plain_parse - addr_parse's shortcut for plain addresses gives
 * what the whole grammar gives: every string of up to 4 pieces from a
 * set of the bytes that decide (dots and '@' in every place, quotes,
 * brackets, controls, UTF-8, unsafe code points), and random longer
 * ones. (Checked to fail when the shortcut lets "..", a leading or
 * trailing dot, a second '@', a quote or a UTF-8 byte through.)
 */
static void
test_plain_parse(void)
{
	static const char *const piece[] = {
		"a", "Z9", ".", "@", "\"", "[", "]", "\\", " ", ",", ";", "(",
		"<", ">", ":", "\t", "\r\n", "\x7f", "\x01", "+x", "-", "_~",
		"{|}", "!#$%&'*/=?^`", "\xc3\xa9", "\xe2\x80\x8b", "\xc2\xa0",
		"\xff", "IPv6:", "1.2.3.4", "xn--", "b.c", "..", "@@",
	};
	const size_t np = sizeof(piece) / sizeof(piece[0]);
	struct buf sa, sb;
	char s[256];
	size_t bad = 0, total = 0;
	unsigned seed = 12345;

	buf_init(&sa, 512);
	buf_init(&sb, 512);
	for (size_t n = 0; n <= 4; n++) {
		size_t combos = 1;

		for (size_t k = 0; k < n; k++)
			combos *= np;
		for (size_t c = 0; c < combos; c++) {
			size_t len = 0, x = c;

			for (size_t k = 0; k < n; k++, x /= np) {
				size_t pl = strlen(piece[x % np]);

				memcpy(s + len, piece[x % np], pl);
				len += pl;
			}
			bad += !same_parse(s, len, &sa, &sb);
			total++;
		}
	}
	/* longer random strings, mostly of the bytes of a plain address */
	for (int t = 0; t < 200000; t++) {
		size_t len = 0, n;

		seed = seed * 1103515245u + 12345u;
		n = 2 + (seed >> 16) % 12;
		for (size_t k = 0; k < n; k++) {
			size_t i;

			seed = seed * 1103515245u + 12345u;
			i = (seed >> 16) % 8 < 5 ? (seed >> 20) % 2 :
			    (seed >> 20) % np;
			if (i == 0 && (seed & 1)) /* a dot or an @ as often */
				i = (seed & 2) ? 2 : 3;
			memcpy(s + len, piece[i], strlen(piece[i]));
			len += strlen(piece[i]);
		}
		bad += !same_parse(s, len, &sa, &sb);
		total++;
	}
	/* NUL bytes and the longest addresses */
	bad += !same_parse("a\0b@c.d", 7, &sa, &sb);
	bad += !same_parse("ab@c\0d", 7, &sa, &sb);
	memset(s, 'a', 250);
	s[64] = '@';
	bad += !same_parse(s, 250, &sa, &sb);
	total += 3;
	is_int(bad, 0, "the plain-address shortcut agrees with the grammar "
	    "on %zu strings", total);
	buf_free(&sa);
	buf_free(&sb);
}

int
main(void)
{
	run_golden("cases", false);
	run_golden("allow_reserved", true);
	test_options();
	test_memo();
	test_reuse();
	test_idn_direct();
	test_names();
	test_plain_parse();
	return done_testing();
}
