/* --netns lookups that must fail, without leaving the caller's namespace. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/netns.h"

#include "tmptree.h"

static void netns_lookup_errors(void **state)
{
	struct netns_ctx ctx;
	char path[160];

	assert_int_equal(netns_enter(NULL, &ctx), 0);
	assert_int_equal(ctx.orig_fd, -1);
	assert_int_equal(netns_leave(&ctx), 0);
	assert_int_equal(netns_enter("natscope-no-such-namespace", &ctx), -ENOENT);
	assert_int_equal(netns_enter("/nonexistent/ns", &ctx), -ENOENT);
	assert_int_equal(netns_enter("999999999", &ctx), -ENOENT);
	assert_int_equal(netns_enter("..", &ctx), -ENOENT);
	/* A file that is not a namespace. */
	tmptree_put("notns", "x", 1);
	snprintf(path, sizeof(path), "%s", tmptree_path("notns"));
	if (geteuid() == 0)
		assert_int_equal(netns_enter(path, &ctx), -EINVAL);
	/* a directory is no namespace either, nor is an empty name (an unset variable) */
	assert_int_equal(netns_enter("/tmp", &ctx), -EINVAL);
	assert_int_equal(netns_enter("", &ctx), -EINVAL);
	assert_int_equal(ctx.orig_fd, -1); /* nowhere entered, nothing to leave */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netns_lookup_errors),
	};
	return cmocka_run_group_tests(tests, tmptree_setup, tmptree_teardown);
}
