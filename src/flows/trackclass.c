#include "config.h"
#include "flows/trackclass.h"

#include <netinet/in.h>
#include <string.h>

static const struct {
	const char *name;
	uint8_t proto;
	uint16_t port;
} tunnels[TUNNEL_KINDS] = {
	[TUNNEL_VXLAN] = { "vxlan", IPPROTO_UDP, 4789 },
	[TUNNEL_GENEVE] = { "geneve", IPPROTO_UDP, 6081 },
	[TUNNEL_FLANNEL] = { "flannel-vxlan", IPPROTO_UDP, 8472 },
	[TUNNEL_ESP] = { "esp", IPPROTO_ESP, 0 },
	[TUNNEL_GRE] = { "gre", IPPROTO_GRE, 0 },
	[TUNNEL_IPIP] = { "ipip", IPPROTO_IPIP, 0 },
	[TUNNEL_SIT] = { "ipv6-in-ipv4", IPPROTO_IPV6, 0 },
};

const char *track_class_name(enum track_class c)
{
	static const char *const names[TRACK_CLASSES] = { "tunnel", "bridge_local", "loopback",
							  "other" };

	return c < TRACK_CLASSES ? names[c] : "?";
}

const char *tunnel_kind_name(enum tunnel_kind k)
{
	return k < TUNNEL_KINDS ? tunnels[k].name : "?";
}

uint16_t tunnel_kind_port(enum tunnel_kind k)
{
	return k < TUNNEL_KINDS ? tunnels[k].port : 0;
}

uint8_t tunnel_kind_proto(enum tunnel_kind k)
{
	return k < TUNNEL_KINDS ? tunnels[k].proto : 0;
}

static bool loopback(uint8_t family, const union ct_addr *a)
{
	static const uint8_t one[16] = { [15] = 1 };

	return family == AF_INET ? a->a8[0] == 127 : memcmp(a->a8, one, 16) == 0;
}

static int tunnel_of(const struct ct_flow *f)
{
	for (int k = 0; k < TUNNEL_KINDS; k++) {
		if (tunnels[k].proto != f->l4proto)
			continue;
		/* a UDP carrier is addressed to its port both ways; the source port varies */
		if (!tunnels[k].port || f->orig.dport == tunnels[k].port ||
		    f->orig.sport == tunnels[k].port)
			return k;
	}
	return -1;
}

static bool same_addr(uint8_t family, const union ct_addr *a, const union ct_addr *b)
{
	return memcmp(a->a8, b->a8, family == AF_INET ? 4 : 16) == 0;
}

enum track_class track_class_of(const struct localnets *nets, const struct ct_flow *f, int *kind,
				int *net)
{
	int s, d;

	*kind = *net = -1;
	if ((*kind = tunnel_of(f)) >= 0)
		return TRACK_TUNNEL;
	if (loopback(f->family, &f->orig.src) || loopback(f->family, &f->orig.dst))
		return TRACK_LOOPBACK;
	if (!nets || ct_flow_nat_kind(f) != CT_NAT_NONE)
		return TRACK_OTHER;
	s = localnets_find(nets, f->family, &f->orig.src);
	d = localnets_find(nets, f->family, &f->orig.dst);
	/* between two hosts of one attached network, neither of them this one */
	if (s < 0 || s != d || same_addr(f->family, &f->orig.src, &nets->v[s].local) ||
	    same_addr(f->family, &f->orig.dst, &nets->v[s].local))
		return TRACK_OTHER;
	*net = s;
	return TRACK_BRIDGE_LOCAL;
}

static void row_add(struct track_row *r, const struct ct_flow *f, bool nat)
{
	r->entries++;
	r->nat += nat;
	if (f->has_counters) {
		r->packets += f->packets[0] + f->packets[1];
		r->bytes += f->bytes[0] + f->bytes[1];
	}
}

static void end_add(struct track_ends *e, uint8_t family, const union ct_addr *a)
{
	for (unsigned int i = 0; i < e->n; i++)
		if (e->family[i] == family &&
		    memcmp(&e->addr[i], a, family == AF_INET6 ? 16 : 4) == 0)
			return;
	if (e->n == TRACK_ENDS) {
		e->many = true;
		return;
	}
	e->family[e->n] = family;
	e->addr[e->n++] = *a;
}

void track_classes_add(struct track_classes *c, const struct localnets *nets,
		       const struct ct_flow *f)
{
	int kind, net;
	enum track_class cls = track_class_of(nets, f, &kind, &net);
	bool nat = ct_flow_nat_kind(f) != CT_NAT_NONE;

	c->total++;
	c->counters |= f->has_counters;
	row_add(&c->row[cls], f, nat);
	if (kind >= 0) {
		row_add(&c->tunnel[kind], f, nat);
		end_add(&c->tunnel_ends[kind], f->family, &f->orig.src);
		end_add(&c->tunnel_ends[kind], f->family, &f->orig.dst);
	}
	if (net >= 0 && net < TRACK_NETS)
		row_add(&c->net[net], f, nat);
}
