#include "config.h"
#include "bpf/insfail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "insfail.skel.h"
#include "netlink/ct_stats.h"

struct insfail {
	struct insfail_bpf *skel;
	struct ring_buffer *rb;
	insfail_fn fn; /* of the insfail_consume() running */
	void *data;
	int ncpu;
};

/* libbpf prints to stderr by default: natscope says what went wrong itself, once */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct insfail *f = ctx;

	if (len < sizeof(struct insfail_rec))
		return 0;
	return f->fn((const struct insfail_rec *)data, f->data);
}

static int fail(struct insfail *f, int ret, char *why, size_t whylen, const char *what)
{
	if (ret == -EPERM || ret == -EACCES)
		snprintf(why, whylen, "%s was refused: needs CAP_BPF and CAP_PERFMON (root)", what);
	else if (ret == -ENOENT || ret == -ESRCH || ret == -EINVAL || ret == -EOPNOTSUPP)
		snprintf(why, whylen,
			 "%s failed (%s): the kernel lacks BTF or tp_btf programs on "
			 "skb:kfree_skb",
			 what, strerror(-ret));
	else
		snprintf(why, whylen, "%s failed: %s", what, strerror(-ret));
	insfail_close(f);
	return ret == -EACCES ? -EPERM : ret;
}

int insfail_open(struct insfail **out, char *why, size_t whylen)
{
	struct insfail *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	libbpf_set_print(quiet);
	f->ncpu = libbpf_num_possible_cpus();
	if (f->ncpu <= 0)
		return fail(f, -EINVAL, why, whylen, "counting the CPUs");
	f->skel = insfail_bpf__open_and_load();
	if (!f->skel)
		return fail(f, errno ? -errno : -EINVAL, why, whylen, "loading the BPF program");
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.records), on_record, f, NULL);
	if (!f->rb)
		return fail(f, errno ? -errno : -ENOMEM, why, whylen, "the ring buffer");
	*out = f;
	return 0;
}

int insfail_attach(struct insfail *f, char *why, size_t whylen)
{
	int ret = insfail_bpf__attach(f->skel);

	if (ret < 0 && (ret == -EPERM || ret == -EACCES))
		snprintf(why, whylen,
			 "attaching to skb:kfree_skb was refused: needs CAP_BPF and "
			 "CAP_PERFMON (root)");
	else if (ret < 0)
		snprintf(why, whylen, "attaching to skb:kfree_skb failed: %s", strerror(-ret));
	return ret;
}

void insfail_close(struct insfail *f)
{
	if (!f)
		return;
	ring_buffer__free(f->rb);
	insfail_bpf__destroy(f->skel);
	free(f);
}

int insfail_seed(struct insfail *f, uint32_t netns, const struct ct_stats *st)
{
	int fd = bpf_map__fd(f->skel->maps.last);

	for (unsigned int i = 0; i < st->ncpu; i++) {
		struct insfail_key key = { .netns = netns, .cpu = st->cpu[i].cpu };
		uint32_t v = (uint32_t)st->cpu[i].val[CT_STAT_INSERT_FAILED];

		if (bpf_map_update_elem(fd, &key, &v, BPF_NOEXIST) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int insfail_fd(const struct insfail *f)
{
	return ring_buffer__epoll_fd(f->rb);
}

int insfail_consume(struct insfail *f, insfail_fn fn, void *data)
{
	f->fn = fn;
	f->data = data;
	return ring_buffer__consume(f->rb);
}

int insfail_counts(const struct insfail *f, struct insfail_counts *c)
{
	uint64_t *v = calloc((size_t)f->ncpu, sizeof(*v));
	uint64_t sum[3] = { 0 };
	int fd = bpf_map__fd(f->skel->maps.counts);

	if (!v)
		return -ENOMEM;
	for (uint32_t k = 0; k < 3; k++) {
		if (bpf_map_lookup_elem(fd, &k, v) < 0) {
			free(v);
			return -errno;
		}
		for (int i = 0; i < f->ncpu; i++)
			sum[k] += v[i];
	}
	free(v);
	*c = (struct insfail_counts){ .reported = sum[0], .lost = sum[1], .unseeded = sum[2] };
	return 0;
}
