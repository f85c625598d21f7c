#include "config.h"
#include "host/container.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util.h"

static void add_root(struct container_roots *r, const char *root)
{
	for (size_t i = 0; i < r->ndocker; i++)
		if (strcmp(r->docker[i], root) == 0)
			return;
	if (r->ndocker < CONTAINER_ROOTS && strlen(root) < sizeof(r->docker[0]))
		snprintf(r->docker[r->ndocker++], sizeof(r->docker[0]), "%s", root);
}

/* --data-root of a dockerd's NUL-separated command line, if it has one. */
static void dockerd_root(struct container_roots *r, const char *cmd, size_t len)
{
	const char *arg0 = strrchr(cmd, '/');

	if (strcmp(arg0 ? arg0 + 1 : cmd, "dockerd") != 0)
		return;
	for (const char *a = cmd; a < cmd + len; a += strlen(a) + 1) {
		if (strncmp(a, "--data-root=", 12) == 0)
			add_root(r, a + 12);
		else if (strcmp(a, "--data-root") == 0 && a + strlen(a) + 1 < cmd + len)
			add_root(r, a + strlen(a) + 1);
	}
}

void container_roots_find(const char *proc, const char *docker, const char *pods,
			  struct container_roots *r)
{
	DIR *d = opendir(proc);
	struct dirent *de;

	memset(r, 0, sizeof(*r));
	r->pods = pods;
	if (docker)
		add_root(r, docker);
	while (d && (de = readdir(d))) {
		char path[PATH_MAX], cmd[4096];
		FILE *f;
		size_t len;

		if (!util_all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cmdline", proc, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		len = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[len] = '\0';
		if (len)
			dockerd_root(r, cmd, len);
	}
	if (d)
		closedir(d);
}

static bool hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A Docker container id in a cgroup line: "/docker/ID" or "docker-ID.scope". */
static const char *docker_id(const char *line)
{
	const char *p = strstr(line, "/docker/");

	if (p && hex64(p + 8))
		return p + 8;
	p = strstr(line, "docker-");
	return p && hex64(p + 7) ? p + 7 : NULL;
}

static bool docker_name(const struct container_roots *r, const char *id, char *out, size_t len)
{
	for (size_t i = 0; i < r->ndocker; i++) {
		char path[PATH_MAX + 128];
		json_t *root;
		const char *name;
		bool ok;

		snprintf(path, sizeof(path), "%s/containers/%.64s/config.v2.json", r->docker[i],
			 id);
		root = json_load_file(path, 0, NULL);
		name = json_string_value(json_object_get(root, "Name"));
		ok = name && *name;
		if (ok)
			snprintf(out, len, "docker:%.100s", name[0] == '/' ? name + 1 : name);
		json_decref(root);
		if (ok)
			return true;
	}
	return false;
}

/* The pod of a "pod<uid>" cgroup path, by the kubelet's log folder NAMESPACE_NAME_UID. */
/* The pod uid of a cgroup path: "pod" and 36 characters of a uid ('_' for '-' under
 * the systemd driver); "kubepods" itself also has "pod" in it. */
static bool pod_uid(const char *line, char uid[37])
{
	for (const char *p = strstr(line, "pod"); p; p = strstr(p + 3, "pod")) {
		size_t n = 0;

		for (const char *q = p + 3;
		     n < 36 && (isxdigit((unsigned char)*q) || *q == '-' || *q == '_'); q++)
			uid[n++] = *q == '_' ? '-' : *q;
		uid[n] = '\0';
		if (n == 36)
			return true;
	}
	return false;
}

/* The pod of a "pod<uid>" cgroup path, by the kubelet's log folder NAMESPACE_NAME_UID. */
static bool pod_name(const struct container_roots *r, const char *line, char *out, size_t len)
{
	char uid[37];
	DIR *d;
	struct dirent *de;
	bool found = false;

	if (!r->pods || !pod_uid(line, uid))
		return false;
	d = opendir(r->pods);
	while (d && !found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		const char *sep;

		if (l <= 37 || strcmp(de->d_name + l - 36, uid) != 0 || de->d_name[l - 37] != '_')
			continue;
		sep = strchr(de->d_name, '_');
		if (!sep || sep >= de->d_name + l - 37)
			continue;
		snprintf(out, len, "pod:%.*s/%.*s", (int)(sep - de->d_name), de->d_name,
			 (int)(de->d_name + l - 37 - sep - 1), sep + 1);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

bool container_of_pid(const struct container_roots *r, const char *proc, const char *pid, char *out,
		      size_t len)
{
	char path[PATH_MAX], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/cgroup", proc, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *id = docker_id(line);

		found = (id && docker_name(r, id, out, len)) ||
			(strstr(line, "kubepods") && pod_name(r, line, out, len));
	}
	fclose(f);
	return found;
}
