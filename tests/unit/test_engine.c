/* The event engine without a kernel: messages built here, through a pcap file and back. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flows/clash.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "flows/model.h"

static char buf[4096];

/* A ctnetlink message for flow @id as the kernel would send it for @type. */
static struct nlmsghdr *msg(enum ct_event_type type, uint32_t id, uint8_t proto, int tcp_state,
			    bool snat, uint32_t status)
{
	struct nf_conntrack *ct = nfct_new();
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint32_t src = htonl(0x0a000000 + id), dst = inet_addr("203.0.113.9");
	uint32_t nat = snat ? inet_addr("198.51.100.1") : src;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
			  (type == CT_EVENT_DESTROY ? IPCTNL_MSG_CT_DELETE : IPCTNL_MSG_CT_NEW);
	nlh->nlmsg_flags = type == CT_EVENT_NEW	   ? NLM_F_CREATE | NLM_F_EXCL
			   : type == CT_EVENT_DUMP ? NLM_F_MULTI
						   : 0;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, proto);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, proto);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, src);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, dst);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, dst);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, nat);
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(40000));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(40000));
	if (tcp_state >= 0)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, (uint8_t)tcp_state);
	if (proto == IPPROTO_ICMP) {
		/* libnetfilter_conntrack writes the reply tuple's ICMP id as 0: match it */
		nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, 8);
		nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
		nfct_set_attr_u16(ct, ATTR_ICMP_ID, 0);
	}
	nfct_set_attr_u32(ct, ATTR_STATUS, status);
	assert_int_equal(nfct_nlmsg_build(nlh, ct), 0);
	mnl_attr_put_u32(nlh, CTA_ID, htonl(id));
	nfct_destroy(ct);
	return nlh;
}

#define SEEN (IPS_CONFIRMED | IPS_SEEN_REPLY)

struct script {
	enum ct_event_type type;
	uint32_t id;
	uint8_t proto;
	int tcp_state;
	bool snat;
	uint32_t status;
};

/* Seed 3 flows by dump, then a day in the life of a NAT box. */
static const struct script day[] = {
	{ CT_EVENT_DUMP, 1, IPPROTO_TCP, TCP_CONNTRACK_ESTABLISHED, true, SEEN | IPS_ASSURED },
	{ CT_EVENT_DUMP, 2, IPPROTO_UDP, -1, true, IPS_CONFIRMED },
	{ CT_EVENT_DUMP, 3, IPPROTO_TCP, TCP_CONNTRACK_TIME_WAIT, false, SEEN | IPS_ASSURED },
	{ CT_EVENT_NEW, 4, IPPROTO_TCP, TCP_CONNTRACK_SYN_SENT, true, IPS_CONFIRMED },
	{ CT_EVENT_UPDATE, 4, IPPROTO_TCP, TCP_CONNTRACK_ESTABLISHED, true, SEEN },
	/* an update without protocol info keeps the TCP state */
	{ CT_EVENT_UPDATE, 4, IPPROTO_TCP, -1, true, SEEN | IPS_ASSURED },
	{ CT_EVENT_NEW, 5, IPPROTO_UDP, -1, true, IPS_CONFIRMED },
	{ CT_EVENT_DESTROY, 3, IPPROTO_TCP, TCP_CONNTRACK_TIME_WAIT, false, SEEN },
	{ CT_EVENT_DESTROY, 99, IPPROTO_UDP, -1, false, 0 }, /* unknown: harmless */
	{ CT_EVENT_NEW, 6, IPPROTO_ICMP, -1, false, IPS_CONFIRMED },
};

#define DAY_LEN (sizeof(day) / sizeof(day[0]))

static int ingest_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	return engine_ingest(data, nlh);
}

