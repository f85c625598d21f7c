#include "config.h"
#include "flows/pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/*
 * An open-addressing set with linear probing.  Entries are only ever removed one by one
 * by pending_explain() or all at once by pending_settle(), so a removed slot becomes a
 * tombstone that the next settle clears.
 */
enum slot_state { EMPTY, USED, REMOVED };

struct slot {
	uint64_t key;
	uint8_t kind;
	uint8_t state;
};

struct pending {
	struct slot *slots;
	size_t cap;   /* a power of two */
	size_t used;  /* USED slots */
	size_t dirty; /* USED + REMOVED: what probing sees */
};

int pending_new(struct pending **out)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->cap = 64;
	p->slots = calloc(p->cap, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void pending_free(struct pending *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p);
}

static size_t slot_of(const struct pending *p, uint64_t key)
{
	return (size_t)hash_mix(0, key) & (p->cap - 1);
}

static int grow(struct pending *p)
{
	struct slot *old = p->slots;
	size_t cap = p->cap;

	p->slots = calloc(cap * 2, sizeof(*p->slots));
	if (!p->slots) {
		p->slots = old;
		return -ENOMEM;
	}
	p->cap = cap * 2;
	p->used = p->dirty = 0;
	for (size_t i = 0; i < cap; i++)
		if (old[i].state == USED)
			pending_add(p, old[i].key, (enum pending_kind)old[i].kind);
	free(old);
	return 0;
}

int pending_add(struct pending *p, uint64_t key, enum pending_kind kind)
{
	size_t i;
	int ret;

	if ((p->dirty + 1) * 4 > p->cap * 3 && (ret = grow(p)) < 0)
		return ret;
	for (i = slot_of(p, key); p->slots[i].state != EMPTY; i = (i + 1) & (p->cap - 1))
		if (p->slots[i].state == USED && p->slots[i].key == key && p->slots[i].kind == kind)
			return 0;
	p->slots[i] = (struct slot){ .key = key, .kind = (uint8_t)kind, .state = USED };
	p->used++;
	p->dirty++;
	return 0;
}

bool pending_explain(struct pending *p, uint64_t key, enum pending_kind kind)
{
	if (!p->used)
		return false;
	for (size_t i = slot_of(p, key); p->slots[i].state != EMPTY; i = (i + 1) & (p->cap - 1)) {
		struct slot *s = &p->slots[i];

		if (s->state == USED && s->key == key && s->kind == kind) {
			s->state = REMOVED;
			p->used--;
			return true;
		}
	}
	return false;
}

size_t pending_count(const struct pending *p)
{
	return p->used;
}

uint64_t pending_settle(struct pending *p)
{
	uint64_t n = p->used;

	if (p->dirty)
		memset(p->slots, 0, p->cap * sizeof(*p->slots));
	p->used = p->dirty = 0;
	return n;
}
