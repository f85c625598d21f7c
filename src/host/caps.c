#include "config.h"
#include "host/caps.h"

#include <errno.h>

#include <cap-ng.h>

bool caps_sufficient(bool setns)
{
	if (capng_get_caps_process() < 0)
		return true; /* cannot tell: let the kernel decide and report EPERM */
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
		return false;
	return !setns || capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
}

int caps_keep_only(bool enter_netns)
{
	const capng_type_t all = CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, all, CAP_NET_ADMIN) < 0 ||
	    (enter_netns && (capng_update(CAPNG_ADD, all, CAP_SYS_ADMIN) < 0 ||
			     capng_update(CAPNG_ADD, all, CAP_SYS_PTRACE) < 0)))
		return -EINVAL;
	return capng_apply(CAPNG_SELECT_BOTH) < 0 ? -EPERM : 0;
}
