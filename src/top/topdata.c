#include "config.h"
#include "top/topdata.h"

#include <arpa/inet.h>
#include <errno.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

static const char *const col_names[TOPDATA_COLS] = {
	[TOPDATA_PROTO] = "PROTO",	[TOPDATA_SOURCE] = "SOURCE",
	[TOPDATA_DEST] = "DESTINATION", [TOPDATA_NATSRC] = "POST-NAT SOURCE",
	[TOPDATA_STATE] = "STATE",
};

const char *topdata_col_name(enum topdata_col c)
{
	return c < TOPDATA_COLS ? col_names[c] : "?";
}

static int addr_cmp(const union ct_addr *a, uint16_t ap, const union ct_addr *b, uint16_t bp)
{
	int c = memcmp(a, b, sizeof(*a));

	if (c)
		return c;
	return ap < bp ? -1 : ap > bp;
}

static int flow_cmp(const struct ct_flow *a, const struct ct_flow *b, enum topdata_col col)
{
	int c = 0;

	switch (col) {
	case TOPDATA_PROTO:
		c = a->l4proto < b->l4proto ? -1 : a->l4proto > b->l4proto;
		break;
	case TOPDATA_SOURCE:
		c = addr_cmp(&a->orig.src, a->orig.sport, &b->orig.src, b->orig.sport);
		break;
	case TOPDATA_DEST:
		c = addr_cmp(&a->orig.dst, a->orig.dport, &b->orig.dst, b->orig.dport);
		break;
	case TOPDATA_NATSRC:
		c = addr_cmp(&a->reply.dst, a->reply.dport, &b->reply.dst, b->reply.dport);
		break;
	case TOPDATA_STATE:
		c = a->tcp_state < b->tcp_state ? -1 : a->tcp_state > b->tcp_state;
		break;
	default:
		break;
	}
	/* a total order, so equal keys keep a stable place between frames */
	if (!c)
		c = a->id < b->id ? -1 : a->id > b->id;
	if (!c)
		c = addr_cmp(&a->orig.src, a->orig.sport, &b->orig.src, b->orig.sport);
	return c;
}

void topdata_flow_line(const struct ct_flow *f, char *buf, size_t len)
{
	const char *proto = ct_flow_proto_name(f->l4proto);
	char s[64], d[64], n[64];

	snprintf(buf, len, "%-5s %s:%u %s:%u %s:%u %s %s", proto ? proto : "?",
		 ct_flow_addr_str(f->family, &f->orig.src, s, sizeof(s)), f->orig.sport,
		 ct_flow_addr_str(f->family, &f->orig.dst, d, sizeof(d)), f->orig.dport,
		 ct_flow_addr_str(f->family, &f->reply.dst, n, sizeof(n)), f->reply.dport,
		 f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-",
		 ct_flow_nat_kind_name(ct_flow_nat_kind(f)));
}

static int parse_word(const char *tok, struct topdata_word *w)
{
	char addr[64], *slash;
	unsigned int plen;

	if (*tok == '!') {
		w->negate = true;
		tok++;
	}
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
	for (unsigned int p = 0; p < 256; p++) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		if (name && !strcasecmp(name, tok)) {
			w->kind = FW_PROTO;
			w->num = (uint16_t)p;
			return 0;
		}
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

int topdata_filter_parse(const char *s, struct topdata_filter *out)
{
	char buf[256], *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!s)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (out->n == TOPDATA_FILTER_WORDS)
			return -EINVAL;
		parse_word(tok, &out->w[out->n++]);
	}
	return 0;
}

static bool in_prefix(const struct topdata_word *w, uint8_t family, const union ct_addr *a)
{
	unsigned int full = w->plen / 8, rest = w->plen % 8;

	if (family != w->family)
		return false;
	if (memcmp(a->a8, w->addr.a8, full))
		return false;
	return !rest || ((a->a8[full] ^ w->addr.a8[full]) & (0xff00 >> rest)) == 0;
}

