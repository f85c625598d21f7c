#ifndef NATSCOPE_TOPK_H
#define NATSCOPE_TOPK_H

#include <stddef.h>

/*
 * The first @cap items of a stream in some order, in one pass and O(cap) memory: a
 * bounded max-heap whose root is the last item kept, the first to give way.  Used for the
 * hottest SNAT groups, the busiest clash groups and the page of flows a view shows.
 */

/* Order: < 0 when @a comes before @b. */
typedef int (*topk_cmp_fn)(const void *a, const void *b, void *ctx);

struct topk {
	void *v; /* storage for cap items of size bytes, the caller's */
	size_t n, cap, size;
	topk_cmp_fn cmp;
	void *ctx;
};

void topk_init(struct topk *t, void *storage, size_t cap, size_t size, topk_cmp_fn cmp, void *ctx);
/** Keep @item (copied) if it is among the first @cap so far. */
void topk_offer(struct topk *t, const void *item);
/** Sort what is kept into order (first item first); the heap is spent. */
void topk_sort(struct topk *t);

#endif
