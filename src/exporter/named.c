#include "config.h"
#include "exporter/named.h"

#include <stdio.h>
#include <string.h>

#include "flows/failures.h"

void named_fails_add(struct named_fails *nf, const struct insfail_rec *r, const char *owner)
{
	struct ct_snat_key k;
	unsigned int i;

	nf->total++;
	owner = owner ? owner : "unknown";
	for (i = 0; i < nf->nowners && strcmp(nf->owners[i].owner, owner) != 0; i++)
		;
	if (i < nf->nowners) {
		nf->owners[i].n++;
	} else if (nf->nowners < NAMED_MAX) {
		snprintf(nf->owners[i].owner, sizeof(nf->owners[i].owner), "%s", owner);
		nf->owners[nf->nowners++].n = 1;
	} else {
		nf->other_owners++;
	}
	failures_key(r, &k);
	for (i = 0; i < nf->ngroups && !ct_snat_key_eq(&nf->groups[i].key, &k); i++)
		;
	if (i < nf->ngroups) {
		nf->groups[i].n++;
	} else if (nf->ngroups < NAMED_MAX) {
		nf->groups[i].key = k;
		nf->groups[nf->ngroups++].n = 1;
	} else {
		nf->other_groups++;
	}
}
