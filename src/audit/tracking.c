#include "config.h"
#include "audit/tracking.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Hooks the traffic passes: a tunnel's carrier ends on this host; bridged traffic is
 * forwarded across the bridge (br_netfilter hands it to the IP hooks). */
#define HOOKS_LOCAL                                                                                \
	(TRACKRULES_HOOK(NF_INET_PRE_ROUTING) | TRACKRULES_HOOK(NF_INET_LOCAL_IN) |                \
	 TRACKRULES_HOOK(NF_INET_LOCAL_OUT) | TRACKRULES_HOOK(NF_INET_POST_ROUTING))
#define HOOKS_BRIDGED                                                                              \
	(TRACKRULES_HOOK(NF_INET_PRE_ROUTING) | TRACKRULES_HOOK(NF_INET_FORWARD) |                 \
	 TRACKRULES_HOOK(NF_INET_POST_ROUTING))

static double share_of(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

static void reason(struct tracking_candidate *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(struct tracking_candidate *c, const char *fmt, ...)
{
	va_list ap;

	c->safe = false;
	if (c->nreasons == TRACKING_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->reasons[c->nreasons++], sizeof(c->reasons[0]), fmt, ap);
	va_end(ap);
}

/*
 * Whether @r may match a packet of @scope between two of @ends (a carrier runs between
 * two of them, either way): a masquerade limited to a container subnet never meets the
 * carriers of the host's own tunnel address.  Without the ends (none, or too many to
 * list), what @scope alone allows.
 */
static bool may_match(const struct trackrule *r, const struct track_scope *scope,
		      const struct track_ends *ends)
{
	if (!ends || !ends->n || ends->many)
		return trackrule_may_match(r, scope);
	for (unsigned int i = 0; i < ends->n; i++) {
		for (unsigned int j = 0; j < ends->n; j++) {
			struct track_scope one = *scope;
			uint8_t bits = ends->family[i] == AF_INET6 ? 128 : 32;

			if (i == j || ends->family[i] != ends->family[j])
				continue;
			one.src = (struct trackrule_prefix){ .set = true,
							     .family = ends->family[i],
							     .plen = bits,
							     .addr = ends->addr[i] };
			one.dst = (struct trackrule_prefix){ .set = true,
							     .family = ends->family[j],
							     .plen = bits,
							     .addr = ends->addr[j] };
			if (trackrule_may_match(r, &one))
				return true;
		}
	}
	return false;
}

/* Rules that need conntrack and may match the traffic forbid exempting it. */
static void judge(const struct snapshot *s, struct tracking_candidate *c,
		  const struct track_scope *scope, const struct track_ends *ends)
{
	c->safe = true;
	if (c->row->nat)
		reason(c, "%llu of its entries are NAT'd: untracked packets are not NAT'd",
		       (unsigned long long)c->row->nat);
	if (!s->trackrules.have)
		reason(c, "the ruleset could not be read: which rules need its state is unknown");
	for (size_t i = 0; i < s->trackrules.n; i++) {
		const struct trackrule *r = &s->trackrules.v[i];
		if (!r->needs_ct || !may_match(r, scope, ends))
			continue;
		reason(c, "rule %s %.40s %.40s handle %llu (%.100s) uses %s on it",
		       natrules_family_name(r->family), r->table, r->chain,
		       (unsigned long long)r->handle, r->text, r->why);
	}
}

static void add_tunnel(const struct snapshot *s, struct tracking_candidates *out, int k)
{
	struct tracking_candidate *c = &out->v[out->n];
	uint16_t port = tunnel_kind_port(k);
	uint8_t proto = tunnel_kind_proto(k);
	struct track_scope scope = { .hooks = HOOKS_LOCAL,
				     .l4proto = proto,
				     .dport = port ? port : -1 };
	char match[48];

	*c = (struct tracking_candidate){
		.cls = TRACK_TUNNEL, .kind = k, .net = -1, .row = &s->table.track.tunnel[k]
	};
	if (port)
		snprintf(c->what, sizeof(c->what), "%s (udp %u)", tunnel_kind_name(k), port);
	else
		snprintf(c->what, sizeof(c->what), "%s (ip protocol %u)", tunnel_kind_name(k),
			 proto);
	judge(s, c, &scope, &s->table.track.tunnel_ends[k]);
	if (port)
		snprintf(match, sizeof(match), "udp dport %u", port);
	else
		snprintf(match, sizeof(match), "meta l4proto %u", proto);
	/* both ways: a carrier is addressed to the tunnel port (or protocol) either way */
	snprintf(c->snippet, sizeof(c->snippet),
		 "table inet conntrack_bypass { chain pre { type filter hook prerouting priority "
		 "raw; "
		 "%s notrack; }; chain out { type filter hook output priority raw; %s notrack; "
		 "}; }",
		 match, match);
	out->n++;
}

static void add_bridge(const struct snapshot *s, struct tracking_candidates *out, int n)
{
	struct tracking_candidate *c = &out->v[out->n];
	const struct localnet *net = &s->nets.v[n];
	struct trackrule_prefix p = {
		.set = true, .family = net->family, .plen = net->plen, .addr = net->prefix
	};
	struct track_scope scope = { .hooks = HOOKS_BRIDGED,
				     .l4proto = -1,
				     .dport = -1,
				     .src = p,
				     .dst = p,
				     .ifname = net->ifname };
	char a[INET6_ADDRSTRLEN], label[160];
	const char *ip = net->family == AF_INET ? "ip" : "ip6";

	*c = (struct tracking_candidate){
		.cls = TRACK_BRIDGE_LOCAL, .kind = -1, .net = n, .row = &s->table.track.net[n]
	};
	snprintf(c->what, sizeof(c->what), "%s", localnet_label(net, label, sizeof(label)));
	judge(s, c, &scope, NULL);
	inet_ntop(net->family, net->prefix.a8, a, sizeof(a));
	/* only what stays on the network: both ends in it, in and out through its bridge */
	snprintf(c->snippet, sizeof(c->snippet),
		 "table inet conntrack_bypass { chain pre { type filter hook prerouting priority "
		 "raw; "
		 "iifname \"%s\" %s saddr %s/%u %s daddr %s/%u notrack; }; }",
		 net->ifname, ip, a, net->plen, ip, a, net->plen);
	out->n++;
}

static bool large(const struct track_classes *t, const struct track_row *r, double *share,
		  double *byte_share)
{
	uint64_t bytes = 0;

	for (int i = 0; i < TRACK_CLASSES; i++)
		bytes += t->row[i].bytes;
	*share = share_of(r->entries, t->total);
	*byte_share = t->counters ? share_of(r->bytes, bytes) : -1;
	return r->entries >= TRACKING_MIN_ENTRIES &&
	       (*share >= TRACKING_MIN_SHARE || *byte_share >= TRACKING_MIN_SHARE);
}

void tracking_candidates(const struct snapshot *s, struct tracking_candidates *out)
{
	const struct track_classes *t = &s->table.track;
	double share, bshare;

	out->n = 0;
	if (!s->have_table)
		return;
	for (int k = 0; k < TUNNEL_KINDS && out->n < TRACKING_CANDIDATES; k++)
		if (large(t, &t->tunnel[k], &share, &bshare)) {
			add_tunnel(s, out, k);
			out->v[out->n - 1].share = share;
			out->v[out->n - 1].byte_share = bshare;
		}
	for (size_t n = 0; n < s->nets.n && n < TRACK_NETS && out->n < TRACKING_CANDIDATES; n++)
		if (large(t, &t->net[n], &share, &bshare)) {
			add_bridge(s, out, (int)n);
			out->v[out->n - 1].share = share;
			out->v[out->n - 1].byte_share = bshare;
		}
}
