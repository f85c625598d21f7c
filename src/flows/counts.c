#include "config.h"
#include "flows/counts.h"

#include <sys/socket.h>

void flow_class_of(const struct ct_flow *f, struct flow_class *out)
{
	*out = (struct flow_class){
		.family = f->family,
		.l4proto = f->l4proto,
		.has_tcp_state = f->has_tcp_state,
		.tcp_state = f->tcp_state,
		.assured = ct_flow_assured(f),
		.unreplied = ct_flow_unreplied(f),
		.nat = ct_flow_nat_kind(f),
	};
}

enum flow_family flow_family_of(uint8_t af)
{
	return af == AF_INET ? FLOW_IPV4 : af == AF_INET6 ? FLOW_IPV6 : FLOW_FAMILY_OTHER;
}

const char *flow_family_name(enum flow_family f)
{
	static const char *const names[FLOW_FAMILIES] = { "ipv4", "ipv6", "other" };

	return f < FLOW_FAMILIES ? names[f] : "other";
}

void flow_counts_add(struct flow_counts *c, const struct flow_class *k, int64_t delta)
{
	uint64_t d = (uint64_t)delta; /* modular: adding -1 takes one away */

	c->total += d;
	c->by_family[flow_family_of(k->family)] += d;
	c->by_proto[k->l4proto] += d;
	if (k->has_tcp_state && k->tcp_state < CT_TCP_STATES)
		c->tcp_state[k->tcp_state] += d;
	if (k->assured)
		c->assured += d;
	if (k->unreplied)
		c->unreplied += d;
	if (k->nat < CT_NAT_KINDS)
		c->nat_kind[k->nat] += d;
}

int flow_counts_next_proto(const struct flow_counts *c, int p)
{
	for (p = p < 0 ? 0 : p + 1; p < 256; p++)
		if (c->by_proto[p])
			return p;
	return -1;
}