static void check_day(const struct engine *e)
{
	const struct flow_counts *c = engine_counts(e);
	const struct engine_stats *st = engine_stats(e);

	assert_int_equal(c->total, 5);
	assert_int_equal(c->by_proto[IPPROTO_TCP], 2);
	assert_int_equal(c->by_proto[IPPROTO_UDP], 2);
	assert_int_equal(c->by_proto[IPPROTO_ICMP], 1);
	assert_int_equal(c->tcp_state[TCP_CONNTRACK_ESTABLISHED], 2);
	assert_int_equal(c->tcp_state[TCP_CONNTRACK_TIME_WAIT], 0);
	assert_int_equal(c->tcp_state[TCP_CONNTRACK_SYN_SENT], 0);
	assert_int_equal(c->assured, 2);
	assert_int_equal(c->unreplied, 3);
	assert_int_equal(c->nat_kind[CT_NAT_SNAT], 4);
	assert_int_equal(c->nat_kind[CT_NAT_NONE], 1);
	assert_int_equal(st->received[CT_EVENT_DUMP], 3);
	assert_int_equal(st->received[CT_EVENT_NEW], 3);
	assert_int_equal(st->received[CT_EVENT_UPDATE], 2);
	assert_int_equal(st->received[CT_EVENT_DESTROY], 2);
	assert_int_equal(engine_events(e), 7);
}

static void replay_file_drives_exact_counts(void **state)
{
	char path[] = "/tmp/natscope-replay-XXXXXX";
	int fd = mkstemp(path);
	struct evrec *rec;
	struct engine *e;
	char err[128] = "";

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	for (size_t i = 0; i < DAY_LEN; i++) {
		const struct script *s = &day[i];

		assert_int_equal(
			evrec_write(rec,
				    msg(s->type, s->id, s->proto, s->tcp_state, s->snat, s->status),
				    1795500000.0 + (double)i * 0.25),
			0);
	}
	assert_int_equal(evrec_close(rec), 0);

	assert_int_equal(engine_new(&e), 0);
	assert_int_equal(evrec_replay(path, ingest_cb, e, err, sizeof(err)), DAY_LEN);
	check_day(e);
	engine_free(e);

	/* the same replay again gives the same answer: deterministic */
	assert_int_equal(engine_new(&e), 0);
	assert_int_equal(evrec_replay(path, ingest_cb, e, err, sizeof(err)), DAY_LEN);
	check_day(e);
	engine_free(e);
	unlink(path);
}

static void overrun_resync_converges_to_the_dump(void **state)
{
	struct engine *e;

	assert_int_equal(engine_new(&e), 0);
	engine_resync_begin(e, ENGINE_SEED);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, id, IPPROTO_UDP, -1, true,
						      IPS_CONFIRMED)),
				 0);
	engine_resync_end(e);
	assert_int_equal(engine_stats(e)->lost_estimate, 0); /* seeding loses nothing */

	/* ENOBUFS: flow 4 was created and flow 2 destroyed while events were dropped */
	engine_overrun(e, 7);
	engine_resync_begin(e, ENGINE_OVERRUN);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 1, IPPROTO_UDP, -1, true, SEEN)), 0);
	/* an event arriving during the dump counts as confirmed too */
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_NEW, 5, IPPROTO_TCP, TCP_CONNTRACK_SYN_SENT,
					      true, IPS_CONFIRMED)),
			 0);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 3, IPPROTO_UDP, -1, true, SEEN)), 0);
	assert_int_equal(
		engine_ingest(e, msg(CT_EVENT_DUMP, 4, IPPROTO_UDP, -1, true, IPS_CONFIRMED)), 0);
	engine_resync_end(e);

	assert_int_equal(engine_counts(e)->total, 4); /* 1, 3, 4, 5 */
	assert_int_equal(engine_counts(e)->by_proto[IPPROTO_UDP], 3);
	assert_int_equal(engine_counts(e)->unreplied, 2); /* 4 and 5 */
	assert_int_equal(engine_stats(e)->overruns, 1);
	assert_int_equal(engine_stats(e)->dropped, 7);
	assert_int_equal(engine_stats(e)->lost_estimate, 2); /* 4 unknown, 2 swept */
	assert_int_equal(engine_stats(e)->resyncs, 2);

	/* periodic reconciliation: differences are drift, not loss */
	engine_resync_begin(e, ENGINE_RECONCILE);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 1, IPPROTO_UDP, -1, true, SEEN)), 0);
	engine_resync_end(e);
	assert_int_equal(engine_counts(e)->total, 1);
	assert_int_equal(engine_stats(e)->drift, 3);
	assert_int_equal(engine_stats(e)->lost_estimate, 2);
	engine_free(e);
}

