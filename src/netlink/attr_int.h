#ifndef NATSCOPE_NETLINK_ATTR_INT_H
#define NATSCOPE_NETLINK_ATTR_INT_H

#include <libmnl/libmnl.h>

/*
 * Every top-level attribute of @nlh after @offset bytes of family header, bounded by the
 * message's own length.  libmnl's mnl_attr_for_each() stops at MNL_ALIGN(nlmsg_len): up
 * to three bytes past a message whose length is not aligned, past the end of a capture
 * record that ends with it.
 */
#define nl_attr_for_each(attr, nlh, offset)                                                        \
	for ((attr) = (const struct nlattr *)((const char *)(nlh) + MNL_NLMSG_HDRLEN +             \
					      MNL_ALIGN(offset));                                  \
	     mnl_attr_ok((attr),                                                                   \
			 (int)((const char *)(nlh) + (nlh)->nlmsg_len - (const char *)(attr)));    \
	     (attr) = mnl_attr_next(attr))

/* Whether the walk above ended at the message's end (at most alignment padding left), not
 * at an attribute that claims more than the message holds. */
static inline int nl_attr_walk_complete(const struct nlmsghdr *nlh, const struct nlattr *attr)
{
	return (const char *)(nlh) + (nlh)->nlmsg_len - (const char *)(attr) <
	       (long)MNL_ATTR_HDRLEN;
}

#endif
