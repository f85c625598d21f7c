#ifndef NATSCOPE_CT_PARSE_H
#define NATSCOPE_CT_PARSE_H

#include "ct_flow.h"

struct nlmsghdr;

/* Reusable parser state (one libnetfilter_conntrack object, cleared per message). */
struct ct_parser;

int ct_parser_new(struct ct_parser **out);
void ct_parser_free(struct ct_parser *p);

/** Parse one IPCTNL_MSG_CT_NEW/DELETE message into @flow. Returns 0 or -errno. */
int ct_parser_parse(struct ct_parser *p, const struct nlmsghdr *nlh, struct ct_flow *flow);

#endif
