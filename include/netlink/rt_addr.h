#ifndef NATSCOPE_NETLINK_RT_ADDR_H
#define NATSCOPE_NETLINK_RT_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The interface addresses of the namespace the caller is in, over rtnetlink: one
 * RTM_GETADDR dump, each IPv4 and IPv6 address handed over with its prefix length and
 * interface.  Loopback and link-local addresses are left out (every namespace has them
 * and they name nothing).
 */
struct rt_addr {
	uint8_t family, plen;
	uint32_t ifindex;
	const uint8_t *addr; /* 4 or 16 bytes, valid during the callback */
};

typedef int (*rt_addr_fn)(const struct rt_addr *a, void *data);

/** Dump; @fn's negative return stops it and is returned.  -errno. */
int rt_addr_dump(rt_addr_fn fn, void *data);

#endif
