#ifndef NATSCOPE_DPROXY_H
#define NATSCOPE_DPROXY_H

#include <stdint.h>
#include <sys/types.h>

/* A docker-proxy process: Docker's userland proxy for one published port. */
struct dproxy {
	pid_t pid;
	char proto[8];
	char host_ip[46];
	int host_port;
	char container_ip[46];
	int container_port;
};

struct dproxy_list {
	unsigned int n;
	struct dproxy *v;
};

/**
 * Find docker-proxy processes under @proc_root ("/proc").  With @netns_ino non-zero, keep
 * only processes in that network namespace (docker-proxy listens in the namespace whose
 * traffic it relays).
 */
int dproxy_scan(const char *proc_root, ino_t netns_ino, struct dproxy_list *out);

/** Parse a NUL-separated command line; returns 1 if it is docker-proxy, else 0. */
int dproxy_parse_cmdline(const char *buf, size_t len, struct dproxy *out);

void dproxy_list_release(struct dproxy_list *l);

#endif
