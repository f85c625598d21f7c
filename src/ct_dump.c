#include "config.h"
#include "ct_dump.h"

#include <errno.h>
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
