#include "config.h"
#include "host/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util.h"

static int self_ino(ino_t *ino)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) < 0)
		return -errno;
	*ino = sb.st_ino;
	return 0;
}

int netns_enter(const char *spec, struct netns_ctx *ctx)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd, ret;

	ctx->orig_fd = -1;
	if (!spec)
		return self_ino(&ctx->ino);
	if (!*spec)
		return -EINVAL; /* an empty name is a mistake (an unset variable), never "here" */

	if (strchr(spec, '/'))
		snprintf(path, sizeof(path), "%s", spec);
	else if (util_all_digits(spec))
		snprintf(path, sizeof(path), "/proc/%s/ns/net", spec);
	else if (strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return -ENOENT;
	else
		snprintf(path, sizeof(path), "/run/netns/%s", spec);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		/* namespace files are regular files of nsfs; a directory or device is not one */
		close(fd);
		return -EINVAL;
	}

	ctx->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ctx->orig_fd < 0) {
		ret = -errno;
		goto err_close;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		/* EINVAL: the file is not a network namespace. */
		ret = -errno;
		goto err_orig;
	}
	close(fd);
	return self_ino(&ctx->ino);

err_orig:
	close(ctx->orig_fd);
	ctx->orig_fd = -1;
err_close:
	close(fd);
	return ret;
}

int netns_leave(struct netns_ctx *ctx)
{
	int ret = 0;

	if (ctx->orig_fd < 0)
		return 0;
	if (setns(ctx->orig_fd, CLONE_NEWNET) < 0)
		ret = -errno;
	close(ctx->orig_fd);
	ctx->orig_fd = -1;
	return ret;
}

bool netns_is_host(const char *proc, ino_t ino)
{
	char path[PATH_MAX];
	struct stat sb;

	/* PID 1's, or where it cannot be read (a sandbox), kthreadd's: kernel threads live in
	 * the initial namespace */
	snprintf(path, sizeof(path), "%s/1/ns/net", proc);
	if (stat(path, &sb) == 0)
		return sb.st_ino == ino;
	snprintf(path, sizeof(path), "%s/2/ns/net", proc);
	return stat(path, &sb) == 0 && sb.st_ino == ino;
}

void netns_label(const char *spec, ino_t ino, char *buf, size_t len)
{
	if (spec && *spec)
		snprintf(buf, len, "%s", spec);
	else if (netns_is_host("/proc", ino))
		snprintf(buf, len, "host");
	else
		snprintf(buf, len, "net:[%llu]", (unsigned long long)ino);
}
