/*
 * The live benchmark's reference: the least a program can do to follow conntrack
 * events — a libmnl socket on the NEW/UPDATE/DESTROY groups with a 64 MiB forced
 * receive buffer, counting messages until SIGTERM/SIGINT.  Prints "received dropped".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/sock_diag.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(void)
{
	static char buf[256 * 1024];
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long n = 0;
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t mlen = sizeof(mem);
	int size = 32 << 20, fd;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!nl || mnl_socket_bind(nl,
				   (1 << (NFNLGRP_CONNTRACK_NEW - 1)) |
					   (1 << (NFNLGRP_CONNTRACK_UPDATE - 1)) |
					   (1 << (NFNLGRP_CONNTRACK_DESTROY - 1)),
				   MNL_SOCKET_AUTOPID) < 0) {
		perror("mini_events");
		return 1;
	}
	fd = mnl_socket_get_fd(nl);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left;

		if (len < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("mini_events: recv");
			return 1;
		}
		left = (int)len;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			n++;
	}
	getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &mlen);
	printf("%lu %u\n", n, mem[SK_MEMINFO_DROPS]);
	mnl_socket_close(nl);
	return 0;
}
