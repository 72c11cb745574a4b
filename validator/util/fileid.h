/*
 * fileid - which file a path names, so that two spellings of one file
 * are seen as one: "./list.csv" and "list.csv", a symbolic link and its
 * target, two hard links. Outputs are compared with the input and with
 * each other this way before anything is written (validator/README,
 * "Stages and passes"); a string comparison misses all of these.
 *
 * An existing path is known by the device and inode it resolves to
 * (stat, links followed) and also by the entry itself (its resolved
 * directory and its last name component), because a rename into place
 * replaces the entry, not the file a link points to. A path that does
 * not exist yet is known by the entry alone.
 * Fails (-1, DIAG_USAGE naming the path) when the path's directory
 * cannot be resolved (it does not exist, or is not searchable).
 */
#ifndef LISTSCRUB_FILEID_H
#define LISTSCRUB_FILEID_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/diag.h"

struct fileid {
	bool exists;		/* dev and ino are set */
	dev_t dev;
	ino_t ino;
	char *entry;		/* resolved directory + "/" + name (owned) */
};

/* fileid_get - the identity of path into *id (free with fileid_free). */
int fileid_get(const char *path, struct fileid *id, struct diag *d);

/* fileid_same - whether a and b name the same file or the same entry. */
bool fileid_same(const struct fileid *a, const struct fileid *b);

/* fileid_free - release what id owns; id may be zeroed or unused. */
void fileid_free(struct fileid *id);

#endif
