#include "config.h"
#include "host/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static void release(struct outfile *o)
{
	free(o->target);
	free(o->tmp);
	o->target = o->tmp = NULL;
	o->f = NULL;
}

/* A temporary file beside @target, with @target's permissions (0644 for a new file). */
static int open_beside(struct outfile *o, mode_t mode)
{
	int fd, ret;

	if (asprintf(&o->tmp, "%s.XXXXXX", o->target) < 0) {
		o->tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || !(o->f = fdopen(fd, "w"))) {
		ret = -errno;
		close(fd);
		unlink(o->tmp);
		return ret;
	}
	return 0;
}

/* Written in place: open without creating or truncating what is not a regular file. */
static int open_in_place(struct outfile *o)
{
	int fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return 0;
}

int outfile_open(struct outfile *o, const char *path, FILE *std, const char **what)
{
	const char *replace = NULL;
	char real[PATH_MAX];
	struct stat sb;
	int ret;

	*o = (struct outfile){ 0 };
	*what = path;
	if (!path || strcmp(path, "-") == 0) {
		o->f = std;
		return 0;
	}
	o->path = path;
	if (lstat(path, &sb) < 0) {
		if (errno != ENOENT)
			return -errno;
		replace = path; /* a new file */
		sb.st_mode = S_IFREG | 0644;
	} else if (S_ISLNK(sb.st_mode)) {
		struct stat tb;

		/* a link to a regular file: replace the file, keep the link */
		if (realpath(path, real) && stat(real, &tb) == 0 && S_ISREG(tb.st_mode)) {
			replace = real;
			sb = tb;
		}
	} else if (S_ISREG(sb.st_mode)) {
		replace = path;
	} else if (S_ISDIR(sb.st_mode)) {
		return -EISDIR;
	}
	if (replace && !(o->target = strdup(replace)))
		return -ENOMEM;
	ret = o->target ? open_beside(o, sb.st_mode & 07777) : open_in_place(o);
	if (ret < 0)
		release(o);
	return ret;
}

int outfile_commit(struct outfile *o, const char **what)
{
	int ret = 0;

	*what = o->path ? o->path : "standard output";
	errno = 0;
	if (!o->path) {
		if (fflush(o->f) == EOF || ferror(o->f))
			ret = errno ? -errno : -EIO;
		o->f = NULL;
		return ret;
	}
	if (ferror(o->f))
		ret = errno ? -errno : -EIO;
	if (fclose(o->f) == EOF && !ret)
		ret = errno ? -errno : -EIO;
	o->f = NULL;
	if (!ret && o->tmp && rename(o->tmp, o->target) < 0)
		ret = -errno;
	if (ret < 0 && o->tmp)
		unlink(o->tmp);
	release(o);
	return ret;
}

void outfile_abort(struct outfile *o)
{
	if (o->path && o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}
