#ifndef NATSCOPE_NFTABLES_NATRULES_H
#define NATSCOPE_NFTABLES_NATRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nftables/owner.h"

#define NATRULES_NAME 256 /* NFT_NAME_MAXLEN: any table or chain name, with its NUL */
/* After a rule's text when it is natscope's rendering because nft's listing of the rule
 * lost its NAT statement (natrules_text.c). */
#define NATRULES_TEXT_OWN " (natscope's rendering: nft's listing lost the statement)"
#define NATRULES_TEXT	  512

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
	NATRULE_OWNER_PODMAN,
	NATRULE_OWNER_CNI,
	NATRULE_OWNER_CILIUM,
	NATRULE_OWNER_LXD,
	NATRULE_OWNER_FW4,
	NATRULE_OWNER_NATSCOPE,
	NATRULE_OWNERS,
};

/* What natscope's overlay does for a rule, judged by effect (natfix_coverage_new()). */
enum natrule_cover {
	NATRULE_COVER_NONE,	 /* not a rule the overlay mirrors (or one of its guards) */
	NATRULE_COVER_COVERED,	 /* mirrored exactly, and the mirror is in force */
	NATRULE_COVER_HARMLESS,	 /* mirrored, in another order among rules that never match
				  * the same packet: the same effect */
	NATRULE_COVER_UNCOVERED, /* a source rule to mirror without a mirror in force */
	NATRULE_COVER_DANGEROUS, /* natscope's rule in force that NATs what no source rule does */
	NATRULE_COVERS,
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
	bool hairpin;	 /* matches only one address talking to itself (natexpr_rule_hairpin) */
	bool legacy;	 /* an iptables-legacy rule; handle is its position in the chain */
	enum natrule_owner owner;
	enum natrule_cover cover; /* what natscope's overlay does for it */
	char text[NATRULES_TEXT]; /* nft-like rendering of the whole rule */
};

/* The source-NAT picture of one namespace. */
struct natrules {
	bool have_nftables;	  /* the ruleset could be read */
	uint32_t genid;		  /* ruleset generation the rules were read at */
	unsigned int base_chains; /* nat-type postrouting base chains */
	unsigned int n;
	struct natrule *v;
	bool overlay;			/* natscope's tables are present */
	bool overlay_stale;		/* ... but no longer what `fix` would install now */
	struct owner_record fix_record; /* what `fix` recorded in their marks, if anything */
	bool have_counted;		/* natscope's tables count new source-NAT flows: */
	uint64_t counted;		/* ... so many since they were installed */
	bool legacy_nat_ipv4;		/* iptables-legacy nat tables, invisible to nf_tables */
	bool legacy_nat_ipv6;
	int legacy_error; /* reading them failed: -errno, else 0 */
};

struct ruleset;

/** Find every source-NAT statement reachable from nat postrouting base chains of @rs. */
int natrules_analyze(const struct ruleset *rs, struct natrules *out);

/**
 * Replace each nf_tables rule's text with nft's own (libnftables lists the ruleset of
 * the current namespace with handles; natrules_text.c).  Rules nft's listing does not
 * have keep natscope's text.  -EIO if nft could not list, -ENOMEM.
 */
int natrules_nft_text(struct natrules *nr);
/* A rule's text as nft lists it, with the table and handle that name the rule. */
typedef void (*nft_text_fn)(void *ctx, uint8_t family, const char *table, uint64_t handle,
			    const char *text);
/** List the ruleset once with libnftables (in a child) and hand each rule's text to @fn. */
int nft_rule_texts(nft_text_fn fn, void *ctx);
/** An nft_text_fn for a struct natrules (@ctx): the rule with that handle takes it. */
void natrules_take_text(void *ctx, uint8_t family, const char *table, uint64_t handle,
			const char *text);

/** Read the iptables-legacy table lists (@proc_net: "/proc/net"). */
void natrules_read_legacy(const char *proc_net, struct natrules *out);
/**
 * Append the source-NAT rules of the iptables-legacy nat tables natrules_read_legacy()
 * found (natrules_legacy.c).  A table that cannot be read sets legacy_error; -ENOMEM.
 */
int natrules_add_legacy(struct natrules *out);

bool natrule_fully_random(const struct natrule *r);
const char *natrules_family_name(uint8_t family);
const char *natrules_owner_name(enum natrule_owner owner);
/** "covered", "stale_harmless", "uncovered", "dangerous"; "" for NATRULE_COVER_NONE. */
const char *natrules_cover_name(enum natrule_cover cover);
enum natrule_owner natrules_guess_owner(const char *table, const char *chain);

void natrules_init(struct natrules *nr);
void natrules_release(struct natrules *nr);

#endif
