#include "probe/probe_source.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/diag.h"

int
probe_source_parse(const char *list, struct probe_sources *out,
    struct diag *d)
{
	const char *p = list;

	memset(out, 0, sizeof(*out));
	for (;;) {
		size_t len = strcspn(p, ",");
		char item[INET6_ADDRSTRLEN + 1];
		struct probe_source *s;

		if (len == 0 || len >= sizeof(item)) {
			diag_set(d, DIAG_USAGE, "--source-address takes "
			    "ADDR[,ADDR...] (IPv4 or IPv6 addresses of this "
			    "host), not '%s'", list);
			return -1;
		}
		if (out->n == PROBE_SOURCE_MAX) {
			diag_set(d, DIAG_USAGE, "--source-address takes at "
			    "most %d addresses", PROBE_SOURCE_MAX);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		s = &out->src[out->n];
		if (inet_pton(AF_INET, item, &s->u.v4) == 1) {
			uint32_t v = ntohl(s->u.v4.s_addr);

			s->family = AF_INET;
			if (v == 0 || v == 0xffffffffu || (v >> 28) == 0xe) {
				diag_set(d, DIAG_USAGE, "--source-address "
				    "'%s': not an address a connection can "
				    "leave from", item);
				return -1;
			}
		} else if (inet_pton(AF_INET6, item, &s->u.v6) == 1) {
			s->family = AF_INET6;
			if (IN6_IS_ADDR_UNSPECIFIED(&s->u.v6) ||
			    IN6_IS_ADDR_MULTICAST(&s->u.v6) ||
			    IN6_IS_ADDR_V4MAPPED(&s->u.v6)) {
				diag_set(d, DIAG_USAGE, "--source-address "
				    "'%s': not an address a connection can "
				    "leave from", item);
				return -1;
			}
		} else {
			diag_set(d, DIAG_USAGE, "--source-address '%s' is not "
			    "an IPv4 or IPv6 address", item);
			return -1;
		}
		(void)inet_ntop(s->family, &s->u, s->text, sizeof(s->text));
		for (size_t i = 0; i < out->n; i++)
			if (strcmp(out->src[i].text, s->text) == 0) {
				diag_set(d, DIAG_USAGE, "--source-address "
				    "names %s twice", s->text);
				return -1;
			}
		out->n++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return 0;
}

socklen_t
probe_source_sockaddr(const struct probe_source *src,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (src->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = src->u.v6;
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_addr = src->u.v4;
		return sizeof(*a);
	}
}

int
probe_source_check(const struct probe_sources *s, struct diag *d)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = probe_source_sockaddr(&s->src[i], &ss);
		int fd, err = 0;

		fd = socket(s->src[i].family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			err = errno;
		else if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
			err = errno;
		if (fd >= 0)
			close(fd);
		if (err == 0)
			continue;
		if (err == EADDRNOTAVAIL)
			diag_set(d, DIAG_USAGE, "--source-address %s is not an "
			    "address of this host (cannot bind to it)",
			    s->src[i].text);
		else if (err == EAFNOSUPPORT)
			diag_set(d, DIAG_USAGE, "--source-address %s: %s is "
			    "not available on this host", s->src[i].text,
			    probe_source_family_name(s->src[i].family));
		else
			diag_set(d, DIAG_USAGE, "--source-address %s: cannot "
			    "bind to it: %s", s->src[i].text, strerror(err));
		return -1;
	}
	return 0;
}

uint64_t
probe_source_hash(const char *host)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */

	for (; *host != '\0'; host++) {
		h ^= (uint64_t)ascii_tolower((unsigned char)*host);
		h *= 0x100000001b3ULL;
	}
	return h;
}

size_t
probe_source_count(const struct probe_sources *s, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (family == AF_UNSPEC || s->src[i].family == family)
			n++;
	return n;
}

int
probe_source_pick(const struct probe_sources *s, const char *host,
    int family)
{
	size_t n = probe_source_count(s, family), k;

	if (n == 0)
		return -1;
	k = (size_t)(probe_source_hash(host) % n);
	for (size_t i = 0; i < s->n; i++)
		if (s->src[i].family == family && k-- == 0)
			return (int)i;
	return -1;	/* not reached */
}

const char *
probe_source_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}
