#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "fixture.h"

static const struct finding *find(const struct audit_report *r, const char *id)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (strcmp(audit_check_id(r->f[i].check), id) == 0)
			return &r->f[i];
	fail_msg("no finding %s", id);
	return NULL;
}

static double ev(const struct finding *f, const char *key)
{
	for (unsigned int i = 0; i < f->nev; i++)
		if (strcmp(f->ev[i].key, key) == 0)
			return f->ev[i].value;
	fail_msg("no evidence %s", key);
	return -1;
}

static enum severity run(const struct snapshot *s, const char *id)
{
	struct audit_thresholds t;
	struct audit_report r;

	audit_thresholds_default(&t);
	audit_run(s, &t, &r);
	return find(&r, id)->sev;
}

static void clash_rising_is_critical_with_rates_and_groups(void **state)
{
	struct snapshot s;
	struct audit_thresholds t;
	struct audit_report r;
	const struct finding *f;

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	f = find(&r, "snat_port_clash");
	assert_int_equal(f->sev, SEV_CRITICAL);
	assert_true(ev(f, "insert_failed_per_s") == 40.0);
	assert_true(ev(f, "cpu0_insert_failed_per_s") == 30.0);
	assert_true(ev(f, "cpu1_insert_failed_per_s") == 10.0);
	assert_true(ev(f, "insert_failed_total") == 190.0);
	/* not named exactly: the groups fed by two sources, the one furthest short of the
	 * busiest first (a failed flow never becomes an entry) */
	assert_int_equal(f->ngroups, 2);
	assert_int_equal(f->groups[0], 1);
	assert_int_equal(f->groups[1], 0);
	assert_true(ev(f, "group1_shortfall") == 19000.0);
	assert_true(ev(f, "group2_shortfall") == 0.0);
	assert_int_equal(r.worst, SEV_CRITICAL);
	assert_int_equal(audit_exit_code(r.worst), 2);
	/* Drops that are failed insertions are not table-full drops. */
	assert_int_equal(find(&r, "table_drops")->sev, SEV_OK);
	snapshot_release(&s);
}

/* When every rule is covered, telling the user to run fix again would be wrong. */
static void clash_remedy_when_covered(void **state)
{
	struct snapshot s;
	struct audit_thresholds t;
	struct audit_report r;
	const struct finding *f;

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	f = find(&r, "snat_port_clash");
	assert_string_equal(audit_finding_remedy(f), audit_check_remedy(f->check));
	assert_non_null(strstr(audit_finding_remedy(f), "natscope fix --random-fully"));
	for (unsigned int i = 0; i < s.nat.n; i++)
		s.nat.v[i].cover = NATRULE_COVER_COVERED;
	audit_run(&s, &t, &r);
	f = find(&r, "snat_port_clash");
	assert_int_equal(f->sev, SEV_CRITICAL);
	assert_null(strstr(audit_finding_remedy(f), "natscope fix"));
	assert_non_null(strstr(audit_finding_remedy(f), "already allocates ports fully at random"));
	snapshot_release(&s);
}

/* -i 0: one sample, no rate; a counter that rose before says so, not "in the last 0.0 s" */
static void one_sample_says_so(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	s.interval = 0;
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 0);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 0, 0);
	for (unsigned int i = 0; i < s.stats0.ncpu; i++)
		s.stats0.cpu[i].val[CT_STAT_INSERT_FAILED] =
			s.stats1.cpu[i].val[CT_STAT_INSERT_FAILED] = 7;
	{
		struct audit_thresholds t;
		struct audit_report r;
		const struct finding *f;

		audit_thresholds_default(&t);
		audit_run(&s, &t, &r);
		f = find(&r, "snat_port_clash");
		assert_int_equal(f->sev, SEV_INFO);
		assert_string_equal(f->summary,
				    "14 insertions failed since boot (one sample, -i 0: no "
				    "rate measured)");
	}
	snapshot_release(&s);
}

static void clash_only_since_boot_is_info(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 130, 130);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 60, 60);
	assert_int_equal(run(&s, "snat_port_clash"), SEV_INFO);
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 0);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 0, 0);
	assert_int_equal(run(&s, "snat_port_clash"), SEV_OK);
	/* With one sample nothing "rises". */
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 5);
	s.interval = 0;
	assert_int_equal(run(&s, "snat_port_clash"), SEV_INFO);
	snapshot_release(&s);
}

