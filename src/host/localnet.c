#include "config.h"
#include "host/localnet.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "netlink/rt_addr.h"

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static void mask(union ct_addr *a, uint8_t family, uint8_t plen)
{
	for (size_t i = 0; i < addr_len(family); i++) {
		unsigned int bits = plen > i * 8 ? plen - (unsigned int)i * 8 : 0;

		if (bits < 8)
			a->a8[i] &= (uint8_t)(0xff00u >> bits);
	}
}

int localnets_add(struct localnets *m, uint8_t family, const void *addr, uint8_t plen,
		  const char *ifname)
{
	struct localnet *v, n = { .family = family, .plen = plen };

	memcpy(n.local.a8, addr, addr_len(family));
	n.prefix = n.local;
	mask(&n.prefix, family, plen);
	snprintf(n.ifname, sizeof(n.ifname), "%s", ifname);
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].family == family && m->v[i].plen == plen &&
		    memcmp(&m->v[i].prefix, &n.prefix, sizeof(n.prefix)) == 0)
			return 0; /* the same network on a second address */
	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->v = v;
	v[m->n++] = n;
	return 0;
}

void localnets_name_docker(struct localnets *m, uint8_t family, const void *gw, const char *network)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].family == family && memcmp(m->v[i].local.a8, gw, addr_len(family)) == 0)
			snprintf(m->v[i].name, sizeof(m->v[i].name), "docker:%.80s", network);
}

int localnets_find(const struct localnets *m, uint8_t family, const union ct_addr *a)
{
	int best = -1;

	for (size_t i = 0; i < m->n; i++) {
		const struct localnet *n = &m->v[i];

		if (n->family == family && (best < 0 || m->v[best].plen < n->plen) &&
		    ct_addr_in_prefix(a, &n->prefix, n->plen))
			best = (int)i;
	}
	return best;
}

const char *localnet_label(const struct localnet *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(n->family, n->prefix.a8, a, sizeof(a));
	if (n->name[0])
		snprintf(buf, len, "%s (%s) %s/%u", n->name, n->ifname, a, n->plen);
	else
		snprintf(buf, len, "%s %s/%u", n->ifname, a, n->plen);
	return buf;
}

void localnets_release(struct localnets *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* A /32 or /128 attaches no network. */
static int on_addr(const struct rt_addr *a, void *data)
{
	char ifname[IF_NAMESIZE];

	if (a->plen >= (a->family == AF_INET ? 32 : 128))
		return 0;
	if (!if_indextoname(a->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", a->ifindex);
	return localnets_add(data, a->family, a->addr, a->plen, ifname);
}

/* The Docker networks of one container's config: each one's gateway names its bridge. */
static void docker_config(struct localnets *m, const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	json_t *nets = json_object_get(json_object_get(root, "NetworkSettings"), "Networks");
	const char *name;
	json_t *net;

	json_object_foreach(nets, name, net)
	{
		static const char *const keys[] = { "Gateway", "IPv6Gateway" };

		for (int k = 0; k < 2; k++) {
			const char *gw = json_string_value(json_object_get(net, keys[k]));
			uint8_t a[16];

			if (gw && inet_pton(k ? AF_INET6 : AF_INET, gw, a) == 1)
				localnets_name_docker(m, k ? AF_INET6 : AF_INET, a, name);
		}
	}
	json_decref(root);
}

void localnets_name_docker_roots(struct localnets *m, const struct container_roots *r)
{
	for (size_t i = 0; r && i < r->ndocker; i++) {
		char dir[PATH_MAX + 16], path[PATH_MAX + 300];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/containers", r->docker[i]);
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/config.v2.json", dir, de->d_name);
			docker_config(m, path);
		}
		if (d)
			closedir(d);
	}
}

int localnets_read(struct localnets *out, const struct container_roots *r)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = rt_addr_dump(on_addr, out);
	if (ret < 0) {
		localnets_release(out);
		return ret;
	}
	localnets_name_docker_roots(out, r);
	return 0;
}
