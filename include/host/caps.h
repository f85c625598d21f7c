#ifndef NATSCOPE_CAPS_H
#define NATSCOPE_CAPS_H

#include <stdbool.h>

/** Whether this process has CAP_NET_ADMIN (CAP_SYS_ADMIN too when @setns) effective. */
bool caps_sufficient(bool setns);

#endif
