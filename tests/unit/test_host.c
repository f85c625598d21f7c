/* Modules that read the host: exercised on directory trees the test builds itself. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/dproxy.h"
#include "host/netns.h"
#include "host/sysctl.h"
#include "util.h"

static char tmpdir[64];

static void put(const char *rel, const char *data, size_t len)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/natscope-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void parses_docker_proxy_cmdlines(void **state)
{
	static const char classic[] = "/usr/bin/docker-proxy\0-proto\0tcp\0-host-ip\0000.0.0.0\0"
				      "-host-port\0008080\0-container-ip\000172.17.0.2\0"
				      "-container-port\00080\0";
	static const char equals[] = "docker-proxy\0--proto=udp\0--host-port=53\0";
	static const char other[] = "/usr/bin/dockerd\0-H\0fd://\0";
	struct dproxy p;

	assert_int_equal(dproxy_parse_cmdline(classic, sizeof(classic), &p), 1);
	assert_string_equal(p.proto, "tcp");
	assert_string_equal(p.host_ip, "0.0.0.0");
	assert_int_equal(p.host_port, 8080);
	assert_string_equal(p.container_ip, "172.17.0.2");
	assert_int_equal(p.container_port, 80);
	assert_int_equal(dproxy_parse_cmdline(equals, sizeof(equals), &p), 1);
	assert_string_equal(p.proto, "udp");
	assert_int_equal(p.host_port, 53);
	assert_int_equal(p.container_port, -1);
	assert_int_equal(dproxy_parse_cmdline(other, sizeof(other), &p), 0);
}

static void scans_a_proc_tree(void **state)
{
	static const char proxy[] = "/usr/bin/docker-proxy\0-proto\0tcp\0-host-port\0009000\0";
	static const char shell[] = "/bin/sh\0";
	struct dproxy_list l;
	char root[128];

	put("proc/123/cmdline", proxy, sizeof(proxy));
	put("proc/124/cmdline", shell, sizeof(shell));
	put("proc/self/cmdline", proxy, sizeof(proxy)); /* not a pid: ignored */
	put("proc/125/cmdline", "", 0);			/* a kernel thread */
	snprintf(root, sizeof(root), "%s/proc", tmpdir);
	assert_int_equal(dproxy_scan(root, 0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].pid, 123);
	assert_int_equal(l.v[0].host_port, 9000);
	dproxy_list_release(&l);
	/* Asked for a namespace: a process whose ns/net cannot be read is not counted. */
	assert_int_equal(dproxy_scan(root, 4026531840u, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(dproxy_scan("/nonexistent-natscope", 0, &l), -ENOENT);
}

static void reads_sysctls(void **state)
{
	struct sysctl_info info;
	char root[128];

	put("sys/netfilter/nf_conntrack_max", "262144\n", 7);
	put("sys/netfilter/nf_conntrack_count", "17\n", 3);
	put("sys/netfilter/nf_conntrack_tcp_timeout_time_wait", "120\n", 4);
	put("sys/netfilter/nf_conntrack_buckets", "garbage\n", 8);
	put("sys/ipv4/ip_local_port_range", "32768\t60999\n", 12);
	snprintf(root, sizeof(root), "%s/sys", tmpdir);
	assert_int_equal(sysctl_read(root, &info), 0);
	assert_int_equal(info.val[SYSCTL_MAX], 262144);
	assert_int_equal(info.val[SYSCTL_COUNT], 17);
	assert_int_equal(info.val[SYSCTL_TCP_TIMEOUT_TIME_WAIT], 120);
	assert_true(info.val[SYSCTL_BUCKETS] == SYSCTL_ABSENT);
	assert_true(info.val[SYSCTL_UDP_TIMEOUT] == SYSCTL_ABSENT);
	assert_int_equal(info.port_range_lo, 32768);
	assert_int_equal(info.port_range_hi, 60999);
	assert_string_equal(sysctl_name(SYSCTL_BUCKETS), "nf_conntrack_buckets");
	assert_int_equal(sysctl_read("/nonexistent-natscope", &info), -ENOENT);
}

static void parses_numbers_strictly(void **state)
{
	double d;
	unsigned int u;

	assert_int_equal(util_parse_double("1.5", 0, 10, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(util_parse_double("0", 0, 10, &d), 0);
	assert_int_equal(util_parse_double("", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("1s", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("-1", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("11", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("nan", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_uint("42", 1, 100, &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(util_parse_uint("-1", 0, 100, &u), -EINVAL);
	assert_int_equal(util_parse_uint("0x10", 0, 100, &u), -EINVAL);
	assert_int_equal(util_parse_uint("101", 0, 100, &u), -EINVAL);
}

static void netns_lookup_errors(void **state)
{
	struct netns_ctx ctx;
	char path[160];

	assert_int_equal(netns_enter(NULL, &ctx), 0);
	assert_int_equal(ctx.orig_fd, -1);
	assert_int_equal(netns_leave(&ctx), 0);
	assert_int_equal(netns_enter("natscope-no-such-namespace", &ctx), -ENOENT);
	assert_int_equal(netns_enter("/nonexistent/ns", &ctx), -ENOENT);
	assert_int_equal(netns_enter("999999999", &ctx), -ENOENT);
	assert_int_equal(netns_enter("..", &ctx), -ENOENT);
	/* A file that is not a namespace. */
	put("notns", "x", 1);
	snprintf(path, sizeof(path), "%s/notns", tmpdir);
	if (geteuid() == 0)
		assert_int_equal(netns_enter(path, &ctx), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_docker_proxy_cmdlines),
		cmocka_unit_test(scans_a_proc_tree),
		cmocka_unit_test(reads_sysctls),
		cmocka_unit_test(parses_numbers_strictly),
		cmocka_unit_test(netns_lookup_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
