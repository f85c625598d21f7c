#ifndef NATSCOPE_CT_PARSE_H
#define NATSCOPE_CT_PARSE_H

#include "ct_flow.h"

struct nlmsghdr;

/**
 * Parse one IPCTNL_MSG_CT_NEW/DELETE message into @flow.  Attributes natscope does not
 * use are skipped; a known attribute with a wrong size is an error.  Returns 0,
 * -EBADMSG (malformed) or -EPROTO (no original tuple).
 */
int ct_parse_msg(const struct nlmsghdr *nlh, struct ct_flow *flow);

#endif
