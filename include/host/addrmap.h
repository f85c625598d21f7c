#ifndef NATSCOPE_HOST_ADDRMAP_H
#define NATSCOPE_HOST_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"
#include "host/netns_scan.h"

/*
 * Who owns an address: the network namespace that holds it (its interfaces' addresses,
 * read over rtnetlink inside each namespace), named as netns_scan() names namespaces
 * (an ip netns name, docker:CONTAINER, host, pid:PID/COMM).  Loopback and link-local
 * addresses are left out (every namespace has them).  An address two namespaces hold
 * names both ("a|b").
 */
struct addr_owner {
	uint8_t family;
	union ct_addr addr;
	char owner[128];
};

struct addrmap {
	struct addr_owner *v;
	size_t n;
};

/** Read the addresses of each of @n namespaces (entered in turn); -ENOMEM only. */
int addrmap_build(const struct netns_entry *ns, size_t n, struct addrmap *out);
/** The same over every namespace netns_scan() finds with its default roots; -errno. */
int addrmap_build_all(struct addrmap *out);
/** Add @family/@addr as held by @owner (addrmap_build() uses it; tests too). */
int addrmap_add(struct addrmap *m, uint8_t family, const void *addr, const char *owner);
/** The owner of an address, or NULL. */
const char *addrmap_lookup(const struct addrmap *m, uint8_t family, const union ct_addr *a);
/** "@text (OWNER)", or @text alone when @m (may be NULL) knows no owner of @a. */
const char *addrmap_label(const struct addrmap *m, uint8_t family, const union ct_addr *a,
			  const char *text, char *buf, size_t len);
void addrmap_release(struct addrmap *m);

#endif
