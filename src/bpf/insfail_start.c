#include "config.h"
#include "bpf/insfail.h"

#include <stdio.h>
#include <string.h>

/*
 * Open, seed and attach in one step, with the reason when any of them fails: built on the
 * backend's own open/seed/attach/close, so it is the same with the BPF component
 * (insfail.c) and without it (insfail_none.c).
 */
int insfail_start(struct insfail **out, uint32_t netns, const struct ct_stats *st, char *why,
		  size_t whylen)
{
	int ret = insfail_open(out, why, whylen);

	if (ret < 0) {
		*out = NULL;
		return ret;
	}
	ret = insfail_seed(*out, netns, st);
	if (ret < 0)
		snprintf(why, whylen, "seeding the BPF baseline failed: %s", strerror(-ret));
	else
		ret = insfail_attach(*out, why, whylen);
	if (ret < 0) {
		insfail_close(*out);
		*out = NULL;
	}
	return ret;
}
