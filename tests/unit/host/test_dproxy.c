/* docker-proxy processes: command lines and a /proc tree built by the test. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/dproxy.h"

#include "tmptree.h"

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

	tmptree_put("proc/123/cmdline", proxy, sizeof(proxy));
	tmptree_put("proc/124/cmdline", shell, sizeof(shell));
	tmptree_put("proc/self/cmdline", proxy, sizeof(proxy)); /* not a pid: ignored */
	tmptree_put("proc/125/cmdline", "", 0);			/* a kernel thread */
	snprintf(root, sizeof(root), "%s", tmptree_path("proc"));
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

/* The daemon behind the proxies: its config file, from its command line, and what it sets. */
static void the_daemon(void **state)
{
	static const char given[] = "/usr/sbin/dockerd\0-H\0fd://\0--config-file\0/srv/d.json\0";
	static const char eq[] = "dockerd\0--config-file=/x/y.json\0";
	static const char plain[] = "/usr/sbin/dockerd\0-H\0fd://\0";
	static const char shim[] = "/usr/bin/containerd-shim\0";
	static const char dangling[] = "/usr/sbin/dockerd\0--config-file\0";
	struct dproxy_daemon d;

	assert_true(dproxy_daemon_cmdline(given, sizeof(given), &d));
	assert_true(d.config_given);
	assert_string_equal(d.config, "/srv/d.json");
	assert_true(dproxy_daemon_cmdline(eq, sizeof(eq), &d));
	assert_string_equal(d.config, "/x/y.json");
	assert_true(dproxy_daemon_cmdline(plain, sizeof(plain), &d));
	assert_false(d.config_given);
	assert_string_equal(d.config, "/etc/docker/daemon.json");
	assert_false(dproxy_daemon_cmdline(shim, sizeof(shim), &d));
	assert_true(dproxy_daemon_cmdline(dangling, sizeof(dangling), &d));
	assert_false(d.config_given);

	tmptree_put("d1.json", "{\"ip6tables\": true, \"userland-proxy\": false}", 44);
	snprintf(d.config, sizeof(d.config), "%s", tmptree_path("d1.json"));
	dproxy_daemon_config(&d);
	assert_int_equal(d.ip6tables, 1);
	assert_int_equal(d.userland_proxy, 0);
	tmptree_put("d2.json", "{\"bip\": \"10.0.0.1/24\"}", 22);
	snprintf(d.config, sizeof(d.config), "%s", tmptree_path("d2.json"));
	dproxy_daemon_config(&d);
	assert_int_equal(d.ip6tables, -1); /* absent */
	tmptree_put("d3.json", "{", 1);
	snprintf(d.config, sizeof(d.config), "%s", tmptree_path("d3.json"));
	dproxy_daemon_config(&d);
	assert_int_equal(d.ip6tables, -2); /* there, but not readable as JSON */
	snprintf(d.config, sizeof(d.config), "%s", tmptree_path("none.json"));
	dproxy_daemon_config(&d);
	assert_int_equal(d.ip6tables, -1); /* no file: dockerd's defaults */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_docker_proxy_cmdlines),
		cmocka_unit_test(scans_a_proc_tree),
		cmocka_unit_test(the_daemon),
	};
	return cmocka_run_group_tests(tests, tmptree_setup, tmptree_teardown);
}
