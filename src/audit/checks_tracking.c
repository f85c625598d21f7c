#include "config.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "audit/tracking.h"
#include "audit_int.h"

static unsigned int notrack_rules(const struct snapshot *s)
{
	unsigned int n = 0;

	for (size_t i = 0; i < s->trackrules.n; i++)
		n += s->trackrules.v[i].notrack;
	return n;
}

/*
 * tracking_bypass_candidate: a class of traffic that needs no state and no NAT (an
 * overlay's tunnel carriers, bridge-local traffic) holding a large share of the table.
 * Info: exempting it is an optimisation, not a repair; a warning when the table is
 * filling (the exemption then buys room).  The snippet exempts exactly that traffic; when
 * rules need its state or it is NAT'd, the reasons are given instead.
 */
void audit_check_tracking(const struct snapshot *s, const struct audit_thresholds *t,
			  struct finding *f)
{
	struct tracking_candidates c;
	const struct track_classes *tc = &s->table.track;
	const struct tracking_candidate *first_safe = NULL;
	int64_t count = snapshot_count(s), max = snapshot_max(s);
	unsigned int safe = 0;

	if (!s->have_table) {
		f->sev = SEV_UNKNOWN;
		audit_summary(f, "table not dumped");
		return;
	}
	tracking_candidates(s, &c);
	for (unsigned int i = 0; i < c.n; i++)
		if (c.v[i].safe && !safe++)
			first_safe = &c.v[i];
	audit_evidence(f, "entries", (double)tc->total);
	for (int k = 0; k < TRACK_CLASSES; k++) {
		char key[40];

		snprintf(key, sizeof(key), "%s_entries", track_class_name(k));
		audit_evidence(f, key, (double)tc->row[k].entries);
	}
	audit_evidence(f, "notrack_rules", notrack_rules(s));
	audit_evidence(f, "candidates", c.n);
	audit_evidence(f, "safe_candidates", safe);
	if (!c.n) {
		audit_summary(f, "no traffic that needs no tracking holds %.0f%% of the entries%s",
			      TRACKING_MIN_SHARE * 100,
			      notrack_rules(s) ? " (notrack rules in place: see TRACKING)" : "");
		return;
	}
	audit_raise(f, SEV_INFO);
	if (safe && max > 0 && count >= 0 && (double)count / (double)max >= t->fill_warning)
		audit_raise(f, SEV_WARNING);
	if (first_safe) {
		audit_summary(f, "%s holds %.0f%% of the entries (%llu): tracked for nothing",
			      first_safe->what, first_safe->share * 100,
			      (unsigned long long)first_safe->row->entries);
		snprintf(f->remedy, sizeof(f->remedy),
			 "Exempt it at raw priority (nft -f): %s. Check it first: TRACKING lists "
			 "every candidate and what each snippet covers.",
			 first_safe->snippet);
		return;
	}
	audit_summary(f, "%s holds %.0f%% of the entries (%llu), but must stay tracked: %s",
		      c.v[0].what, c.v[0].share * 100, (unsigned long long)c.v[0].row->entries,
		      c.v[0].reasons[0]);
	snprintf(f->remedy, sizeof(f->remedy),
		 "Keep it tracked, or first change what needs its state (TRACKING names each "
		 "rule), then exempt it.");
}

/* What a pair stands for, which its text says. */
enum pair_kind {
	PAIR_SYN,     /* an unanswered SYN */
	PAIR_ONEWAY,  /* picked up from one side: which one */
	PAIR_HAIRPIN, /* DNAT'd back into the client's network: where to */
};

/* "CLIENT -> SERVER:PORT[ -> TARGET:PORT] (N[, only the SIDE's packets])" */
static int pair_text(const struct ct_agg_pair *p, enum pair_kind kind, char *buf, size_t len)
{
	char a[64], b[80], c[88] = "", t[80];

	if (kind == PAIR_HAIRPIN)
		snprintf(c, sizeof(c), " -> %s",
			 ct_flow_endpoint_str(p->family, IPPROTO_TCP, &p->to, p->to_port, t,
					      sizeof(t)));
	return snprintf(
		buf, len, "%s -> %s%s (%u%s)", ct_flow_addr_str(p->family, &p->src, a, sizeof(a)),
		ct_flow_endpoint_str(p->family, IPPROTO_TCP, &p->dst, p->dport, b, sizeof(b)), c,
		p->entries,
		kind != PAIR_ONEWAY ? ""
		: p->from_server    ? ", only the server's packets"
				    : ", only the client's packets");
}

/* The first three pairs of @n sets, each of its kind, then ", ..." when there are more. */
static const char *pairs_text(const struct ct_agg_pairs *const *sets, const enum pair_kind *kinds,
			      int n, char *buf, size_t len)
{
	unsigned int shown = 0, total = 0;
	bool capped = false;
	size_t off = 0;

	buf[0] = '\0';
	for (int k = 0; k < n; k++) {
		total += sets[k]->n;
		capped |= sets[k]->capped;
		for (unsigned int i = 0; i < sets[k]->n && shown < 3 && off < len; i++, shown++) {
			if (shown)
				off += (size_t)snprintf(buf + off, len - off, ", ");
			if (off < len)
				off += (size_t)pair_text(&sets[k]->v[i], kinds[k], buf + off,
							 len - off);
		}
	}
	if ((shown < total || capped) && off < len)
		snprintf(buf + off, len - off, ", ...");
	return buf;
}

