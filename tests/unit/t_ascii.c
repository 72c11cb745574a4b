/*
 * t_ascii - ascii_lower, eight bytes a step, against the byte-at-a-time
 * rule: every byte value at every place of every length up to 40, so the
 * word steps, the tail and the bytes around 'A', 'Z' and 0x80 all meet.
 */
#include <stdio.h>
#include <string.h>

#include "util/ascii.h"
#include "tap.h"

/* lower_ref - what ascii_lower must give for one byte. */
static char
lower_ref(char c)
{
	unsigned char u = (unsigned char)c;

	return (char)(u >= 'A' && u <= 'Z' ? u + 32 : u);
}

int
main(void)
{
	char s[48], want[48];
	unsigned long bad = 0, tried = 0;

	for (size_t n = 0; n <= 40; n++)
		for (size_t at = 0; at < n || (n == 0 && at == 0); at++)
			for (int b = 0; b < 256; b++) {
				/* a mixed background: upper, lower, high bytes */
				for (size_t i = 0; i < sizeof(s); i++)
					s[i] = "Az@Z[`a{\xc3\x84\x80\xff"[i % 12];
				if (n > 0)
					s[at] = (char)b;
				for (size_t i = 0; i < sizeof(s); i++)
					want[i] = i < n ? lower_ref(s[i]) : s[i];
				ascii_lower(s, n);
				tried++;
				if (memcmp(s, want, sizeof(s)) != 0 && bad++ < 3)
					diag("length %zu, byte 0x%02x at %zu",
					    n, b, at);
			}
	ok(bad == 0, "ascii_lower: each of %lu strings as the byte rule "
	    "gives, nothing past the end touched", tried);
	strcpy(s, "MiXeD.Case@EXAMPLE.COM\xc3\x84Z");
	ascii_lower(s, strlen(s));
	is_str(s, "mixed.case@example.com\xc3\x84z",
	    "letters lowered, a UTF-8 letter (Ä) left as it is");
	return done_testing();
}
