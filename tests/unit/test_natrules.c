/* Kernel-free: rulesets built with libnftnl, serialised, fed back as the kernel would. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "natrules.h"

static char buf[16384];
static uint64_t next_handle = 2;

static void feed_table(struct natrules_ruleset *rs, uint32_t family, const char *name,
		       const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	if (comment) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);

		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	assert_int_equal(natrules_ruleset_add(rs, nlh), 0);
}

/* @hook < 0: a regular chain. */
static void feed_chain(struct natrules_ruleset *rs, uint32_t family, const char *table,
		       const char *name, const char *type, int hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	assert_int_equal(natrules_ruleset_add(rs, nlh), 0);
}

static struct nftnl_rule *rule(uint32_t family, const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, next_handle++);
	return r;
}

static void add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void meta_load(struct nftnl_rule *r, uint32_t key, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
	add(r, e);
}

static void payload_load(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add(r, e);
}

static void cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void masq(struct nftnl_rule *r, uint32_t flags)
{
	struct nftnl_expr *e = nftnl_expr_alloc("masq");

	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, flags);
	add(r, e);
}

static void counter(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 7);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 420);
	add(r, e);
}

static void verdict(struct nftnl_rule *r, int32_t v, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	add(r, e);
}

/* iptables-nft's -j MASQUERADE (IPv4, rev 0: nf_nat_ipv4_multi_range_compat). */
static void xt_masquerade(struct nftnl_rule *r, uint32_t flags)
{
	struct nf_nat_ipv4_multi_range_compat info = { .rangesize = 1 };
	struct nftnl_expr *e = nftnl_expr_alloc("target");

	info.range[0].flags = flags;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "MASQUERADE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
	/* libnftnl keeps and later frees the info pointer: hand it heap memory */
	void *copy = malloc(sizeof(info));

	memcpy(copy, &info, sizeof(info));
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, copy, sizeof(info));
	add(r, e);
}

static void xt_comment(struct nftnl_rule *r, const char *text)
{
	char *info = calloc(1, 256); /* owned by libnftnl from here on */
	struct nftnl_expr *e = nftnl_expr_alloc("match");

	snprintf(info, 256, "%s", text);
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "comment");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, 256);
	add(r, e);
}

static void snat_to(struct nftnl_rule *r, uint32_t family, const char *addr, uint16_t pmin,
		    uint16_t pmax, uint32_t flags)
{
	struct nftnl_expr *imm = nftnl_expr_alloc("immediate"), *nat = nftnl_expr_alloc("nat");
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &a, sizeof(a));
	add(r, imm);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	if (pmin) {
		struct nftnl_expr *p1 = nftnl_expr_alloc("immediate");
		struct nftnl_expr *p2 = nftnl_expr_alloc("immediate");
		uint16_t lo = htons(pmin), hi = htons(pmax);

		nftnl_expr_set_u32(p1, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
		nftnl_expr_set(p1, NFTNL_EXPR_IMM_DATA, &lo, sizeof(lo));
		nftnl_expr_set_u32(p2, NFTNL_EXPR_IMM_DREG, NFT_REG_3);
		nftnl_expr_set(p2, NFTNL_EXPR_IMM_DATA, &hi, sizeof(hi));
		nftnl_rule_add_expr(r, p1);
		nftnl_rule_add_expr(r, p2);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_3);
	}
	if (flags)
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FLAGS, flags);
	add(r, nat);
	(void)family;
}

static void feed_rule(struct natrules_ruleset *rs, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
		buf, NFT_MSG_NEWRULE, (uint16_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), 0, 1);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	/* The kernel reports the handle; the builder never writes it. */
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE)));
	nftnl_rule_free(r);
	assert_int_equal(natrules_ruleset_add(rs, nlh), 0);
}

static const struct natrule *find(const struct natrules *nr, const char *table, uint64_t h)
{
	for (unsigned int i = 0; i < nr->n; i++)
		if (strcmp(nr->v[i].table, table) == 0 && nr->v[i].handle == h)
			return &nr->v[i];
	fail_msg("no rule %s/%llu", table, (unsigned long long)h);
	return NULL;
}

