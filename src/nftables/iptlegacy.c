#include "config.h"
#include "nftables/iptlegacy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "util.h"

/*
 * What the two readers share: the table as plain data, the decoding of the matches and
 * targets natscope needs to know (tcp/udp ports; the MASQUERADE/SNAT range, which
 * natexpr.c decodes for iptables-nft's copies of the same blobs), and the text.
 */

int iptlegacy_read(uint8_t family, struct iptlegacy_table *out)
{
	int ret;

	*out = (struct iptlegacy_table){ .family = family };
	ret = family == NFPROTO_IPV4 ? iptlegacy_read4(out) : iptlegacy_read6(out);
	if (ret < 0)
		iptlegacy_release(out);
	return ret;
}

void iptlegacy_release(struct iptlegacy_table *t)
{
	for (size_t i = 0; i < t->nuser; i++)
		free(t->user_chains[i]);
	free(t->user_chains);
	free(t->v);
	t->v = NULL;
	t->user_chains = NULL;
	t->n = t->nuser = 0;
}

int iptlegacy_push(struct iptlegacy_table *t, const struct iptlegacy_rule *r)
{
	struct iptlegacy_rule *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->v = v;
	t->v[t->n++] = *r;
	return 0;
}

int iptlegacy_push_chain(struct iptlegacy_table *t, const char *name)
{
	char *copy = strdup(name);
	int ret;

	if (!copy)
		return -ENOMEM;
	if ((ret = util_push((void ***)&t->user_chains, &t->nuser, copy)) < 0)
		free(copy);
	return ret;
}

bool iptlegacy_is_chain(const struct iptlegacy_table *t, const char *name)
{
	for (size_t i = 0; i < t->nuser; i++)
		if (strcmp(t->user_chains[i], name) == 0)
			return true;
	return false;
}

void iptlegacy_match(struct iptlegacy_rule *r, const char *name, const void *data, size_t len)
{
	size_t used = strlen(r->matches);
	char safe[IPTLEGACY_NAME];

	snprintf(safe, sizeof(safe), "%.*s", (int)strnlen(name, XT_EXTENSION_MAXNAMELEN), name);
	snprintf(r->matches + used, sizeof(r->matches) - used, "%s%s", used ? " " : "", safe);
	/* xt_tcp and xt_udp both begin with spts[2], dpts[2] in host order */
	if ((strcmp(safe, "tcp") == 0 && len >= sizeof(struct xt_tcp)) ||
	    (strcmp(safe, "udp") == 0 && len >= sizeof(struct xt_udp))) {
		uint16_t dpts[2];

		memcpy(dpts, (const uint8_t *)data + 2 * sizeof(uint16_t), sizeof(dpts));
		if (dpts[0] != 0 || dpts[1] != 0xffff) {
			r->have_dport = true;
			r->dport_min = dpts[0];
			r->dport_max = dpts[1];
		}
	}
}

void iptlegacy_target(struct iptlegacy_rule *r, const char *name, uint8_t rev, const void *data,
		      size_t len)
{
	snprintf(r->target, sizeof(r->target), "%.*s", (int)strnlen(name, XT_EXTENSION_MAXNAMELEN),
		 name);
	if (strcmp(r->target, "MASQUERADE") == 0 || strcmp(r->target, "SNAT") == 0)
		r->have_range = natexpr_xt_range_blob(data, len, rev, r->family, &r->range) == 0;
}

static unsigned int prefix_len(const uint8_t *mask, size_t alen)
{
	unsigned int n = 0;

	for (size_t i = 0; i < alen; i++)
		n += (unsigned int)__builtin_popcount(mask[i]);
	return n;
}

