#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

/* Plain decimal: digits with at most one '.', at least one digit; nothing else. */
static bool is_decimal(const char *s)
{
	bool digit = false, point = false;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && !point)
			point = true;
		else
			return false;
	}
	return digit;
}

int util_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	/* strtod() alone would take " 1", "0x10", "1e3", "inf" and "nan" */
	if (!s || !is_decimal(s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int util_parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int util_push(void ***arr, size_t *n, void *obj)
{
	void **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	a[(*n)++] = obj;
	*arr = a;
	return 0;
}

double util_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool util_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

const char *util_escape(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < ' ' || c == 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (*s && len >= 4)
		memcpy(buf + (n < len - 4 ? n : len - 4), "...", 4);
	else if (len)
		buf[n < len ? n : len - 1] = '\0';
	return buf;
}

/* Everything @fd holds until EOF, into a new NUL-terminated string. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);

	*len = 0;
	while (buf) {
		ssize_t n;

		if (cap - *len < 4096) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0) {
			buf[*len] = '\0';
			*out = buf;
			return 0;
		}
		*len += (size_t)n;
	}
	free(buf);
	return -ENOMEM;
}

int util_in_child(int (*fn)(void *data, int fd), void *data, char **out, size_t *len)
{
	int fds[2], status, ret;
	char *buf = NULL;
	pid_t pid;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		_exit(fn(data, fds[1]) == 0 ? 0 : 1);
	}
	close(fds[1]);
	ret = read_all(fds[0], &buf, len);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ret = -ECHILD;
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}