/* iptables-nft's Docker rule and a native fully-random one in table ip nat. */
static void docker_style_and_native(void **state)
{
	struct natrules_ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	const struct natrule *x;
	char ifname[16] = "docker0";
	uint8_t net[2] = { 172, 17 };
	uint64_t h0 = next_handle;

	assert_int_equal(natrules_ruleset_new(&rs), 0);
	feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	feed_chain(rs, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", NF_INET_POST_ROUTING, 100);
	feed_chain(rs, NFPROTO_IPV4, "nat", "PREROUTING", "nat", NF_INET_PRE_ROUTING, -100);

	r = rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	meta_load(r, NFT_META_OIFNAME, NFT_REG_1);
	cmp(r, NFT_CMP_NEQ, ifname, sizeof(ifname));
	payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2); /* /16 as a 2-byte load */
	cmp(r, NFT_CMP_EQ, net, sizeof(net));
	counter(r);
	xt_masquerade(r, 0);
	feed_rule(rs, r);

	r = rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	xt_comment(r, "overlay test");
	masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	feed_rule(rs, r);

	/* xt MASQUERADE with --random-fully */
	r = rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	xt_masquerade(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	feed_rule(rs, r);

	/* a masquerade in prerouting is not source NAT on postrouting: ignored */
	r = rule(NFPROTO_IPV4, "nat", "PREROUTING");
	masq(r, 0);
	feed_rule(rs, r);

	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.base_chains, 1);
	assert_int_equal(nr.n, 3);

	x = find(&nr, "nat", h0);
	assert_true(x->compat);
	assert_int_equal(x->kind, NATRULE_MASQUERADE);
	assert_false(natrule_fully_random(x));
	assert_int_equal(x->owner, NATRULE_OWNER_DOCKER);
	assert_int_equal(x->base_priority, 100);
	assert_string_equal(x->base_chain, "POSTROUTING");
	assert_string_equal(x->text, "oifname != \"docker0\" ip saddr 172.17.0.0/16 counter "
				     "packets 7 bytes 420 masquerade (xt)");

	x = find(&nr, "nat", h0 + 1);
	assert_false(x->compat);
	assert_true(natrule_fully_random(x));
	assert_string_equal(x->text, "comment \"overlay test\" masquerade fully-random");

	x = find(&nr, "nat", h0 + 2);
	assert_true(x->compat);
	assert_true(natrule_fully_random(x));
	assert_string_equal(x->text, "masquerade fully-random (xt)");

	natrules_release(&nr);
	natrules_ruleset_free(rs);
}

/* inet table: base chain jumps to a user chain (twice, and in a loop); snat there. */
static void follows_jumps_in_inet(void **state)
{
	struct natrules_ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	const struct natrule *x;
	uint8_t v4 = NFPROTO_IPV4;
	uint8_t mask[4] = { 255, 255, 254, 0 };
	uint8_t net[4] = { 192, 168, 0, 0 };
	uint64_t h0 = next_handle;

	assert_int_equal(natrules_ruleset_new(&rs), 0);
	feed_table(rs, NFPROTO_INET, "filt", NULL);
	feed_chain(rs, NFPROTO_INET, "filt", "post", "nat", NF_INET_POST_ROUTING, 110);
	feed_chain(rs, NFPROTO_INET, "filt", "sub", NULL, -1, 0);
	feed_chain(rs, NFPROTO_INET, "filt", "unused", NULL, -1, 0);

	r = rule(NFPROTO_INET, "filt", "post");
	meta_load(r, NFT_META_NFPROTO, NFT_REG_1);
	cmp(r, NFT_CMP_EQ, &v4, 1);
	payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	{
		struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
		uint8_t xor [4] = { 0 };

		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, 4);
		add(r, e);
	}
	cmp(r, NFT_CMP_EQ, net, 4);
	verdict(r, NFT_JUMP, "sub");
	feed_rule(rs, r);

	r = rule(NFPROTO_INET, "filt", "sub");
	snat_to(r, NFPROTO_INET, "10.9.9.9", 1024, 2047, 0);
	feed_rule(rs, r);
	r = rule(NFPROTO_INET, "filt", "sub");
	verdict(r, NFT_GOTO, "post"); /* a loop back: must terminate */
	feed_rule(rs, r);
	r = rule(NFPROTO_INET, "filt", "unused"); /* not reachable: not listed */
	masq(r, 0);
	feed_rule(rs, r);

	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 1);
	x = find(&nr, "filt", h0 + 1);
	assert_int_equal(x->family, NFPROTO_INET);
	assert_int_equal(x->kind, NATRULE_SNAT);
	assert_string_equal(x->chain, "sub");
	assert_string_equal(x->base_chain, "post");
	assert_true(x->addr_range);
	assert_true(x->port_range);
	assert_string_equal(x->text, "snat ip to 10.9.9.9:1024-2047");
	natrules_release(&nr);
	natrules_ruleset_free(rs);
}

