#include "config.h"
#include "topk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void topk_init(struct topk *t, void *storage, size_t cap, size_t size, topk_cmp_fn cmp, void *ctx)
{
	*t = (struct topk){ .v = storage, .cap = cap, .size = size, .cmp = cmp, .ctx = ctx };
}

static void *at(const struct topk *t, size_t i)
{
	return (char *)t->v + i * t->size;
}

static void swap(struct topk *t, size_t i, size_t j)
{
	unsigned char *a = at(t, i), *b = at(t, j);

	for (size_t k = 0; k < t->size; k++) {
		unsigned char c = a[k];

		a[k] = b[k];
		b[k] = c;
	}
}

/* The heap keeps the item that comes last at the root. */
static int later(const struct topk *t, size_t i, size_t j)
{
	return t->cmp(at(t, i), at(t, j), t->ctx) > 0;
}

static void sift_up(struct topk *t, size_t i)
{
	while (i > 0 && later(t, i, (i - 1) / 2)) {
		swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->n && later(t, l, m))
			m = l;
		if (r < t->n && later(t, r, m))
			m = r;
		if (m == i)
			return;
		swap(t, i, m);
		i = m;
	}
}

void topk_offer(struct topk *t, const void *item)
{
	if (t->n < t->cap) {
		memcpy(at(t, t->n), item, t->size);
		sift_up(t, t->n++);
	} else if (t->cap && t->cmp(item, t->v, t->ctx) < 0) {
		memcpy(t->v, item, t->size);
		sift_down(t, 0);
	}
}

void topk_sort(struct topk *t)
{
	qsort_r(t->v, t->n, t->size, t->cmp, t->ctx);
}
