#ifndef NATSCOPE_NETNS_H
#define NATSCOPE_NETNS_H

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

/** Return to the caller's namespace. */
int netns_leave(struct netns_ctx *ctx);

#endif
