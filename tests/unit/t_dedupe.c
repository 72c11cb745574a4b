/*
 * t_dedupe - the dedupe key (address/dedupe.h): the local part's ASCII
 * letters folded (eight bytes a step and the tail), the domain kept as it
 * was given (an IPv6 literal's tag, a capital from a caller), UTF-8 as
 * it is; the first row wins, a second pass gives a first row itself.
 */
#include <stdio.h>
#include <string.h>

#include "address/dedupe.h"
#include "tap.h"

/* see - dedupe_see_id of a NUL-terminated address; its key into key. */
static uint64_t
see(struct dedupe *d, const char *a, uint64_t row, uint32_t *id,
    char *key, size_t keysize)
{
	const char *at = strrchr(a, '@');
	uint64_t first = dedupe_see_id(d, a, strlen(a),
	    at ? (size_t)(at - a) : strlen(a), row, id);
	size_t len;
	const char *k = dedupe_key(d, *id, &len);

	snprintf(key, keysize, "%.*s", (int)len, k);
	return first;
}

int
main(void)
{
	static const struct {
		const char *addr;
		uint64_t first;		/* the row dedupe_see_id gives */
		const char *key;
	} t[] = {
		{ "Info@example.com", 1, "info@example.com" },
		{ "info@example.com", 1, "info@example.com" },
		{ "INFO@example.com", 1, "info@example.com" },
		/* a literal keeps its tag's capitals; its local part folds */
		{ "User@[IPv6:2001:db8::1]", 4, "user@[IPv6:2001:db8::1]" },
		{ "user@[IPv6:2001:db8::1]", 4, "user@[IPv6:2001:db8::1]" },
		/* a capital in the domain (not from addr_check): kept */
		{ "a@Example.COM", 6, "a@Example.COM" },
		{ "A@Example.COM", 6, "a@Example.COM" },
		{ "a@example.com", 8, "a@example.com" },
		/* a long local part: the folding goes eight bytes a step */
		{ "First.Middle.LAST.x@sub.example.org", 9,
		    "first.middle.last.x@sub.example.org" },
		{ "first.middle.last.X@sub.example.org", 9,
		    "first.middle.last.x@sub.example.org" },
		/* UTF-8 stays as it is; only ASCII folds */
		{ "J\xc3\x9cRGEN@example.de", 11, "j\xc3\x9crgen@example.de" },
		{ "j\xc3\xbcrgen@example.de", 12, "j\xc3\xbcrgen@example.de" },
		/* a domain of more than eight bytes with a capital at the end */
		{ "b@abcdefghijklmnoP.example", 13, "b@abcdefghijklmnoP.example" },
		{ "b@abcdefghijklmnop.example", 14, "b@abcdefghijklmnop.example" },
	};
	struct dedupe *d = dedupe_new();
	char key[300];
	uint32_t id, id2;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t first = see(d, t[i].addr, i + 1, &id, key,
		    sizeof(key));

		is_int((long)first, (long)t[i].first, "%s: first seen at row "
		    "%lu", t[i].addr, (unsigned long)t[i].first);
		is_str(key, t[i].key, "%s: key", t[i].addr);
	}
	is_int((long)dedupe_count(d), 9, "9 distinct keys");
	/* found again by its key; a second pass gives a first row itself */
	ok(dedupe_find(d, "info@example.com", 16, &id) == 1 &&
	    see(d, "iNfO@example.com", 1, &id2, key, sizeof(key)) == 1 &&
	    id2 == id, "a key is found, and its first row is its own");
	ok(dedupe_find(d, "Info@example.com", 16, &id) == 0,
	    "dedupe_find takes a key as it is, not folded");
	dedupe_free(d);
	return done_testing();
}
