#include "config.h"
#include "bpf/insfail.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Built without the BPF component (meson -Dbpf=disabled, or no clang/bpftool/libbpf). */

int insfail_open(struct insfail **out, char *why, size_t whylen)
{
	snprintf(why, whylen,
		 "this natscope was built without its BPF component (libbpf, bpftool and "
		 "clang at build time)");
	return -ENOTSUP;
}

int insfail_attach(struct insfail *f, char *why, size_t whylen)
{
	return -ENOTSUP;
}

void insfail_close(struct insfail *f)
{
}

int insfail_seed(struct insfail *f, uint32_t netns, const struct ct_stats *st)
{
	return -ENOTSUP;
}

int insfail_fd(const struct insfail *f)
{
	return -1;
}

int insfail_consume(struct insfail *f, insfail_fn fn, void *data)
{
	return -ENOTSUP;
}

int insfail_counts(const struct insfail *f, struct insfail_counts *c)
{
	return -ENOTSUP;
}
