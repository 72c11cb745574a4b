/*
 * xalloc - allocation that never returns NULL.
 * Out of memory is the one failure we do not return (validator/README,
 * "Conventions"): the run prints a message and exits with EX_OSERR (71).
 */
#ifndef LISTSCRUB_XALLOC_H
#define LISTSCRUB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* xreallocarray - resize p to nmemb*size bytes, checking the product. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xmemdup - copy n bytes and add a NUL after them. */
char *xmemdup(const void *p, size_t n);

#endif
