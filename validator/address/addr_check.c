/*
 * addr_check - normalize, parse, judge the domain, apply the length limits
 * (see addr_check.h). Order of verdicts, first match wins: empty cell,
 * syntax, domain (syntax, IDN, length), local-part length, address
 * length, special-use domain.
 */
#include "address/addr_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address/addr_idn.h"
#include "address/addr_norm.h"
#include "address/addr_parse.h"
#include "util/utf8.h"
#include "util/xalloc.h"

struct addr_checker {
	struct addr_opts opts;
	struct addr_idn *idn;
	struct buf scratch;	/* addr_parse's rewritten local part */
};

static int check_fail(struct addr_result *r, enum addr_status s,
    const char *detail, const char *typed, size_t len);

/*
 * check_fail - a failed cell: status, sentence, and the typed text made
 * safe to print (no controls, bad UTF-8 or invisible characters), cut at
 * a character boundary to fit the 254-byte norm buffer. Returns 0.
 */
static int
check_fail(struct addr_result *r, enum addr_status s, const char *detail,
    const char *typed, size_t len)
{
	const unsigned char *u = (const unsigned char *)typed;
	size_t i = 0, n;

	r->status = s;
	r->detail = detail;
	r->flags &= ADDR_F_TRIMMED | ADDR_F_UNWRAPPED;
	r->at = 0;
	buf_reset(&r->norm);
	while (i < len) {
		uint32_t cp;
		int bad;

		if (u[i] < 0x80) {
			n = 1;
			bad = u[i] < 0x20 || u[i] == 0x7f;
		} else if ((n = utf8_decode(u + i, len - i, &cp)) == 0) {
			n = 1;
			bad = 1;
		} else {
			enum addr_parse_cp k = addr_parse_cpclass(cp);

			bad = k == ADDR_PARSE_CP_CONTROL ||
			    k == ADDR_PARSE_CP_INVISIBLE;
		}
		if (bad ? buf_addc(&r->norm, '?') : buf_append(&r->norm,
		    typed + i, n))
			break;	/* full: stop at a character boundary */
		i += n;
	}
	return 0;
}

struct addr_checker *
addr_checker_new(const struct addr_opts *o)
{
	struct addr_checker *c = xcalloc(1, sizeof(*c));

	c->opts = *o;
	c->idn = addr_idn_new(o->allow_reserved);
	/* Bounded by the cell: a quoted copy is at most 2 * len + 2. */
	buf_init(&c->scratch, SIZE_MAX / 4);
	return c;
}

void
addr_result_init(struct addr_result *r)
{
	r->status = ADDR_EMPTY;
	r->flags = 0;
	r->detail = "";
	buf_init(&r->norm, ADDR_ADDRESS_MAX);
	r->at = 0;
}

void
addr_result_free(struct addr_result *r)
{
	buf_free(&r->norm);
}

int
addr_check(struct addr_checker *c, const char *cell, size_t len,
    struct addr_result *r)
{
	struct addr_norm n;
	struct addr_parsed p;
	struct addr_idn_result d;
	const char *typed, *s, *dom;
	size_t dlen;
	uint32_t domain_id = UINT32_MAX;
	bool reserved = false;

	addr_norm(cell, len, &n);
	typed = cell + n.trim_off;
	s = cell + n.off;
	r->flags = 0;
	if (n.flags & ADDR_NORM_TRIMMED)
		r->flags |= ADDR_F_TRIMMED;
	if (n.flags & ADDR_NORM_UNWRAPPED)
		r->flags |= ADDR_F_UNWRAPPED;
	if (n.trim_len == 0) {
		r->status = ADDR_EMPTY;
		r->detail = "The cell is empty.";
		r->at = 0;
		buf_reset(&r->norm);
		return 0;
	}
	if (n.len == 0)
		return check_fail(r, ADDR_BAD_SYNTAX, "There is no address "
		    "inside the < > or after mailto:.", typed, n.trim_len);
	if (addr_parse(s, n.len, &c->scratch, &p) != 0)
		return check_fail(r, ADDR_BAD_SYNTAX, p.detail, typed,
		    n.trim_len);

