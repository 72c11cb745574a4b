/*
 * t_strmap - interning: dense ids, lookups, binary keys, growth, room
 * made ahead.
 */
#include <stdio.h>
#include <string.h>

#include "util/strmap.h"
#include "tap.h"

int
main(void)
{
	struct strmap *m = strmap_new();
	bool ins;
	uint32_t id, a, b;
	char key[32];
	size_t len;
	int bad = 0;

	a = strmap_intern(m, "alice@example.com", 17, &ins);
	ok(ins && a == 0, "first key gets id 0");
	b = strmap_intern(m, "bob@example.com", 15, &ins);
	ok(ins && b == 1, "second key gets id 1");
	id = strmap_intern(m, "alice@example.com", 17, &ins);
	ok(!ins && id == a, "same key, same id, not inserted");
	ok(strmap_find(m, "bob@example.com", 15, &id) == 1 && id == b,
	    "find an existing key");
	ok(strmap_find(m, "bob@example.co", 14, &id) == 0,
	    "a prefix is a different key");
	a = strmap_intern(m, "x\0y", 3, &ins);
	ok(ins && strmap_find(m, "x\0z", 3, &id) == 0,
	    "keys may hold NUL bytes");
	is_str(strmap_key(m, b, &len), "bob@example.com", "key text");
	is_int(len, 15, "key length");
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "user%d@d%d.test", i, i % 97);
		if (strmap_intern(m, key, strlen(key), NULL) != (uint32_t)i + 3)
			bad++;
	}
	is_int(bad, 0, "100000 keys get dense ids in order");
	for (int i = 0; i < 100000; i += 7) {
		snprintf(key, sizeof(key), "user%d@d%d.test", i, i % 97);
		if (strmap_find(m, key, strlen(key), &id) != 1 ||
		    id != (uint32_t)i + 3)
			bad++;
	}
	is_int(bad, 0, "all found again after growth");
	/* a prefetch is a hint: a present or absent key, nothing changes */
	for (int i = 0; i < 100000; i += 7) {
		snprintf(key, sizeof(key), "user%d@d%d.test", i, i % 97);
		strmap_prefetch(m, key, strlen(key), false);
		strmap_prefetch(m, "absent@x.test", 13, true);
		if (strmap_find(m, key, strlen(key), &id) != 1 ||
		    id != (uint32_t)i + 3)
			bad++;
	}
	is_int(bad, 0, "prefetches change no lookup");
	is_int(strmap_count(m), 100003, "count");
	strmap_free(m);
	strmap_free(NULL);

	/* room made ahead: the keys there stay, the new ones come in order */
	m = strmap_new();
	(void)strmap_intern(m, "first@x.test", 12, NULL);
	strmap_reserve(m, 50000);
	strmap_reserve(m, 10);	/* less than there is room for: nothing */
	for (int i = 0; i < 60000; i++) {
		snprintf(key, sizeof(key), "r%d@x.test", i);
		if (strmap_intern(m, key, strlen(key), NULL) != (uint32_t)i + 1)
			bad++;
	}
	for (int i = 0; i < 60000; i++) {
		snprintf(key, sizeof(key), "r%d@x.test", i);
		if (strmap_find(m, key, strlen(key), &id) != 1 ||
		    id != (uint32_t)i + 1)
			bad++;
	}
	/* folded: the typed case finds the lower-cased key, a new key is
	 * kept lower-cased */
	{
		static const char *const typed[] = { "R12@X.TEST",
		    "r59999@X.Test", "FIRST@x.TEST" };
		static const uint32_t want[] = { 13, 60000, 0 };
		static const char up[] = "NEW.\xc3\x9c@Mixed.Case.Example";
		static const char low[] = "new.\xc3\xbc@mixed.case.example";
		size_t kl;

		ins = false;
		for (size_t i = 0; i < 3; i++)
			if (strmap_intern_folded(m, typed[i], strlen(typed[i]),
			    &ins) != want[i] || ins)
				bad++;
		id = strmap_intern_folded(m, up, sizeof(up) - 1, &ins);
		ok(bad == 0 && ins && id == 60001 &&
		    strcmp(strmap_key(m, id, &kl),
		    "new.\xc3\x9c@mixed.case.example") == 0 &&
		    kl == sizeof(up) - 1 &&
		    strmap_intern_folded(m, low, sizeof(low) - 1, &ins) ==
		    60002 && ins &&
		    strmap_find(m, "r12@x.tes", 9, &id) == 0,
		    "strmap_intern_folded: ASCII letters folded, other bytes "
		    "as they are; a new key kept lower-cased");
	}
	ok(bad == 0 && strmap_find(m, "first@x.test", 12, &id) == 1 &&
	    id == 0, "strmap_reserve: a key from before kept, 60000 more "
	    "(past the room made) with dense ids, all found");
	/* a folded find: as the lower-cased key, and nothing is added */
	ok(strmap_find_folded(m, "R12@X.TEST", 10, &id) == 1 && id == 13 &&
	    strmap_find_folded(m, "NEW.\xc3\x9c@MIXED.case.EXAMPLE", 25,
	    &id) == 1 && id == 60001 &&
	    strmap_find_folded(m, "NEW.\xc3\xbc@MIXED.case.EXAMPLE", 25,
	    &id) == 1 && id == 60002 &&
	    strmap_find_folded(m, "R12@X.TES", 9, &id) == 0 &&
	    strmap_find_folded(m, "", 0, &id) == 0 &&
	    strmap_count(m) == 60003,
	    "strmap_find_folded: ASCII letters folded, other bytes as they "
	    "are; absent keys not found, none added");
	strmap_free(m);
	return done_testing();
}
