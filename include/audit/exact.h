#ifndef NATSCOPE_AUDIT_EXACT_H
#define NATSCOPE_AUDIT_EXACT_H

#include <stddef.h>

struct insfail;
struct snapshot;

/*
 * Exact insertion failures for audit (the BPF component, bpf/insfail.h): loaded before
 * the first statistics sample, each namespace seeded with that sample (collect_begin()
 * does it when collect_opts.bpf is set), attached once, and after the second sample
 * the records the ring buffer holds are given to the snapshot of their namespace:
 * those counted up to its second sample are the interval's.
 */

/** Load the component; NULL, with @why, when it cannot be used. */
struct insfail *exact_open(char *why, size_t whylen);
/** Attach it; -errno, and every snapshot says why it is not exact. */
int exact_attach(struct insfail *h, struct snapshot **snaps, size_t n);
/** Drain the records into the snapshots whose second sample is taken; -ENOMEM. */
int exact_collect(struct insfail *h, struct snapshot **snaps, size_t n);
/**
 * Name the sources of the failures and of the busiest SNAT groups: who holds each
 * address, over every namespace of the host (host/addrmap.h), into each snapshot's
 * names.  Best effort: without the privilege to enter namespaces they stay unnamed.
 */
int exact_name(struct snapshot **snaps, size_t n);
/**
 * Look up, for each record @snap keeps, the entry that won its reply tuple (one
 * ctnetlink GET each, in the namespace the caller is in: @snap's).  Best effort.
 */
void exact_winners(struct snapshot *snap);
/** Every snapshot says @why (when the component could not be loaded). */
void exact_unavailable(struct snapshot **snaps, size_t n, const char *why);

#endif