static void table_fill_thresholds(void **state)
{
	static const struct {
		uint32_t count;
		enum severity want;
	} cases[] = {
		{ 0, SEV_OK },
		{ 209714, SEV_OK },	  /* 79.99 % */
		{ 209716, SEV_WARNING },  /* 80.00 % */
		{ 249036, SEV_WARNING },  /* 94.99 % */
		{ 249037, SEV_CRITICAL }, /* 95.00 % */
		{ 262144, SEV_CRITICAL },
	};
	struct snapshot s;

	fixture_snapshot(&s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.stats1.count = cases[i].count;
		assert_int_equal(run(&s, "table_fill"), cases[i].want);
	}
	/* Without ctnetlink's global numbers, sysctl's are used. */
	s.stats1.have_global = false;
	s.sys.val[SYSCTL_COUNT] = 250000;
	assert_int_equal(run(&s, "table_fill"), SEV_CRITICAL);
	s.sys.val[SYSCTL_COUNT] = SYSCTL_ABSENT;
	assert_int_equal(run(&s, "table_fill"), SEV_UNKNOWN);
	snapshot_release(&s);
}

static void table_drops(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	fixture_counter(&s, 1, CT_STAT_EARLY_DROP, 5, 6);
	assert_int_equal(run(&s, "table_drops"), SEV_CRITICAL);
	fixture_counter(&s, 1, CT_STAT_EARLY_DROP, 6, 6);
	assert_int_equal(run(&s, "table_drops"), SEV_INFO);
	/* One drop more than failed insertions: something else drops. */
	fixture_counter(&s, 1, CT_STAT_DROP, 50, 61);
	assert_int_equal(run(&s, "table_drops"), SEV_CRITICAL);
	snapshot_release(&s);
}

static void hash_chains(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	assert_int_equal(run(&s, "hash_chains"), SEV_OK);
	s.sys.val[SYSCTL_BUCKETS] = 262144 / 8;
	assert_int_equal(run(&s, "hash_chains"), SEV_OK); /* exactly 8 per bucket */
	s.sys.val[SYSCTL_BUCKETS] = 262144 / 8 - 1;
	assert_int_equal(run(&s, "hash_chains"), SEV_INFO);
	fixture_counter(&s, 0, CT_STAT_CHAINTOOLONG, 1, 2);
	assert_int_equal(run(&s, "hash_chains"), SEV_WARNING);
	snapshot_release(&s);
}

static void time_wait_dominance(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s); /* 600 of 1000 TCP entries */
	assert_int_equal(run(&s, "time_wait"), SEV_WARNING);
	s.table.counts.tcp_state[7] = 500; /* exactly half is not dominance */
	assert_int_equal(run(&s, "time_wait"), SEV_OK);
	s.table.counts.by_proto[6] = 99; /* too few to judge */
	s.table.counts.tcp_state[7] = 90;
	assert_int_equal(run(&s, "time_wait"), SEV_OK);
	s.have_table = false;
	assert_int_equal(run(&s, "time_wait"), SEV_UNKNOWN);
	snapshot_release(&s);
}

static void invalid_rising(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	assert_int_equal(run(&s, "invalid"), SEV_OK);
	fixture_counter(&s, 0, CT_STAT_INVALID, 7, 7);
	assert_int_equal(run(&s, "invalid"), SEV_INFO);
	fixture_counter(&s, 0, CT_STAT_INVALID, 7, 9);
	assert_int_equal(run(&s, "invalid"), SEV_WARNING);
	snapshot_release(&s);
}

static void port_exhaustion_thresholds(void **state)
{
	struct snapshot s;
	struct audit_thresholds t;
	struct audit_report r;

	fixture_snapshot(&s); /* top group: 49,000 of 64,512 = 76 % */
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	assert_int_equal(find(&r, "snat_port_exhaustion")->sev, SEV_WARNING);
	/* Only the groups above the warning share are named. */
	assert_int_equal(find(&r, "snat_port_exhaustion")->ngroups, 1);
	s.table.top[0].ports_in_range = 64512 / 2 - 1;
	assert_int_equal(run(&s, "snat_port_exhaustion"), SEV_OK);
	s.table.top[0].ports_in_range = 64512 / 2;
	assert_int_equal(run(&s, "snat_port_exhaustion"), SEV_WARNING);
	s.table.top[0].ports_in_range = 58061; /* 90.0 % */
	assert_int_equal(run(&s, "snat_port_exhaustion"), SEV_CRITICAL);
	s.table.ntop = 0;
	assert_int_equal(run(&s, "snat_port_exhaustion"), SEV_OK);
	snapshot_release(&s);
}

