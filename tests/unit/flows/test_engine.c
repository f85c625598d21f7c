/* The event engine on messages built in memory: counts, loss, drift, resyncs. */
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
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "flows/engine.h"

#include "ctmsg.h"

#define msg  ctmsg_event
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

static void day_drives_exact_counts(void **state)
{
	struct engine *e;

	for (int run = 0; run < 2; run++) { /* the same messages, the same answer */
		assert_int_equal(engine_new(&e), 0);
		for (size_t i = 0; i < DAY_LEN; i++) {
			const struct script *s = &day[i];

			assert_int_equal(engine_ingest(e, msg(s->type, s->id, s->proto,
							      s->tcp_state, s->snat, s->status)),
					 0);
		}
		check_day(e);
		engine_free(e);
	}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(day_drives_exact_counts),
		cmocka_unit_test(overrun_resync_converges_to_the_dump),
		cmocka_unit_test(flows_are_new_then_live_then_gone),
		cmocka_unit_test(stepwise_resync_keeps_newer_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
