#ifndef NATSCOPE_FLOWS_TRACKCLASS_H
#define NATSCOPE_FLOWS_TRACKCLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "ct_flow.h"
#include "host/localnet.h"

/*
 * What conntrack tracks, by whether it needs tracking at all:
 *
 *	tunnel		an overlay's carrier between hosts: VXLAN (UDP 4789), Geneve (UDP
 *			6081), flannel's VXLAN (UDP 8472), or ESP, GRE, IPIP, IPv6-in-IPv4
 *	bridge_local	both ends on one attached network (a bridge's subnet), neither the
 *			host's own address on it, and no NAT: bridged traffic br_netfilter
 *			hands to conntrack
 *	loopback	127.0.0.0/8 or ::1
 *	other		the rest
 *
 * With accounting on (nf_conntrack_acct) the packets and bytes of each class are summed.
 */
enum track_class { TRACK_TUNNEL, TRACK_BRIDGE_LOCAL, TRACK_LOOPBACK, TRACK_OTHER, TRACK_CLASSES };
enum tunnel_kind {
	TUNNEL_VXLAN,
	TUNNEL_GENEVE,
	TUNNEL_FLANNEL,
	TUNNEL_ESP,
	TUNNEL_GRE,
	TUNNEL_IPIP,
	TUNNEL_SIT,
	TUNNEL_KINDS,
};
#define TRACK_NETS 16 /* attached networks counted one by one */

struct track_row {
	uint64_t entries, nat; /* nat: entries of the class that are NAT'd */
	uint64_t packets, bytes;
};

/*
 * The addresses a tunnel kind's carriers run between (both ends of every entry), so that
 * a rule limited to other addresses can be shown never to meet them; past TRACK_ENDS
 * distinct ones only `many` is known.
 */
#define TRACK_ENDS 8
struct track_ends {
	union ct_addr addr[TRACK_ENDS];
	uint8_t family[TRACK_ENDS];
	unsigned int n;
	bool many;
};

struct track_classes {
	struct track_row row[TRACK_CLASSES];
	struct track_row tunnel[TUNNEL_KINDS];
	struct track_ends tunnel_ends[TUNNEL_KINDS];
	struct track_row net[TRACK_NETS]; /* bridge-local by attached network (localnets index) */
	uint64_t total;
	bool counters; /* some entry carried packet and byte counters */
};

const char *track_class_name(enum track_class c);
const char *tunnel_kind_name(enum tunnel_kind k);
/** The UDP port of a UDP tunnel kind, or 0; the IP protocol of the others. */
uint16_t tunnel_kind_port(enum tunnel_kind k);
uint8_t tunnel_kind_proto(enum tunnel_kind k);

/** The class of @f; *@kind (tunnel) or *@net (bridge-local, localnets index) set too. */
enum track_class track_class_of(const struct localnets *nets, const struct ct_flow *f, int *kind,
				int *net);
/** Count @f (@nets may be NULL: then nothing is bridge-local). */
void track_classes_add(struct track_classes *c, const struct localnets *nets,
		       const struct ct_flow *f);

#endif
