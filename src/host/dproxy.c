#include "config.h"
#include "host/dproxy.h"

#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util.h"

static void find_daemon(const char *proc_root, struct dproxy_list *l);

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

/* docker-proxy takes Go-style flags: "-proto tcp" or "--proto=tcp". */
static const char *flag_name(const char *arg, const char **inline_val)
{
	const char *eq;

	if (arg[0] != '-')
		return NULL;
	arg += arg[1] == '-' ? 2 : 1;
	eq = strchr(arg, '=');
	*inline_val = eq ? eq + 1 : NULL;
	return arg;
}

static bool flag_is(const char *name, const char *want)
{
	size_t n = strlen(want);

	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '=');
}

int dproxy_parse_cmdline(const char *buf, size_t len, struct dproxy *out)
{
	const char *argv[64];
	size_t argc = 0, off = 0;

	while (off < len && argc < ARRAY_SIZE(argv)) {
		argv[argc++] = buf + off;
		off += strnlen(buf + off, len - off) + 1;
	}
	if (argc == 0 || strcmp(base_name(argv[0]), "docker-proxy") != 0)
		return 0;

	memset(out, 0, sizeof(*out));
	out->host_port = out->container_port = -1;
	for (size_t i = 1; i < argc; i++) {
		const char *val, *name = flag_name(argv[i], &val);

		if (!name)
			continue;
		if (!val) {
			if (i + 1 >= argc)
				break;
			val = argv[++i];
		}
		if (flag_is(name, "proto"))
			snprintf(out->proto, sizeof(out->proto), "%s", val);
		else if (flag_is(name, "host-ip"))
			snprintf(out->host_ip, sizeof(out->host_ip), "%s", val);
		else if (flag_is(name, "container-ip"))
			snprintf(out->container_ip, sizeof(out->container_ip), "%s", val);
		else if (flag_is(name, "host-port"))
			out->host_port = atoi(val);
		else if (flag_is(name, "container-port"))
			out->container_port = atoi(val);
	}
	return 1;
}

int dproxy_scan(const char *proc_root, ino_t netns_ino, struct dproxy_list *out)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *dir;

	memset(out, 0, sizeof(*out));
	dir = opendir(proc_root);
	if (!dir)
		return -errno;

	while ((de = readdir(dir))) {
		struct dproxy p, *arr;
		ssize_t len;
		int fd;

		if (!util_all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cmdline", proc_root, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* the process went away */
		len = read(fd, buf, sizeof(buf));
		close(fd);
		if (len <= 0 || !dproxy_parse_cmdline(buf, (size_t)len, &p))
			continue;
		if (netns_ino) {
			struct stat sb;

			snprintf(path, sizeof(path), "%s/%s/ns/net", proc_root, de->d_name);
			if (stat(path, &sb) < 0 || sb.st_ino != netns_ino)
				continue;
		}
		p.pid = (pid_t)atoi(de->d_name);
		arr = realloc(out->v, (out->n + 1) * sizeof(*arr));
		if (!arr) {
			closedir(dir);
			dproxy_list_release(out);
			return -ENOMEM;
		}
		out->v = arr;
		out->v[out->n++] = p;
	}
	closedir(dir);
	if (out->n)
		find_daemon(proc_root, out);
	return 0;
}

bool dproxy_daemon_cmdline(const char *buf, size_t len, struct dproxy_daemon *d)
{
	const char *arg = buf, *end = buf + len, *base;

	memset(d, 0, sizeof(*d));
	d->ip6tables = d->userland_proxy = -2;
	snprintf(d->config, sizeof(d->config), "/etc/docker/daemon.json");
	if (!len)
		return false;
	base = strrchr(arg, '/');
	if (strcmp(base ? base + 1 : arg, "dockerd") != 0)
		return false;
	d->found = true;
	for (arg += strlen(arg) + 1; arg < end; arg += strlen(arg) + 1) {
		const char *v = NULL;

		if (strncmp(arg, "--config-file=", 14) == 0)
			v = arg + 14;
		else if (strcmp(arg, "--config-file") == 0 && arg + strlen(arg) + 1 < end)
			v = arg + strlen(arg) + 1;
		if (v && *v) {
			snprintf(d->config, sizeof(d->config), "%s", v);
			d->config_given = true;
		}
	}
	return true;
}

static int json_flag(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);

	return !v ? -1 : json_is_true(v) ? 1 : json_is_false(v) ? 0 : -2;
}

void dproxy_daemon_config(struct dproxy_daemon *d)
{
	json_t *root = json_load_file(d->config, 0, NULL);

	if (!root) {
		/* no file is dockerd's defaults; an unreadable one is unknown */
		d->ip6tables = d->userland_proxy = access(d->config, F_OK) == 0 ? -2 : -1;
		return;
	}
	d->ip6tables = json_flag(root, "ip6tables");
	d->userland_proxy = json_flag(root, "userland-proxy");
	json_decref(root);
}

/* The daemon behind the first proxy: its parent process, when that is a dockerd. */
static void find_daemon(const char *proc_root, struct dproxy_list *l)
{
	char path[PATH_MAX], buf[8192];
	int ppid = 0, fd;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)l->v[0].pid);
	f = fopen(path, "re");
	/* "PID (COMM) STATE PPID": COMM may hold spaces and parentheses, so after the last ')' */
	if (f && fgets(buf, sizeof(buf), f) && strrchr(buf, ')'))
		sscanf(strrchr(buf, ')') + 1, " %*c %d", &ppid);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, ppid);
	fd = ppid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	dproxy_daemon_cmdline(buf, (size_t)len, &l->daemon);
	dproxy_daemon_config(&l->daemon);
}

void dproxy_list_release(struct dproxy_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
