#ifndef NATSCOPE_BPF_INSFAIL_REC_H
#define NATSCOPE_BPF_INSFAIL_REC_H

/*
 * Shared by the BPF program (src/bpf/insfail.bpf.c) and its loader (src/bpf/insfail.c): the record
 * of one conntrack insertion that failed, and the key of the per-namespace, per-CPU insert_failed
 * baselines.  Plain fixed-size types only.
 */

struct insfail_tuple {
	unsigned char src[16], dst[16]; /* IPv4 in the first 4 bytes */
	unsigned short sport, dport;	/* network order */
};

struct insfail_rec {
	unsigned long long time_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	unsigned int cpu;
	unsigned int netns;  /* the namespace's inode number */
	unsigned int status; /* the unconfirmed entry's IPS_* bits */
	unsigned int mark;
	unsigned int counter; /* insert_failed of that CPU and namespace after it */
	unsigned int missed;  /* increments of insert_failed since the last record that
			       * came without a drop (0 normally) */
	unsigned char family; /* AF_INET, AF_INET6 */
	unsigned char proto;  /* IPPROTO_* */
	unsigned char pad[2];
	struct insfail_tuple orig;  /* the flow as the client sent it (pre-NAT) */
	struct insfail_tuple reply; /* its reply: dst/dport are the post-NAT source that clashed */
};

struct insfail_key {
	unsigned int netns;
	unsigned int cpu;
};

#endif
