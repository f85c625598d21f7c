#include "config.h"
#include "host/addrmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include "host/netns.h"
#include "netlink/nl.h"

static bool uninteresting(uint8_t family, const uint8_t *a)
{
	if (family == AF_INET)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254);
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 */
	       (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
}

int addrmap_add(struct addrmap *m, uint8_t family, const void *addr, const char *owner)
{
	union ct_addr a = { 0 };
	struct addr_owner *v;

	memcpy(a.a8, addr, family == AF_INET ? 4 : 16);
	for (size_t i = 0; i < m->n; i++) {
		struct addr_owner *o = &m->v[i];
		size_t len = strlen(o->owner);

		if (o->family != family || memcmp(&o->addr, &a, sizeof(a)) != 0)
			continue;
		if (strcmp(o->owner, owner) != 0 && len + 1 < sizeof(o->owner))
			snprintf(o->owner + len, sizeof(o->owner) - len, "|%s", owner);
		return 0;
	}
	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->v = v;
	v[m->n] = (struct addr_owner){ .family = family, .addr = a };
	snprintf(v[m->n].owner, sizeof(v[m->n].owner), "%s", owner);
	m->n++;
	return 0;
}

struct collect {
	struct addrmap *m;
	const char *owner;
	int err;
};

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const uint8_t *addr = NULL;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		/* IFA_LOCAL is the address itself on point-to-point links; IFA_ADDRESS else */
		if (mnl_attr_get_type(attr) == IFA_LOCAL ||
		    (mnl_attr_get_type(attr) == IFA_ADDRESS && !addr))
			if (mnl_attr_get_payload_len(attr) >=
			    (ifa->ifa_family == AF_INET ? 4u : 16u))
				addr = mnl_attr_get_payload(attr);
	}
	if (!addr || uninteresting(ifa->ifa_family, addr))
		return 0;
	if (addrmap_add(c->m, ifa->ifa_family, addr, c->owner) < 0)
		c->err = -ENOMEM;
	return c->err;
}

/* The addresses of the namespace we are in. */
static int read_here(struct addrmap *m, const char *owner)
{
	char buf[256]; /* one RTM_GETADDR request */
	struct collect c = { .m = m, .owner = owner };
	struct nl_sock *nl;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int ret = nl_open_proto(&nl, NETLINK_ROUTE, 0);

	if (ret < 0)
		return 0; /* a namespace we cannot read names nothing */
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl_next_seq(nl);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ret = nl_request(nl, nlh, on_addr, &c);
	nl_close(nl);
	return c.err ? c.err : 0;
}

int addrmap_build(const struct netns_entry *ns, size_t n, struct addrmap *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct netns_ctx ctx;

		if (netns_enter(ns[i].path, &ctx) < 0)
			continue; /* gone, or not ours to enter: it names nothing */
		ret = read_here(out, ns[i].label);
		if (netns_leave(&ctx) < 0 && ret == 0)
			ret = -EIO;
	}
	return ret;
}

int addrmap_build_all(struct addrmap *out)
{
	struct netns_scan_roots roots;
	struct netns_entry *ns = NULL;
	size_t n = 0;
	int ret;

	netns_scan_roots_default(&roots);
	ret = netns_scan(&roots, &ns, &n);
	if (ret == 0)
		ret = addrmap_build(ns, n, out);
	free(ns);
	if (ret < 0)
		addrmap_release(out); /* what was read before it failed */
	return ret;
}

const char *addrmap_lookup(const struct addrmap *m, uint8_t family, const union ct_addr *a)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].family == family && memcmp(m->v[i].addr.a8, a->a8, len) == 0)
			return m->v[i].owner;
	return NULL;
}

void addrmap_release(struct addrmap *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
