#ifndef NATSCOPE_NETNS_H
#define NATSCOPE_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A switch into another network namespace and the way back. */
struct netns_ctx {
	int orig_fd; /* the caller's namespace, -1 when not switched */
	ino_t ino;   /* inode of the namespace we are in after netns_enter() */
};

/**
 * Enter the namespace named by @spec: a name under /run/netns, a path to a namespace
 * file (contains '/'), or a process id (all digits).  NULL or "" stays where we are.
 * -ENOENT: no such namespace; -EPERM: no CAP_SYS_ADMIN.
 */
int netns_enter(const char *spec, struct netns_ctx *ctx);

/** Whether @ino is the initial namespace: PID 1's (kthreadd's where PID 1's is hidden). */
bool netns_is_host(const char *proc, ino_t ino);

/**
 * The name a namespace goes by in metrics and reports: @spec as given; without one
 * "host" for the initial namespace (netns_is_host()), else "net:[INODE]" as
 * /proc/PID/ns/net reads, for the namespace of inode @ino.
 */
void netns_label(const char *spec, ino_t ino, char *buf, size_t len);

/** Return to the caller's namespace. */
int netns_leave(struct netns_ctx *ctx);

#endif
