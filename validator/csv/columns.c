#include "csv/columns.h"

#include <string.h>

#include "util/ascii.h"

static const char *const names[COL_LAST] = {
	"row", "email", "status", "sub_status", "action", "reason",
	"did_you_mean", "role", "disposable", "free", "checked", "checked_at",
	"duplicate_of", "mx", "catch_all", "smtp_code", "smtp_enhanced",
	"smtp_response", "tls", "previous_status", "changed", "provider",
};

static const enum column minimal[] = {
	COL_STATUS, COL_SUB_STATUS, COL_ACTION, COL_REASON,
};

static void columns_add(struct columns *c, enum column id);

const char *
columns_name(enum column c)
{
	return c < COL_LAST ? names[c] : "";
}

enum column
columns_lookup(const char *s, size_t len)
{
	for (int i = 0; i < COL_LAST; i++)
		if (strlen(names[i]) == len &&
		    ascii_ncasecmp(s, names[i], len) == 0)
			return (enum column)i;
	return COL_LAST;
}

/* columns_add - append id unless it is there already. */
static void
columns_add(struct columns *c, enum column id)
{
	if (columns_find(c, id) < 0)
		c->id[c->n++] = id;
}

long
columns_find(const struct columns *c, enum column id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return (long)i;
	return -1;
}

int
columns_parse(const char *spec, struct columns *c, struct diag *d)
{
	const char *p = spec ? spec : "";

	memset(c, 0, sizeof(*c));
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *w = p;
		enum column id;

		ascii_trim(&w, &len);
		if (len == 3 && ascii_ncasecmp(w, "all", 3) == 0) {
			c->all = true;
			for (int i = 0; i < COL_PREVIOUS_STATUS; i++)
				columns_add(c, (enum column)i);
			columns_add(c, COL_PROVIDER);
		} else if (len == 7 && ascii_ncasecmp(w, "minimal", 7) == 0) {
			for (size_t i = 0; i < sizeof(minimal) /
			    sizeof(minimal[0]); i++)
				columns_add(c, minimal[i]);
		} else if (len > 0) {
			if ((id = columns_lookup(w, len)) == COL_LAST) {
				diag_set(d, DIAG_USAGE, "--columns: unknown "
				    "column '%.*s'; give all, minimal or names "
				    "from: row, email, status, sub_status, "
				    "action, reason, did_you_mean, role, "
				    "disposable, free, checked, checked_at, "
				    "duplicate_of, mx, catch_all, smtp_code, "
				    "smtp_enhanced, smtp_response, tls, "
				    "previous_status, changed, provider",
				    (int)(len > 40 ? 40 : len), w);
				return -1;
			}
			columns_add(c, id);
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (c->n == 0 && !c->all) {
		/* nothing named: the default */
		return columns_parse("all", c, d);
	}
	return 0;
}

void
columns_finish(struct columns *c, bool changes)
{
	if (c->all && changes) {
		columns_add(c, COL_PREVIOUS_STATUS);
		columns_add(c, COL_CHANGED);
	}
}