/*
 * Hairpin DNAT whose replies bypass conntrack: the target answers its client over the
 * bridge, which reaches the IP hooks only with br_netfilter on (bridge-nf-call-*).
 */
static bool hairpin_bypassed(const struct snapshot *s)
{
	const struct ct_agg_pairs *h = &s->table.hairpin;
	int64_t v;

	if (!h->entries)
		return false;
	v = s->sys.bridge_nf[h->v[0].family == AF_INET6];
	return v == SYSCTL_ABSENT || v == 0;
}

/*
 * The hairpin remedy, scoped to the client's network: masquerade what is DNAT'd back
 * into it (Docker's own rule when its userland proxy is off), or br_netfilter.
 */
static void hairpin_remedy(const struct snapshot *s, struct finding *f)
{
	const struct ct_agg_pair *p = &s->table.hairpin.v[0];
	int n = localnets_find(&s->nets, p->family, &p->src);
	const char *ip = p->family == AF_INET6 ? "ip6" : "ip";
	char net[64];

	if (n < 0) /* the networks were read after the table: the generic remedy stays */
		return;
	ct_flow_addr_str(p->family, &s->nets.v[n].prefix, net, sizeof(net));
	snprintf(f->remedy, sizeof(f->remedy),
		 "Masquerade the hairpin path so the target's replies come back through this "
		 "host (Docker's own rule when its userland proxy is off; nft -f): table %s "
		 "natscope_hairpin { chain post { type nat hook postrouting priority srcnat; "
		 "oifname \"%s\" %s saddr %s/%u %s daddr %s/%u ct status dnat masquerade; }; }. "
		 "Or let bridged frames through conntrack: sysctl -w "
		 "net.bridge.bridge-nf-call-ip%stables=1 (br_netfilter: every bridged packet then "
		 "takes the IP hooks). --net=host is the last resort.",
		 ip, s->nets.v[n].ifname, ip, net, s->nets.v[n].plen, ip, net, s->nets.v[n].plen,
		 p->family == AF_INET6 ? "6" : "");
}

/*
 * asymmetric_route: invalid packets rising while TCP connections pass this host one way
 * only, or hairpin DNAT whose replies bypass conntrack (no invalid packet needed: the
 * client's retried SYNs match the entry; it just never sees an answer).  Replies on another path
 * leave the connection in SYN_SENT here, and conntrack calls the client's ACKs for a connection it
 * never saw answered invalid; requests on another path leave the server's SYN-ACK invalid, and its
 * later packets make an entry picked up mid-stream that never sees a reply (past SYN_SENT,
 * unreplied).
 */
void audit_check_asymmetric(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f)
{
	uint64_t invalid = snapshot_delta(s, CT_STAT_INVALID);
	const struct ct_summary *tab = &s->table;
	const struct ct_agg_pairs *oneway[] = { &tab->syn_unreplied, &tab->oneway };
	static const enum pair_kind oneway_kinds[] = { PAIR_SYN, PAIR_ONEWAY },
				    hairpin = PAIR_HAIRPIN;
	const struct ct_agg_pairs *hairpins = &tab->hairpin;
	char pairs[400];

	if (!s->have_table) {
		f->sev = SEV_UNKNOWN;
		audit_summary(f, "table not dumped");
		return;
	}
	audit_evidence(f, "invalid_per_s", snapshot_rate(s, CT_STAT_INVALID));
	audit_evidence(f, "syn_unreplied", (double)tab->syn_unreplied.entries);
	audit_evidence(f, "oneway", (double)tab->oneway.entries);
	audit_evidence(f, "hairpin_unreplied", (double)tab->hairpin.entries);
	if (hairpin_bypassed(s)) {
		audit_raise(f, SEV_WARNING);
		audit_summary(f,
			      "%llu connections DNAT'd back into their client's own network got no "
			      "reply here: the target answers over the bridge, past conntrack "
			      "(br_netfilter off), and the client drops what it never asked "
			      "for (%s)",
			      (unsigned long long)tab->hairpin.entries,
			      pairs_text(&hairpins, &hairpin, 1, pairs, sizeof(pairs)));
		hairpin_remedy(s, f);
		return;
	}
	if (!invalid || !(tab->syn_unreplied.entries + tab->oneway.entries)) {
		audit_summary(f, invalid ? "invalid packets rise, but every TCP connection passes "
					   "here both ways: not an asymmetric route"
					 : "no sign of an asymmetric route");
		return;
	}
	audit_raise(f, SEV_WARNING);
	audit_summary(f,
		      "%.1f invalid packets/s while %llu TCP connections pass this host one way "
		      "only: the other direction takes another path (%s)",
		      snapshot_rate(s, CT_STAT_INVALID),
		      (unsigned long long)(tab->syn_unreplied.entries + tab->oneway.entries),
		      pairs_text(oneway, oneway_kinds, 2, pairs, sizeof(pairs)));
}
