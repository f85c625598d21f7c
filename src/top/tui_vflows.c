#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "top/tui_fmt.h"
#include "tui_int.h"

/*
 * The flows view, like iptstate's, with what it lacks: the NAT'd side (the post-NAT
 * source, or ">" and the target of a destination NAT), who owns the flow (the namespace
 * or container of its source, or of the target), and the timeout and counters read from
 * the kernel for the rows on screen (they change without events).  A destroyed flow
 * stays a few intervals, dimmed, with "gone" for its timeout; a new one is bold for one.
 */

struct fcols {
	int addr; /* each of the three endpoint columns */
	int owner;
	bool ttl, counters;
};

/*
 * Endpoints first (as wide as the widest on screen needs, 17 at least), then the TTL,
 * the owner and the counters as room allows; what is left widens the owner.
 */
static struct fcols fit_fcols(bool counters, int need)
{
	const int base = 6 + 1 + 11 + 1, ttl = 7, cnt = 14;
	struct fcols c = { 0 };
	int room = COLS - base;

	c.addr = room / 3 - 1;
	if (c.addr > need)
		c.addr = need;
	if (c.addr < 17 && (room - ttl) / 3 - 1 >= 17)
		c.addr = 17;
	room -= 3 * (c.addr + 1);
	c.ttl = room >= ttl;
	room -= c.ttl ? ttl : 0;
	if (room >= 13) {
		c.owner = room - 1 < 40 ? room - 1 : 40;
		room -= c.owner + 1;
	}
	c.counters = counters && room >= cnt;
	if (!c.counters && counters && c.owner >= 12 + cnt) {
		c.owner -= cnt; /* counters before a long owner */
		c.counters = true;
	}
	if (c.addr < 8)
		c.addr = 8;
	return c;
}

/* The widest endpoint among the rows on screen (the NAT column's ">" included). */
static int widest(const struct topdata_flows *fl, size_t from, int rows)
{
	int w = 9;

	for (size_t i = from; fl && i < fl->n && rows-- > 0; i++) {
		const struct ct_flow *f = &fl->v[i];
		const union ct_addr *a[4] = { &f->orig.src, &f->orig.dst, &f->reply.dst,
					      &f->reply.src };
		char b[80];

		for (int k = 0; k < 4; k++) {
			int n = (int)strlen(ct_flow_endpoint_str(f->family, f->l4proto, a[k], 65535,
								 b, sizeof(b))) +
				1;

			w = n > w ? n : w;
		}
	}
	return w;
}

/*
 * Who the flow belongs to: the target of a destination NAT (">web-1": a published
 * port's container), else its source's owner, else its destination's.
 */
static const char *owner_of(const struct tui_data *d, const struct ct_flow *f, char *buf,
			    size_t len)
{
	const struct addrmap *m = d->frame.names;
	enum ct_nat_kind k = ct_flow_nat_kind(f);
	const char *o;

	if (!m)
		return "";
	if ((k == CT_NAT_DNAT || k == CT_NAT_BOTH) &&
	    (o = addrmap_lookup(m, f->family, &f->reply.src))) {
		snprintf(buf, len, ">%s", o);
		return buf;
	}
	o = addrmap_lookup(m, f->family, &f->orig.src);
	if (!o)
		o = addrmap_lookup(m, f->family, &f->orig.dst);
	return o ? o : "";
}

/* The NAT column: the post-NAT source of an SNAT, ">target" of a DNAT, "-" else. */
static const char *nat_side(const struct ct_flow *f, int w, char *buf, size_t len)
{
	enum ct_nat_kind k = ct_flow_nat_kind(f);
	char e[80], t[88];

	if (k == CT_NAT_DNAT) {
		snprintf(t, sizeof(t), ">%s",
			 ct_flow_endpoint_str(f->family, f->l4proto, &f->reply.src, f->reply.sport,
					      e, sizeof(e)));
		return tui_fmt_fit(t, w, buf, len);
	}
	if (k == CT_NAT_NONE)
		return tui_fmt_fit("-", w, buf, len);
	return tui_fmt_endpoint(f->family, f->l4proto, &f->reply.dst, f->reply.dport, w, buf, len);
}

static int flow_attr(const struct tui *t, const struct ct_flow *f, bool selected)
{
	int a = selected ? A_REVERSE : 0;

	if (f->life == CT_LIFE_NEW)
		a |= A_BOLD | (t->color ? COLOR_PAIR(PAIR_GOOD) : 0);
	else if (f->life == CT_LIFE_GONE)
		a |= A_DIM | (t->color && f->age > 0 ? COLOR_PAIR(PAIR_FADED) : 0);
	return a;
}

