/*
 * cache_main - `listscrub cache [--cache FILE] COMMAND`: look after the
 * result store (validator/README, "The result store").
 *
 *   stats                   what the store holds, by class and age, and
 *                           how much has expired (--max-age applies)
 *   prune                   drop what has expired, then compact the file
 *   forget ADDRESS          drop one address (normalized as the store
 *                           keys it: IDN domain to its A-label, ASCII
 *                           lower-case)
 *   forget --domain DOMAIN  drop a domain and every address at it
 *   export FILE.csv         addresses to FILE.csv, domains to
 *                           FILE.domains.csv (mode 0600, formula guard)
 *
 * Output: plain text on stdout; errors as "listscrub cache: MESSAGE" on
 * stderr. Exit: 0 done, 1 the store or a file failed, 2 usage error.
 */
#ifndef LISTSCRUB_CACHE_MAIN_H
#define LISTSCRUB_CACHE_MAIN_H

/* cache_main - run the subcommand; argv[0] is "cache". The exit status. */
int cache_main(int argc, char **argv);

#endif
