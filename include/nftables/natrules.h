#ifndef NATSCOPE_NATRULES_H
#define NATSCOPE_NATRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct nftnl_rule;
struct nl_sock;

#define NATRULES_NAME 64
#define NATRULES_TEXT 512

enum natrule_kind {
	NATRULE_MASQUERADE,
	NATRULE_SNAT,
};

enum natrule_owner {
	NATRULE_OWNER_UNKNOWN,
	NATRULE_OWNER_DOCKER,
	NATRULE_OWNER_KUBE_PROXY,
	NATRULE_OWNER_FLANNEL,
	NATRULE_OWNER_CALICO,
	NATRULE_OWNER_LIBVIRT,
	NATRULE_OWNER_FIREWALLD,
	NATRULE_OWNER_NATSCOPE,
	NATRULE_OWNERS,
};

/* One source-NAT statement reachable from a nat-type postrouting base chain. */
struct natrule {
	uint8_t family; /* NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET */
	char table[NATRULES_NAME];
	char chain[NATRULES_NAME];	/* the chain that holds the rule */
	char base_chain[NATRULES_NAME]; /* the base chain it is reached from */
	int32_t base_priority;
	uint64_t handle;
	enum natrule_kind kind;
	bool compat;	 /* an iptables-nft xt target (MASQUERADE/SNAT) */
	uint32_t flags;	 /* NF_NAT_RANGE_* */
	bool addr_range; /* explicit address(es) */
	bool port_range; /* explicit port range */
	enum natrule_owner owner;
	bool covered; /* a current natscope overlay mirrors its base chain with fully-random */
	char text[NATRULES_TEXT]; /* nft-like rendering of the whole rule */
};

/* The source-NAT picture of one namespace. */
struct natrules {
	bool have_nftables;	  /* the ruleset could be read */
	uint32_t genid;		  /* ruleset generation the rules were read at */
	unsigned int base_chains; /* nat-type postrouting base chains */
	unsigned int n;
	struct natrule *v;
	bool overlay;	      /* natscope's tables are present */
	bool overlay_stale;   /* ... but no longer what `fix` would install now */
	bool legacy_nat_ipv4; /* iptables-legacy nat tables, invisible to nf_tables */
	bool legacy_nat_ipv6;
};

/* A dumped ruleset: tables, chains and rules, as nf_tables messages arrive. */
struct natrules_ruleset;

int natrules_ruleset_new(struct natrules_ruleset **out);
void natrules_ruleset_free(struct natrules_ruleset *rs);
/** Add one NFT_MSG_NEWTABLE/NEWCHAIN/NEWRULE message; others are ignored. */
int natrules_ruleset_add(struct natrules_ruleset *rs, const struct nlmsghdr *nlh);

/** Find every source-NAT statement reachable from nat postrouting base chains. */
int natrules_analyze(const struct natrules_ruleset *rs, struct natrules *out);

/**
 * Dump the ruleset of the current namespace (all families) between two reads of the
 * generation id, retrying while it changes.  -EAGAIN if it never held still;
 * -EPROTONOSUPPORT/-EOPNOTSUPP-like errors when nf_tables is absent.
 */
int natrules_dump(struct nl_sock *nl, struct natrules_ruleset **out, uint32_t *genid);

/** Read the iptables-legacy table lists (@proc_net: "/proc/net"). */
void natrules_read_legacy(const char *proc_net, struct natrules *out);

/* The dumped objects, for the fix planner (libnftnl types stay opaque elsewhere). */
struct nftnl_chain;
size_t natrules_ruleset_nchains(const struct natrules_ruleset *rs);
const struct nftnl_chain *natrules_ruleset_chain(const struct natrules_ruleset *rs, size_t i);
size_t natrules_ruleset_nrules(const struct natrules_ruleset *rs);
const struct nftnl_rule *natrules_ruleset_rule(const struct natrules_ruleset *rs, size_t i);
bool natrules_ruleset_has_table(const struct natrules_ruleset *rs, uint32_t family,
				const char *name);
struct nftnl_set;
/** A dumped set; anonymous sets of tables with a nat postrouting chain have elements. */
const struct nftnl_set *natrules_ruleset_set(const struct natrules_ruleset *rs, uint32_t family,
					     const char *table, const char *name);
/** The comment of table @name if it carries NATRULES_OWNER_MARK, else NULL. */
const char *natrules_ruleset_owned_comment(const struct natrules_ruleset *rs, uint32_t family,
					   const char *name);

struct nftnl_expr;
/** If @e is a source-NAT statement (masq, nat snat, xt MASQUERADE/SNAT), its flags. */
bool natrules_expr_snat(const struct nftnl_expr *e, uint32_t family, uint32_t *flags);
/** The chain @e jumps or goes to, or NULL. */
const char *natrules_expr_jump(const struct nftnl_expr *e);

/* natrules_render() flags */
#define NATRULES_RENDER_SCRIPT 0x1 /* nft -f input: no "(xt)" marks, no counter values */

/**
 * Render @r as nft would list it, as far as natscope knows its expressions.
 * Returns 0, 1 when some expression has no nft syntax here (shown as [name] or
 * xt match), or -errno.
 */
int natrules_render(const struct nftnl_rule *r, uint8_t family, unsigned int flags, char *buf,
		    size_t len);

bool natrule_fully_random(const struct natrule *r);
const char *natrules_family_name(uint8_t family);
const char *natrules_owner_name(enum natrule_owner owner);
enum natrule_owner natrules_guess_owner(const char *table, const char *chain);

void natrules_init(struct natrules *nr);
void natrules_release(struct natrules *nr);

/* Marker in the comment of tables natscope owns; nothing else is ever changed. */
#define NATRULES_OWNER_MARK "natscope-managed"

#endif
