#ifndef NATSCOPE_NFTABLES_RULESET_H
#define NATSCOPE_NFTABLES_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A dumped nf_tables ruleset: tables, chains, rules and sets as libnftnl objects, for the
 * modules that read rules (natrules) or write them (natfix).  Everything above the
 * nftables layer sees only the plain rule list of natrules.h.
 */
struct nlmsghdr;
struct nl_sock;
struct nftnl_chain;
struct nftnl_rule;
struct nftnl_set;
struct nftnl_table;

struct ruleset;

/*
 * Limits of what ruleset_add() accepts, the kernel's own: a message fits the 64 KiB a
 * netlink dump reply is received in, a rule has at most NFT_RULE_MAXEXPRS expressions.
 * Whatever is built again from an accepted object is no larger than its message.
 */
#define RULESET_MAX_MSG	  (64 * 1024)
#define RULESET_MAX_EXPRS 128

int ruleset_new(struct ruleset **out);
void ruleset_free(struct ruleset *rs);
/**
 * Add one NFT_MSG_NEWTABLE/NEWCHAIN/NEWRULE/NEWSET/NEWSETELEM message; others are ignored.
 * -EBADMSG for an object without the names its readers need, -EMSGSIZE past the limits.
 */
int ruleset_add(struct ruleset *rs, const struct nlmsghdr *nlh);

/**
 * libnftnl 1.2.4 numbers the element nests it builds 1, 2, 3, ... (the kernel ignores the
 * type and dumps NFTA_LIST_ELEM) but its parser accepts only NFTA_LIST_ELEM: retype the
 * nests of a built NEWSETELEM message as the kernel would dump them.
 */
void ruleset_elems_parseable(struct nlmsghdr *nlh);

/**
 * Dump the ruleset of the current namespace (all families) between two reads of the
 * generation id, retrying while it changes.  -EAGAIN if it never held still;
 * -EPROTONOSUPPORT/-EOPNOTSUPP-like errors when nf_tables is absent.
 */
int ruleset_dump(struct nl_sock *nl, struct ruleset **out, uint32_t *genid);

size_t ruleset_nchains(const struct ruleset *rs);
const struct nftnl_chain *ruleset_chain(const struct ruleset *rs, size_t i);
size_t ruleset_nrules(const struct ruleset *rs);
const struct nftnl_rule *ruleset_rule(const struct ruleset *rs, size_t i);
/** Table @name of @family, or NULL. */
const struct nftnl_table *ruleset_table(const struct ruleset *rs, uint32_t family,
					const char *name);
/** A dumped set; anonymous sets and verdict maps of tables with a nat postrouting chain
 * have elements. */
const struct nftnl_set *ruleset_set(const struct ruleset *rs, uint32_t family, const char *table,
				    const char *name);
/**
 * The comment of table @name of @family: NULL if there is none or if it is not one
 * NUL-terminated string filling its attribute.
 */
const char *ruleset_table_comment(const struct ruleset *rs, uint32_t family, const char *name);
/** Whether @st is a map whose data are verdicts (a vmap). */
bool ruleset_is_verdict_map(const struct nftnl_set *st);
struct nftnl_expr;
/**
 * The verdict map expression @e (a lookup with the verdict register as destination) of
 * a rule of @family/@table looks up, or NULL.  Its elements were dumped with it.
 */
const struct nftnl_set *ruleset_vmap_of(const struct ruleset *rs, const struct nftnl_expr *e,
					uint32_t family, const char *table);
/** Whether @c is a nat-type base chain on postrouting of an ip, ip6 or inet table. */
bool ruleset_is_nat_postrouting(const struct nftnl_chain *c);

/** Whether @r belongs to chain @chain of table @family/@table. */
bool ruleset_rule_in(const struct nftnl_rule *r, uint32_t family, const char *table,
		     const char *chain);

/* Called once per chain a walk reaches, and once per rule of those chains; a non-zero
 * return stops the walk and is returned. */
typedef int (*ruleset_chain_fn)(const char *chain, void *data);
typedef int (*ruleset_rule_fn)(const struct nftnl_rule *r, const char *chain, void *data);

/**
 * Walk the chains reachable from @chain of table @family/@table by jump and goto,
 * depth-first in rule order: each chain is reported once (@on_chain, @chain first), then
 * its rules in order (@on_rule), a rule's jump targets being walked before the next rule.
 * No depth or size limit: the walk keeps its own stack.  Either callback may be NULL.
 */
int ruleset_walk(const struct ruleset *rs, uint32_t family, const char *table, const char *chain,
		 ruleset_chain_fn on_chain, ruleset_rule_fn on_rule, void *data);

/* The chains a walk reaches, in the order it reaches them (the base chain first). */
struct ruleset_chains {
	const char **names; /* point into the ruleset */
	size_t n;
};

int ruleset_reach(const struct ruleset *rs, uint32_t family, const char *table, const char *chain,
		  struct ruleset_chains *out);
bool ruleset_chains_has(const struct ruleset_chains *c, const char *chain);
void ruleset_chains_release(struct ruleset_chains *c);

#endif
