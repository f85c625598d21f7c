#ifndef NATSCOPE_FLOWS_PENDING_H
#define NATSCOPE_FLOWS_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Differences a resynchronisation found that an event still on its way may explain.  The
 * dump is read on its own socket while events keep coming on another: a flow the dump
 * shows whose NEW event is still queued, or a flow the dump lacks whose DESTROY event is
 * still queued, is no lost event.  Such differences wait here until the event arrives
 * (then they are dropped) or until the stream has had time to catch up (then they were
 * lost).  Flows are keyed by conntrack id and tuple key.
 */
enum pending_kind {
	PENDING_ADDED, /* the dump showed it; a NEW event explains it */
	PENDING_SWEPT, /* the dump lacked it; a DESTROY event explains it */
};

struct pending;

int pending_new(struct pending **out);
void pending_free(struct pending *p);

/** Remember a difference of @kind for @key.  0 or -ENOMEM. */
int pending_add(struct pending *p, uint64_t key, enum pending_kind kind);
/** An event of the kind that explains @kind came for @key: forget it; whether it was there. */
bool pending_explain(struct pending *p, uint64_t key, enum pending_kind kind);
/** How many differences wait. */
size_t pending_count(const struct pending *p);
/** Forget every difference: they were lost.  Returns how many there were. */
uint64_t pending_settle(struct pending *p);

#endif
