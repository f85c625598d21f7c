#ifndef NATSCOPE_BPF_INSFAIL_API_H
#define NATSCOPE_BPF_INSFAIL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/insfail_rec.h"

struct ct_stats;

/*
 * The BPF component that names each flow whose conntrack insertion failed (see
 * src/bpf/insfail.bpf.c for how).  Optional: built with meson's bpf feature, attached
 * when the kernel allows; every way it cannot be used is said in words.
 */
struct insfail;

/**
 * Load (not attached yet: seed first, then attach, so that nothing is judged against a
 * missing baseline).  -ENOTSUP (built without it, or the kernel lacks BTF or the
 * program type), -EPERM (no privilege), -errno; @why says which in words.
 */
int insfail_open(struct insfail **out, char *why, size_t whylen);
/** Attach to skb:kfree_skb; -errno with @why. */
int insfail_attach(struct insfail *f, char *why, size_t whylen);
void insfail_close(struct insfail *f);

/**
 * For one namespace: load, seed with @st (its statistics, read inside it) and attach;
 * NULL in *@out, -errno and @why when any step fails (nothing stays loaded).
 */
int insfail_start(struct insfail **out, uint32_t netns, const struct ct_stats *st, char *why,
		  size_t whylen);

/**
 * The baseline of namespace @netns (its inode): each CPU's insert_failed in @st, read in
 * that namespace.  Failures counted after @st are reported; a baseline the program set
 * first (at a drop it saw before) is kept.
 */
int insfail_seed(struct insfail *f, uint32_t netns, const struct ct_stats *st);

/** The descriptor to poll for records. */
int insfail_fd(const struct insfail *f);

/* Called for each record; 0 to go on. */
typedef int (*insfail_fn)(const struct insfail_rec *r, void *data);
/** Pass every queued record to @fn; the number of records, or -errno. */
int insfail_consume(struct insfail *f, insfail_fn fn, void *data);

/* What the program counted, over all CPUs since it was attached. */
struct insfail_counts {
	uint64_t reported; /* failures it sent a record for */
	uint64_t lost;	   /* failures whose record did not fit the ring buffer */
	uint64_t unseeded; /* drops in a namespace without a baseline (not judged) */
};
int insfail_counts(const struct insfail *f, struct insfail_counts *c);

#endif
