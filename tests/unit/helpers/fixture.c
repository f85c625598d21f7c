#include "config.h"
#include "fixture.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "host/addrmap.h"

#include <cmocka.h>

static void two_cpus(struct ct_stats *st)
{
	st->source = CT_STATS_NETLINK;
	st->ncpu = 2;
	st->cpu = calloc(2, sizeof(*st->cpu));
	for (unsigned int i = 0; i < 2; i++) {
		st->cpu[i].cpu = i;
		for (unsigned int k = 0; k < ct_stats_known_count(); k++)
			st->cpu[i].present |= 1u << ct_stats_known_attr(k);
	}
	st->have_global = true;
	st->max = 262144;
}

void fixture_counter(struct snapshot *s, unsigned int cpu, unsigned int attr, uint64_t before,
		     uint64_t after)
{
	s->stats0.cpu[cpu].val[attr] = before;
	s->stats1.cpu[cpu].val[attr] = after;
}

static void group(struct ct_agg_group *g, const char *snat, const char *dst, uint16_t dport,
		  uint32_t entries, uint32_t sources)
{
	memset(g, 0, sizeof(*g));
	g->key.family = AF_INET;
	g->key.l4proto = IPPROTO_UDP;
	g->key.snat_src.a32[0] = inet_addr(snat);
	g->key.dst.a32[0] = inet_addr(dst);
	g->key.dport = dport;
	g->entries = g->ports_in_range = g->unreplied = entries;
	g->sources = sources;
}

void fixture_snapshot(struct snapshot *s)
{
	snapshot_init(s);
	snprintf(s->netns, sizeof(s->netns), "lab-r");
	s->taken = 1795500000;
	s->interval = 1.0;
	two_cpus(&s->stats0);
	two_cpus(&s->stats1);
	s->stats0.count = 90000;
	s->stats1.count = 100000;
	fixture_counter(s, 0, CT_STAT_FOUND, 10, 20);
	fixture_counter(s, 0, CT_STAT_INSERT_FAILED, 100, 130);
	fixture_counter(s, 1, CT_STAT_INSERT_FAILED, 50, 60);
	fixture_counter(s, 0, CT_STAT_DROP, 100, 130);
	fixture_counter(s, 1, CT_STAT_DROP, 50, 60);
	fixture_counter(s, 0, CT_STAT_CLASH_RESOLVE, 3, 3);
	/* a counter this version has no name for */
	s->stats1.cpu[1].val[20] = 9;
	s->stats1.cpu[1].present |= 1u << 20;

	s->have_table = true;
	s->table.counts.total = 100000;
	s->table.counts.by_family[FLOW_IPV4] = 100000;
	s->table.counts.by_proto[IPPROTO_UDP] = 99000;
	s->table.counts.by_proto[IPPROTO_TCP] = 1000;
	s->table.counts.tcp_state[3] = 400;
	s->table.counts.tcp_state[7] = 600;
	s->table.counts.assured = 400;
	s->table.counts.unreplied = 99000;
	s->table.counts.nat_kind[CT_NAT_SNAT] = 99500;
	s->table.counts.nat_kind[CT_NAT_NONE] = 500;
	s->table.time_wait_timeout[1] = 400; /* 10-30 s left of 120: there 90 s and more */
	s->table.time_wait_timeout[3] = 200;
	s->table.unreplied_timeout[1] = 99000;
	s->table.ngroups = 3;
	s->table.ntop = 3;
	group(&s->table.top[0], "198.18.9.1", "198.18.9.2", 20000, 49000, 2);
	group(&s->table.top[1], "198.18.9.1", "198.18.9.2", 20001, 30000, 2);
	group(&s->table.top[2], "198.18.9.1", "198.18.9.3", 53, 20000, 1);
	/* the busiest sources of the first group: one named, one not */
	s->table.ntop_src[0] = 2;
	inet_pton(AF_INET, "10.0.1.2", s->table.top_src[0][0].src.a8);
	s->table.top_src[0][0].entries = 30000;
	inet_pton(AF_INET, "10.0.2.2", s->table.top_src[0][1].src.a8);
	s->table.top_src[0][1].entries = 19000;
	addrmap_add(&s->names, AF_INET, s->table.top_src[0][0].src.a8, "docker:web-1");
	/* by what needs tracking: VXLAN carriers hold 30 % (a safe candidate) */
	s->table.track.total = 100000;
	s->table.track.row[TRACK_TUNNEL].entries = 30000;
	s->table.track.tunnel[TUNNEL_VXLAN].entries = 30000;
	s->table.track.row[TRACK_OTHER].entries = 70000;
	s->table.track.row[TRACK_OTHER].nat = 69500;
	s->trackrules.have = true;

	for (int i = 0; i < SYSCTL_KEYS; i++)
		s->sys.val[i] = 0;
	s->sys.val[SYSCTL_COUNT] = 100000;
	s->sys.val[SYSCTL_MAX] = 262144;
	s->sys.val[SYSCTL_BUCKETS] = 262144;
	s->sys.val[SYSCTL_TCP_TIMEOUT_TIME_WAIT] = 120;
	s->sys.val[SYSCTL_UDP_TIMEOUT] = 30;
	s->sys.val[SYSCTL_LOG_INVALID] = SYSCTL_ABSENT;
	s->sys.port_range_lo = 32768;
	s->sys.port_range_hi = 60999;
	snprintf(s->sys.kernel, sizeof(s->sys.kernel), "6.18.0-test");

	s->nat.have_nftables = true;
	s->nat.genid = 42;
	s->nat.base_chains = 1;
	s->nat.n = 2;
	s->nat.v = calloc(2, sizeof(*s->nat.v));
	s->nat.v[0] = (struct natrule){
		.family = 2,
		.table = "nat",
		.chain = "POSTROUTING",
		.base_chain = "POSTROUTING",
		.base_priority = 100,
		.handle = 4,
		.kind = NATRULE_MASQUERADE,
		.compat = true,
		.owner = NATRULE_OWNER_DOCKER,
		.text = "oifname != \"docker0\" ip saddr 172.17.0.0/16 masquerade (xt)",
	};
	s->nat.v[1] = (struct natrule){
		.family = 2,
		.table = "natscope",
		.chain = "post",
		.base_chain = "post",
		.base_priority = 99,
		.handle = 2,
		.kind = NATRULE_MASQUERADE,
		.flags = 0x10,
		.owner = NATRULE_OWNER_NATSCOPE,
		.text = "masquerade fully-random",
	};

	s->proxies.n = 1;
	s->proxies.v = calloc(1, sizeof(*s->proxies.v));
	s->proxies.v[0] = (struct dproxy){ .pid = 4242,
					   .proto = "tcp",
					   .host_ip = "0.0.0.0",
					   .host_port = 8080,
					   .container_ip = "172.17.0.2",
					   .container_port = 80 };
	/* a dockerd run with its own config file, which does not set ip6tables */
	s->proxies.daemon = (struct dproxy_daemon){ .found = true,
						    .config = "/srv/docker/daemon.json",
						    .config_given = true,
						    .ip6tables = -1,
						    .userland_proxy = -1 };
}

char *fixture_render(int (*fn)(FILE *, const struct snapshot *, const struct audit_report *,
			       const struct render_opts *),
		     size_t *len)
{
	struct render_opts ro = { .color = false, .version = "test" };
	struct audit_thresholds t;
	struct audit_report r;
	struct snapshot s;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	assert_int_equal(fn(f, &s, &r, &ro), 0);
	assert_int_equal(fclose(f), 0);
	snapshot_release(&s);
	return buf;
}
