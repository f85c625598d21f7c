#ifndef NATSCOPE_NFTABLES_NATFIX_INT_H
#define NATSCOPE_NFTABLES_NATFIX_INT_H

/* Shared by the files of the fix planner: natfix_plan.c, natfix_mirror.c, natfix_expr.c,
 * natfix_script.c and natfix_apply.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "nftables/scope.h"

struct nftnl_chain;
struct nftnl_expr;
struct nftnl_rule;
struct nftnl_set;
struct nl_sock;
struct ruleset;

#define NFAM 3
/* How the note of a chain that is not mirrored starts ("skip   ip nat post: why"). */
#define NATFIX_SKIP "skip   "
/*
 * libnftnl's builders write without a bound: keep this much free for one message.  What
 * is built is no larger than a message the ruleset accepted (RULESET_MAX_MSG), except a
 * set's elements, which the element iterator cuts at 64 KiB plus the element that did
 * not fit (itself from one accepted message).
 */
#define MSG_ROOM (2 * RULESET_MAX_MSG + 4096)

extern const uint32_t natfix_families[NFAM];

struct overlay {
	uint32_t family;
	bool existing; /* natscope's marked table is there now */
	char existing_comment[256];
	bool current; /* ... and it is already what the plan wants (natfix_compare.c) */
	bool kept;    /* left exactly as it is (outside the --saddr scope, --in-place) */
	bool wanted;  /* the plan wants a table in this family */
	char comment[256];
	struct nftnl_chain **chains;
	size_t nchains;
	struct nftnl_rule **rules;
	const struct nftnl_rule **srcs; /* srcs[i]: the ruleset's rule rules[i] mirrors, or NULL */
	size_t nrules;
	struct nftnl_set **sets; /* recreated anonymous sets, with their elements */
	size_t nsets;
};

struct mirrored {
	uint32_t family;
	char table[NATRULES_NAME];
	char chain[NATRULES_NAME];
};

struct natfix_plan {
	uint32_t genid;
	struct owner_record record; /* carried in the marks */
	bool in_place;
	struct nftnl_rule **replace; /* --in-place: the rules to replace, handles kept */
	size_t nreplace;
	unsigned int snat_seen; /* source-NAT statements reachable from any base chain */
	uint32_t next_set_id;	/* batch-local ids binding lookups to new anonymous sets */
	struct mirrored *mirrored;
	struct overlay ov[NFAM];
	struct scope scope;
	char **notes;
	unsigned int nnotes, nskipped, nmirrored;
	/* base chains skipped whole though they reach statements lacking fully-random: how
	 * many, those statements, and the note that says why for the first one (it starts
	 * with NATFIX_SKIP) */
	unsigned int nleft, left_lacking;
	int left_note;
};

/* What adapting a rule into an overlay needs to know. */
struct mirror_ctx {
	struct natfix_plan *p;
	const struct ruleset *rs;
	struct overlay *ov;
	uint32_t family;
	const char *table;
	char *scratch;
};

int natfix_note(struct natfix_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *natfix_fam_name(uint32_t family);
bool natfix_overlay_changes(const struct overlay *ov);
/* Whether @family is in the plan's --saddr scope (every family without one); natscope's
 * table of a family outside it is left exactly as it is. */
bool natfix_in_scope(const struct natfix_plan *p, uint32_t family);

/** Append @r to @ov's rules, mirroring @src (NULL: natscope's own); frees @r on failure. */
int natfix_add_rule(struct overlay *ov, struct nftnl_rule *r, const struct nftnl_rule *src);

/* natfix_compare.c: 1 if natscope's table of @ov's family holds exactly what @ov wants,
 * 0 if not, -ENOMEM. */
int natfix_overlay_matches(const struct overlay *ov, const struct ruleset *rs);
/* The index in @ov's rules of the first planned rule that natscope's table in @rs does not
 * hold as planned, or -1. */
ssize_t natfix_overlay_first_difference(const struct overlay *ov, const struct ruleset *rs);
/* Whether chain @b is hooked as @a: both regular, or both base with the same hook,
 * priority, type and policy. */
bool natfix_same_hook(const struct nftnl_chain *a, const struct nftnl_chain *b);
/*
 * A rule's expressions as natfix_compare.c compares them, in a new string (NULL without
 * memory): a planned rule of @ov, or (@ov NULL) a rule of @rs in natscope's table.
 * @loose: NAT statements without their fully-random flag.
 */
char *natfix_rule_text(const struct nftnl_rule *r, const struct overlay *ov,
		       const struct ruleset *rs, uint32_t family, bool loose);

/* natfix_apply.c: the additions of the plan, without a generation, in an empty
 * namespace (natfix_render.c). */
int natfix_apply_scratch(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen);

/*
 * natfix_render.c: the tables of natscope the plan adds or rebuilds, as nft lists them
 * once applied to an empty namespace, checked to read back to exactly the plan; in a new
 * string.  -EILSEQ with @why when nft's text does not read back to the plan.
 */
int natfix_plan_listing(const struct natfix_plan *p, char **text, char *why, size_t whylen);

/* natfix_count.c: the count chain in the tables the plan builds (after the scope's
 * kept tables are known), carrying the counts of those in force. */
int natfix_plan_count(struct natfix_plan *p, const struct ruleset *rs);

/* natfix_mirror.c */
#define NATFIX_NAME_MAX 255 /* bytes in a chain name, without the NUL (NFT_NAME_MAXLEN - 1) */
int natfix_chain_name(char *buf, size_t len, const char *table, const char *chain);
struct nftnl_rule *natfix_clone_rule(const struct nftnl_rule *src, char *scratch);
/** Mirror base chain @base into @ov, or explain in a note why not. */
int natfix_mirror_base(struct natfix_plan *p, const struct ruleset *rs,
		       const struct nftnl_chain *base, struct overlay *ov, char *scratch);

/* natfix_expr.c */
struct nftnl_expr *natfix_expr_verdict(int32_t verdict);
struct nftnl_expr *natfix_expr_meta(uint32_t key);
struct nftnl_expr *natfix_expr_cmp(uint32_t op, const void *data, uint32_t len);
struct nftnl_expr *natfix_expr_imm(uint32_t reg, const void *data, uint32_t len);
int natfix_translate_xt_nat(struct nftnl_rule *r, const struct nftnl_expr *e, uint32_t family);
bool natfix_is_xt_nat(const struct nftnl_expr *e);
/*
 * An xt match with an exact native equivalent, added to @r as that: addrtype of one
 * type without an interface limit (fib saddr|daddr type T), mark (meta mark), comment
 * (the rule's comment).  1 if added, 0 if it has none (keep the xt match), -ENOMEM.
 */
int natfix_translate_xt_match(struct nftnl_rule *r, const struct nftnl_expr *e);
/* xt MARK revision 2 (--set-xmark VALUE/MASK and the forms iptables writes with it):
 * 1 with its value and mask, 0 if @e is not one. */
int natfix_xt_mark_target(const struct nftnl_expr *e, uint32_t *mark, uint32_t *mask);
/* Add @e, an xt MARK, to @r as its native `meta mark set`: 1, 0 if it is none, -ENOMEM. */
int natfix_translate_xt_mark(struct nftnl_rule *r, const struct nftnl_expr *e);
struct nftnl_rule *natfix_new_rule(uint32_t family, const char *chain);
struct nftnl_chain *natfix_new_chain(uint32_t family, const char *name);
int natfix_add_scope_guards(struct overlay *ov, const struct scope *sc, const char *chain);

#endif
