#include "config.h"
#include "host/addrmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "host/netns.h"
#include "netlink/rt_addr.h"

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
};

static int on_addr(const struct rt_addr *a, void *data)
{
	const struct collect *c = data;

	return addrmap_add(c->m, a->family, a->addr, c->owner);
}

/* The addresses of the namespace we are in; a namespace we cannot read names nothing. */
static int read_here(struct addrmap *m, const char *owner)
{
	struct collect c = { .m = m, .owner = owner };
	int ret = rt_addr_dump(on_addr, &c);

	return ret == -ENOMEM ? ret : 0;
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

const char *addrmap_label(const struct addrmap *m, uint8_t family, const union ct_addr *a,
			  const char *text, char *buf, size_t len)
{
	const char *owner = m ? addrmap_lookup(m, family, a) : NULL;

	if (owner)
		snprintf(buf, len, "%s (%s)", text, owner);
	else
		snprintf(buf, len, "%s", text);
	return buf;
}

void addrmap_release(struct addrmap *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