	if (p.flags & ADDR_PARSE_LITERAL) {
		dom = p.lit;
		dlen = p.lit_len;
		r->flags |= ADDR_F_IP_LITERAL;
	} else {
		if (addr_idn_domain(c->idn, s + p.dom_off, p.dom_len,
		    &d) != 0) {
			check_fail(r, ADDR_BAD_IDN, d.detail, typed,
			    n.trim_len);
			return -1;
		}
		switch (d.status) {
		case ADDR_IDN_OK:
			break;
		case ADDR_IDN_RESERVED:
			reserved = true;
			break;
		case ADDR_IDN_SYNTAX:
			return check_fail(r, ADDR_BAD_SYNTAX, d.detail, typed,
			    n.trim_len);
		case ADDR_IDN_BAD:
			return check_fail(r, ADDR_BAD_IDN, d.detail, typed,
			    n.trim_len);
		case ADDR_IDN_TOO_LONG:
			return check_fail(r, ADDR_TOO_LONG, d.detail, typed,
			    n.trim_len);
		}
		dom = d.alabel;
		dlen = d.alabel_len;
		domain_id = d.memo_id;
		if (d.converted)
			r->flags |= ADDR_F_IDN;
	}
	if (p.local_len > ADDR_LOCAL_MAX)
		return check_fail(r, ADDR_TOO_LONG, "The part before the @ is "
		    "longer than the 64-byte limit.", typed, n.trim_len);
	if (p.local_len + 1 + dlen > ADDR_ADDRESS_MAX)
		return check_fail(r, ADDR_TOO_LONG, "The address is longer "
		    "than the 254-byte limit.", typed, n.trim_len);
	if (reserved)
		return check_fail(r, ADDR_RESERVED, d.detail, typed,
		    n.trim_len);

	if (p.flags & ADDR_PARSE_QUOTED)
		r->flags |= ADDR_F_QUOTED_LOCAL;
	if (p.flags & ADDR_PARSE_UTF8)
		r->flags |= ADDR_F_SMTPUTF8;
	r->status = ADDR_OK;
	r->detail = "";
	r->at = p.local_len;
	r->domain_id = domain_id;
	buf_reset(&r->norm);
	/* Fits: the 254-byte total was checked above. */
	buf_append(&r->norm, p.local, p.local_len);
	buf_addc(&r->norm, '@');
	buf_append(&r->norm, dom, dlen);
	return 0;
}

void
addr_checker_prefetch(struct addr_checker *c, const char *cell, size_t len)
{
	const char *at = len > 0 ? memrchr(cell, '@', len) : NULL;

	if (at != NULL)
		addr_idn_prefetch(c->idn, at + 1,
		    len - (size_t)(at + 1 - cell));
}

size_t
addr_checker_domains(const struct addr_checker *c)
{
	return addr_idn_count(c->idn);
}

void
addr_checker_stats(const struct addr_checker *c, uint64_t *lookups,
    uint64_t *misses)
{
	addr_idn_stats(c->idn, lookups, misses);
}

void
addr_checker_free(struct addr_checker *c)
{
	if (c == NULL)
		return;
	addr_idn_free(c->idn);
	buf_free(&c->scratch);
	free(c);
}

const char *
addr_status_name(enum addr_status s)
{
	static const char *const names[ADDR_STATUS_LAST] = {
		[ADDR_OK] = "ok",
		[ADDR_EMPTY] = "empty",
		[ADDR_BAD_SYNTAX] = "bad_syntax",
		[ADDR_BAD_IDN] = "bad_idn",
		[ADDR_TOO_LONG] = "too_long",
		[ADDR_RESERVED] = "reserved_domain",
	};

	if ((unsigned)s >= ADDR_STATUS_LAST)
		return "unknown";
	return names[s];
}