static void docker_proxy(void **state)
{
	struct snapshot s;

	struct audit_thresholds t;
	struct audit_report r;
	const char *remedy;

	fixture_snapshot(&s);
	assert_int_equal(run(&s, "docker_userland_proxy"), SEV_WARNING);
	s.proxies.n = 0;
	assert_int_equal(run(&s, "docker_userland_proxy"), SEV_OK);
	s.proxies.n = 1;
	/* the file already turns it off: dockerd was not restarted since */
	s.proxies.daemon.userland_proxy = 0;
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	assert_int_equal(find(&r, "docker_userland_proxy")->sev, SEV_WARNING);
	remedy = audit_finding_remedy(find(&r, "docker_userland_proxy"));
	assert_non_null(strstr(remedy, "/srv/docker/daemon.json (the --config-file dockerd runs "
				       "with) already sets \"userland-proxy\": false"));
	assert_non_null(strstr(remedy, "restart dockerd"));
	assert_non_null(strstr(remedy, "IPv6 published ports")); /* ip6tables still unset */
	assert_null(strstr(remedy, "Set \"userland-proxy\""));
	snapshot_release(&s);
}

static void nat_rules_without_fully_random(void **state)
{
	struct snapshot s;
	struct audit_thresholds t;
	struct audit_report r;
	const struct finding *f;

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	f = find(&r, "snat_rules_random");
	/* clashes are happening: the missing flag is critical */
	assert_int_equal(f->sev, SEV_CRITICAL);
	/* natscope's own rules are not counted */
	assert_true(ev(f, "snat_rules") == 1.0);
	assert_true(ev(f, "not_fully_random") == 1.0);
	assert_int_equal(f->nrules, 1);
	assert_int_equal(f->rules[0], 0);

	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 130, 130);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 60, 60);
	assert_int_equal(run(&s, "snat_rules_random"), SEV_WARNING);
	/* taken over by a current overlay: not lacking any more */
	s.nat.v[0].cover = NATRULE_COVER_COVERED;
	assert_int_equal(run(&s, "snat_rules_random"), SEV_OK);
	s.nat.v[0].cover = NATRULE_COVER_HARMLESS; /* mirrored out of order, same effect */
	assert_int_equal(run(&s, "snat_rules_random"), SEV_OK);
	s.nat.v[0].cover = NATRULE_COVER_UNCOVERED;
	assert_int_equal(run(&s, "snat_rules_random"), SEV_WARNING);
	s.nat.v[0].cover = NATRULE_COVER_NONE;
	/* a hairpin-only rule (issue 10): said, but no clash risk, even while inserts fail */
	s.nat.v[0].hairpin = true;
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 100, 130);
	assert_int_equal(run(&s, "snat_rules_random"), SEV_INFO);
	audit_run(&s, &t, &r);
	f = find(&r, "snat_rules_random");
	assert_true(ev(f, "hairpin_only") == 1.0);
	assert_true(ev(f, "not_fully_random") == 0.0);
	assert_non_null(strstr(f->summary, "hairpin-only"));
	s.nat.v[0].hairpin = false;
	s.nat.v[0].flags = 0x10;
	assert_int_equal(run(&s, "snat_rules_random"), SEV_OK);
	s.nat.have_nftables = false;
	s.nat_error = -EPROTONOSUPPORT;
	assert_int_equal(run(&s, "snat_rules_random"), SEV_INFO);
	snapshot_release(&s);
}

static void overlay_stale(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	assert_int_equal(run(&s, "nat_overlay_stale"), SEV_OK);
	s.nat.overlay = true;
	assert_int_equal(run(&s, "nat_overlay_stale"), SEV_OK);
	/* judged by effect: a plan that differs only in order is information */
	s.nat.overlay_stale = true;
	assert_int_equal(run(&s, "nat_overlay_stale"), SEV_INFO);
	s.nat.v[0].cover = NATRULE_COVER_UNCOVERED;
	assert_int_equal(run(&s, "nat_overlay_stale"), SEV_WARNING);
	/* a mirror whose source is gone NATs what nothing asks for: critical */
	s.nat.v[1].cover = NATRULE_COVER_DANGEROUS;
	assert_int_equal(run(&s, "nat_overlay_stale"), SEV_CRITICAL);
	snapshot_release(&s);
}