static size_t put_addr(char *buf, size_t len, const char *opt, bool inv, const uint8_t *a,
		       const uint8_t *m, uint8_t family)
{
	size_t alen = family == NFPROTO_IPV4 ? 4 : 16;
	char text[INET6_ADDRSTRLEN];
	unsigned int plen = prefix_len(m, alen);
	int n;

	if (plen == 0)
		return 0;
	inet_ntop(family == NFPROTO_IPV4 ? AF_INET : AF_INET6, a, text, sizeof(text));
	n = snprintf(buf, len, " %s%s %s/%u", inv ? "! " : "", opt, text, plen);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void iptlegacy_render(const struct iptlegacy_rule *r, char *buf, size_t len)
{
	size_t n = 0;
	char list[sizeof(r->matches)], *save = NULL;

	buf[0] = '\0';
#define PUT(...)                                                                                   \
	do {                                                                                       \
		int k_ = snprintf(buf + n, len - n, __VA_ARGS__);                                  \
		n += k_ < 0 ? 0 : (size_t)k_ < len - n ? (size_t)k_ : len - n - 1;                 \
	} while (0)
	n += put_addr(buf + n, len - n, "-s", r->inv_src, r->src, r->smsk, r->family);
	n += put_addr(buf + n, len - n, "-d", r->inv_dst, r->dst, r->dmsk, r->family);
	if (r->iniface[0])
		PUT(" %s-i %s", r->inv_in ? "! " : "", r->iniface);
	if (r->outiface[0])
		PUT(" %s-o %s", r->inv_out ? "! " : "", r->outiface);
	if (r->proto == 6 || r->proto == 17 || r->proto == 1)
		PUT(" %s-p %s", r->inv_proto ? "! " : "",
		    r->proto == 6    ? "tcp"
		    : r->proto == 17 ? "udp"
				     : "icmp");
	else if (r->proto)
		PUT(" %s-p %u", r->inv_proto ? "! " : "", r->proto);
	snprintf(list, sizeof(list), "%s", r->matches);
	for (char *m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		PUT(" -m %s", m);
		if ((strcmp(m, "tcp") == 0 || strcmp(m, "udp") == 0) && r->have_dport) {
			if (r->dport_min == r->dport_max)
				PUT(" --dport %u", r->dport_min);
			else
				PUT(" --dport %u:%u", r->dport_min, r->dport_max);
		}
	}
	if (r->target[0])
		PUT(" -j %s", r->target);
	/* the range as iptables-save prints it (libxt_MASQUERADE.c, libxt_NAT.c) */
	if (r->have_range) {
		const struct natexpr_range *g = &r->range;
		bool snat = strcmp(r->target, "SNAT") == 0, v6 = r->family == NFPROTO_IPV6;
		bool ports = g->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
		size_t alen = v6 ? 16 : 4;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

		if (snat) {
			PUT(" --to-source ");
			if (g->flags & NF_NAT_RANGE_MAP_IPS) {
				bool range = memcmp(g->min_addr, g->max_addr, alen) != 0;

				inet_ntop(v6 ? AF_INET6 : AF_INET, g->min_addr, a, sizeof(a));
				inet_ntop(v6 ? AF_INET6 : AF_INET, g->max_addr, b, sizeof(b));
				PUT("%s%s%s%s%s", v6 && ports ? "[" : "", a, range ? "-" : "",
				    range ? b : "", v6 && ports ? "]" : "");
			}
			if (ports)
				PUT(":");
		} else if (ports) {
			PUT(" --to-ports ");
		}
		if (ports) {
			unsigned int lo = (unsigned int)g->min_port[0] << 8 | g->min_port[1];
			unsigned int hi = (unsigned int)g->max_port[0] << 8 | g->max_port[1];

			PUT("%u", lo);
			if (hi != lo)
				PUT("-%u", hi);
		}
		if (g->flags & NF_NAT_RANGE_PROTO_RANDOM)
			PUT(" --random");
		if (g->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
			PUT(" --random-fully");
		if (snat && (g->flags & NF_NAT_RANGE_PERSISTENT))
			PUT(" --persistent");
	}
#undef PUT
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

bool iptlegacy_hairpin(const struct iptlegacy_rule *r)
{
	size_t alen = r->family == NFPROTO_IPV4 ? 4 : 16;

	return !r->inv_src && !r->inv_dst && prefix_len(r->smsk, alen) == alen * 8 &&
	       prefix_len(r->dmsk, alen) == alen * 8 && memcmp(r->src, r->dst, alen) == 0;
}
