#ifndef NATSCOPE_NFTABLES_NATEXPR_H
#define NATSCOPE_NFTABLES_NATEXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the rule readers and the fix planner need to know of single nf_tables expressions. */
struct nftnl_expr;

enum natexpr_kind {
	NATEXPR_MASQUERADE,
	NATEXPR_SNAT,
};

/* A source-NAT statement: native masq / nat snat, or iptables-nft's xt MASQUERADE/SNAT. */
struct natexpr_nat {
	enum natexpr_kind kind;
	bool compat;	 /* an xt target */
	uint32_t flags;	 /* NF_NAT_RANGE_* */
	bool addr_range; /* explicit address(es) */
	bool port_range; /* explicit port range */
};

/* The range of an xt MASQUERADE/SNAT target, whatever revision carried it. */
struct natexpr_range {
	uint32_t flags;			    /* NF_NAT_RANGE_* */
	uint8_t min_addr[16], max_addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t min_port[2], max_port[2];   /* network order */
};

/**
 * Read the range blob of xt target @e of a @family table: IPv4 rev 0 carries
 * nf_nat_ipv4_multi_range_compat, every other revision and IPv6 nf_nat_range(2).
 * -EBADMSG when it is missing or too short.
 */
int natexpr_xt_range(const struct nftnl_expr *e, uint32_t family, struct natexpr_range *out);
/** The same for a target's info blob of @len bytes and revision @rev (iptables-legacy). */
int natexpr_xt_range_blob(const void *info, size_t len, uint32_t rev, uint32_t family,
			  struct natexpr_range *out);

/** Fill @out if @e is a source-NAT statement of a @family table.  1 if it is, 0 if not. */
int natexpr_snat(const struct nftnl_expr *e, uint32_t family, struct natexpr_nat *out);
/** If @e is a source-NAT statement, its NF_NAT_RANGE_* flags. */
bool natexpr_snat_flags(const struct nftnl_expr *e, uint32_t family, uint32_t *flags);
/** The chain @e jumps or goes to, or NULL. */
const char *natexpr_jump(const struct nftnl_expr *e);

struct nftnl_rule;
/**
 * Whether rules @a and @b can never match the same packet: both compare one field (a meta
 * key, a payload range or a ct key, through the same mask or none) with values that
 * differ under both masks, or one requires a value the other excludes.  False when that
 * cannot be shown.
 */
bool natexpr_rules_disjoint(const struct nftnl_rule *a, const struct nftnl_rule *b);

/**
 * Whether every packet rule @a matches, rule @b matches too: each condition of @b is
 * implied by one of @a (the same field: a prefix inside @b's, the same value, a value
 * @b excludes).  False whenever @b matches by something the model does not follow (a
 * range, a set, an xt match): unknown counts as not proved.
 */
bool natexpr_rule_subset(const struct nftnl_rule *a, const struct nftnl_rule *b);

/**
 * Whether @r matches only packets from one address to that same address (source and
 * destination compared equal to one value, full length): a hairpin rule, such as
 * Docker's per published port "-s C/32 -d C/32 -p tcp --dport P -j MASQUERADE", which
 * matches only a container reaching itself through its own published port.
 */
bool natexpr_rule_hairpin(const struct nftnl_rule *r);

#endif