/* Heavy churn: the index (linear probing, backward-shift deletion) and the counts hold. */
/* Two live flows may share a conntrack id: they stay two flows. */
static void colliding_ids_stay_apart(void **state)
{
	struct model *m;
	struct ct_flow a, b;

	assert_int_equal(model_new(&m), 0);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.l4proto = IPPROTO_UDP;
	a.id = 0xdeadbeef;
	a.orig.sport = 1000;
	b = a;
	b.orig.sport = 1001;
	assert_int_equal(model_apply(m, CT_EVENT_NEW, &a), 0);
	assert_int_equal(model_apply(m, CT_EVENT_NEW, &b), 0);
	assert_int_equal(model_counts(m)->total, 2);
	assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &a), 0);
	assert_true(model_has(m, &b));
	assert_false(model_has(m, &a));
	assert_int_equal(model_counts(m)->total, 1);
	model_free(m);
}

static void model_survives_churn(void **state)
{
	enum { N = 200000 };
	static uint8_t live[N];
	struct model *m;
	struct ct_flow f;
	uint64_t expect = 0;
	uint32_t x = 12345;

	assert_int_equal(model_new(&m), 0);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	for (int step = 0; step < 1000000; step++) {
		uint32_t id;

		x = x * 1103515245u + 12345u;
		id = (x >> 8) % N;
		f.id = id * 2654435761u; /* spread like kernel ids, never 0 for id > 0 */
		if (live[id] && (x & 1)) {
			assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &f), 0);
			live[id] = 0;
			expect--;
		} else if (!live[id]) {
			assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
			live[id] = 1;
			expect++;
		}
		assert_true(model_has(m, &f) == (live[id] != 0));
	}
	assert_int_equal(model_counts(m)->total, expect);
	for (uint32_t id = 0; id < N; id++) {
		f.id = id * 2654435761u;
		assert_true(model_has(m, &f) == (live[id] != 0));
	}
	assert_true(model_flow_bytes() <= 64);
	model_free(m);
}

