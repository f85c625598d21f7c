#ifndef NATSCOPE_TEST_FIXTURE_H
#define NATSCOPE_TEST_FIXTURE_H

#include "audit/snapshot.h"

/* A fixed two-CPU snapshot: 1 s interval, a masquerading router with clashes. */
void fixture_snapshot(struct snapshot *s);
/* Set counter @attr on CPU @cpu (0/1) to @before and @after in the two samples. */
void fixture_counter(struct snapshot *s, unsigned int cpu, unsigned int attr, uint64_t before,
		     uint64_t after);

#include <stddef.h>
#include <stdio.h>

#include "audit/audit.h"
#include "audit/render.h"

/* The fixture's audit through renderer @fn (no colour, version "test"); a malloc'd buffer. */
char *fixture_render(int (*fn)(FILE *, const struct snapshot *, const struct audit_report *,
			       const struct render_opts *),
		     size_t *len);

#endif
