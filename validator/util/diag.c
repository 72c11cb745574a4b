#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>

void
diag_set(struct diag *d, enum diag_code code, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	d->code = code;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}