/* A constructed episode: the busiest group fed by two sources is the likely place. */
static void clash_picks_the_right_group(void **state)
{
	struct clash *c;
	struct ct_flow f;
	const struct clash_episode *ep;

	assert_int_equal(clash_new(&c), 0);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	f.reply.dst.a32[0] = inet_addr("198.51.100.1"); /* post-NAT source */
	f.reply.src.a32[0] = inet_addr("203.0.113.9");
	for (int i = 0; i < 300; i++) {
		/* A: port 53, 100 flows from each of two sources */
		f.reply.sport = 53;
		f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
		f.reply.dport = (uint16_t)(2000 + i);
		if (i < 200)
			clash_new_flow(c, &f);
		/* B: port 443, 300 flows from one source: busiest, but no race */
		f.reply.sport = 443;
		f.orig.src.a32[0] = htonl(0x0a000009);
		clash_new_flow(c, &f);
		/* C: port 123, 25 flows from each of two sources */
		if (i < 50) {
			f.reply.sport = 123;
			f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
			clash_new_flow(c, &f);
		}
	}
	/* not SNAT'd: never grouped */
	f.reply.dst = f.orig.src;
	f.reply.dport = f.orig.sport;
	clash_new_flow(c, &f);

	assert_false(clash_close_interval(c, 10.0, 0)); /* nothing failed: no episode */
	assert_int_equal(clash_nepisodes(c), 0);
	/* the interval was reset: nothing qualifies now */
	assert_false(clash_close_interval(c, 11.0, 3));

	for (int i = 0; i < 200; i++) {
		f.reply.dst.a32[0] = inet_addr("198.51.100.1");
		f.reply.sport = i < 100 ? 53 : 123;
		f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
		f.reply.dport = (uint16_t)(3000 + i);
		clash_new_flow(c, &f);
		if (i < 120) {
			f.reply.sport = 53;
			clash_new_flow(c, &f);
		}
	}
	assert_true(clash_close_interval(c, 12.0, 5));
	assert_int_equal(clash_nepisodes(c), 1);
	ep = clash_episode(c, 0);
	assert_true(ep->time == 12.0);
	assert_int_equal(ep->insert_failed, 5);
	assert_int_equal(ep->ngroups, 2);
	assert_int_equal(ep->groups[0].key.dport, 53);
	assert_int_equal(ep->groups[0].new_flows, 220);
	assert_int_equal(ep->groups[0].sources, 2);
	assert_int_equal(ep->groups[1].key.dport, 123);
	assert_int_equal(ep->groups[1].new_flows, 100);
	assert_int_equal(ep->groups[0].key.snat_src.a32[0], inet_addr("198.51.100.1"));
	clash_free(c);
}

/* An IPv6 flow numbered @i: addresses that say which flow they belong to. */
static void v6_flow(struct ct_flow *f, uint32_t i)
{
	memset(f, 0, sizeof(*f));
	f->id = i * 7919u;
	f->family = AF_INET6;
	f->l4proto = IPPROTO_TCP;
	inet_pton(AF_INET6, "fd00::", &f->orig.src);
	inet_pton(AF_INET6, "2001:db8::53", &f->orig.dst);
	inet_pton(AF_INET6, "2001:db8:ffff::1", &f->reply.dst); /* post-NAT source */
	f->orig.src.a32[3] = htonl(i);
	f->reply.src = f->orig.dst;
	f->reply.dst.a32[2] = htonl(i);
	f->orig.sport = f->reply.dport = (uint16_t)(1024 + i % 60000);
	f->orig.dport = f->reply.sport = 443;
}

struct v6_check {
	uint32_t seen, v4;
	bool *present;
};

static int check_v6(const struct ct_flow *f, void *data)
{
	struct v6_check *c = data;
	struct ct_flow want;
	uint32_t i;

	if (f->family == AF_INET) {
		c->v4++;
		return 0;
	}
	i = ntohl(f->orig.src.a32[3]);
	v6_flow(&want, i);
	assert_true(c->present[i]);
	assert_memory_equal(&f->orig.src, &want.orig.src, 16);
	assert_memory_equal(&f->orig.dst, &want.orig.dst, 16);
	assert_memory_equal(&f->reply.dst, &want.reply.dst, 16);
	assert_memory_equal(&f->reply.src, &want.reply.src, 16);
	assert_int_equal(f->orig.sport, want.orig.sport);
	assert_int_equal(ct_flow_nat_kind(f), CT_NAT_SNAT);
	c->seen++;
	return 0;
}

