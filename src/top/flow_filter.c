#include "config.h"
#include "top/flow_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util.h"

/* "src=", "dst=", "sport=", "dport=", "proto=": one side, and the kind it must be */
static const struct {
	const char *key;
	int side, kind;
} sided[] = {
	{ "src=", FW_SRC, FW_PREFIX },	   { "dst=", FW_DST, FW_PREFIX },
	{ "sport=", FW_SRC, FW_PORT },	   { "dport=", FW_DST, FW_PORT },
	{ "proto=", FW_EITHER, FW_PROTO },
};

static int parse_plain(const char *tok, struct flow_filter_word *w);

static int parse_word(const char *tok, struct flow_filter_word *w)
{
	if (*tok == '!') {
		w->negate = true;
		tok++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sided); i++) {
		size_t len = strlen(sided[i].key);

		if (strncasecmp(tok, sided[i].key, len) != 0)
			continue;
		if (!tok[len]) {
			w->kind = FW_ANY;
			return 0;
		}
		parse_plain(tok + len, w);
		w->side = sided[i].side;
		if ((int)w->kind != sided[i].kind) { /* "src=web" holds for nothing */
			w->kind = FW_TEXT;
			snprintf(w->text, sizeof(w->text), "%s", tok);
		}
		return 0;
	}
	return parse_plain(tok, w);
}

static int parse_plain(const char *tok, struct flow_filter_word *w)
{
	char addr[64], *slash;
	unsigned int plen;
	int n;

	snprintf(w->text, sizeof(w->text), "%s", tok);
	snprintf(addr, sizeof(addr), "%s", tok);
	slash = strchr(addr, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, addr, &w->addr) == 1)
		w->family = AF_INET, plen = 32;
	else if (inet_pton(AF_INET6, addr, &w->addr) == 1)
		w->family = AF_INET6, plen = 128;
	if (w->family) {
		unsigned int max = plen;

		if (slash && (util_parse_uint(slash + 1, 0, max, &plen) < 0))
			goto text;
		w->kind = FW_PREFIX;
		w->plen = (uint8_t)plen;
		return 0;
	}
	if (!slash && util_parse_uint(tok, 0, 65535, &plen) == 0) {
		w->kind = FW_PORT;
		w->num = (uint16_t)plen;
		return 0;
	}
	if ((n = ct_flow_proto_by_name(tok)) >= 0) {
		w->kind = FW_PROTO;
		w->num = (uint16_t)n;
		return 0;
	}
	for (unsigned int st = 0; st < CT_TCP_STATES; st++)
		if (!strcasecmp(ct_flow_tcp_state_name(st), tok)) {
			w->kind = FW_STATE;
			w->num = (uint16_t)st;
			return 0;
		}
	for (unsigned int k = 0; k < CT_NAT_KINDS; k++)
		if (!strcasecmp(ct_flow_nat_kind_name(k), tok)) {
			w->kind = FW_NAT;
			w->num = (uint16_t)k;
			return 0;
		}
text:
	w->kind = FW_TEXT;
	w->family = 0;
	return 0;
}

int flow_filter_parse(const char *s, struct flow_filter *out)
{
	char buf[256], *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!s)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (out->n == FLOW_FILTER_WORDS)
			return -EINVAL;
		parse_word(tok, &out->w[out->n++]);
	}
	return 0;
}

static bool in_prefix(const struct flow_filter_word *w, uint8_t family, const union ct_addr *a)
{
	return family == w->family && ct_addr_in_prefix(a, &w->addr, w->plen);
}

/* One of the flow's addresses is held by an owner whose name has the word's text. */
static bool owned(const struct flow_filter_word *w, const struct ct_flow *f)
{
	const union ct_addr *a[4] = { &f->orig.src, &f->orig.dst, &f->reply.src, &f->reply.dst };
	size_t len = f->family == AF_INET ? 4 : 16;

	for (unsigned int i = 0; i < w->nowned; i++)
		for (int k = 0; k < 4; k++)
			if (w->owned[i].family == f->family &&
			    memcmp(w->owned[i].addr.a8, a[k]->a8, len) == 0)
				return true;
	return false;
}

void flow_filter_bind(struct flow_filter *fl, const struct addrmap *names)
{
	for (unsigned int i = 0; names && i < fl->n; i++) {
		struct flow_filter_word *w = &fl->w[i];

		if (w->kind != FW_TEXT || w->side != FW_EITHER)
			continue;
		for (size_t k = 0; k < names->n && w->nowned < FLOW_FILTER_OWNED; k++)
			if (strcasestr(names->v[k].owner, w->text)) {
				w->owned[w->nowned].family = names->v[k].family;
				w->owned[w->nowned].addr = names->v[k].addr;
				w->nowned++;
			}
	}
}

static bool word_holds(const struct flow_filter_word *w, const struct ct_flow *f)
{
	char line[256];

	switch (w->kind) {
	case FW_PREFIX:
		if (w->side != FW_EITHER)
			return in_prefix(w, f->family,
					 w->side == FW_SRC ? &f->orig.src : &f->orig.dst);
		return in_prefix(w, f->family, &f->orig.src) ||
		       in_prefix(w, f->family, &f->orig.dst) ||
		       in_prefix(w, f->family, &f->reply.src) ||
		       in_prefix(w, f->family, &f->reply.dst);
	case FW_PORT:
		if (!ct_flow_proto_has_ports(f->l4proto))
			return false;
		if (w->side != FW_EITHER)
			return (w->side == FW_SRC ? f->orig.sport : f->orig.dport) == w->num;
		return f->orig.sport == w->num || f->orig.dport == w->num ||
		       f->reply.sport == w->num || f->reply.dport == w->num;
	case FW_ANY:
		return true;
	case FW_PROTO:
		return f->l4proto == w->num;
	case FW_STATE:
		return f->has_tcp_state && f->tcp_state == w->num;
	case FW_NAT:
		return ct_flow_nat_kind(f) == w->num;
	default:
		if (w->side == FW_EITHER && owned(w, f))
			return true;
		ct_flow_line(f, line, sizeof(line));
		return w->side == FW_EITHER && strcasestr(line, w->text) != NULL;
	}
}

bool flow_filter_match(const struct flow_filter *fl, const struct ct_flow *f)
{
	for (unsigned int i = 0; i < fl->n; i++)
		if (word_holds(&fl->w[i], f) == fl->w[i].negate)
			return false;
	return true;
}