static void flows_heading(struct tui *t, const struct tui_state *st, const struct fcols *c, int y)
{
	char hdr[320];
	int off = 0;

	/* the sort column carries ^ (ascending) or v (descending) */
	for (int k = 0; k < TOPDATA_COLS; k++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", topdata_col_name(k),
			 k == (int)st->sort ? (st->reverse ? "v" : "^") : "");
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%-*s ",
				k == TOPDATA_PROTO   ? 6
				: k == TOPDATA_STATE ? 11
						     : c->addr,
				name);
	}
	if (c->owner)
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%-*s ", c->owner, "OWNER");
	if (c->ttl)
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s ", "TTL");
	if (c->counters)
		snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s %6s", "PKTS", "BYTES");
	tui_line(y, tui_head(t), "%s", hdr);
}

/* The last line: sort, filter, which rows of how many; a prompt or a status over it. */
static void flows_status(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	const struct topdata_flows *fl = d->flows;
	size_t total = fl ? fl->matched + fl->gone : 0;
	char line[320];
	int off;

	off = snprintf(line, sizeof(line), "sort %s%s  %s%s%s  ", topdata_col_name(st->sort),
		       st->reverse ? " (reversed)" : "",
		       st->editing || st->filter[0] ? "filter " : "", st->filter,
		       st->editing ? "_" : "");
	if (total)
		off += snprintf(line + off, sizeof(line) - (size_t)off, "rows %zu-%zu of %zu",
				st->scroll + 1, fl->n, total);
	else
		off += snprintf(line + off, sizeof(line) - (size_t)off, "no flows%s",
				st->filter[0] ? " match" : "");
	if (fl && fl->gone)
		snprintf(line + off, sizeof(line) - (size_t)off, " (%zu gone)", fl->gone);
	tui_line(LINES - 1, 0, "%s", line);
	if (st->confirm && fl && st->cursor < fl->n) {
		char what[256];

		ct_flow_line(&fl->v[st->cursor], what, sizeof(what));
		tui_line(LINES - 1, tui_alert(t, true), "delete? y/n  %s", what);
	} else if (st->status[0] && (int)strlen(st->status) + 2 + (int)strlen(line) <= COLS) {
		mvprintw(LINES - 1, COLS - (int)strlen(st->status) - 1, "%s", st->status);
	}
}

static void flow_row(struct tui *t, const struct tui_data *d, const struct fcols *c, size_t i,
		     bool selected, int y)
{
	const struct topdata_flows *fl = d->flows;
	const struct ct_flow *f = &fl->v[i];
	char p[16], a[80], b[80], n[80], o[96], ob[64], ttl[16] = "-", pk[16], by[16], row[400];
	int off;

	tui_fmt_endpoint(f->family, f->l4proto, &f->orig.src, f->orig.sport, c->addr, a, sizeof(a));
	tui_fmt_endpoint(f->family, f->l4proto, &f->orig.dst, f->orig.dport, c->addr, b, sizeof(b));
	nat_side(f, c->addr, n, sizeof(n));
	off = snprintf(row, sizeof(row), "%-6s %-*s %-*s %-*s %-11s",
		       ct_flow_proto_label(f->l4proto, p, sizeof(p)), c->addr, a, c->addr, b,
		       c->addr, n, f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-");
	if (c->owner)
		off += snprintf(
			row + off, sizeof(row) - (size_t)off, " %-*s", c->owner,
			tui_fmt_fit(owner_of(d, f, ob, sizeof(ob)), c->owner, o, sizeof(o)));
	if (f->life == CT_LIFE_GONE)
		snprintf(ttl, sizeof(ttl), "gone");
	else if (fl->detail[i])
		tui_fmt_ttl(f->timeout, ttl, sizeof(ttl));
	if (c->ttl)
		off += snprintf(row + off, sizeof(row) - (size_t)off, " %6s", ttl);
	if (c->counters && f->has_counters)
		snprintf(row + off, sizeof(row) - (size_t)off, " %6s %6s",
			 tui_fmt_count(f->packets[0] + f->packets[1], pk, sizeof(pk)),
			 tui_fmt_count(f->bytes[0] + f->bytes[1], by, sizeof(by)));
	tui_line(y, flow_attr(t, f, selected), "%s", row);
}

void tui_draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	const struct topdata_flows *fl = d->flows;
	bool counters = false;
	struct fcols c;

	for (size_t i = st->scroll; fl && i < fl->n; i++)
		counters |= fl->v[i].has_counters;
	c = fit_fcols(counters, widest(fl, st->scroll, LINES - y - 2));
	flows_heading(t, st, &c, y++);
	flows_status(t, d, st);
	for (size_t i = st->scroll; fl && i < fl->n && y < LINES - 1; i++)
		flow_row(t, d, &c, i, i == st->cursor, y++);
}
