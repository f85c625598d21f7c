#include "config.h"
#include "flows/failures.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int failures_init(struct failures *f)
{
	memset(f, 0, sizeof(*f));
	f->groups = calloc(FAILURES_TRACK, sizeof(*f->groups));
	f->sources = calloc(FAILURES_TRACK, sizeof(*f->sources));
	if (!f->groups || !f->sources) {
		failures_release(f);
		return -ENOMEM;
	}
	return 0;
}

void failures_release(struct failures *f)
{
	free(f->groups);
	free(f->sources);
	f->groups = NULL;
	f->sources = NULL;
}

union ct_addr failures_addr(uint8_t family, const unsigned char *a)
{
	union ct_addr u = { 0 };

	memcpy(u.a8, a, family == AF_INET ? 4 : 16);
	return u;
}

void failures_reply(const struct insfail_rec *r, struct ct_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src = failures_addr(r->family, r->reply.src);
	t->dst = failures_addr(r->family, r->reply.dst);
	t->sport = ntohs(r->reply.sport);
	t->dport = ntohs(r->reply.dport);
}

void failures_key(const struct insfail_rec *r, struct ct_snat_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = r->family;
	k->l4proto = r->proto;
	k->dport = ntohs(r->reply.sport); /* the reply comes from the destination's port */
	memcpy(k->snat_src.a8, r->reply.dst, sizeof(k->snat_src.a8));
	memcpy(k->dst.a8, r->reply.src, sizeof(k->dst.a8));
	if (r->family == AF_INET) {
		memset(k->snat_src.a8 + 4, 0, 12);
		memset(k->dst.a8 + 4, 0, 12);
	}
}

/*
 * A linear search: records come at most a few thousand an interval (a clash race of
 * 200,000 flows fails 100-200), and the tracked sets are bounded.
 */
static void count_group(struct failures *f, const struct insfail_rec *r)
{
	struct ct_snat_key k;

	failures_key(r, &k);
	for (unsigned int i = 0; i < f->ngroups; i++)
		if (ct_snat_key_eq(&f->groups[i].key, &k)) {
			f->groups[i].failures++;
			return;
		}
	if (f->ngroups == FAILURES_TRACK) {
		f->other_groups++;
		return;
	}
	f->groups[f->ngroups++] = (struct failure_group){ .key = k, .failures = 1 };
}

static void count_source(struct failures *f, const struct insfail_rec *r)
{
	union ct_addr a = failures_addr(r->family, r->orig.src);

	for (unsigned int i = 0; i < f->nsources; i++)
		if (f->sources[i].family == r->family &&
		    memcmp(&f->sources[i].src, &a, sizeof(a)) == 0) {
			f->sources[i].failures++;
			return;
		}
	if (f->nsources == FAILURES_TRACK) {
		f->other_sources++;
		return;
	}
	f->sources[f->nsources++] =
		(struct failure_source){ .family = r->family, .src = a, .failures = 1 };
}

void failures_add(struct failures *f, const struct insfail_rec *r)
{
	f->reported++;
	f->missed += r->missed;
	if (r->cpu < sizeof(f->by_cpu) / sizeof(f->by_cpu[0]))
		f->by_cpu[r->cpu]++;
	if (f->nrec < FAILURES_RECORDS)
		f->rec[f->nrec++] = *r;
	count_group(f, r);
	count_source(f, r);
}

static int by_group(const void *a, const void *b)
{
	uint64_t x = ((const struct failure_group *)a)->failures,
		 y = ((const struct failure_group *)b)->failures;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int by_source(const void *a, const void *b)
{
	uint64_t x = ((const struct failure_source *)a)->failures,
		 y = ((const struct failure_source *)b)->failures;

	return x < y ? 1 : x > y ? -1 : 0;
}

void failures_sort(struct failures *f)
{
	qsort(f->groups, f->ngroups, sizeof(*f->groups), by_group);
	qsort(f->sources, f->nsources, sizeof(*f->sources), by_source);
}
