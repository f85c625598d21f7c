#include "config.h"
#include "audit/snapshot.h"

#include <string.h>

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	ct_stats_init(&s->stats0);
	ct_stats_init(&s->stats1);
	for (int i = 0; i < SYSCTL_KEYS; i++)
		s->sys.val[i] = SYSCTL_ABSENT;
	s->sys.port_range_lo = s->sys.port_range_hi = SYSCTL_ABSENT;
	s->sys.ct_entry_bytes = SYSCTL_ABSENT;
	s->sys.bridge_nf[0] = s->sys.bridge_nf[1] = SYSCTL_ABSENT;
	s->peak.count = -1;
}

void snapshot_release(struct snapshot *s)
{
	ct_stats_release(&s->stats0);
	ct_stats_release(&s->stats1);
	dproxy_list_release(&s->proxies);
	natrules_release(&s->nat);
	failures_release(&s->exact.f);
	addrmap_release(&s->names);
	localnets_release(&s->nets);
	trackrules_release(&s->trackrules);
}

/* Counters can go backwards only if a CPU went offline between samples; clamp at 0. */
static uint64_t cpu_delta(const struct snapshot *s, const struct ct_cpu_stats *c1,
			  unsigned int attr)
{
	const struct ct_cpu_stats *c0 = ct_stats_cpu(&s->stats0, c1->cpu);

	if (!c0 || c1->val[attr] < c0->val[attr])
		return 0;
	return c1->val[attr] - c0->val[attr];
}

uint64_t snapshot_delta(const struct snapshot *s, unsigned int attr)
{
	uint64_t sum = 0;

	if (s->interval <= 0 || attr >= CT_STATS_NATTR)
		return 0;
	for (unsigned int i = 0; i < s->stats1.ncpu; i++)
		sum += cpu_delta(s, &s->stats1.cpu[i], attr);
	return sum;
}

double snapshot_rate(const struct snapshot *s, unsigned int attr)
{
	return s->interval > 0 ? (double)snapshot_delta(s, attr) / s->interval : 0.0;
}

double snapshot_cpu_rate(const struct snapshot *s, unsigned int i, unsigned int attr)
{
	if (s->interval <= 0 || i >= s->stats1.ncpu || attr >= CT_STATS_NATTR)
		return 0.0;
	return (double)cpu_delta(s, &s->stats1.cpu[i], attr) / s->interval;
}

int64_t snapshot_count(const struct snapshot *s)
{
	if (s->stats1.have_global)
		return s->stats1.count;
	if (s->sys.val[SYSCTL_COUNT] != SYSCTL_ABSENT)
		return s->sys.val[SYSCTL_COUNT];
	return -1;
}

int64_t snapshot_peak(const struct snapshot *s)
{
	int64_t count = snapshot_count(s);

	return s->peak.count > count ? s->peak.count : count;
}

int64_t snapshot_max(const struct snapshot *s)
{
	if (s->stats1.have_global && s->stats1.max)
		return s->stats1.max;
	if (s->sys.val[SYSCTL_MAX] != SYSCTL_ABSENT)
		return s->sys.val[SYSCTL_MAX];
	return -1;
}