/* IPv6 flows keep their four addresses through churn, updates and sweeps. */
static void model_keeps_ipv6_addresses(void **state)
{
	enum { N = 5000 };
	bool present[N] = { false };
	struct v6_check c = { .present = present };
	struct model *m;
	struct ct_flow f;
	uint32_t live = 0;

	assert_int_equal(model_new(&m), 0);
	for (uint32_t i = 0; i < N; i++) {
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
		present[i] = true;
		/* an IPv4 flow in between: the two kinds share the table */
		memset(&f, 0, sizeof(f));
		f.id = i;
		f.family = AF_INET;
		f.l4proto = IPPROTO_UDP;
		f.orig.src.a32[0] = htonl(0x0a000000 + i);
		f.reply.dst = f.orig.src;
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
	}
	/* destroy every third IPv6 flow, update the others, then create new ones in the
	 * released slots */
	for (uint32_t i = 0; i < N; i++) {
		v6_flow(&f, i);
		if (i % 3 == 0) {
			assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &f), 0);
			present[i] = false;
		} else {
			f.has_tcp_state = true;
			f.tcp_state = 3;
			assert_int_equal(model_apply(m, CT_EVENT_UPDATE, &f), 0);
		}
	}
	for (uint32_t i = 0; i < N; i += 6) {
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
		present[i] = true;
	}
	for (uint32_t i = 0; i < N; i++)
		live += present[i];
	assert_int_equal(model_foreach(m, check_v6, &c), 0);
	assert_int_equal(c.seen, live);
	assert_int_equal(c.v4, N);
	assert_int_equal(model_counts(m)->by_family[FLOW_IPV6], live);

	/* a resync that confirms only the even IPv6 flows sweeps the rest */
	model_mark(m);
	live = 0;
	for (uint32_t i = 0; i < N; i++) {
		if (i % 2 || !present[i]) {
			present[i] = false;
			continue;
		}
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_DUMP, &f), 0);
		live++;
	}
	model_sweep(m, NULL, NULL);
	c.seen = c.v4 = 0;
	assert_int_equal(model_foreach(m, check_v6, &c), 0);
	assert_int_equal(c.seen, live);
	assert_int_equal(c.v4, 0);
	assert_int_equal(model_counts(m)->total, live);
	model_free(m);
}

struct life_count {
	unsigned int live, fresh, gone, age[4];
};

static int count_life(const struct ct_flow *f, void *data)
{
	struct life_count *c = data;

	if (f->life == CT_LIFE_NEW)
		c->fresh++;
	else if (f->life == CT_LIFE_GONE)
		c->gone++, c->age[f->age < 4 ? f->age : 3]++;
	else
		c->live++;
	return 0;
}

static struct life_count lives(struct engine *e, unsigned int gone_age)
{
	struct life_count c = { 0 };

	assert_int_equal(engine_foreach(e, count_life, &c), 0);
	assert_int_equal(engine_foreach_gone(e, gone_age, count_life, &c), 0);
	return c;
}

/* New flows are marked for the interval after they came; destroyed ones fade over a few. */
static void flows_are_new_then_live_then_gone(void **state)
{
	struct engine *e;
	struct life_count c;

	assert_int_equal(engine_new(&e), 0);
	assert_int_equal(engine_keep_gone(e, 2), 0);
	/* a seeding dump: known, not new */
	engine_resync_begin(e, ENGINE_SEED);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 1, IPPROTO_UDP, -1, true, SEEN)), 0);
	engine_resync_end(e);
	for (uint32_t id = 2; id <= 4; id++)
		assert_int_equal(engine_ingest(e, msg(CT_EVENT_NEW, id, IPPROTO_UDP, -1, true, 0)),
				 0);
	c = lives(e, 3);
	assert_int_equal(c.fresh, 0); /* the interval has not ended */
	engine_close_interval(e, 1.0, 0);
	c = lives(e, 3);
	assert_int_equal(c.fresh, 3);
	assert_int_equal(c.live, 1);
	/* one interval later they are plain live flows; three are destroyed in it */
	for (uint32_t id = 2; id <= 4; id++)
		assert_int_equal(
			engine_ingest(e, msg(CT_EVENT_DESTROY, id, IPPROTO_UDP, -1, true, 0)), 0);
	c = lives(e, 3);
	assert_int_equal(c.fresh, 0);
	assert_int_equal(c.gone, 0); /* destroyed in the current interval: not yet shown */
	engine_close_interval(e, 2.0, 0);
	c = lives(e, 3);
	assert_int_equal(c.live, 1);
	assert_int_equal(c.gone, 2); /* the ring keeps the last two */
	assert_int_equal(c.age[0], 2);
	engine_close_interval(e, 3.0, 0);
	engine_close_interval(e, 4.0, 0);
	c = lives(e, 3);
	assert_int_equal(c.age[2], 2);
	engine_close_interval(e, 5.0, 0);
	c = lives(e, 3);
	assert_int_equal(c.gone, 0); /* faded out */
	/* a flow a reconciliation finds gone fades too */
	engine_resync_begin(e, ENGINE_RECONCILE);
	engine_resync_end(e);
	engine_close_interval(e, 6.0, 0);
	c = lives(e, 3);
	assert_int_equal(c.live, 0);
	assert_int_equal(c.gone, 1);
	assert_int_equal(engine_stats(e)->drift, 1);
	engine_free(e);
}

