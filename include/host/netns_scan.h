#ifndef NATSCOPE_HOST_NETNS_SCAN_H
#define NATSCOPE_HOST_NETNS_SCAN_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Every network namespace of the host, for --all-netns: named ones (ip netns, under
 * /run/netns), Docker's (/run/docker/netns, one per sandbox) and every process's
 * (/proc/PID/ns/net), once each by inode, with the best name there is:
 *
 *	NAME			a name under /run/netns
 *	docker:CONTAINER	Docker's, named after its container (from the container's
 *				config.v2.json under Docker's data root), else docker:SANDBOX;
 *				or a process's, by its cgroup (host/container.h)
 *	pod:NAMESPACE/NAME	a Kubernetes pod's, by its processes' cgroup
 *	host			the namespace of PID 1
 *	pid:PID/COMM		the first process found in it
 *
 * Names go first in that order of preference.  The result is sorted by label.
 */
struct netns_entry {
	ino_t ino;
	char path[PATH_MAX]; /* a file that opens the namespace (for netns_enter()) */
	char label[128];
};

struct netns_scan_roots {
	const char *run_netns;	  /* "/run/netns" */
	const char *docker_netns; /* "/run/docker/netns" */
	const char *docker_data;  /* "/var/lib/docker" (containers/<id>/config.v2.json) */
	const char *pods;	  /* "/var/log/pods" (the kubelet's NAMESPACE_NAME_UID) */
	const char *proc;	  /* "/proc" */
};

void netns_scan_roots_default(struct netns_scan_roots *r);

/** Scan; *@out is malloc'd (free it), *@n its entries.  -ENOMEM only. */
int netns_scan(const struct netns_scan_roots *r, struct netns_entry **out, size_t *n);

#endif
