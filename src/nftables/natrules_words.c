#include "config.h"
#include "nftables/natrules_render.h"

#include <netinet/in.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

/* nft's words for what natscope renders (natrules_render.c, natfix_count.c). */

const char *natrules_meta_name(uint32_t key)
{
	switch (key) {
	case NFT_META_OIFNAME:
		return "oifname";
	case NFT_META_IIFNAME:
		return "iifname";
	case NFT_META_OIF:
		return "oif";
	case NFT_META_IIF:
		return "iif";
	case NFT_META_L4PROTO:
		return "meta l4proto";
	case NFT_META_NFPROTO:
		return "meta nfproto";
	case NFT_META_MARK:
		return "meta mark";
	case NFT_META_PROTOCOL:
		return "meta protocol";
	case NFT_META_SKUID:
		return "meta skuid";
	default:
		return NULL;
	}
}

const char *natrules_l4_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	default:
		return NULL;
	}
}

bool natrules_nft_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == '.'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("/_.-", *s)))
			return false;
	return true;
}

bool natrules_nft_char_ok(unsigned char ch)
{
	return ch >= ' ' && ch != 0x7f && ch != '"';
}

bool natrules_nft_quotable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!natrules_nft_char_ok((unsigned char)s[i]))
			return false;
	return true;
}

const char *natrules_ct_bit_name(uint32_t key, uint32_t bit)
{
	if (key == NFT_CT_STATE)
		switch (bit) {
		case NF_CT_STATE_INVALID_BIT:
			return "invalid";
		case NF_CT_STATE_BIT(IP_CT_ESTABLISHED):
			return "established";
		case NF_CT_STATE_BIT(IP_CT_RELATED):
			return "related";
		case NF_CT_STATE_BIT(IP_CT_NEW):
			return "new";
		case NF_CT_STATE_UNTRACKED_BIT:
			return "untracked";
		}
	if (key == NFT_CT_STATUS)
		switch (bit) {
		case IPS_EXPECTED:
			return "expected";
		case IPS_SEEN_REPLY:
			return "seen-reply";
		case IPS_ASSURED:
			return "assured";
		case IPS_CONFIRMED:
			return "confirmed";
		case IPS_SRC_NAT:
			return "snat";
		case IPS_DST_NAT:
			return "dnat";
		case IPS_DYING:
			return "dying";
		}
	return NULL;
}
