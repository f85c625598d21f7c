/*
 * The benchmark's reference: the least a program can do to read the conntrack table —
 * one ctnetlink dump request, recvmsg() into a large buffer, count the messages with
 * libmnl.  No parsing of attributes.  natscope is compared with this.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned long *)data)++;
	return MNL_CB_OK;
}

int main(void)
{
	static char buf[64 * 1024];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned long n = 0;
	unsigned int seq = 1, portid;
	int ret;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mini_dump");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("mini_dump: send");
		return 1;
	}
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, count_cb, &n);
	} while (ret > 0);
	if (ret < 0) {
		perror("mini_dump");
		return 1;
	}
	printf("%lu\n", n);
	mnl_socket_close(nl);
	return 0;
}
