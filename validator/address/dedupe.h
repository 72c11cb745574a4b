/*
 * dedupe - first occurrence wins. The key is the local part with its
 * ASCII letters lower-cased plus the A-label domain of a normalized
 * address (validator/README, "Data between the stages"; the local part
 * is case-sensitive on the wire, RFC 5321 2.4, but lists differ in case
 * only by accident). Memory grows with unique addresses only.
 */
#ifndef LISTSCRUB_DEDUPE_H
#define LISTSCRUB_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

struct dedupe;

struct dedupe *dedupe_new(void);
/*
 * dedupe_reserve - room for n addresses in all (a list's expected size),
 * so that the table does not grow, and move, as the list is read.
 */
void dedupe_reserve(struct dedupe *d, size_t n);
/*
 * dedupe_see - record that row holds addr (len bytes, '@' at offset at).
 * Returns the row of the first occurrence: row itself when this is the
 * first, or when row was already recorded as first (a second pass).
 */
uint64_t dedupe_see(struct dedupe *d, const char *addr, size_t len, size_t at,
    uint64_t row);
/* dedupe_see_id - the same, and the address's dense id (0, 1, ...) in *id. */
uint64_t dedupe_see_id(struct dedupe *d, const char *addr, size_t len,
    size_t at, uint64_t row, uint32_t *id);
/*
 * dedupe_prefetch - a cell that is likely a plain address (ASCII, no
 * wrapping): its table slot, if the guess is right, starts loading now,
 * while the row is checked; on a table of a million addresses each
 * lookup is a cache miss. A hint only.
 */
void dedupe_prefetch(struct dedupe *d, const char *cell, size_t len);
/*
 * dedupe_find - the id of key (a dedupe key, as dedupe_key gives it) in
 * *id: 1, or 0 when it was never seen.
 */
int dedupe_find(const struct dedupe *d, const char *key, size_t len,
    uint32_t *id);
/* dedupe_key - the key of id (owned by the table), its length in *len. */
const char *dedupe_key(const struct dedupe *d, uint32_t id, size_t *len);
size_t dedupe_count(const struct dedupe *d);
size_t dedupe_bytes(const struct dedupe *d);
void dedupe_free(struct dedupe *d);

#endif
