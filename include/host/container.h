#ifndef NATSCOPE_HOST_CONTAINER_H
#define NATSCOPE_HOST_CONTAINER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The container a process runs in, from its cgroup, without asking any runtime:
 *
 *  - Docker: a 64-hex container id in the cgroup path (cgroupfs "/docker/ID", systemd
 *    "docker-ID.scope"), named by containers/ID/config.v2.json under a Docker data root:
 *    the default one and those of the dockerd processes running (--data-root);
 *  - Kubernetes: a pod uid in the cgroup path ("pod<uid>" under kubepods), named by the
 *    kubelet's log folder /var/log/pods/NAMESPACE_NAME_UID.
 */
#define CONTAINER_ROOTS 8

struct container_roots {
	char docker[CONTAINER_ROOTS][PATH_MAX];
	size_t ndocker;
	const char *pods; /* "/var/log/pods" */
};

/** The default Docker root @docker, those of running dockerd processes, and @pods. */
void container_roots_find(const char *proc, const char *docker, const char *pods,
			  struct container_roots *r);

/** "docker:NAME" or "pod:NAMESPACE/NAME" for process @pid, or false. */
bool container_of_pid(const struct container_roots *r, const char *proc, const char *pid, char *out,
		      size_t len);

#endif
