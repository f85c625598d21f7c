#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "flows/clash.h"
#include "top/tui_fmt.h"
#include "tui_int.h"

/*
 * The SNAT groups view: where post-NAT source ports can clash (each group's port use as a
 * bar, its share of the named failures, its busiest sources by name), then the failed
 * insertions themselves, named exactly, or the likely clash episodes when they cannot be.
 */

/* Named failures in group @g since the start, when they are named. */
static uint64_t group_failures(const struct top_frame *f, const struct ct_snat_key *k)
{
	const struct failures *all = f->since ? &f->since->all : NULL;

	for (unsigned int i = 0; all && i < all->ngroups; i++)
		if (ct_snat_key_eq(&all->groups[i].key, k))
			return all->groups[i].failures;
	return 0;
}

/* "web-1 40%, 10.0.2.2 31%": a group's busiest sources by owner, else address. */
static void busiest(const struct tui_data *d, unsigned int i, char *buf, size_t len)
{
	const struct ct_agg_group *g = &d->groups->top[i];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int k = 0; k < d->groups->ntop_src[i] && off < len; k++) {
		const struct ct_agg_source *s = &d->groups->top_src[i][k];
		const char *owner = d->frame.names
					    ? addrmap_lookup(d->frame.names, g->key.family, &s->src)
					    : NULL;
		char a[64];

		off += (size_t)snprintf(
			buf + off, len - off, "%s%s %.0f%%", k ? ", " : "",
			owner ? owner : ct_flow_addr_str(g->key.family, &s->src, a, sizeof(a)),
			g->entries ? 100.0 * s->entries / g->entries : 0.0);
	}
}

/* Column widths fitted to the screen: the destination and the sources give way first. */
struct gcols {
	int src, dst, bar, who;
};

static struct gcols fit_gcols(void)
{
	/* PROTO 5, ENTRIES 7, SRCS 5, PORTS " 100%" 5, FAIL 12, and the spaces between */
	int fixed = 5 + 1 + 7 + 1 + 5 + 1 + 5 + 1 + 12 + 1 + 2;
	struct gcols c = { .src = 15, .dst = 21, .bar = 8 };
	int room = COLS - fixed - c.src - c.dst - c.bar;

	if (room > 0) { /* wider: addresses to their full length, then a longer bar */
		int more = room < 24 ? room : 24;

		c.dst += more * 2 / 3;
		c.src += more - more * 2 / 3;
		room -= more;
		c.bar += room < 12 ? room : 12;
		room -= room < 12 ? room : 12;
	}
	c.who = room > 12 ? room - 1 : 0; /* busiest sources in their own column */
	if (room < 0)
		c.dst += room > -10 ? room : -10; /* narrower than 80: the destination gives */
	return c;
}

static int draw_group_rows(struct tui *t, const struct tui_data *d, int y, int max)
{
	struct gcols c = fit_gcols();
	uint64_t named = d->frame.since ? d->frame.since->all.reported : 0;

	tui_line(y++, tui_head(t), "%-5s %-*s %-*s %7s %5s %-*s %12s %s", "PROTO", c.src,
		 "SNAT SOURCE", c.dst, "DESTINATION", "ENTRIES", "SRCS", c.bar + 5, "PORT USE",
		 named ? "FAILED" : "", c.who ? "BUSIEST SOURCES" : "");
	for (unsigned int i = 0; d->groups && i < d->groups->ntop && y < LINES && max-- > 0; i++) {
		const struct ct_agg_group *g = &d->groups->top[i];
		double share = ct_agg_group_port_share(g);
		uint64_t failed = group_failures(&d->frame, &g->key);
		char p[16], a[64], b[80], sa[64], sb[80], bar[64], fail[32] = "", who[256];

		tui_fmt_fit(ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)), c.src,
			    sa, sizeof(sa));
		tui_fmt_endpoint(g->key.family, g->key.l4proto, &g->key.dst, g->key.dport, c.dst,
				 sb, sizeof(sb));
		if (named)
			snprintf(fail, sizeof(fail), "%llu %3.0f%%", (unsigned long long)failed,
				 100.0 * failed / named);
		busiest(d, i, who, sizeof(who));
		tui_line(y++,
			 tui_alert(t, share >= 0.5 || failed > 0) |
				 tui_warn(t, share >= 0.25 && share < 0.5),
			 "%-5s %-*s %-*s %7u %4u%s %s %3.0f%% %12s %.*s",
			 ct_flow_proto_label(g->key.l4proto, p, sizeof(p)), c.src, sa, c.dst, sb,
			 g->entries, g->sources, g->sources_capped ? "+" : " ",
			 tui_fmt_bar(share, c.bar, bar, sizeof(bar)), share * 100, fail, c.who,
			 tui_fmt_fit(who, c.who, b, sizeof(b)));
	}
	if (!d->groups || !d->groups->ntop)
		tui_line(y++, 0, "no source-NAT entries");
	return y;
}

