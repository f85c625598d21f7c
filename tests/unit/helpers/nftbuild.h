#ifndef NATSCOPE_TEST_NFTBUILD_H
#define NATSCOPE_TEST_NFTBUILD_H

#include <stdbool.h>
#include <stdint.h>

struct natfix_batch;
struct nlmsghdr;
struct ruleset;
struct nftnl_rule;
struct nftnl_expr;

/* Rule handles the builders hand out, ascending. */
extern uint64_t nb_next_handle;

void nb_feed_table(struct ruleset *rs, uint32_t family, const char *name, const char *comment);
void nb_feed_chain(struct ruleset *rs, uint32_t family, const char *table, const char *name,
		   const char *type, int hook, int prio);
struct nftnl_rule *nb_rule(uint32_t family, const char *table, const char *chain);
void nb_add(struct nftnl_rule *r, struct nftnl_expr *e);
void nb_meta_load(struct nftnl_rule *r, uint32_t key, uint32_t reg);
void nb_payload_load(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len);
void nb_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len);
/* register 1 &= @mask (@len bytes), xor 0 */
void nb_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len);
void nb_masq(struct nftnl_rule *r, uint32_t flags);
void nb_counter(struct nftnl_rule *r);
void nb_verdict(struct nftnl_rule *r, int32_t v, const char *chain);
void nb_xt_masquerade(struct nftnl_rule *r, uint32_t flags);
void nb_xt_comment(struct nftnl_rule *r, const char *text);
void nb_snat_to(struct nftnl_rule *r, uint32_t family, const char *addr, uint16_t pmin,
		uint16_t pmax, uint32_t flags);
void nb_feed_rule(struct ruleset *rs, struct nftnl_rule *r);
/* iptables-nft's -j SNAT --to-source ADDR[:PMIN-PMAX]: IPv4 rev 0, IPv6 rev 1 (nf_nat_range). */
void nb_xt_snat(struct nftnl_rule *r, uint32_t family, const char *addr, uint16_t pmin,
		uint16_t pmax, uint32_t flags);

/* A table whose user data is @ud (@len bytes) as it is: a hand-made comment attribute. */
void nb_feed_table_udata(struct ruleset *rs, uint32_t family, const char *name, const void *ud,
			 uint32_t len);
/*
 * An anonymous set "__set0" of @table (ipv4_addr keys) with @n elements 10.0.i/256.i%256,
 * each with a comment of @comment_len bytes when not 0, fed as the kernel dumps it: one
 * set message, then element messages of at most 64 KiB each.
 */
void nb_feed_anon_set(struct ruleset *rs, uint32_t family, const char *table, unsigned int n,
		      unsigned int comment_len);
/* lookup of register 1 in set @set */
void nb_lookup(struct nftnl_rule *r, const char *set);

/*
 * Feed the object messages of an apply batch into @rs, as if the kernel had taken them
 * and been dumped: @keep (may be NULL) sees each message first and returns false for
 * one it fed itself, changed, or wants left out.
 */
typedef bool (*nb_keep_fn)(const struct nlmsghdr *nlh, struct ruleset *rs, void *ctx);
void nb_feed_batch(struct ruleset *rs, const struct natfix_batch *b, nb_keep_fn keep, void *ctx);

#endif