static bool word_holds(const struct topdata_word *w, const struct ct_flow *f)
{
	char line[256];

	switch (w->kind) {
	case FW_PREFIX:
		return in_prefix(w, f->family, &f->orig.src) ||
		       in_prefix(w, f->family, &f->orig.dst) ||
		       in_prefix(w, f->family, &f->reply.src) ||
		       in_prefix(w, f->family, &f->reply.dst);
	case FW_PORT:
		return ct_flow_proto_has_ports(f->l4proto) &&
		       (f->orig.sport == w->num || f->orig.dport == w->num ||
			f->reply.sport == w->num || f->reply.dport == w->num);
	case FW_PROTO:
		return f->l4proto == w->num;
	case FW_STATE:
		return f->has_tcp_state && f->tcp_state == w->num;
	case FW_NAT:
		return ct_flow_nat_kind(f) == w->num;
	default:
		topdata_flow_line(f, line, sizeof(line));
		return strcasestr(line, w->text) != NULL;
	}
}

bool topdata_filter_match(const struct topdata_filter *fl, const struct ct_flow *f)
{
	for (unsigned int i = 0; i < fl->n; i++)
		if (word_holds(&fl->w[i], f) == fl->w[i].negate)
			return false;
	return true;
}

struct heap_ctx {
	struct topdata_flows *out;
	enum topdata_col col;
	bool rev;
	const struct topdata_filter *filter;
};

/* "before" in display order */
static bool before(const struct heap_ctx *h, const struct ct_flow *a, const struct ct_flow *b)
{
	int c = flow_cmp(a, b, h->col);

	return h->rev ? c > 0 : c < 0;
}

/* A max-heap on display order: the root is the last flow kept, the first to go. */
static void sift_down(struct heap_ctx *h, size_t i)
{
	struct ct_flow *v = h->out->v;
	size_t n = h->out->n;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct ct_flow t;

		if (l < n && before(h, &v[m], &v[l]))
			m = l;
		if (r < n && before(h, &v[m], &v[r]))
			m = r;
		if (m == i)
			return;
		t = v[i];
		v[i] = v[m];
		v[m] = t;
		i = m;
	}
}

static void sift_up(struct heap_ctx *h, size_t i)
{
	struct ct_flow *v = h->out->v;

	while (i > 0 && before(h, &v[(i - 1) / 2], &v[i])) {
		struct ct_flow t = v[i];

		v[i] = v[(i - 1) / 2];
		v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static int keep_flow(const struct ct_flow *f, void *data)
{
	struct heap_ctx *h = data;
	struct topdata_flows *o = h->out;

	if (!topdata_filter_match(h->filter, f))
		return 0;
	if (f->life == CT_LIFE_GONE)
		o->gone++;
	else
		o->matched++;
	if (o->n < o->cap) {
		o->v[o->n++] = *f;
		sift_up(h, o->n - 1);
	} else if (o->cap && before(h, f, &o->v[0])) {
		o->v[0] = *f;
		sift_down(h, 0);
	}
	return 0;
}

static int display_cmp(const void *a, const void *b, void *ctx)
{
	return before(ctx, a, b) ? -1 : before(ctx, b, a) ? 1 : 0;
}

int topdata_flows(const struct engine *e, enum topdata_col col, bool rev, const char *filter,
		  unsigned int gone_age, size_t cap, struct topdata_flows *out)
{
	struct topdata_filter fl;
	struct heap_ctx h = { .out = out, .col = col, .rev = rev, .filter = &fl };

	out->n = out->matched = out->gone = 0;
	if (topdata_filter_parse(filter, &fl) < 0)
		return -EINVAL;

	out->n = out->matched = out->gone = 0;
	if (out->cap < cap) {
		struct ct_flow *v = realloc(out->v, cap * sizeof(*v));
		bool *d;

		if (!v)
			return -ENOMEM;
		out->v = v;
		d = realloc(out->detail, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		out->detail = d;
	}
	out->cap = cap;
	engine_foreach(e, keep_flow, &h);
	if (gone_age)
		engine_foreach_gone(e, gone_age, keep_flow, &h);
	qsort_r(out->v, out->n, sizeof(*out->v), display_cmp, &h);
	if (out->n)
		memset(out->detail, 0, out->n * sizeof(*out->detail));
	return 0;
}

void topdata_flows_release(struct topdata_flows *f)
{
	free(f->v);
	free(f->detail);
	memset(f, 0, sizeof(*f));
}

static int group_flow(const struct ct_flow *f, void *data)
{
	return ct_agg_add(data, f);
}

int topdata_groups(const struct engine *e, struct ct_summary *out)
{
	struct ct_agg *agg;
	int ret = ct_agg_new(&agg);

	if (ret < 0)
		return ret;
	ret = engine_foreach(e, group_flow, agg);
	if (ret == 0)
		ct_agg_summarize(agg, out);
	ct_agg_free(agg);
	return ret;
}
