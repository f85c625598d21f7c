#include "config.h"
#include "host/netns_scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "host/container.h"
#include "host/netns.h"
#include "util.h"

struct scan {
	struct netns_entry *v;
	size_t n, cap;
};

static struct netns_entry *find(struct scan *s, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ino == ino)
			return &s->v[i];
	return NULL;
}

/* Add @path as @label unless its namespace is known already (the first name wins). */
static int add(struct scan *s, const char *path, const char *label)
{
	struct stat sb;
	struct netns_entry *e;

	if (stat(path, &sb) < 0 || find(s, sb.st_ino))
		return 0; /* gone meanwhile, not a namespace file, or named already */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct netns_entry *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->n++];
	e->ino = sb.st_ino;
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->label, sizeof(e->label), "%s", label);
	return 0;
}

static bool is_nsfs_name(const char *name)
{
	return name[0] != '.';
}

/* The name of the container whose sandbox is @sandbox_path, from Docker's data root. */
static bool container_name(const char *data, const char *sandbox, char *out, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	const char *id = strrchr(sandbox, '/');
	struct dirent *de;
	bool found = false;
	DIR *d;

	id = id ? id + 1 : sandbox;
	snprintf(dir, sizeof(dir), "%s/containers", data);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		json_t *root, *key, *name;
		const char *k, *slash;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/config.v2.json", dir, de->d_name);
		root = json_load_file(path, 0, NULL);
		key = json_object_get(json_object_get(root, "NetworkSettings"), "SandboxKey");
		name = json_object_get(root, "Name");
		k = json_string_value(key);
		slash = k ? strrchr(k, '/') : NULL;
		if (slash && strcmp(slash + 1, id) == 0 && json_string_value(name)) {
			const char *n = json_string_value(name);

			snprintf(out, len, "docker:%.100s", n[0] == '/' ? n + 1 : n);
			found = true;
		}
		json_decref(root);
	}
	closedir(d);
	return found;
}

/*
 * The namespace files in @root, named after the file (@docker false) or as Docker's,
 * after their container where @data (Docker's data root) says which.
 */
static int scan_dir(struct scan *s, const char *root, bool docker, const char *data)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char path[PATH_MAX], label[128];
	int ret = 0;

	if (!d)
		return 0;
	while (ret == 0 && (de = readdir(d))) {
		if (!is_nsfs_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		if (!docker)
			snprintf(label, sizeof(label), "%.127s", de->d_name);
		else if (!data || !container_name(data, path, label, sizeof(label)))
			snprintf(label, sizeof(label), "docker:%.100s", de->d_name);
		ret = add(s, path, label);
	}
	closedir(d);
	return ret;
}

static ino_t ino_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

static void comm_of(const char *proc, const char *pid, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	out[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (fgets(out, (int)len, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

/* Every process's namespace, lowest PID first ("host" for PID 1's). */
static int scan_procs(struct scan *s, const struct netns_scan_roots *r)
{
	const char *proc = r->proc;
	struct container_roots roots;
	struct dirent **list = NULL;
	char path[PATH_MAX], label[128], comm[32];
	int n = scandir(proc, &list, NULL, versionsort), ret = 0;

	container_roots_find(proc, r->docker_data, r->pods, &roots);
	for (int i = 0; i < n; i++) {
		if (ret == 0 && util_all_digits(list[i]->d_name)) {
			snprintf(path, sizeof(path), "%s/%s/ns/net", proc, list[i]->d_name);
			comm_of(proc, list[i]->d_name, comm, sizeof(comm));
			if (netns_is_host(proc, ino_of(path)))
				snprintf(label, sizeof(label), "host");
			else if (container_of_pid(&roots, proc, list[i]->d_name, label,
						  sizeof(label)))
				; /* docker:NAME, pod:NAMESPACE/NAME */
			else
				snprintf(label, sizeof(label), "pid:%.20s/%.30s", list[i]->d_name,
					 comm);
			ret = add(s, path, label);
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

static int by_label(const void *a, const void *b)
{
	return strcmp(((const struct netns_entry *)a)->label,
		      ((const struct netns_entry *)b)->label);
}

void netns_scan_roots_default(struct netns_scan_roots *r)
{
	*r = (struct netns_scan_roots){ .run_netns = "/run/netns",
					.docker_netns = "/run/docker/netns",
					.docker_data = "/var/lib/docker",
					.pods = "/var/log/pods",
					.proc = "/proc" };
}

int netns_scan(const struct netns_scan_roots *r, struct netns_entry **out, size_t *n)
{
	struct scan s = { 0 };
	int ret = scan_dir(&s, r->run_netns, false, NULL);

	if (ret == 0)
		ret = scan_dir(&s, r->docker_netns, true, r->docker_data);
	/* a name the user gave wins; "host" only where nobody named PID 1's namespace */
	if (ret == 0)
		ret = scan_procs(&s, r);
	if (ret < 0) {
		free(s.v);
		return ret;
	}
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), by_label);
	*out = s.v;
	*n = s.n;
	return 0;
}
