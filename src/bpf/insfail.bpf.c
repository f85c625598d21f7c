// SPDX-License-Identifier: GPL-2.0
/*
 * natscope's BPF component: name the flow whose conntrack insertion failed.
 *
 * A new flow whose entry cannot be confirmed (its reply tuple clashes with an entry in
 * the table) is dropped by the confirm hook: nf_hook_slow() frees the packet with
 * SKB_DROP_REASON_NETFILTER_DROP, and the skb still carries the unconfirmed entry.  A
 * rule's drop looks the same at that point (same reason, an unconfirmed entry too); what
 * differs is that a confirm failure increments the namespace's per-CPU insert_failed on
 * the dropping CPU just before the packet is freed.  So each such drop compares that
 * CPU's counter with the last value seen (seeded by user space from ctnetlink): risen,
 * it is a failed insertion, and its tuples go to user space.
 *
 * Reading a per-CPU variable needs this CPU's per-CPU offset; without
 * CONFIG_KALLSYMS_ALL there is no __per_cpu_offset ksym, so it is learned from a
 * per-CPU array map of our own: the address a lookup returns minus the map's per-CPU
 * base pointer.  Every kernel structure is read with CO-RE relocations.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/insfail_rec.h"

#define NFCT_PTRMASK  (~7UL)
#define IPS_CONFIRMED (1UL << 3)
#define AF_INET	      2
#define AF_INET6      10

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

/* last insert_failed seen per (namespace, CPU); user space seeds it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct insfail_key);
	__type(value, __u32);
} last SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} records SEC(".maps");

/* counts[0]: failures reported, [1]: lost to a full ring buffer, [2]: drops of an
 * unseeded namespace (its first one becomes the baseline) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &i);

	if (v)
		(*v)++;
}

/* A pointer as a plain number: the verifier forbids arithmetic on map pointers. */
static __always_inline __u64 number(void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * This CPU's offset into per-CPU areas: where a lookup of our per-CPU map lands minus
 * the map's per-CPU base pointer (struct bpf_array's pptrs[0]).
 */
static __always_inline long pcpu_offset(void)
{
	__u64 mine, addr, base = 0;
	__u32 zero = 0;
	void *v = bpf_map_lookup_elem(&pcpu, &zero);

	if (!v)
		return 0;
	mine = number(v);
	addr = number(&pcpu);
	if (!mine || !addr)
		return 0;
	addr += bpf_core_field_offset(struct bpf_array, pptrs);
	if (bpf_probe_read_kernel(&base, sizeof(base), (void *)addr) < 0 || !base)
		return 0;
	return (long)(mine - base);
}

static __always_inline void read_tuple(struct insfail_tuple *t, const struct nf_conntrack_tuple *k)
{
	bpf_probe_read_kernel(t->src, sizeof(t->src), &k->src.u3);
	bpf_probe_read_kernel(t->dst, sizeof(t->dst), &k->dst.u3);
	t->sport = BPF_CORE_READ(k, src.u.all);
	t->dport = BPF_CORE_READ(k, dst.u.all);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct insfail_key key = { .cpu = bpf_get_smp_processor_id() };
	struct ip_conntrack_stat *stat;
	struct insfail_rec *r;
	struct nf_conn *ct;
	struct net *net;
	__u32 now = 0, *prev;
	long off;

	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP))
		return 0;
	ct = (struct nf_conn *)(BPF_CORE_READ(skb, _nfct) & NFCT_PTRMASK);
	if (!ct || (BPF_CORE_READ(ct, status) & IPS_CONFIRMED))
		return 0;
	net = BPF_CORE_READ(ct, ct_net.net);
	stat = BPF_CORE_READ(net, ct.stat);
	off = pcpu_offset();
	if (!net || !stat || !off)
		return 0;
	key.netns = BPF_CORE_READ(net, ns.inum);
	stat = (struct ip_conntrack_stat *)((long)stat + off);
	if (bpf_probe_read_kernel(&now, sizeof(now), &stat->insert_failed) < 0)
		return 0;
	prev = bpf_map_lookup_elem(&last, &key);
	if (!prev) {
		bpf_map_update_elem(&last, &key, &now, BPF_NOEXIST);
		count(2);
		return 0;
	}
	if (now == *prev)
		return 0; /* a rule's drop: the counter did not move */
	r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r) {
		*prev = now;
		count(1);
		return 0;
	}
	r->time_ns = bpf_ktime_get_ns();
	r->cpu = key.cpu;
	r->netns = key.netns;
	r->status = (__u32)BPF_CORE_READ(ct, status);
	r->mark = BPF_CORE_READ(ct, mark);
	r->counter = now;
	r->missed = now - *prev - 1;
	r->family =
		BPF_CORE_READ(ct, tuplehash[0].tuple.src.l3num) == AF_INET6 ? AF_INET6 : AF_INET;
	r->proto = BPF_CORE_READ(ct, tuplehash[0].tuple.dst.protonum);
	r->pad[0] = r->pad[1] = 0;
	read_tuple(&r->orig, &ct->tuplehash[0].tuple);
	read_tuple(&r->reply, &ct->tuplehash[1].tuple);
	*prev = now;
	bpf_ringbuf_submit(r, 0);
	count(0);
	return 0;
}
