#!/bin/sh
# checksrc.sh - banned functions and locale-dependent ctype in our C code
# (curl's checksrc idea, reduced to a grep). TAP output.
src=${srcdir:-.}
n=0; bad=0
for f in $(find "$src/validator" -name '*.[ch]' | sort); do
	n=$((n + 1))
	hits=$(grep -nE '\<(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|strncpy)[[:space:]]*\(|#include <ctype\.h>' "$f" |
	    grep -vE 'snprintf|vsnprintf')
	if [ -n "$hits" ]; then
		echo "not ok $n - ${f#"$src"/}: banned call"
		echo "$hits" | sed 's/^/# /'
		bad=1
	else
		echo "ok $n - ${f#"$src"/}"
	fi
done
echo "1..$n"
exit $bad
