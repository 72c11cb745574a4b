#include "probe/probe_addrsel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* RFC 6724 3.1 scope values */
#define SCOPE_LINK 2
#define SCOPE_SITE 5
#define SCOPE_GLOBAL 14

int
probe_addrsel_scope(const struct mx_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t v = ntohl(a->u.v4.s_addr);

		/* 3.2: IPv4 loopback and link-local are link-local scope */
		if ((v >> 24) == 127 || (v >> 16) == 0xa9fe)
			return SCOPE_LINK;
		return SCOPE_GLOBAL;
	}
	{
		const uint8_t *b = a->u.v6.s6_addr;

		if (IN6_IS_ADDR_MULTICAST(&a->u.v6))
			return b[1] & 0x0f;
		if (IN6_IS_ADDR_LOOPBACK(&a->u.v6) ||
		    IN6_IS_ADDR_LINKLOCAL(&a->u.v6))
			return SCOPE_LINK;
		if (IN6_IS_ADDR_SITELOCAL(&a->u.v6))
			return SCOPE_SITE;
		return SCOPE_GLOBAL;
	}
}

int
probe_addrsel_precedence(const struct mx_addr *a)
{
	const uint8_t *b;
	static const uint8_t zero[12];

	if (a->family == AF_INET)
		return 35;		/* ::ffff:0:0/96 */
	b = a->u.v6.s6_addr;
	if (IN6_IS_ADDR_LOOPBACK(&a->u.v6))
		return 50;
	if (IN6_IS_ADDR_V4MAPPED(&a->u.v6))
		return 35;
	if (b[0] == 0x20 && b[1] == 0x02)
		return 30;		/* 2002::/16 */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
		return 5;		/* 2001::/32 */
	if ((b[0] & 0xfe) == 0xfc)
		return 3;		/* fc00::/7 */
	if (memcmp(b, zero, sizeof(zero)) == 0)
		return 1;		/* ::/96 */
	if ((b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||
	    (b[0] == 0x3f && b[1] == 0xfe))
		return 1;		/* fec0::/10, 3ffe::/16 */
	return 40;			/* ::/0 */
}

void
probe_addrsel_source(const struct mx_addr *a, unsigned port,
    struct probe_addrsel_src *src)
{
	struct sockaddr_storage ss, got;
	socklen_t sl, gl = sizeof(got);
	struct mx_addr s;
	int fd;

	memset(src, 0, sizeof(*src));
	memset(&ss, 0, sizeof(ss));
	memset(&s, 0, sizeof(s));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->u.v6;
		sin6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->u.v4;
		sin->sin_port = htons((uint16_t)port);
		sl = sizeof(*sin);
	}
	if ((fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
	    getsockname(fd, (struct sockaddr *)&got, &gl) == 0) {
		s.family = got.ss_family;
		if (got.ss_family == AF_INET6)
			s.u.v6 = ((struct sockaddr_in6 *)&got)->sin6_addr;
		else
			s.u.v4 = ((struct sockaddr_in *)&got)->sin_addr;
		src->usable = true;
		src->scope = probe_addrsel_scope(&s);
	}
	close(fd);
}

/* addrsel_before - RFC 6724 6: x goes before y (rules 1, 2, 6, 8, 10) */
static bool
addrsel_before(const struct mx_addr *a, const struct probe_addrsel_src *src,
    uint8_t x, uint8_t y)
{
	int sx, sy, px, py;
	bool mx, my;

	/* Rule 1: avoid unusable destinations. */
	if (src[x].usable != src[y].usable)
		return src[x].usable;
	sx = probe_addrsel_scope(&a[x]);
	sy = probe_addrsel_scope(&a[y]);
	/* Rule 2: prefer matching scope. */
	mx = src[x].usable && src[x].scope == sx;
	my = src[y].usable && src[y].scope == sy;
	if (mx != my)
		return mx;
	/* Rule 6: prefer higher precedence. */
	px = probe_addrsel_precedence(&a[x]);
	py = probe_addrsel_precedence(&a[y]);
	if (px != py)
		return px > py;
	/* Rule 8: prefer smaller scope. */
	if (sx != sy)
		return sx < sy;
	/* Rule 10: leave the order unchanged. */
	return x < y;
}

void
probe_addrsel_order(const struct mx_addr *a,
    const struct probe_addrsel_src *src, size_t n, uint8_t *order)
{
	/* insertion sort: stable, and n is at most a handful */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		order[i] = (uint8_t)i;
		while (j > 0 && addrsel_before(a, src, order[j],
		    order[j - 1])) {
			uint8_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
			j--;
		}
	}
}
