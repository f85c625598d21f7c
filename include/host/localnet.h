#ifndef NATSCOPE_HOST_LOCALNET_H
#define NATSCOPE_HOST_LOCALNET_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"
#include "host/container.h"

/*
 * The networks attached to the namespace natscope watches: each interface address with
 * its prefix (a Docker bridge's 172.17.0.1/16, a CNI bridge's 10.244.0.1/24), named after
 * the interface and, for a Docker network, after the network (the Gateway that a
 * container's config.v2.json gives for it is the bridge's address).  Loopback,
 * link-local and host routes (/32, /128) are left out: they attach no network.
 */
struct localnet {
	uint8_t family, plen;
	union ct_addr prefix; /* masked */
	union ct_addr local;  /* the interface's own address in it */
	char ifname[IF_NAMESIZE];
	char name[96]; /* "docker:NETWORK" or "" */
};

struct localnets {
	struct localnet *v;
	size_t n;
};

/** Read the current namespace's networks (rtnetlink) and name Docker's under @r. */
int localnets_read(struct localnets *out, const struct container_roots *r);
/** Add one (tests and localnets_read()); -ENOMEM. */
int localnets_add(struct localnets *m, uint8_t family, const void *addr, uint8_t plen,
		  const char *ifname);
/** Name every network whose local address is @gw "docker:@network" (a container's). */
void localnets_name_docker(struct localnets *m, uint8_t family, const void *gw,
			   const char *network);
/** Name Docker's networks from the containers' config.v2.json under @r's data roots. */
void localnets_name_docker_roots(struct localnets *m, const struct container_roots *r);
/** The index of the longest prefix holding @a, or -1. */
int localnets_find(const struct localnets *m, uint8_t family, const union ct_addr *a);
/** "docker:bridge (docker0) 172.17.0.0/16" or "cni0 10.244.0.0/24". */
const char *localnet_label(const struct localnet *n, char *buf, size_t len);
void localnets_release(struct localnets *m);

#endif
