/*
 * rawtable TEXT: create "table ip natscope" whose comment attribute holds TEXT without a
 * terminating NUL, as any CAP_NET_ADMIN holder can through netlink (nft always adds the
 * NUL).  For the case that natscope reads such a comment within its length.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

int main(int argc, char **argv)
{
	char buf[8192], ud[256];
	struct mnl_nlmsg_batch *batch;
	struct nftnl_table *t;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	size_t len;
	int ret;

	if (argc != 2 || (len = strlen(argv[1])) > 200) {
		fprintf(stderr, "usage: rawtable TEXT (up to 200 bytes)\n");
		return 64;
	}
	ud[0] = 0; /* NFTNL_UDATA_TABLE_COMMENT */
	ud[1] = (char)len;
	memcpy(ud + 2, argv[1], len);
	t = nftnl_table_alloc();
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "natscope");
	nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, ud, (uint32_t)len + 2);

	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch), NFT_MSG_NEWTABLE, NFPROTO_IPV4,
				    NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	mnl_nlmsg_batch_next(batch);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("rawtable: netlink");
		return 1;
	}
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch)) < 0) {
		perror("rawtable: send");
		return 1;
	}
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, (size_t)ret, 0, mnl_socket_get_portid(nl), NULL, NULL);
	mnl_nlmsg_batch_stop(batch);
	mnl_socket_close(nl);
	if (ret < 0) {
		fprintf(stderr, "rawtable: the kernel refused the table: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
