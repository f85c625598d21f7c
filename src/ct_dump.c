#include "config.h"
#include "ct_dump.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ct_parse.h"
#include "nl.h"

struct dump_ctx {
	ct_dump_fn fn;
	void *data;
	uint64_t n;
	int err;
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
	if (ret < 0) {
		ctx->err = ret;
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int ct_dump_run(struct nl_sock *nl, uint8_t family, ct_dump_fn fn, void *data, uint64_t *nmsgs)
{
	struct dump_ctx ctx = { .fn = fn, .data = data };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
			     NLM_F_REQUEST | NLM_F_DUMP, family, 0);
	ret = nl_request(nl, nlh, entry_cb, &ctx);
	if (ret < 0 && ctx.err)
		ret = ctx.err;
	if (nmsgs)
		*nmsgs = ctx.n;
	return ret;
}

struct raw_ctx {
	ct_dump_raw_fn fn;
	void *data;
};

static int raw_cb(const struct nlmsghdr *nlh, void *data)
{
	struct raw_ctx *ctx = data;
	int ret = ctx->fn(nlh, ctx->data);

	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int ct_dump_raw(struct nl_sock *nl, uint8_t family, ct_dump_raw_fn fn, void *data)
{
	struct raw_ctx ctx = { .fn = fn, .data = data };
	struct nlmsghdr *nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
					      NLM_F_REQUEST | NLM_F_DUMP, family, 0);

	return nl_request(nl, nlh, raw_cb, &ctx);
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
	if (f->l4proto == IPPROTO_ICMP || f->l4proto == IPPROTO_ICMPV6) {
		mnl_attr_put_u16(
			nlh, f->l4proto == IPPROTO_ICMP ? CTA_PROTO_ICMP_ID : CTA_PROTO_ICMPV6_ID,
			htons(f->orig.sport));
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(f->orig.sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(f->orig.dport));
	}
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
}

int ct_dump_delete(struct nl_sock *nl, const struct ct_flow *flow)
{
	struct nlmsghdr *nlh =
		nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
			       NLM_F_REQUEST, flow->family, 0);

	put_tuple(nlh, flow);
	/* the id makes sure the entry is the one shown, not a successor with its tuple */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(flow->id));
	return nl_request(nl, nlh, NULL, NULL);
}
