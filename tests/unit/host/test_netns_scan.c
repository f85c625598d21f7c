/*
 * netns_scan() over a made-up tree: named, Docker's (named after the container from its
 * config.v2.json, else after the sandbox) and processes' namespaces, once each by inode
 * (a symbolic link is the same namespace), the best name first.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/netns_scan.h"

#include "tmptree.h"

/* tmptree_path() returns a static buffer: one at a time */
static void link_to(const char *target, const char *rel)
{
	char t[256], l[256];

	snprintf(t, sizeof(t), "%s", tmptree_path(target));
	snprintf(l, sizeof(l), "%s", tmptree_path(rel));
	assert_int_equal(symlink(t, l), 0);
}

static const struct netns_entry *by_label(const struct netns_entry *v, size_t n, const char *l)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].label, l) == 0)
			return &v[i];
	return NULL;
}

static void names_and_dedupe(void **state)
{
	static const char cfg[] = "{\"Name\":\"/web\",\"NetworkSettings\":{\"SandboxKey\":"
				  "\"/var/run/docker/netns/abc123\"}}";
	struct netns_scan_roots r = { 0 };
	struct netns_entry *v;
	size_t n;

	/* namespaces: blue (named), the web container's sandbox, an unnamed sandbox, the
	 * host, a process's own; processes 1 and 2 share the host's, 77 is in blue */
	tmptree_put("ns/blue", "", 0);
	tmptree_put("ns/sandbox-abc123", "", 0);
	tmptree_put("ns/sandbox-def456", "", 0);
	tmptree_put("ns/init", "", 0);
	tmptree_put("ns/own", "", 0);
	tmptree_put("run/netns/.hidden", "", 0);
	link_to("ns/blue", "run/netns/blue");
	tmptree_put("run/docker/netns/.keep", "", 0);
	link_to("ns/sandbox-abc123", "run/docker/netns/abc123");
	link_to("ns/sandbox-def456", "run/docker/netns/def456");
	tmptree_put("docker/containers/0123/config.v2.json", cfg, sizeof(cfg) - 1);
	tmptree_put("docker/containers/4567/config.v2.json", "not json", 8);
	tmptree_put("proc/1/comm", "init\n", 5);
	tmptree_put("proc/1/ns/.d", "", 0);
	link_to("ns/init", "proc/1/ns/net");
	tmptree_put("proc/2/comm", "kthreadd\n", 9);
	tmptree_put("proc/2/ns/.d", "", 0);
	link_to("ns/init", "proc/2/ns/net");
	tmptree_put("proc/77/comm", "sleep\n", 6);
	tmptree_put("proc/77/ns/.d", "", 0);
	link_to("ns/blue", "proc/77/ns/net");
	tmptree_put("proc/1234/comm", "dnsmasq\n", 8);
	tmptree_put("proc/1234/ns/.d", "", 0);
	link_to("ns/own", "proc/1234/ns/net");
	tmptree_put("proc/self/ns/.d", "", 0); /* not a PID */
	r.run_netns = strdup(tmptree_path("run/netns"));
	r.docker_netns = strdup(tmptree_path("run/docker/netns"));
	r.docker_data = strdup(tmptree_path("docker"));
	r.proc = strdup(tmptree_path("proc"));
	assert_int_equal(netns_scan(&r, &v, &n), 0);
	assert_int_equal(n, 5);
	/* sorted by label */
	assert_string_equal(v[0].label, "blue");
	assert_string_equal(v[1].label, "docker:def456");
	assert_string_equal(v[2].label, "docker:web");
	assert_string_equal(v[3].label, "host");
	assert_string_equal(v[4].label, "pid:1234/dnsmasq");
	assert_non_null(strstr(by_label(v, n, "blue")->path, "run/netns/blue"));
	assert_non_null(strstr(by_label(v, n, "host")->path, "proc/1/ns/net"));
	assert_true(by_label(v, n, "blue")->ino != by_label(v, n, "host")->ino);
	free(v);
	free((char *)r.run_netns);
	free((char *)r.docker_netns);
	free((char *)r.docker_data);
	free((char *)r.proc);
}