/*
 * A dump read in steps interleaves with events: a dump entry read after an event may be
 * older than it.  It must neither revive a flow an event destroyed nor undo an update.
 */
static void stepwise_resync_keeps_newer_events(void **state)
{
	const struct flow_counts *c;
	struct engine *e;

	assert_int_equal(engine_new(&e), 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(
			engine_ingest(e, msg(CT_EVENT_NEW, id, IPPROTO_TCP, 3, true, SEEN)), 0);
	engine_resync_begin(e, ENGINE_RECONCILE);
	assert_true(engine_resyncing(e));
	/* events that come while the dump is being read */
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DESTROY, 1, IPPROTO_TCP, -1, true, SEEN)),
			 0);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_UPDATE, 2, IPPROTO_TCP, 7, true, SEEN)), 0);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_NEW, 4, IPPROTO_TCP, 1, true, 0)), 0);
	/* the dump's buffers, taken before those events */
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(
			engine_ingest(e, msg(CT_EVENT_DUMP, id, IPPROTO_TCP, 3, true, SEEN)), 0);
	engine_resync_end(e);
	c = engine_counts(e);
	assert_int_equal(c->total, 3);	      /* 2, 3 and the new 4; 1 stays dead */
	assert_int_equal(c->tcp_state[7], 1); /* 2 kept its TIME_WAIT */
	assert_int_equal(c->tcp_state[3], 1);
	assert_int_equal(c->tcp_state[1], 1);
	assert_int_equal(engine_stats(e)->drift, 0); /* events explained every difference */

	/* a dump that fails part-way sweeps nothing */
	engine_resync_begin(e, ENGINE_RECONCILE);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 2, IPPROTO_TCP, 7, true, SEEN)), 0);
	engine_resync_cancel(e);
	assert_false(engine_resyncing(e));
	assert_int_equal(engine_counts(e)->total, 3);
	/* and what an event destroyed then is not remembered past it */
	engine_resync_begin(e, ENGINE_SEED);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 1, IPPROTO_TCP, 3, true, SEEN)), 0);
	engine_resync_end(e);
	assert_int_equal(engine_counts(e)->total, 1);
	engine_free(e);
}

static int never_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	return 0;
}

static void rejects_damaged_captures(void **state)
{
	char path[] = "/tmp/natscope-bad-XXXXXX", err[128];
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	fputs("this is not a capture\n", f);
	fclose(f);
	assert_int_equal(evrec_replay(path, never_cb, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a pcap file"));
	unlink(path);
	assert_int_equal(
		evrec_replay("/nonexistent-natscope.pcap", never_cb, NULL, err, sizeof(err)),
		-ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_file_drives_exact_counts),
		cmocka_unit_test(overrun_resync_converges_to_the_dump),
		cmocka_unit_test(colliding_ids_stay_apart),
		cmocka_unit_test(model_survives_churn),
		cmocka_unit_test(model_keeps_ipv6_addresses),
		cmocka_unit_test(flows_are_new_then_live_then_gone),
		cmocka_unit_test(stepwise_resync_keeps_newer_events),
		cmocka_unit_test(rejects_damaged_captures),
		cmocka_unit_test(clash_picks_the_right_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
