#include "config.h"
#include "host/caps.h"

#include <cap-ng.h>

bool caps_sufficient(bool setns)
{
	if (capng_get_caps_process() < 0)
		return true; /* cannot tell: let the kernel decide and report EPERM */
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
		return false;
	return !setns || capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
}
