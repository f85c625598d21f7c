#ifndef NATSCOPE_TEST_GOLDEN_H
#define NATSCOPE_TEST_GOLDEN_H

#include <stddef.h>

/*
 * Golden files live in tests/golden/; a test gets the folder as its first argument.
 * After an intended output change, regenerate them with
 *     NATSCOPE_UPDATE_GOLDEN=1 meson test -C build --suite unit
 * and review the diff before committing.
 */
void golden_init(int argc, char **argv);
/** Compare @got with golden file @name (or rewrite it under NATSCOPE_UPDATE_GOLDEN). */
void golden_compare(const char *name, const char *got, size_t len);

#endif