static void natscope_tables_are_marked(void **state)
{
	struct natrules_ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;

	assert_int_equal(natrules_ruleset_new(&rs), 0);
	feed_table(rs, NFPROTO_IPV4, "natscope", NATRULES_OWNER_MARK " v1");
	feed_table(rs, NFPROTO_IPV4, "natscope2", "someone else's");
	feed_chain(rs, NFPROTO_IPV4, "natscope", "post", "nat", NF_INET_POST_ROUTING, 99);
	feed_chain(rs, NFPROTO_IPV4, "natscope2", "post", "nat", NF_INET_POST_ROUTING, 99);
	r = rule(NFPROTO_IPV4, "natscope", "post");
	masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	feed_rule(rs, r);
	r = rule(NFPROTO_IPV4, "natscope2", "post");
	masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	feed_rule(rs, r);
	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 2);
	assert_int_equal(nr.v[0].owner, NATRULE_OWNER_NATSCOPE);
	/* A table named like ours without the marker is not ours. */
	assert_int_equal(nr.v[1].owner, NATRULE_OWNER_UNKNOWN);
	natrules_release(&nr);
	natrules_ruleset_free(rs);
}

static void owner_guesses(void **state)
{
	assert_int_equal(natrules_guess_owner("nat", "DOCKER"), NATRULE_OWNER_DOCKER);
	assert_int_equal(natrules_guess_owner("nat", "KUBE-POSTROUTING"), NATRULE_OWNER_KUBE_PROXY);
	assert_int_equal(natrules_guess_owner("kube-proxy", "nat-postrouting"),
			 NATRULE_OWNER_KUBE_PROXY);
	assert_int_equal(natrules_guess_owner("nat", "FLANNEL-POSTRTG"), NATRULE_OWNER_FLANNEL);
	assert_int_equal(natrules_guess_owner("nat", "cali-nat-outgoing"), NATRULE_OWNER_CALICO);
	assert_int_equal(natrules_guess_owner("nat", "LIBVIRT_PRT"), NATRULE_OWNER_LIBVIRT);
	assert_int_equal(natrules_guess_owner("firewalld", "nat_POST_public"),
			 NATRULE_OWNER_FIREWALLD);
	assert_int_equal(natrules_guess_owner("nat", "POSTROUTING"), NATRULE_OWNER_UNKNOWN);
	assert_string_equal(natrules_owner_name(NATRULE_OWNER_KUBE_PROXY), "kube-proxy");
}

static void legacy_tables(void **state)
{
	char dir[] = "/tmp/natscope-legacy-XXXXXX", path[64];
	struct natrules nr;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ip_tables_names", dir);
	f = fopen(path, "w");
	fputs("filter\nnat\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ip6_tables_names", dir);
	f = fopen(path, "w");
	fputs("filter\nnatx\n", f);
	fclose(f);
	natrules_init(&nr);
	natrules_read_legacy(dir, &nr);
	assert_true(nr.legacy_nat_ipv4);
	assert_false(nr.legacy_nat_ipv6);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ip_tables_names", dir);
	unlink(path);
	rmdir(dir);
	natrules_read_legacy("/nonexistent-natscope", &nr);
	assert_false(nr.legacy_nat_ipv4);
}

static void ignores_unrelated_messages(void **state)
{
	struct natrules_ruleset *rs;
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSET, NFPROTO_IPV4, 0, 1);

	assert_int_equal(natrules_ruleset_new(&rs), 0);
	assert_int_equal(natrules_ruleset_add(rs, nlh), 0);
	natrules_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_style_and_native),
		cmocka_unit_test(follows_jumps_in_inet),
		cmocka_unit_test(natscope_tables_are_marked),
		cmocka_unit_test(owner_guesses),
		cmocka_unit_test(legacy_tables),
		cmocka_unit_test(ignores_unrelated_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
