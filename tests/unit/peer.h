/*
 * peer - the scripted SMTP peer's parts shared by the tests that play
 * hostile servers (t_session_peer: one session; t_probe_sched: the whole
 * scheduler): line I/O with the client that checks every command (never
 * DATA, VRFY or EXPN, no control byte or bare LF, RCPT only for addresses
 * the test allows), a transcript through a pipe, the script parsing
 * helpers, a loopback listener and the child's reaping. Test code only.
 */
#ifndef LISTSCRUB_TEST_PEER_H
#define LISTSCRUB_TEST_PEER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define PEER_WAIT_MS 5000	/* accept, each expect, the tail's idle */
#define PEER_LOGMAX 16384	/* a child's transcript, through a pipe */

struct peer {
	int fd;
	char in[8192];
	size_t inlen;
	char out[65536];
	size_t outlen;
	int logfd;
	size_t logged;
	bool failed;
	/* may the client send RCPT TO:<addr>? NULL: any */
	bool (*rcpt_ok)(void *arg, const char *addr);
	void *arg;
};

/* peer_log - one transcript line (capped at PEER_LOGMAX in all) */
void peer_log(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* peer_fail - the client broke a rule or the script: noted, and failed */
void peer_fail(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* peer_decode - TEXT with \r \n \t \\ \xHH into out; -1 on a bad escape */
int peer_decode(const char *s, char *out, size_t room, size_t *len);
/* peer_word - split off the first blank-separated word of *p */
const char *peer_word(char **p);
/* peer_num - a decimal number, -1 when s is not one */
long peer_num(const char *s);
/* peer_flush - write the queued bytes in one write */
void peer_flush(struct peer *p);
/* peer_queue - add bytes to the next write */
void peer_queue(struct peer *p, const char *b, size_t n);
/* peer_prefix - s starts with pre, ASCII case-insensitive */
bool peer_prefix(const char *s, const char *pre);
/* peer_rcpt_addr - the address of a "RCPT TO:<a>..." line, or NULL */
const char *peer_rcpt_addr(const char *line, char *out, size_t room);
/*
 * peer_line - read one CRLF-terminated command within ms and check it:
 * 1 (line set, CRLF removed), 0 EOF or reset, -1 timeout or a bad line.
 */
int peer_line(struct peer *p, char *line, size_t room, int ms);
/* peer_listen - a listener on sin (127.0.0.0/8 only; port 0: any, written
 * back); the fd or -1 */
int peer_listen(struct sockaddr_in *sin);
/* peer_listen6 - the same on sin6 (::1 only) */
int peer_listen6(struct sockaddr_in6 *sin6);
/* peer_wait - a child's exit status within ms, else it is killed: -1 */
int peer_wait(pid_t pid, int ms);
/* peer_show_log - a transcript read from fd, as TAP diagnostics */
void peer_show_log(int fd);

/*
 * peer_script_line - the next line of a script file that is neither
 * blank nor a '#' comment, its line end cut and leading blanks skipped
 * (a pointer into line); NULL at the end. *lineno counts every line read.
 */
char *peer_script_line(FILE *f, char *line, size_t room, unsigned *lineno);

/*
 * peer_each_script - run(path) for every file of dir whose name ends in
 * ext, in name order (at most 256). How many, or -1 when dir cannot be
 * read.
 */
int peer_each_script(const char *dir, const char *ext,
    void (*run)(const char *path));

#endif
