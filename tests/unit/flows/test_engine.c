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
	assert_int_equal(engine_stats(e)->resyncs, 2);
	/* differences wait a full interval for events still in flight, then count */
	engine_close_interval(e, 1.0, 0);
	assert_int_equal(engine_stats(e)->lost_estimate, 0);
	engine_close_interval(e, 2.0, 0);
	assert_int_equal(engine_stats(e)->lost_estimate, 2); /* 4 unknown, 2 swept */

	/* periodic reconciliation: differences are drift, not loss */
	engine_resync_begin(e, ENGINE_RECONCILE);
	assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, 1, IPPROTO_UDP, -1, true, SEEN)), 0);
	engine_resync_end(e);
	assert_int_equal(engine_counts(e)->total, 1);
	engine_close_interval(e, 3.0, 0);
	engine_close_interval(e, 4.0, 0);
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
	engine_close_interval(e, 7.0, 0);
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

/* Flows 1..3 known; a resync of @why whose dump shows 1, 2 and 4 (3 is gone, 4 new). */
static struct engine *resync_with_differences(enum engine_resync why)
{
	struct engine *e;

	assert_int_equal(engine_new(&e), 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(engine_ingest(e, msg(CT_EVENT_NEW, id, IPPROTO_UDP, -1, true, 0)),
				 0);
	engine_resync_begin(e, why);
	for (uint32_t id = 1; id <= 4; id++)
		if (id != 3)
			assert_int_equal(
				engine_ingest(e, msg(CT_EVENT_DUMP, id, IPPROTO_UDP, -1, true, 0)),
				0);
	engine_resync_end(e);
	return e;
}

/*
 * Issue 9, item 19: the dump is read on its own socket while events queue on the other.
 * A flow the dump shows before its NEW event is read, or lacks before its DESTROY event
 * is read, is no lost event and no drift.
 */
static void events_in_flight_are_not_loss(void **state)
{
	for (int why = ENGINE_OVERRUN; why <= ENGINE_RECONCILE; why++) {
		struct engine *e = resync_with_differences((enum engine_resync)why);

		/* the queued events, read after the dump */
		assert_int_equal(
			engine_ingest(e, msg(CT_EVENT_DESTROY, 3, IPPROTO_UDP, -1, true, 0)), 0);
		assert_int_equal(engine_ingest(e, msg(CT_EVENT_NEW, 4, IPPROTO_UDP, -1, true, 0)),
				 0);
		for (int i = 1; i <= 3; i++)
			engine_close_interval(e, i, 0);
		assert_int_equal(engine_stats(e)->lost_estimate, 0);
		assert_int_equal(engine_stats(e)->drift, 0);
		assert_int_equal(engine_counts(e)->total, 3);
		engine_free(e);
	}
	/* no event comes: after a full interval both differences count */
	for (int why = ENGINE_OVERRUN; why <= ENGINE_RECONCILE; why++) {
		struct engine *e = resync_with_differences((enum engine_resync)why);
		const struct engine_stats *st = engine_stats(e);

		engine_close_interval(e, 1, 0);
		assert_int_equal(st->lost_estimate + st->drift, 0);
		engine_close_interval(e, 2, 0);
		assert_int_equal(why == ENGINE_OVERRUN ? st->lost_estimate : st->drift, 2);
		assert_int_equal(why == ENGINE_OVERRUN ? st->drift : st->lost_estimate, 0);
		engine_free(e);
	}
	/* the next resync settles what the last one left waiting */
	{
		struct engine *e = resync_with_differences(ENGINE_OVERRUN);

		engine_resync_begin(e, ENGINE_RECONCILE);
		assert_int_equal(engine_stats(e)->lost_estimate, 2);
		engine_resync_cancel(e);
		engine_free(e);
	}
}

/* A deterministic generator (xorshift), so that a failure can be replayed. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Churn with events dropped at random and a queue of events read only after the dump: the
 * estimate never exceeds the events truly dropped, and is 0 when none were.
 */
static void lost_estimate_is_a_lower_bound(void **state)
{
	enum { FLOWS = 2000, OPS = 2 * FLOWS };
	static struct {
		enum ct_event_type type;
		uint32_t id;
		bool dropped;
	} ops[OPS];
	static bool alive[FLOWS + 1];

	for (unsigned int permille = 0; permille <= 300; permille += 50) {
		uint32_t seed = 2463534242u + permille, dropped = 0, next_id = 1, n = 0;
		unsigned int queued_from;
		struct engine *e;

		memset(alive, 0, sizeof(alive));
		/* NEWs and DESTROYs of FLOWS flows, interleaved; some flows outlive the run */
		while (n < OPS && next_id <= FLOWS) {
			uint32_t id = next_rand(&seed) % FLOWS + 1;

			if (next_rand(&seed) & 1)
				id = next_id++;
			else if (!alive[id])
				continue;
			ops[n].type = alive[id] ? CT_EVENT_DESTROY : CT_EVENT_NEW;
			alive[id] = !alive[id];
			ops[n].id = id;
			ops[n].dropped = next_rand(&seed) % 1000 < permille;
			dropped += ops[n].dropped;
			n++;
		}
		queued_from = n - n / 10; /* the last tenth is still queued when the dump runs */
		assert_int_equal(engine_new(&e), 0);
		engine_resync_begin(e, ENGINE_SEED);
		engine_resync_end(e);
		for (unsigned int i = 0; i < queued_from; i++)
			if (!ops[i].dropped)
				assert_int_equal(engine_ingest(e, msg(ops[i].type, ops[i].id,
								      IPPROTO_UDP, -1, true, 0)),
						 0);
		engine_overrun(e, dropped);
		engine_resync_begin(e, ENGINE_OVERRUN);
		for (uint32_t id = 1; id <= FLOWS; id++) /* the table as it is now */
			if (alive[id])
				assert_int_equal(engine_ingest(e, msg(CT_EVENT_DUMP, id,
								      IPPROTO_UDP, -1, true, 0)),
						 0);
		engine_resync_end(e);
		for (unsigned int i = queued_from; i < n; i++)
			if (!ops[i].dropped)
				assert_int_equal(engine_ingest(e, msg(ops[i].type, ops[i].id,
								      IPPROTO_UDP, -1, true, 0)),
						 0);
		engine_close_interval(e, 1, 0);
		engine_close_interval(e, 2, 0);
		if (engine_stats(e)->lost_estimate > dropped)
			fail_msg("%u%%o dropped: estimated %llu lost, %u were", permille,
				 (unsigned long long)engine_stats(e)->lost_estimate, dropped);
		if (dropped == 0)
			assert_int_equal(engine_stats(e)->lost_estimate, 0);
		else
			assert_true(engine_stats(e)->lost_estimate > 0);
		engine_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(day_drives_exact_counts),
		cmocka_unit_test(overrun_resync_converges_to_the_dump),
		cmocka_unit_test(flows_are_new_then_live_then_gone),
		cmocka_unit_test(stepwise_resync_keeps_newer_events),
		cmocka_unit_test(events_in_flight_are_not_loss),
		cmocka_unit_test(lost_estimate_is_a_lower_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
