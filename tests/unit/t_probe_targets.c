/*
 * t_probe_targets - the texts the SMTP stage stores for a cell
 * (probe_targets_text): a server's reply text comes out as valid UTF-8
 * without controls or bidi characters, bounded, cut on a character.
 */
#include <string.h>

#include "probe/probe_targets.h"
#include "tap.h"
#include "util/utf8.h"
#include "verdict/classify.h"

/* valid - the whole of s is valid UTF-8 */
static int
valid(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);

		if (k == 0 || utf8_invisible(cp))
			return 0;
		i += k;
	}
	return 1;
}

int
main(void)
{
	struct probe_targets *p = probe_targets_new();
	char longtext[1000];
	const char *t;

	is_str(probe_targets_text(p, "User unknown"), "User unknown",
	    "plain text unchanged");
	t = probe_targets_text(p, "evil \xe2\x80\xae" "moc.elpmaxe");
	is_str(t, "evil moc.elpmaxe", "U+202E (right-to-left override) dropped");
	t = probe_targets_text(p, "bad \xff\xfe byte \xc3");
	ok(valid(t), "invalid bytes become valid UTF-8 (%s)", t);
	ok(strstr(t, "\xef\xbf\xbd") != NULL, "as U+FFFD");
	t = probe_targets_text(p, "a\x1b[31mred\x07\x7f\r");
	is_str(t, "a[31mred", "ESC, BEL, DEL, CR dropped");
	is_str(probe_targets_text(p, "=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")",
	    "formula-looking text is kept as text (the CSV writer guards it)");
	memset(longtext, 0, sizeof(longtext));
	for (size_t i = 0; i + 2 < sizeof(longtext) - 1; i += 2)
		memcpy(longtext + i, "\xc3\xa9", 2);
	t = probe_targets_text(p, longtext);
	ok(strlen(t) <= PROBE_TEXT_MAX, "bounded (%zu bytes)", strlen(t));
	ok(valid(t), "cut on a character boundary");
	ok(probe_targets_text(p, "User unknown") ==
	    probe_targets_text(p, "User unknown"), "equal texts share a copy");
	probe_targets_free(p);
	return done_testing();
}
