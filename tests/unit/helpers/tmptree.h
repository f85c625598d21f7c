#ifndef NATSCOPE_TEST_TMPTREE_H
#define NATSCOPE_TEST_TMPTREE_H

#include <stddef.h>

/* A temporary directory tree for tests of modules that read files (/proc, /sys). */
extern char tmptree[64];

/** cmocka group setup/teardown: create and remove the tree. */
int tmptree_setup(void **state);
int tmptree_teardown(void **state);
/** Write @len bytes to @rel under the tree, creating directories. */
void tmptree_put(const char *rel, const void *data, size_t len);
/** The absolute path of @rel under the tree (a static buffer). */
const char *tmptree_path(const char *rel);

#endif