/* "[addr]:port (owner)": an endpoint, then who holds its address. */
static const char *who_ep(const struct tui_data *d, uint8_t family, uint8_t proto,
			  const union ct_addr *a, uint16_t port, char *buf, size_t len)
{
	char ep[80];

	return addrmap_label(d->frame.names, family, a,
			     ct_flow_endpoint_str(family, proto, a, port, ep, sizeof(ep)), buf,
			     len);
}

/* One failure: CPU, who sent it, where to, the port that clashed and with whom. */
static void failure_line(struct tui *t, const struct tui_data *d, const struct top_failures *tf,
			 unsigned int i, int y)
{
	const struct insfail_rec *r = &tf->recent[i];
	const struct failure_winner *w = &tf->win[i];
	union ct_addr s = failures_addr(r->family, r->orig.src),
		      dst = failures_addr(r->family, r->orig.dst),
		      nat = failures_addr(r->family, r->reply.dst);
	char who[160], a[80], b[80], win[200] = "", ws[160];

	if (w->found)
		snprintf(win, sizeof(win), " with %s",
			 who_ep(d, r->family, r->proto, &w->orig.src, w->orig.sport, ws,
				sizeof(ws)));
	else if (w->looked)
		snprintf(win, sizeof(win), " (winner gone)");
	tui_line(
		y, 0, "  cpu%-2u %s -> %s clashed on %s%s", r->cpu,
		who_ep(d, r->family, r->proto, &s, ntohs(r->orig.sport), who, sizeof(who)),
		ct_flow_endpoint_str(r->family, r->proto, &dst, ntohs(r->orig.dport), a, sizeof(a)),
		ct_flow_endpoint_str(r->family, r->proto, &nat, ntohs(r->reply.dport), b,
				     sizeof(b)),
		win);
}

/* Failed insertions named exactly since top started: by source, then the newest ones. */
static void draw_named(struct tui *t, const struct tui_data *d, int y)
{
	const struct top_frame *f = &d->frame;
	const struct top_failures *tf = f->since;
	const struct failures *all = &tf->all;
	char c[160];

	tui_line(y++, tui_head(t),
		 "failed insertions named: %llu since start (kernel: %llu), %llu this interval",
		 (unsigned long long)all->reported, (unsigned long long)f->counted_total,
		 (unsigned long long)f->named);
	for (unsigned int i = 0; i < all->nsources && i < 3 && y < LINES; i++)
		tui_line(y++, tui_alert(t, true), "  %6llu  from %s",
			 (unsigned long long)all->sources[i].failures,
			 tui_who(d, all->sources[i].family, &all->sources[i].src, c, sizeof(c)));
	for (unsigned int k = 0; k < tf->nrecent && y < LINES; k++)
		failure_line(t, d, tf, (tf->head + TOP_RECENT - 1 - k) % TOP_RECENT, y++);
}

/*
 * Without exact names: each interval whose insert_failed rose, with the groups that had
 * new flows from two or more sources then; the kernel does not say which of them failed,
 * so all are listed as candidates, none ranked above the others by confidence.
 */
static void draw_likely(struct tui *t, const struct tui_data *d, int y)
{
	const struct clash *cl = d->frame.clash;

	tui_line(y++, tui_head(t), "likely clash episodes (not named exactly%s%s):",
		 d->frame.exact_why && d->frame.exact_why[0] ? ": " : "",
		 d->frame.exact_why ? d->frame.exact_why : "");
	for (unsigned int i = cl ? clash_nepisodes(cl) : 0; i > 0 && y < LINES; i--) {
		const struct clash_episode *ep = clash_episode(cl, i - 1);
		time_t when = (time_t)ep->time;
		char ts[16];
		struct tm tm;

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime_r(&when, &tm));
		tui_line(y++, tui_alert(t, true), "%s  %llu insert_failed; candidates:", ts,
			 (unsigned long long)ep->insert_failed);
		for (unsigned int k = 0; k < ep->ngroups && y < LINES; k++) {
			const struct clash_group *g = &ep->groups[k];
			char p[16], a[64], b[80];

			tui_line(y++, 0, "  %s %s -> %s  %u new flows from %u sources",
				 ct_flow_proto_label(g->key.l4proto, p, sizeof(p)),
				 ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
				 ct_flow_endpoint_str(g->key.family, g->key.l4proto, &g->key.dst,
						      g->key.dport, b, sizeof(b)),
				 g->new_flows, g->sources);
		}
	}
	if (!cl || !clash_nepisodes(cl))
		tui_line(y, 0, "none");
}

void tui_draw_groups(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	/* the groups take at most half of what is left: the failures need the rest */
	int max = (LINES - y) / 2 - 1;

	y = draw_group_rows(t, d, y, max > 3 ? max : 3) + 1;
	if (d->frame.exact && d->frame.since)
		draw_named(t, d, y);
	else
		draw_likely(t, d, y);
}
