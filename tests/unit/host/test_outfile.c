/*
 * Regression (issue 9, item 7): where a report goes.  Only a new path or a regular file
 * is replaced (atomically, permissions kept); a symlink's target is replaced, not the
 * link; a device or FIFO is written in place and stays what it was; a directory is
 * refused.  One run had replaced a machine's /dev/full with a regular file.
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "host/outfile.h"

#include "tmptree.h"

static int write_report(const char *path, const char *text)
{
	struct outfile of;
	const char *what;
	int ret = outfile_open(&of, path, stdout, &what);

	if (ret < 0)
		return ret;
	fputs(text, of.f);
	return outfile_commit(&of, &what);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void new_and_regular_files_are_replaced(void **state)
{
	char path[256];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s", tmptree_path("report.prom"));
	assert_int_equal(write_report(path, "one\n"), 0);
	assert_string_equal(slurp(path), "one\n");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_mode & 0777, 0644);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(write_report(path, "two\n"), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_string_equal(slurp(path), "two\n");
	assert_true(a.st_ino != b.st_ino); /* a new file renamed over the old */
	assert_int_equal(b.st_mode & 0777, 0640);
	/* no temporary file is left beside it */
	{
		glob_t g;

		assert_int_equal(glob(tmptree_path("report.prom.*"), 0, NULL, &g), GLOB_NOMATCH);
	}
}

static void a_symlink_keeps_pointing(void **state)
{
	char target[256], link[256];
	struct stat sb;

	snprintf(target, sizeof(target), "%s", tmptree_path("target.prom"));
	snprintf(link, sizeof(link), "%s", tmptree_path("link.prom"));
	tmptree_put("target.prom", "old\n", 4);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(write_report(link, "new\n"), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_string_equal(slurp(target), "new\n");
}

static void devices_stay_devices(void **state)
{
	struct stat sb;

	assert_int_equal(write_report("/dev/null", "into the void\n"), 0);
	assert_int_equal(stat("/dev/null", &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(write_report("/dev/full", "too much\n"), -ENOSPC);
	assert_int_equal(stat("/dev/full", &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(write_report(tmptree, "x\n"), -EISDIR);
	assert_int_equal(write_report("/nonexistent-dir/x", "x\n"), -ENOENT);
}

static void a_fifo_is_written_in_place(void **state)
{
	char fifo[256];
	struct stat sb;
	pid_t pid;
	int status;

	snprintf(fifo, sizeof(fifo), "%s", tmptree_path("fifo"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) /* the reader */
		_exit(strcmp(slurp(fifo), "through the pipe\n") == 0 ? 0 : 1);
	assert_int_equal(write_report(fifo, "through the pipe\n"), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lstat(fifo, &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_and_regular_files_are_replaced),
		cmocka_unit_test(a_symlink_keeps_pointing),
		cmocka_unit_test(devices_stay_devices),
		cmocka_unit_test(a_fifo_is_written_in_place),
	};
	return cmocka_run_group_tests(tests, tmptree_setup, tmptree_teardown);
}
