/*
 * strmap - string interning table: each distinct byte string gets a dense
 * id 0, 1, 2, ... in insertion order. Callers keep per-id state in their
 * own parallel arrays, which keeps memory per unique key small.
 * Keys are copied into chunked storage owned by the map; key pointers stay
 * valid until strmap_free().
 */
#ifndef LISTSCRUB_STRMAP_H
#define LISTSCRUB_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap;

struct strmap *strmap_new(void);
/*
 * strmap_intern - the id of key (len bytes, may hold NULs); inserts it if
 * absent. *inserted (may be NULL) tells which happened.
 */
uint32_t strmap_intern(struct strmap *m, const char *key, size_t len,
    bool *inserted);
/*
 * strmap_reserve - room for count keys in all, so that inserting up to
 * that many neither rehashes nor moves the entries.
 */
void strmap_reserve(struct strmap *m, size_t count);
/*
 * strmap_prefetch - start loading the slot where key's probe begins, so
 * that a lookup of key a little later finds it in the cache. A hint
 * only: nothing changes, and a key never looked up costs only the load.
 * With fold: the slot of key lower-cased (ASCII letters), read as it is.
 */
void strmap_prefetch(const struct strmap *m, const char *key, size_t len,
    bool fold);
/*
 * strmap_intern_folded - strmap_intern of key lower-cased (ASCII
 * letters), folded as it is read: a copy only when it is new, kept
 * lower-cased. A key put in by strmap_intern with an upper-case letter
 * is never found this way.
 */
uint32_t strmap_intern_folded(struct strmap *m, const char *key, size_t len,
    bool *inserted);
/* strmap_find - 1 and *id if key is present, else 0. */
int strmap_find(const struct strmap *m, const char *key, size_t len,
    uint32_t *id);
/*
 * strmap_find_folded - strmap_find of key lower-cased (ASCII letters),
 * folded as it is read; finds what was put in lower-cased.
 */
int strmap_find_folded(const struct strmap *m, const char *key, size_t len,
    uint32_t *id);
/* strmap_key - the stored key of id (NUL-terminated), its length in *len. */
const char *strmap_key(const struct strmap *m, uint32_t id, size_t *len);
size_t strmap_count(const struct strmap *m);
/* strmap_bytes - memory held, for the report and benchmarks. */
size_t strmap_bytes(const struct strmap *m);
void strmap_free(struct strmap *m);

#endif
