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

#include "util.h"

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

	out->n = 0;
	out->v = NULL;
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
	return 0;
}

void dproxy_list_release(struct dproxy_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