/*
 * Processes named after their container by their cgroup: Docker's (its config.v2.json
 * under the data root a running dockerd names with --data-root) and a Kubernetes pod's
 * (the kubelet's log folder).
 */
static void containers(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	static const char dockerd[] = "/usr/sbin/dockerd\0--data-root\0/SUB/dd\0-H\0unix://x";
	static const char cfg[] = "{\"Name\":\"/web2\"}";
	struct netns_scan_roots r = { 0 };
	struct netns_entry *v;
	char rel[256], cmd[sizeof(dockerd) + 256];
	size_t n, len = 0;

	tmptree_put("c/ns/a", "", 0);
	tmptree_put("c/ns/b", "", 0);
	tmptree_put("c/ns/init", "", 0);
	tmptree_put("c/proc/1/comm", "init\n", 5);
	tmptree_put("c/proc/1/ns/.d", "", 0);
	link_to("c/ns/init", "c/proc/1/ns/net");
	/* dockerd, in the host's namespace, with its data root under the tree */
	for (const char *p = dockerd; p < dockerd + sizeof(dockerd) - 1; p += strlen(p) + 1) {
		const char *arg = strcmp(p, "/SUB/dd") == 0 ? tmptree_path("c/dd") : p;

		memcpy(cmd + len, arg, strlen(arg) + 1);
		len += strlen(arg) + 1;
	}
	tmptree_put("c/proc/50/cmdline", cmd, len);
	tmptree_put("c/proc/50/comm", "dockerd\n", 8);
	tmptree_put("c/proc/50/ns/.d", "", 0);
	link_to("c/ns/init", "c/proc/50/ns/net");
	snprintf(rel, sizeof(rel), "c/dd/containers/%s/config.v2.json", id);
	tmptree_put(rel, cfg, sizeof(cfg) - 1);
	snprintf(cmd, sizeof(cmd), "12:memory:/docker/%s\n0::/\n", id);
	tmptree_put("c/proc/700/cgroup", cmd, strlen(cmd));
	tmptree_put("c/proc/700/comm", "sleep\n", 6);
	tmptree_put("c/proc/700/ns/.d", "", 0);
	link_to("c/ns/a", "c/proc/700/ns/net");
	snprintf(cmd, sizeof(cmd),
		 "0::/kubepods.slice/kubepods-besteffort.slice/"
		 "kubepods-besteffort-pod1b2c3d4e_0000_4000_8000_123456789abc.slice/x\n");
	tmptree_put("c/proc/800/cgroup", cmd, strlen(cmd));
	tmptree_put("c/proc/800/comm", "pause\n", 6);
	tmptree_put("c/proc/800/ns/.d", "", 0);
	link_to("c/ns/b", "c/proc/800/ns/net");
	tmptree_put("c/pods/shop_cart-7d9f_1b2c3d4e-0000-4000-8000-123456789abc/.keep", "", 0);
	r.run_netns = "/nonexistent/a";
	r.docker_netns = "/nonexistent/b";
	r.docker_data = "/nonexistent/c";
	r.pods = strdup(tmptree_path("c/pods"));
	r.proc = strdup(tmptree_path("c/proc"));
	assert_int_equal(netns_scan(&r, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].label, "docker:web2");
	assert_string_equal(v[1].label, "host");
	assert_string_equal(v[2].label, "pod:shop/cart-7d9f");
	free(v);
	free((char *)r.pods);
	free((char *)r.proc);
}

/* Nothing to read: no namespace, no error. */
static void empty(void **state)
{
	struct netns_scan_roots r = { .run_netns = "/nonexistent/a",
				      .docker_netns = "/nonexistent/b",
				      .docker_data = "/nonexistent/c",
				      .proc = "/nonexistent/d" };
	struct netns_entry *v;
	size_t n;

	assert_int_equal(netns_scan(&r, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_dedupe),
		cmocka_unit_test(containers),
		cmocka_unit_test(empty),
	};

	return cmocka_run_group_tests(tests, tmptree_setup, tmptree_teardown);
}
