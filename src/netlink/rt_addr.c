#include "config.h"
#include "netlink/rt_addr.h"

#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink/nl.h"

struct dump {
	rt_addr_fn fn;
	void *data;
	int err;
};

/* Loopback and link-local: every namespace has them. */
static bool uninteresting(uint8_t family, const uint8_t *a)
{
	if (family == AF_INET)
		return a[0] == 127 || (a[0] == 169 && a[1] == 254);
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 */
	       memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
}

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	unsigned int len = ifa->ifa_family == AF_INET ? 4 : 16;
	const struct nlattr *attr;
	struct rt_addr a = { .family = ifa->ifa_family,
			     .plen = ifa->ifa_prefixlen,
			     .ifindex = ifa->ifa_index };

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		/* IFA_LOCAL is the address itself on point-to-point links; IFA_ADDRESS else */
		if ((mnl_attr_get_type(attr) == IFA_LOCAL ||
		     (mnl_attr_get_type(attr) == IFA_ADDRESS && !a.addr)) &&
		    mnl_attr_get_payload_len(attr) >= len)
			a.addr = mnl_attr_get_payload(attr);
	}
	if (!a.addr || uninteresting(a.family, a.addr))
		return 0;
	d->err = d->fn(&a, d->data);
	return d->err < 0 ? d->err : 0;
}

int rt_addr_dump(rt_addr_fn fn, void *data)
{
	char buf[256]; /* one RTM_GETADDR request */
	struct dump d = { .fn = fn, .data = data };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct nl_sock *nl;
	int ret = nl_open_proto(&nl, NETLINK_ROUTE, 0);

	if (ret < 0)
		return ret;
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl_next_seq(nl);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ret = nl_request(nl, nlh, on_addr, &d);
	nl_close(nl);
	return d.err < 0 ? d.err : ret < 0 ? ret : 0;
}
