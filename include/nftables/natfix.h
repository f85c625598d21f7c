#ifndef NATSCOPE_NATFIX_H
#define NATSCOPE_NATFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "nftables/natrules.h"

struct ruleset;
struct nl_sock;
struct owner_record;
struct nlmsghdr;

/* The table natscope owns in each family; only ever created with the owner mark. */
#define NATFIX_TABLE "natscope"
/* The priority of the chain --oif installs when no source-NAT rule exists: below srcnat
 * and iptables-legacy's nat table (both 100), which it must run before. */
#define NATFIX_SCOPE_PRIO 99
/* The chain in natscope's table that counts new source-NAT flows (natfix_count.c). */
#define NATFIX_COUNT_CHAIN "count"

struct natfix_opts {
	bool revert;	   /* remove natscope's tables, nothing else */
	bool in_place;	   /* replace native rules by handle instead of an overlay */
	const char *oif;   /* scope: only traffic leaving this interface */
	const char *saddr; /* scope: only sources in this CIDR */
	/* what to record in the marks of tables the plan creates, when no table of natscope
	 * has a record already (which is kept); NULL: none */
	const struct owner_record *record;
};

/*
 * A planned change: for each nat postrouting base chain whose source-NAT statements lack
 * fully-random, a mirror in natscope's table of the same family at priority - 1, with
 * fully-random added.  Plain data plus the libnftnl objects to send.
 */
struct natfix_plan;

/**
 * Plan against the ruleset @rs read at generation @genid.
 * -EEXIST: a table named NATFIX_TABLE exists without natscope's mark (never touched);
 * -EINVAL: a bad scope.
 */
int natfix_plan_new(const struct ruleset *rs, uint32_t genid, const struct natfix_opts *o,
		    struct natfix_plan **out);
void natfix_plan_free(struct natfix_plan *p);

/** False when the ruleset already is what the plan wants (nothing to apply). */
bool natfix_plan_has_changes(const struct natfix_plan *p);
/** Human lines: what is mirrored, what is skipped and why. */
unsigned int natfix_plan_nnotes(const struct natfix_plan *p);
const char *natfix_plan_note(const struct natfix_plan *p, unsigned int i);
unsigned int natfix_plan_nskipped(const struct natfix_plan *p);
/**
 * Base chains the plan leaves whole though they reach source-NAT statements without
 * fully-random (a rule in them cannot be mirrored exactly): how many; *statements those
 * statements, *first what the note says of the first chain ("ip nat post: why"; NULL
 * when none).
 */
unsigned int natfix_plan_left(const struct natfix_plan *p, unsigned int *statements,
			      const char **first);
unsigned int natfix_plan_nmirrored(const struct natfix_plan *p);

/**
 * Write the change as an nft -f script, whole or not at all.  -EILSEQ with @why naming
 * it when a name in the change has no nft syntax (the change can still be applied:
 * netlink takes any name); -errno when writing failed.
 */
int natfix_plan_script(const struct natfix_plan *p, FILE *out, char *why, size_t whylen);

/**
 * Apply the plan in one nf_tables batch bound to the planned generation.  -ERESTART:
 * the ruleset changed since planning and nothing was applied.  Any other kernel error
 * aborts the whole batch; @err names the message it belongs to.
 */
int natfix_apply(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen);

/*
 * The apply batch built in memory, as natfix_apply() sends it: batch begin carrying the
 * planned generation id, the messages, batch end; sequence numbers from @next_seq.
 */
struct natfix_batch;

int natfix_batch_new(const struct natfix_plan *p, uint32_t (*next_seq)(void *ctx), void *ctx,
		     struct natfix_batch **out);
void natfix_batch_free(struct natfix_batch *b);
const void *natfix_batch_data(const struct natfix_batch *b, size_t *len);
unsigned int natfix_batch_nmsgs(const struct natfix_batch *b);
/** What the message with sequence number @seq does ("add chain ip natscope nat-post"). */
const char *natfix_batch_what(const struct natfix_batch *b, uint32_t seq);

/**
 * One line naming every table of natscope the plan concerns and what it does ("table ip
 * natscope: add; table ip6 natscope: remove"), and the rules it replaces in place; ""
 * when there are none.  -ENOSPC if @len is too small.
 */
int natfix_plan_describe(const struct natfix_plan *p, char *buf, size_t len);
/** Whether the plan changes natscope's table of @family. */
bool natfix_plan_family_changes(const struct natfix_plan *p, uint32_t family);

/** The comment natscope's table of @family should carry after the plan; "" if none. */
const char *natfix_plan_comment(const struct natfix_plan *p, uint32_t family);

/**
 * The record the plan's marks carry: the one of natscope's tables in force, else the
 * one of the options; `have` false when neither has one.
 */
