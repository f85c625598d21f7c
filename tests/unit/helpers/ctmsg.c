#include "config.h"
#include "ctmsg.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

static void set_addr(struct nf_conntrack *ct, uint8_t family, int attr4, int attr6, const char *s)
{
	struct in6_addr a6;

	if (family == AF_INET6) {
		assert_int_equal(inet_pton(AF_INET6, s, &a6), 1);
		nfct_set_attr(ct, attr6, &a6);
	} else {
		nfct_set_attr_u32(ct, attr4, inet_addr(s));
	}
}

struct nlmsghdr *ctmsg_build(void *buf, size_t len, const struct ctmsg *m)
{
	uint8_t family = m->family ? m->family : AF_INET;
	struct nf_conntrack *ct = nfct_new();
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	assert_true(len >= 4096);
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, family);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, family);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, m->proto);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, m->proto);
	set_addr(ct, family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC, m->osrc);
	set_addr(ct, family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST, m->odst);
	set_addr(ct, family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC, m->rsrc);
	set_addr(ct, family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST, m->rdst);
	if (m->proto == IPPROTO_ICMP) {
		/* libnetfilter_conntrack writes the reply tuple's ICMP id as 0: match it */
		nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, 8);
		nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
		nfct_set_attr_u16(ct, ATTR_ICMP_ID, 0);
	} else {
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(m->osport));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(m->odport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(m->rsport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(m->rdport));
	}
	if (m->tcp_state >= 0)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, (uint8_t)m->tcp_state);
	nfct_set_attr_u32(ct, ATTR_STATUS, m->status);
	if (m->timeout)
		nfct_set_attr_u32(ct, ATTR_TIMEOUT, m->timeout);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
			  (m->type == CT_EVENT_DESTROY ? IPCTNL_MSG_CT_DELETE : IPCTNL_MSG_CT_NEW);
	nlh->nlmsg_flags = m->type == CT_EVENT_NEW    ? NLM_F_CREATE | NLM_F_EXCL
			   : m->type == CT_EVENT_DUMP ? NLM_F_MULTI
						      : 0;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	assert_int_equal(nfct_nlmsg_build(nlh, ct), 0);
	/* The kernel adds the id; nfct_nlmsg_build() never writes one. */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(m->id));
	if (m->unknown_attr)
		mnl_attr_put_u32(nlh, CTA_MAX + 10, htonl(0xdeadbeef));
	nfct_destroy(ct);
	return nlh;
}

struct nlmsghdr *ctmsg_event(enum ct_event_type type, uint32_t id, uint8_t proto, int tcp_state,
			     bool snat, uint32_t status)
{
	static char buf[4096];
	char src[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = htonl(0x0a000000 + id) };
	struct ctmsg m = {
		.type = type,
		.proto = proto,
		.osrc = src,
		.odst = "203.0.113.9",
		.osport = 40000,
		.odport = 443,
		.rsrc = "203.0.113.9",
		.rdst = snat ? "198.51.100.1" : src,
		.rsport = 443,
		.rdport = 40000,
		.tcp_state = tcp_state,
		.status = status,
		.id = id,
	};

	inet_ntop(AF_INET, &a, src, sizeof(src));
	return ctmsg_build(buf, sizeof(buf), &m);
}
