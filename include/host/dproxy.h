#ifndef NATSCOPE_DPROXY_H
#define NATSCOPE_DPROXY_H

#include <limits.h>
#include <stdbool.h>
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

/* What the daemon behind them runs with, for the remedy (dproxy_daemon()). */
struct dproxy_daemon {
	bool found;	       /* the proxies' parent is a dockerd */
	char config[PATH_MAX]; /* its --config-file, else the default */
	bool config_given;     /* from its command line, not the default */
	int ip6tables;	       /* the file's "ip6tables": 1, 0, -1 absent, -2 unreadable */
	int userland_proxy;    /* the file's "userland-proxy": 1, 0, -1 absent, -2 */
};

struct dproxy_list {
	unsigned int n;
	struct dproxy *v;
	struct dproxy_daemon daemon;
};

/**
 * Find docker-proxy processes under @proc_root ("/proc").  With @netns_ino non-zero, keep
 * only processes in that network namespace (docker-proxy listens in the namespace whose
 * traffic it relays).
 */
int dproxy_scan(const char *proc_root, ino_t netns_ino, struct dproxy_list *out);

/**
 * The config file a dockerd command line (NUL-separated) names with --config-file,
 * else /etc/docker/daemon.json; false if it is not dockerd's.
 */
bool dproxy_daemon_cmdline(const char *buf, size_t len, struct dproxy_daemon *d);
/** Read "ip6tables" and "userland-proxy" from d->config. */
void dproxy_daemon_config(struct dproxy_daemon *d);

/** Parse a NUL-separated command line; returns 1 if it is docker-proxy, else 0. */
int dproxy_parse_cmdline(const char *buf, size_t len, struct dproxy *out);

void dproxy_list_release(struct dproxy_list *l);

#endif
