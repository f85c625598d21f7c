#include "config.h"
#include "exporter/exact.h"

#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/insfail.h"
#include "top/live.h"

void exporter_bpf_open(struct exporter_bpf *b, bool off)
{
	memset(b, 0, sizeof(*b));
	if (off) {
		snprintf(b->state.why, sizeof(b->state.why), "--no-bpf");
		return;
	}
	if (insfail_open(&b->h, b->state.why, sizeof(b->state.why)) < 0)
		b->h = NULL;
}

void exporter_bpf_seed(struct exporter_bpf *b, const struct exporter_ns *ns)
{
	const struct ct_stats *cur, *prev;
	double dt;

	if (!b->h)
		return;
	top_live_stats(ns->live, &cur, &prev, &dt);
	insfail_seed(b->h, (uint32_t)ns->ino, cur);
}

void exporter_bpf_attach(struct exporter_bpf *b)
{
	if (!b->h)
		return;
	b->state.on = insfail_attach(b->h, b->state.why, sizeof(b->state.why)) == 0;
	if (!b->state.on) {
		insfail_close(b->h);
		b->h = NULL;
	}
}

void exporter_bpf_names(struct exporter_bpf *b)
{
	struct addrmap m;

	if (b->state.on && addrmap_build_all(&m) == 0) {
		addrmap_release(&b->names);
		b->names = m;
	}
}

int exporter_bpf_fd(const struct exporter_bpf *b)
{
	return b->h ? insfail_fd(b->h) : -1;
}

struct reading {
	struct exporter_bpf *b;
	struct exporter_ns *ns;
	size_t n;
};

static int count(const struct insfail_rec *r, void *data)
{
	struct reading *rd = data;
	union ct_addr a = failures_addr(r->family, r->orig.src);
	for (size_t i = 0; i < rd->n; i++)
		if ((uint32_t)rd->ns[i].ino == r->netns) {
			named_fails_add(&rd->ns[i].named, r,
					addrmap_lookup(&rd->b->names, r->family, &a));
			break;
		}
	return 0;
}

void exporter_bpf_read(struct exporter_bpf *b, struct exporter_ns *ns, size_t n)
{
	struct reading rd = { .b = b, .ns = ns, .n = n };

	if (b->h)
		while (insfail_consume(b->h, count, &rd) > 0)
			;
}

void exporter_bpf_close(struct exporter_bpf *b)
{
	insfail_close(b->h);
	b->h = NULL;
	addrmap_release(&b->names);
}
