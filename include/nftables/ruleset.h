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

struct ruleset;

int ruleset_new(struct ruleset **out);
void ruleset_free(struct ruleset *rs);
/** Add one NFT_MSG_NEWTABLE/NEWCHAIN/NEWRULE/NEWSET/NEWSETELEM message; others are ignored. */
int ruleset_add(struct ruleset *rs, const struct nlmsghdr *nlh);

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
bool ruleset_has_table(const struct ruleset *rs, uint32_t family, const char *name);
/** A dumped set; anonymous sets of tables with a nat postrouting chain have elements. */
const struct nftnl_set *ruleset_set(const struct ruleset *rs, uint32_t family, const char *table,
				    const char *name);
/** The comment of table @name if it carries NATRULES_OWNER_MARK, else NULL. */
const char *ruleset_owned_comment(const struct ruleset *rs, uint32_t family, const char *name);
/** Whether @c is a nat-type base chain on postrouting of an ip, ip6 or inet table. */
bool ruleset_is_nat_postrouting(const struct nftnl_chain *c);

#endif
