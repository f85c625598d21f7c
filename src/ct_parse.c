#include "config.h"
#include "ct_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

struct ct_parser {
	struct nf_conntrack *ct;
	struct nf_conntrack *empty; /* pristine object to reset ct from */
};

int ct_parser_new(struct ct_parser **out)
{
	struct ct_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->ct = nfct_new();
	p->empty = nfct_new();
	if (!p->ct || !p->empty) {
		ct_parser_free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void ct_parser_free(struct ct_parser *p)
{
	if (!p)
		return;
	if (p->ct)
		nfct_destroy(p->ct);
	if (p->empty)
		nfct_destroy(p->empty);
	free(p);
}

static void get_addr(const struct nf_conntrack *ct, uint8_t family, int attr4, int attr6,
		     union ct_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		const void *a = nfct_get_attr(ct, attr6);

		if (a)
			memcpy(out, a, 16);
	} else {
		out->a32[0] = nfct_get_attr_u32(ct, attr4);
	}
}

static void get_ports(const struct nf_conntrack *ct, uint8_t l4proto, bool orig,
		      struct ct_tuple *t)
{
	if (l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6) {
		/*
		 * libnetfilter_conntrack exposes only the original direction's ICMP id, so both
		 * tuples carry it and NAT kind for ICMP is judged from addresses alone.
		 */
		t->sport = t->dport = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
		return;
	}
	if (!nfct_attr_is_set(ct, orig ? ATTR_ORIG_PORT_SRC : ATTR_REPL_PORT_SRC)) {
		t->sport = t->dport = 0;
		return;
	}
	t->sport = ntohs(nfct_get_attr_u16(ct, orig ? ATTR_ORIG_PORT_SRC : ATTR_REPL_PORT_SRC));
	t->dport = ntohs(nfct_get_attr_u16(ct, orig ? ATTR_ORIG_PORT_DST : ATTR_REPL_PORT_DST));
}

int ct_parser_parse(struct ct_parser *p, const struct nlmsghdr *nlh, struct ct_flow *f)
{
	struct nf_conntrack *ct = p->ct;

	/* nfct_nlmsg_parse() only sets attributes; start from a clean object each time. */
	nfct_copy(ct, p->empty, NFCT_CP_OVERRIDE);
	if (nfct_nlmsg_parse(nlh, ct) < 0)
		return errno ? -errno : -EBADMSG;
	if (!nfct_attr_is_set(ct, ATTR_ORIG_L3PROTO) || !nfct_attr_is_set(ct, ATTR_ORIG_L4PROTO))
		return -EBADMSG;

	memset(f, 0, sizeof(*f));
	f->family = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	f->l4proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	f->id = nfct_get_attr_u32(ct, ATTR_ID);
	f->status = nfct_get_attr_u32(ct, ATTR_STATUS);
	f->timeout = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
	f->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	f->zone = nfct_get_attr_u16(ct, ATTR_ZONE);
	if (f->l4proto == IPPROTO_TCP && nfct_attr_is_set(ct, ATTR_TCP_STATE)) {
		f->has_tcp_state = true;
		f->tcp_state = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	}

	get_addr(ct, f->family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC, &f->orig.src);
	get_addr(ct, f->family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST, &f->orig.dst);
	get_addr(ct, f->family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC, &f->reply.src);
	get_addr(ct, f->family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST, &f->reply.dst);
	get_ports(ct, f->l4proto, true, &f->orig);
	get_ports(ct, f->l4proto, false, &f->reply);

	if (nfct_attr_is_set(ct, ATTR_ORIG_COUNTER_PACKETS)) {
		f->has_counters = true;
		f->packets[0] = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS);
		f->bytes[0] = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES);
		f->packets[1] = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
		f->bytes[1] = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	}
	return 0;
}