const struct owner_record *natfix_plan_record(const struct natfix_plan *p);
/** Whether the plan installs a table of natscope where none is in force now. */
bool natfix_plan_adds_table(const struct natfix_plan *p);

/**
 * New source-NAT flows counted by natscope's tables in @rs since their record's `since`
 * (NATFIX_COUNT_CHAIN); -ENOENT when no table of natscope counts, -ENOMEM.
 */
int natfix_counted(const struct ruleset *rs, uint64_t *flows);

/** Whether the plan mirrors base chain @chain of @family/@table. */
bool natfix_plan_mirrors(const struct natfix_plan *p, uint32_t family, const char *table,
			 const char *chain);

/**
 * Check a ruleset read after applying: natscope's tables are exactly the planned ones,
 * by content.  Returns 0, or -EPROTO with *family set to the first family that differs.
 */
int natfix_plan_verify(const struct natfix_plan *p, const struct ruleset *rs, uint32_t *family);

/*
 * What natscope's overlay does for each rule, judged by effect: against @p (planned with
 * the overlay's own options) and the ruleset @rs in force (the one @p was planned from).
 */

struct natfix_coverage;

int natfix_coverage_new(const struct natfix_plan *p, const struct ruleset *rs,
			struct natfix_coverage **out);
/** The state of rule @handle of @family/@table (a source rule, or natscope's own). */
enum natrule_cover natfix_coverage_of(const struct natfix_coverage *c, uint32_t family,
				      const char *table, uint64_t handle);
/** Add the number of rules in each state to @counts. */
void natfix_coverage_count(const struct natfix_coverage *c, unsigned int counts[NATRULE_COVERS]);
void natfix_coverage_free(struct natfix_coverage *c);

/**
 * For the rules @nr read from @rs (at generation @genid): whether natscope's overlay is
 * there, whether `fix` would change it now, and each rule's natrule_cover, planning with
 * the scope the overlay's mark records.
 */
int natfix_judge_rules(const struct ruleset *rs, uint32_t genid, struct natrules *nr);

/*
 * `fix --follow` (natfix_follow.c).  The nf_tables notifications it listens to, fed a
 * message at a time (natfix_monitor_feed() is an nl_data_fn): a batch is closed by
 * NFT_MSG_NEWGEN, which names the process that sent it; natscope's own batches (@own_pid)
 * are counted apart and are not changes to follow.
 */
struct natfix_monitor {
	uint32_t own_pid;
	unsigned int batch_msgs; /* messages of the batch not closed yet */
	unsigned int changes;	 /* messages of other processes' batches since the clear */
	unsigned int batches;	 /* ... and their batches */
	unsigned int own;	 /* messages of natscope's own batches */
	uint32_t genid;		 /* the last generation announced */
	char who[16];		 /* the process that sent the last change, or "" */
	bool lost;		 /* the kernel dropped notifications (ENOBUFS): assume a change */
};

/** A netlink socket subscribed to nf_tables change notifications (NFNLGRP_NFTABLES). */
int natfix_monitor_open(struct nl_sock **out);
int natfix_monitor_feed(const struct nlmsghdr *nlh, void *data);
void natfix_monitor_clear(struct natfix_monitor *m);

/*
 * When a burst of changes has settled: @quiet seconds after the last change, and at most
 * @max_wait after the first one, so that a ruleset changing without pause is still
 * followed.  Plain data, so the timing is unit-tested.
 */
struct natfix_debounce {
	double quiet, max_wait;
	double first, last;
	bool pending;
};

void natfix_debounce_note(struct natfix_debounce *d, double now);
/** Seconds until a pending burst is due (0: now), or < 0 when nothing is pending. */
double natfix_debounce_wait(const struct natfix_debounce *d, double now);
void natfix_debounce_clear(struct natfix_debounce *d);

/* Why a plan that differs from what is in force must be applied. */
struct natfix_need {
	unsigned int cover[NATRULE_COVERS]; /* rules by state, as natfix_coverage_new() */
	bool tables;			    /* a table of natscope to add, remove or re-mark */
};

/**
 * Whether applying @p (planned from @rs) changes what the overlay does: 1 when it adds,
 * removes or re-marks a table, replaces rules in place, or when a rule is uncovered or a
 * mirror dangerous; 0 when the plan has no changes or differs only in what has the same
 * effect (rules that never match one packet in another order, counters); -errno.
 */
int natfix_plan_needed(const struct natfix_plan *p, const struct ruleset *rs,
		       struct natfix_need *n);
/** "1 rule uncovered, 2 rules dangerous" and so on; -ENOSPC if @len is too small. */
int natfix_need_describe(const struct natfix_need *n, char *buf, size_t len);

#endif
