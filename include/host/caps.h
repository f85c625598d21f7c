#ifndef NATSCOPE_CAPS_H
#define NATSCOPE_CAPS_H

#include <stdbool.h>

/** Whether this process has CAP_NET_ADMIN (CAP_SYS_ADMIN too when @setns) effective. */
bool caps_sufficient(bool setns);

/**
 * Give up every capability but CAP_NET_ADMIN (effective, permitted and bounding set), for
 * a long-running process that has opened what needed more; with @enter_netns also
 * CAP_SYS_ADMIN and CAP_SYS_PTRACE (entering namespaces, reading whose /proc/PID/ns/net
 * they are).  0, -EPERM, -EINVAL.
 */
int caps_keep_only(bool enter_netns);

#endif
