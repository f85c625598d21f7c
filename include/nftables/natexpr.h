#ifndef NATSCOPE_NFTABLES_NATEXPR_H
#define NATSCOPE_NFTABLES_NATEXPR_H

#include <stdbool.h>
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

/** Fill @out if @e is a source-NAT statement of a @family table.  1 if it is, 0 if not. */
int natexpr_snat(const struct nftnl_expr *e, uint32_t family, struct natexpr_nat *out);
/** If @e is a source-NAT statement, its NF_NAT_RANGE_* flags. */
bool natexpr_snat_flags(const struct nftnl_expr *e, uint32_t family, uint32_t *flags);
/** The chain @e jumps or goes to, or NULL. */
const char *natexpr_jump(const struct nftnl_expr *e);

#endif
