#ifndef NATSCOPE_AUDIT_TRACKING_H
#define NATSCOPE_AUDIT_TRACKING_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/snapshot.h"

/*
 * Candidates for a tracking exemption (finding tracking_bypass_candidate): each tunnel
 * kind and each attached network's bridge-local traffic holding a large share of the
 * table's entries (or of its bytes, with accounting on), with the nft snippet that would
 * exempt exactly that traffic at raw priority, or the reasons it must not be exempted:
 * its entries are NAT'd, or rules that need conntrack (ct state/status/helper, NAT, xt
 * conntrack...) may match it.
 */
#define TRACKING_MIN_SHARE   0.10 /* of the entries, or of the bytes */
#define TRACKING_MIN_ENTRIES 10
#define TRACKING_CANDIDATES  8
#define TRACKING_REASONS     4

struct tracking_candidate {
	enum track_class cls;
	int kind;		     /* TRACK_TUNNEL: enum tunnel_kind */
	int net;		     /* TRACK_BRIDGE_LOCAL: index into snapshot.nets */
	char what[96];		     /* "vxlan (udp 4789)", "br0 10.1.0.0/24" */
	const struct track_row *row; /* in snapshot.track */
	double share, byte_share;    /* byte_share < 0 without counters */
	bool safe;		     /* no reason against it */
	unsigned int nreasons;	     /* why not, when !safe */
	char reasons[TRACKING_REASONS][320];
	char snippet[400]; /* nft -f text, when safe */
};

struct tracking_candidates {
	unsigned int n;
	struct tracking_candidate v[TRACKING_CANDIDATES];
};

/** The candidates of @s (none without a table). */
void tracking_candidates(const struct snapshot *s, struct tracking_candidates *out);

#endif
