#include "peer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/ascii.h"
#include "util/evloop.h"

/* peer_log - one transcript line to the parent (capped) */
void
peer_log(struct peer *p, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (p->logged + (size_t)n > PEER_LOGMAX)
		return;
	p->logged += (size_t)n;
	if (write(p->logfd, line, (size_t)n) < 0)
		p->logged = PEER_LOGMAX;
}

/* peer_fail - the script was not followed */
void
peer_fail(struct peer *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	peer_log(p, "FAIL %s", msg);
	p->failed = true;
}

/* peer_decode - TEXT with \r \n \t \\ \xHH into out; -1 on a bad escape */
int
peer_decode(const char *s, char *out, size_t room, size_t *len)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x': {
				char hex[3] = { 0 };
				char *end;

				if (s[1] == '\0' || s[2] == '\0')
					return -1;
				hex[0] = s[1];
				hex[1] = s[2];
				c = (char)strtoul(hex, &end, 16);
				if (*end != '\0')
					return -1;
				s += 2;
				break;
			}
			default:
				return -1;
			}
		}
		if (n + 1 >= room)
			return -1;
		out[n++] = c;
	}
	*len = n;
	return 0;
}

/* peer_word - split off the first blank-separated word of *p */
const char *
peer_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
	return w;
}

/* peer_num - a decimal number, -1 when s is not one */
long
peer_num(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' ? v : -1;
}

/* printable - s[0..n) for the transcript */
static const char *
printable(const char *s, size_t n, char *out, size_t room)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 5 < room; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			out[k++] = '\\';
			out[k++] = 'r';
		} else if (c == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			k += (size_t)snprintf(out + k, room - k, "\\x%02x", c);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
	return out;
}

