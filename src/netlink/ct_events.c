#include "config.h"
#include "netlink/ct_events.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/nl.h"

struct ct_events {
	struct nl_sock *nl;
	size_t rcvbuf, rcvbuf_max;
};

int ct_events_classify(const struct nlmsghdr *nlh)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return -1;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case IPCTNL_MSG_CT_NEW:
		if (nlh->nlmsg_flags & NLM_F_MULTI)
			return CT_EVENT_DUMP;
		return nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL) ? CT_EVENT_NEW
								      : CT_EVENT_UPDATE;
	case IPCTNL_MSG_CT_DELETE:
		return CT_EVENT_DESTROY;
	default:
		return -1;
	}
}

int ct_events_open(struct ct_events **out, const struct ct_events_opts *o)
{
	/* NFNLGRP_CONNTRACK_NEW/UPDATE/DESTROY are groups 1, 2, 3: bits 0, 1, 2. */
	unsigned int groups = (1u << (NFNLGRP_CONNTRACK_NEW - 1));
	struct ct_events *ev = calloc(1, sizeof(*ev));
	int ret;

	if (!ev)
		return -ENOMEM;
	if (!o->new_only)
		groups |= (1u << (NFNLGRP_CONNTRACK_UPDATE - 1)) |
			  (1u << (NFNLGRP_CONNTRACK_DESTROY - 1));
	ret = nl_open(&ev->nl, groups);
	if (ret < 0)
		goto err;
	ev->rcvbuf_max = o->rcvbuf_max > o->rcvbuf ? o->rcvbuf_max : o->rcvbuf;
	/* the kernel doubles what it is asked (skb overhead): ask for half the target */
	ret = nl_set_rcvbuf(ev->nl, o->rcvbuf / 2, &ev->rcvbuf);
	if (ret < 0)
		goto err;
	*out = ev;
	return 0;
err:
	ct_events_free(ev);
	return ret;
}

void ct_events_free(struct ct_events *ev)
{
	if (!ev)
		return;
	nl_close(ev->nl);
	free(ev);
}

int ct_events_fd(const struct ct_events *ev)
{
	return nl_fd(ev->nl);
}

size_t ct_events_rcvbuf(const struct ct_events *ev)
{
	return ev->rcvbuf;
}

int ct_events_read(struct ct_events *ev, ct_events_fn fn, void *data)
{
	return nl_drain(ev->nl, fn, data);
}

int ct_events_drops(const struct ct_events *ev, uint64_t *drops)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(nl_fd(ev->nl), SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		return -errno;
	if (len <= SK_MEMINFO_DROPS * sizeof(uint32_t))
		return -EOPNOTSUPP;
	*drops = mem[SK_MEMINFO_DROPS];
	return 0;
}

int ct_events_grow(struct ct_events *ev)
{
	size_t want = ev->rcvbuf * 2;

	if (ev->rcvbuf >= ev->rcvbuf_max)
		return -ENOSPC;
	if (want > ev->rcvbuf_max)
		want = ev->rcvbuf_max;
	/* The kernel reports double what was asked (skb overhead): ask for half. */
	return nl_set_rcvbuf(ev->nl, want / 2, &ev->rcvbuf);
}
