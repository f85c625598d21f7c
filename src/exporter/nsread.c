#include "config.h"
#include "exporter/nsread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "host/netns.h"
#include "netlink/nl.h"

int nsread_now(struct sysctl_info *sys, struct localnets *nets)
{
	struct localnets fresh;

	if (sysctl_read("/proc/sys/net", sys) < 0)
		return -ENOENT;
	sys->ct_entry_bytes = sysctl_ct_entry_bytes("/sys/kernel/slab");
	if (localnets_read(&fresh, NULL) == 0) {
		localnets_release(nets);
		*nets = fresh;
	}
	return 0;
}

void nsread_open(struct nsread *r, double now, bool enter)
{
	*r = (struct nsread){ .fd = -1, .read_at = now };
	if (enter)
		r->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	r->on = !enter || r->fd >= 0;
	if (r->on &&
	    nl_open_proto(&r->addrs, NETLINK_ROUTE, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR) < 0)
		r->addrs = NULL;
}

int nsread_fd(const struct nsread *r)
{
	return r->addrs ? nl_fd(r->addrs) : -1;
}

static int any(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	*(bool *)data = true;
	return 0;
}

void nsread_input(struct nsread *r)
{
	bool came = false;

	/* -ENOBUFS: notifications were dropped, so something changed too */
	if (r->addrs && (nl_drain(r->addrs, any, &came) == -ENOBUFS || came))
		r->nets_stale = true;
}

bool nsread_due(const struct nsread *r, double now)
{
	return r->on && (r->nets_stale || now - r->read_at >= NSREAD_PERIOD);
}

int nsread_again(struct nsread *r, double now, struct sysctl_info *sys, struct localnets *nets)
{
	struct sysctl_info fresh;
	struct netns_ctx ctx;
	char path[64];
	int ret;

	r->read_at = now;
	r->nets_stale = false;
	if (r->fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", r->fd);
		ret = netns_enter(path, &ctx);
		if (ret < 0)
			return ret;
	}
	if (nsread_now(&fresh, nets) == 0)
		*sys = fresh;
	return r->fd >= 0 ? netns_leave(&ctx) : 0;
}

void nsread_close(struct nsread *r)
{
	if (r->addrs)
		nl_close(r->addrs);
	if (r->fd >= 0)
		close(r->fd);
	r->addrs = NULL;
	r->fd = -1;
	r->on = false;
}