/* peer_flush - write the queued sends in one write */
void
peer_flush(struct peer *p)
{
	char shown[1024];
	size_t off = 0;

	if (p->outlen == 0)
		return;
	peer_log(p, "> %s", printable(p->out, p->outlen, shown, sizeof(shown)));
	while (off < p->outlen) {
		ssize_t w = send(p->fd, p->out + off, p->outlen - off,
		    MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* the client went away; a later expect says so */
			peer_log(p, "(write: %s)", strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	p->outlen = 0;
}

/* peer_queue - add bytes to the next write */
void
peer_queue(struct peer *p, const char *b, size_t n)
{
	if (p->outlen + n > sizeof(p->out))
		peer_flush(p);
	memcpy(p->out + p->outlen, b, n);
	p->outlen += n;
}

/* peer_prefix - s starts with pre, ASCII case-insensitive */
bool
peer_prefix(const char *s, const char *pre)
{
	size_t n = strlen(pre);

	return strlen(s) >= n && ascii_ncasecmp(s, pre, n) == 0;
}

/* peer_rcpt_addr - the address of a "RCPT TO:<a>..." line, or NULL */
const char *
peer_rcpt_addr(const char *line, char *out, size_t room)
{
	const char *a, *e;

	if (!peer_prefix(line, "RCPT TO:<"))
		return NULL;
	a = line + 9;
	e = strchr(a, '>');
	if (e == NULL || (size_t)(e - a) >= room)
		return NULL;
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return out;
}

/* verb_is - the line is the command verb (alone or with arguments) */
static bool
verb_is(const char *line, const char *verb)
{
	size_t n = strlen(verb);

	return peer_prefix(line, verb) && (line[n] == '\0' || line[n] == ' ');
}

/* peer_check - what the client may never send */
static void
peer_check(struct peer *p, const char *line)
{
	char a[320];

	if (verb_is(line, "DATA") || verb_is(line, "VRFY") ||
	    verb_is(line, "EXPN")) {
		peer_fail(p, "client sent %s", line);
		return;
	}
	if (peer_prefix(line, "RCPT")) {
		if (peer_rcpt_addr(line, a, sizeof(a)) == NULL) {
			peer_fail(p, "malformed RCPT: %s", line);
			return;
		}
		if (p->rcpt_ok != NULL && !p->rcpt_ok(p->arg, a))
			peer_fail(p, "RCPT for an address not in the list: "
			    "%s", a);
	}
}

/*
 * peer_line - read one CRLF-terminated line within ms: 1 (line set,
 * CRLF removed), 0 EOF or reset, -1 timeout or a bad line (failed).
 */
int
peer_line(struct peer *p, char *line, size_t room, int ms)
{
	int64_t end = evloop_now_ms() + ms;

	for (;;) {
		char *nl = memchr(p->in, '\n', p->inlen);
		struct pollfd pfd = { p->fd, POLLIN, 0 };
		int64_t left;
		ssize_t r;

		if (nl != NULL) {
			size_t n = (size_t)(nl - p->in), i;

			if (n == 0 || p->in[n - 1] != '\r') {
				peer_fail(p, "line without CRLF");
				return -1;
			}
			if (n - 1 >= room) {
				peer_fail(p, "line too long");
				return -1;
			}
			memcpy(line, p->in, n - 1);
			line[n - 1] = '\0';
			memmove(p->in, nl + 1, p->inlen - n - 1);
			p->inlen -= n + 1;
			for (i = 0; i < n - 1; i++)
				if ((unsigned char)line[i] < 0x20 ||
				    line[i] == 0x7f) {
					peer_fail(p, "control byte in a command");
					return -1;
				}
			peer_log(p, "< %s", line);
			peer_check(p, line);
			return 1;
		}
		if (p->inlen == sizeof(p->in)) {
			peer_fail(p, "line too long");
			return -1;
		}
		left = end - evloop_now_ms();
		if (left <= 0) {
			peer_fail(p, "nothing from the client for %d ms", ms);
			return -1;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			peer_fail(p, "poll: %s", strerror(errno));
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		r = recv(p->fd, p->in + p->inlen, sizeof(p->in) - p->inlen, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != ECONNRESET) {
			peer_fail(p, "read: %s", strerror(errno));
			return -1;
		}
		if (r <= 0) {
			if (p->inlen > 0)
				peer_log(p, "(EOF after %zu bytes without LF)",
				    p->inlen);
			peer_log(p, "(client closed)");
			return 0;
		}
		p->inlen += (size_t)r;
	}
}

/* peer_listen - a TCP listener on sin (a 127.0.0.0/8 address; port 0:
 * any free one, written back) */
int
peer_listen(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int one = 1, fd;

	if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
		return -1;	/* loopback only */
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	sin->sin_family = AF_INET;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
peer_listen6(struct sockaddr_in6 *sin6)
{
	socklen_t len = sizeof(*sin6);
	int one = 1, fd;

	if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
		return -1;	/* loopback only */
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	sin6->sin6_family = AF_INET6;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)sin6, sizeof(*sin6)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin6, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* peer_wait - a child's exit status (killed after a while: -1) */
int
peer_wait(pid_t pid, int ms)
{
	int64_t end = evloop_now_ms() + ms;
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (evloop_now_ms() >= end) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &st, 0);
			return -1;
		}
		usleep(10000);
	}
}

/* peer_show_log - the peer's transcript as diagnostics */
void
peer_show_log(int fd)
{
	char buf[PEER_LOGMAX + 1], *line, *nl;
	size_t n = 0;
	ssize_t r;

	while (n < PEER_LOGMAX && (r = read(fd, buf + n, PEER_LOGMAX - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		diag("  peer %s", line);
	}
}

char *
peer_script_line(FILE *f, char *line, size_t room, unsigned *lineno)
{
	while (fgets(line, (int)room, f) != NULL) {
		size_t n = strlen(line);
		char *p = line;

		(*lineno)++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#')
			return p;
	}
	return NULL;
}

/* peer_by_name - qsort over char * */
static int
peer_by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
peer_each_script(const char *dir, const char *ext,
    void (*run)(const char *path))
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char *names[256];
	size_t n = 0, i, el = strlen(ext);

	if (dh == NULL)
		return -1;
	while ((de = readdir(dh)) != NULL && n < 256) {
		size_t len = strlen(de->d_name);
		size_t need = strlen(dir) + len + 2;

		if (len <= el || strcmp(de->d_name + len - el, ext) != 0)
			continue;
		if ((names[n] = malloc(need)) == NULL)
			break;
		snprintf(names[n], need, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), peer_by_name);
	for (i = 0; i < n; i++) {
		run(names[i]);
		free(names[i]);
	}
	return (int)n;
}
