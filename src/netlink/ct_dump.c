#include "config.h"
#include "netlink/ct_dump.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/ct_parse.h"
#include "netlink/nl.h"

struct dump_ctx {
	ct_dump_fn fn;
	void *data;
	uint64_t n;
};

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct ct_flow flow;
	int ret;

	ret = ct_parse_msg(nlh, &flow);
	if (ret == 0) {
		ctx->n++;
		ret = ctx->fn(&flow, ctx->data);
	}
	return ret;
}

int ct_dump_run(struct nl_sock *nl, uint8_t family, ct_dump_fn fn, void *data, uint64_t *nmsgs)
{
	struct dump_ctx ctx = { .fn = fn, .data = data };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
			     NLM_F_REQUEST | NLM_F_DUMP, family, 0);
	ret = nl_request(nl, nlh, entry_cb, &ctx);
	if (nmsgs)
		*nmsgs = ctx.n;
	return ret;
}

int ct_dump_raw(struct nl_sock *nl, uint8_t family, ct_dump_raw_fn fn, void *data)
{
	struct nlmsghdr *nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
					      NLM_F_REQUEST | NLM_F_DUMP, family, 0);

	return nl_request(nl, nlh, fn, data);
}

int ct_dump_raw_start(struct nl_sock *nl, uint8_t family)
{
	return nl_dump_start(nl,
			     nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
					    NLM_F_REQUEST | NLM_F_DUMP, family, 0));
}

int ct_dump_raw_step(struct nl_sock *nl, ct_dump_raw_fn fn, void *data, unsigned int budget)
{
	return nl_dump_step(nl, fn, data, budget);
}

/* A UDP/TCP/SCTP/DCCP tuple (ports; no ICMP) as @type (CTA_TUPLE_ORIG, CTA_TUPLE_REPLY). */
static void put_ports_tuple(struct nlmsghdr *nlh, uint16_t type, uint8_t family, uint8_t l4proto,
			    const struct ct_tuple *t)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP), *proto;

	if (family == AF_INET6) {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, &t->src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, &t->dst);
	} else {
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, t->src.a32[0]);
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, t->dst.a32[0]);
	}
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, l4proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
}

struct got {
	struct ct_flow *out;
	bool found;
};

static int got_cb(const struct nlmsghdr *nlh, void *data)
{
	struct got *g = data;

	if (nlh->nlmsg_type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW) &&
	    ct_parse_msg(nlh, g->out) == 0)
		g->found = true;
	return 0;
}

int ct_dump_get_by_reply(struct nl_sock *nl, uint8_t family, uint8_t l4proto,
			 const struct ct_tuple *reply, struct ct_flow *out)
{
	struct got g = { .out = out };
	struct nlmsghdr *nlh;
	int ret;

	if (l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6)
		return -EOPNOTSUPP;
	nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, NLM_F_REQUEST,
			     family, 0);
	put_ports_tuple(nlh, CTA_TUPLE_REPLY, family, l4proto, reply);
	ret = nl_request(nl, nlh, got_cb, &g);
	if (ret == -ENOENT || (ret == 0 && !g.found))
		return -ENOENT;
	return ret;
}

static void put_tuple(struct nlmsghdr *nlh, const struct ct_flow *f)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP), *proto;

	if (f->family == AF_INET6) {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, &f->orig.src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, &f->orig.dst);
	} else {
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, f->orig.src.a32[0]);
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, f->orig.dst.a32[0]);
	}
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, f->l4proto);
	if (f->l4proto == IPPROTO_ICMP) {
		/* the kernel wants type and code too; flows keep the id only, and the flows
		 * ICMP tracks are echo requests (an answer's id check catches the rest) */
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(f->orig.sport));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	} else if (f->l4proto == IPPROTO_ICMPV6) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMPV6_ID, htons(f->orig.sport));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_TYPE, 128);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_CODE, 0);
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(f->orig.sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(f->orig.dport));
	}
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
}

void ct_dump_put_flow(struct nlmsghdr *nlh, const struct ct_flow *flow)
{
	put_tuple(nlh, flow);
	/* the id makes sure the entry is the one shown, not a successor with its tuple */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(flow->id));
}

int ct_dump_delete(struct nl_sock *nl, const struct ct_flow *flow)
{
	struct nlmsghdr *nlh =
		nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
			       NLM_F_REQUEST, flow->family, 0);

	ct_dump_put_flow(nlh, flow);
	return nl_request(nl, nlh, NULL, NULL);
}

/* Room for one lookup: headers, the original tuple (two IPv6 addresses) and the id. */
#define LOOKUP_MSG_MAX 256

struct refresh_ctx {
	struct ct_flow *flows;
	bool *found;
	size_t n;
	uint32_t seq0;
};

static int refresh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct refresh_ctx *r = data;
	size_t i = nlh->nlmsg_seq - r->seq0;
	struct ct_flow got;

	if (i >= r->n || nlh->nlmsg_type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW))
		return 0; /* an error answer: the flow is gone (or was never there) */
	if (ct_parse_msg(nlh, &got) < 0 || got.id != r->flows[i].id)
		return 0; /* another entry took the tuple: the one asked for is gone */
	r->flows[i].timeout = got.timeout;
	r->flows[i].mark = got.mark;
	r->flows[i].status = got.status;
	if (got.has_tcp_state) {
		r->flows[i].has_tcp_state = true;
		r->flows[i].tcp_state = got.tcp_state;
	}
	r->flows[i].has_counters = got.has_counters;
	memcpy(r->flows[i].packets, got.packets, sizeof(got.packets));
	memcpy(r->flows[i].bytes, got.bytes, sizeof(got.bytes));
	r->found[i] = true;
	return 0;
}

int ct_dump_refresh(struct nl_sock *nl, struct ct_flow *flows, size_t n, bool *found)
{
	struct refresh_ctx r = { .flows = flows, .found = found, .n = n };
	char *buf;
	size_t off = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		found[i] = false;
	if (!n)
		return 0;
	buf = calloc(n, LOOKUP_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		/* no NLM_F_ACK: each request gets exactly one answer, the entry or an error */
		struct nlmsghdr *nlh = nl_nfmsg_put(
			nl, buf + off, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
			NLM_F_REQUEST, flows[i].family, 0);

		/* answers map back by seq - seq0: start where n numbers follow unwrapped */
		while (i == 0 && nlh->nlmsg_seq > UINT32_MAX - n)
			nlh->nlmsg_seq = nl_next_seq(nl);
		if (i == 0)
			r.seq0 = nlh->nlmsg_seq;
		ct_dump_put_flow(nlh, &flows[i]);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	ret = nl_talk(nl, buf, off, (unsigned int)n, refresh_cb, &r);
	free(buf);
	return ret;
}
