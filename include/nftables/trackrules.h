#ifndef NATSCOPE_NFTABLES_TRACKRULES_H
#define NATSCOPE_NFTABLES_TRACKRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"
#include "nftables/natrules.h"

struct ruleset;

/*
 * The rules that bear on exempting traffic from connection tracking: those that already
 * do (notrack, iptables' -j CT --notrack / -j NOTRACK), and those that need tracking for
 * what they match (ct state, status, helper, mark..., xt conntrack/state/helper/connmark)
 * or do (NAT: an untracked packet is not NAT'd).  Each carries the hooks of the base
 * chains that reach it and what it is limited to, read from its expressions: protocol,
 * destination port, source and destination prefixes, input and output interfaces.  A
 * limit natscope cannot read leaves the rule unlimited there (it may match).
 */
#define TRACKRULES_HOOK(h) (1u << (h)) /* NF_INET_PRE_ROUTING ... NF_INET_POST_ROUTING */

struct trackrule_prefix {
	bool set, neg;
	uint8_t family, plen;
	union ct_addr addr;
};

struct trackrule_ifname {
	bool set, neg, wildcard; /* wildcard: "docker*" */
	char name[16];
};

struct trackrule {
	uint8_t family;
	char table[64], chain[64];
	uint64_t handle;
	unsigned int hooks; /* TRACKRULES_HOOK() of the base chains reaching it */
	int priority;	    /* the lowest of those base chains' priorities */
	bool notrack;	    /* it exempts what it matches */
	bool needs_ct;	    /* it matches or sets conntrack state, or NATs */
	char why[32];	    /* what needs it: "ct state", "masquerade", "xt conntrack", ... */
	int l4proto;	    /* -1: any */
	int dport;	    /* -1: any */
	struct trackrule_prefix saddr, daddr;
	struct trackrule_ifname iif, oif;
	enum natrule_owner owner;
	char text[256]; /* natscope's rendering, as nft lists it as far as it knows */
};

struct trackrules {
	bool have; /* the ruleset was read */
	struct trackrule *v;
	size_t n;
};

/* Traffic an exemption would cover. */
struct track_scope {
	unsigned int hooks;
	int l4proto;			  /* -1: any */
	int dport;			  /* -1: any */
	struct trackrule_prefix src, dst; /* both inside these prefixes (when set) */
	const char *ifname;		  /* in and out through it (NULL: any) */
};

/** The notrack and conntrack-dependent rules of @rs; -ENOMEM. */
int trackrules_analyze(const struct ruleset *rs, struct trackrules *out);
/** Whether @r may match traffic of @s (nothing it is limited to rules that out). */
bool trackrule_may_match(const struct trackrule *r, const struct track_scope *s);
/** An nft_text_fn (natrules.h) for a struct trackrules (@ctx). */
void trackrules_take_text(void *ctx, uint8_t family, const char *table, uint64_t handle,
			  const char *text);
void trackrules_release(struct trackrules *t);

#endif