/* before from the mark's record; since from insert_failed above its base and the count */
static void fix_effect(void **state)
{
	struct audit_thresholds t;
	struct audit_report r;
	const struct finding *f;
	struct snapshot s;

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	assert_int_equal(run(&s, "fix_effect"), SEV_OK);
	s.nat.overlay = true;
	assert_int_equal(run(&s, "fix_effect"), SEV_OK); /* no record: said, not judged */
	s.nat.fix_record = (struct owner_record){ .have = true,
						  .since = 1796000000,
						  .base = 100,
						  .have_before = true,
						  .before_failed = 150,
						  .before_new = 99850,
						  .before_ms = 1000 };
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 103);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 0, 2);
	s.nat.have_counted = true;
	s.nat.counted = 500000;
	audit_run(&s, &t, &r);
	f = find(&r, "fix_effect");
	assert_int_equal(f->sev, SEV_INFO);
	assert_true(ev(f, "before_per_100k") == 150.0);
	assert_true(ev(f, "before_flows") == 100000);
	assert_true(ev(f, "since_failed") == 5);
	assert_true(ev(f, "since_per_100k") == 1.0);
	assert_non_null(strstr(f->summary, "150.0 (150 in 100000 over 1.0 s)"));
	assert_non_null(strstr(f->summary, "since 1.0 (5 in 500000)"));
	/* no better since, with enough failures to tell: a warning */
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 100 + 800);
	assert_int_equal(run(&s, "fix_effect"), SEV_WARNING);
	/* a counter below the base (another boot): since is unknown, not negative */
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 1);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 0, 1);
	audit_run(&s, &t, &r);
	f = find(&r, "fix_effect");
	assert_int_equal(f->sev, SEV_INFO);
	assert_true(ev(f, "since_per_100k") < 0);
	snapshot_release(&s);
}

static void legacy_nat(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	assert_int_equal(run(&s, "legacy_iptables_nat"), SEV_OK);
	s.nat.legacy_nat_ipv6 = true;
	assert_int_equal(run(&s, "legacy_iptables_nat"), SEV_WARNING);
	snapshot_release(&s);
}

static void exit_codes_and_ranking(void **state)
{
	struct snapshot s;
	struct audit_thresholds t;
	struct audit_report r;

	assert_int_equal(audit_exit_code(SEV_OK), 0);
	assert_int_equal(audit_exit_code(SEV_INFO), 0);
	assert_int_equal(audit_exit_code(SEV_WARNING), 1);
	assert_int_equal(audit_exit_code(SEV_CRITICAL), 2);
	assert_int_equal(audit_exit_code(SEV_UNKNOWN), 3);

	/* unknown outranks warning, critical outranks unknown */
	fixture_snapshot(&s);
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 0);
	fixture_counter(&s, 1, CT_STAT_INSERT_FAILED, 0, 0);
	fixture_counter(&s, 0, CT_STAT_DROP, 0, 0);
	fixture_counter(&s, 1, CT_STAT_DROP, 0, 0);
	s.stats1.have_global = false;
	s.sys.val[SYSCTL_COUNT] = SYSCTL_ABSENT;
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	assert_int_equal(r.worst, SEV_UNKNOWN);
	fixture_counter(&s, 0, CT_STAT_INSERT_FAILED, 0, 1);
	audit_run(&s, &t, &r);
	assert_int_equal(r.worst, SEV_CRITICAL);
	snapshot_release(&s);
}

static void check_table_is_complete(void **state)
{
	size_t n = 0;

	for (; audit_check_at(n); n++) {
		assert_non_null(audit_check_id(audit_check_at(n)));
		assert_true(strlen(audit_check_remedy(audit_check_at(n))) > 20);
	}
	assert_int_equal(n, 14);
}

static const struct finding *asym(const struct snapshot *s, struct audit_report *r)
{
	struct audit_thresholds t;

	audit_thresholds_default(&t);
	audit_run(s, &t, r);
	return find(r, "asymmetric_route");
}

/* One way only: unanswered SYNs or one-sided pickups need invalid rising; hairpin DNAT
 * past a bridge conntrack does not see is found without it. */
