#include "config.h"
#include "flows/rates.h"

#include <string.h>

void rates_init(struct rates *r)
{
	memset(r, 0, sizeof(*r));
}

void rates_push(struct rates *r, double t, const struct ct_stats *st)
{
	unsigned int i = r->head;

	r->s[i].t = t;
	for (unsigned int a = 0; a < CT_STATS_NATTR; a++)
		r->s[i].total[a] = ct_stats_total(st, a);
	r->head = (r->head + 1) % RATES_SAMPLES;
	if (r->n < RATES_SAMPLES)
		r->n++;
}

bool rates_get(const struct rates *r, unsigned int attr, double window, double *out)
{
	unsigned int newest = (r->head + RATES_SAMPLES - 1) % RATES_SAMPLES, from = newest;
	double dt;

	if (r->n < 2 || attr >= CT_STATS_NATTR)
		return false;
	for (unsigned int k = 1; k < r->n; k++) {
		from = (newest + RATES_SAMPLES - k) % RATES_SAMPLES;
		if (r->s[newest].t - r->s[from].t >= window - 1e-6)
			break;
	}
	dt = r->s[newest].t - r->s[from].t;
	if (dt <= 0)
		return false;
	/* a CPU going offline can make a total shrink: report no negative rate */
	*out = r->s[newest].total[attr] >= r->s[from].total[attr]
		       ? (double)(r->s[newest].total[attr] - r->s[from].total[attr]) / dt
		       : 0.0;
	return true;
}