static void asymmetric_route(void **state)
{
	struct audit_report r;
	struct snapshot s;
	struct ct_agg_pair *p;
	const struct finding *f;
	uint32_t net = inet_addr("10.77.0.1");

	fixture_snapshot(&s);
	fixture_counter(&s, 0, CT_STAT_INVALID, 0, 0);
	fixture_counter(&s, 1, CT_STAT_INVALID, 0, 0);
	s.table.syn_unreplied.entries = 20;
	assert_int_equal(asym(&s, &r)->sev, SEV_OK); /* a silent server, not a route */
	fixture_counter(&s, 0, CT_STAT_INVALID, 100, 140);
	assert_int_equal(asym(&s, &r)->sev, SEV_WARNING);
	/* four pairs: three named, then "..." */
	s.table.syn_unreplied.n = 4;
	for (unsigned int i = 0; i < 4; i++) {
		s.table.syn_unreplied.v[i] = (struct ct_agg_pair){ .family = AF_INET,
								   .dport = (uint16_t)(80 + i),
								   .entries = 5 };
		s.table.syn_unreplied.v[i].src.a32[0] = inet_addr("10.0.0.2");
		s.table.syn_unreplied.v[i].dst.a32[0] = inet_addr("10.0.9.2");
	}
	f = asym(&s, &r);
	assert_non_null(strstr(f->summary, "(10.0.0.2 -> 10.0.9.2:80 (5), 10.0.0.2 -> "
					   "10.0.9.2:81 (5), 10.0.0.2 -> 10.0.9.2:82 (5), ...)"));
	s.table.syn_unreplied.n = 3;
	f = asym(&s, &r);
	assert_non_null(strstr(f->summary, "10.0.9.2:82 (5))"));
	s.table.syn_unreplied.n = 0;
	s.table.syn_unreplied.entries = 0;
	s.table.oneway.entries = 5;
	assert_int_equal(asym(&s, &r)->sev, SEV_WARNING);
	s.table.oneway.entries = 0;
	fixture_counter(&s, 0, CT_STAT_INVALID, 0, 0);

	/* hairpin: 10.77.0.2 -> 198.18.50.1:8080 DNAT'd to 10.77.0.3:80 on br0 */
	assert_int_equal(localnets_add(&s.nets, AF_INET, &net, 24, "br0"), 0);
	s.table.hairpin.entries = s.table.syn_unreplied.entries = 4;
	s.table.hairpin.n = 1;
	p = &s.table.hairpin.v[0];
	*p = (struct ct_agg_pair){ .family = AF_INET, .dport = 8080, .to_port = 80, .entries = 4 };
	p->src.a32[0] = inet_addr("10.77.0.2");
	p->dst.a32[0] = inet_addr("198.18.50.1");
	p->to.a32[0] = inet_addr("10.77.0.3");
	f = asym(&s, &r); /* no br_netfilter: the replies bypass conntrack */
	assert_int_equal(f->sev, SEV_WARNING);
	assert_non_null(strstr(f->summary, "10.77.0.2 -> 198.18.50.1:8080 -> 10.77.0.3:80 (4)"));
	assert_non_null(strstr(audit_finding_remedy(f),
			       "table ip natscope_hairpin { chain post { type nat hook postrouting "
			       "priority srcnat; oifname \"br0\" ip saddr 10.77.0.0/24 ip daddr "
			       "10.77.0.0/24 ct status dnat masquerade; }; }"));
	assert_non_null(strstr(audit_finding_remedy(f), "bridge-nf-call-iptables=1"));
	s.sys.bridge_nf[0] = 0;
	assert_int_equal(asym(&s, &r)->sev, SEV_WARNING);
	s.sys.bridge_nf[0] = 1; /* replies pass conntrack: the target is just silent */
	assert_int_equal(asym(&s, &r)->sev, SEV_OK);
	snapshot_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clash_rising_is_critical_with_rates_and_groups),
		cmocka_unit_test(clash_remedy_when_covered),
		cmocka_unit_test(one_sample_says_so),
		cmocka_unit_test(clash_only_since_boot_is_info),
		cmocka_unit_test(table_fill_thresholds),
		cmocka_unit_test(table_drops),
		cmocka_unit_test(hash_chains),
		cmocka_unit_test(time_wait_dominance),
		cmocka_unit_test(invalid_rising),
		cmocka_unit_test(port_exhaustion_thresholds),
		cmocka_unit_test(docker_proxy),
		cmocka_unit_test(asymmetric_route),
		cmocka_unit_test(nat_rules_without_fully_random),
		cmocka_unit_test(overlay_stale),
		cmocka_unit_test(fix_effect),
		cmocka_unit_test(legacy_nat),
		cmocka_unit_test(exit_codes_and_ranking),
		cmocka_unit_test(check_table_is_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
