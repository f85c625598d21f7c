#include "config.h"
#include "top/tui.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curses.h>

#include "flows/clash.h"
#include "tui_int.h"

static void draw_tabs(struct tui *t, const struct tui_state *st);
static void draw_overview(struct tui *t, const struct tui_data *d, const struct tui_state *st,
			  int y);
static void draw_groups(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
static void draw_rules(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
static void draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);

/* The views, in the order of their keys (1-4) and tabs. */
static const struct view {
	const char *name;
	void (*draw)(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
} views[TUI_VIEWS] = {
	[TUI_OVERVIEW] = { "Overview", draw_overview },
	[TUI_GROUPS] = { "SNAT groups", draw_groups },
	[TUI_RULES] = { "NAT rules", draw_rules },
	[TUI_FLOWS] = { "Flows", draw_flows },
};

static void draw_header(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	const struct top_frame *f = &d->frame;
	double fill = f->have_kernel && f->kernel_max ? (double)f->kernel_count / f->kernel_max : 0;
	char bar[21];
	int n = (int)(fill * 20 + 0.5);
	double failed = f->have_rate[0][0] ? f->rate[0][0] : 0;

	for (int i = 0; i < 20; i++)
		bar[i] = i < n ? '|' : ' ';
	bar[20] = '\0';
	tui_line(0, A_BOLD, "natscope top  netns %s  table [%s] %llu/%llu (%.1f%%)  events/s %.0f",
		 f->netns && *f->netns ? f->netns : "(current)", bar,
		 (unsigned long long)f->kernel_count, (unsigned long long)f->kernel_max, fill * 100,
		 f->events_per_s);
	move(1, 0);
	attron(tui_alert(t, failed > 0));
	printw("insert_failed/s %.1f", failed);
	attroff(tui_alert(t, failed > 0));
	for (unsigned int i = 1; i < TOP_NRATES; i++)
		printw("  %s/s %.1f", ct_stats_name(top_rate_attrs[i]),
		       f->have_rate[i][0] ? f->rate[i][0] : 0.0);
	clrtoeol();
	if (f->ct_events == 0) {
		tui_line(2, tui_alert(t, true),
			 "conntrack events are OFF (nf_conntrack_events=0): followed by dumps");
		draw_tabs(t, st);
		return;
	}
	tui_line(2, tui_alert(t, f->es->dropped > 0),
		 "events lost %llu (dropped %llu, overruns %llu)  rcvbuf %zu MiB  entries %llu%s",
		 (unsigned long long)f->es->lost_estimate, (unsigned long long)f->es->dropped,
		 (unsigned long long)f->es->overruns, f->rcvbuf >> 20,
		 (unsigned long long)f->counts->total, st->paused ? "  [paused]" : "");
	draw_tabs(t, st);
}

static void draw_tabs(struct tui *t, const struct tui_state *st)
{
	move(3, 0);
	for (int v = 0; v < TUI_VIEWS; v++) {
		attron(v == (int)st->view ? A_REVERSE : 0);
		printw(" %d %s ", v + 1, views[v].name);
		attroff(A_REVERSE);
	}
	printw("   h: help  q: quit  interval %.2g s", st->interval);
	clrtoeol();
}

static void draw_overview(struct tui *t, const struct tui_data *d, const struct tui_state *st,
			  int y)
{
	const struct flow_counts *c = d->frame.counts;
	const struct engine_stats *es = d->frame.es;
	char buf[512];
	size_t off = 0;

	for (int p = flow_counts_next_proto(c, -1); p >= 0 && off < sizeof(buf);
	     p = flow_counts_next_proto(c, p)) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s %llu",
					name ? name : "other", (unsigned long long)c->by_proto[p]);
	}
	tui_line(y++, 0, "protocols:%s", off ? buf : " none");
	off = 0;
	for (unsigned int s = 0; s < CT_TCP_STATES && off < sizeof(buf); s++)
		if (c->tcp_state[s])
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s %llu",
						ct_flow_tcp_state_name(s),
						(unsigned long long)c->tcp_state[s]);
	tui_line(y++, 0, "tcp states:%s", off ? buf : " none");
	tui_line(y++, 0,
		 "nat: snat %llu, dnat %llu, both %llu, none %llu; assured %llu, unreplied %llu",
		 (unsigned long long)c->nat_kind[CT_NAT_SNAT],
		 (unsigned long long)c->nat_kind[CT_NAT_DNAT],
		 (unsigned long long)c->nat_kind[CT_NAT_BOTH],
		 (unsigned long long)c->nat_kind[CT_NAT_NONE], (unsigned long long)c->assured,
		 (unsigned long long)c->unreplied);
	tui_line(y++, 0, "events: new %llu, update %llu, destroy %llu; resyncs %llu, drift %llu",
		 (unsigned long long)es->received[CT_EVENT_NEW],
		 (unsigned long long)es->received[CT_EVENT_UPDATE],
		 (unsigned long long)es->received[CT_EVENT_DESTROY],
		 (unsigned long long)es->resyncs, (unsigned long long)es->drift);
	y++;
	tui_line(y++, tui_head(t), "%-6s %14s %10s %15s %11s", "CPU", "insert_failed/s", "drop/s",
		 "clash_resolve/s", "invalid/s");
	for (unsigned int i = 0; d->stats && i < d->stats->ncpu && y < LINES - 3; i++) {
		const struct ct_cpu_stats *now = &d->stats->cpu[i];
		const struct ct_cpu_stats *was =
			d->prev_stats ? ct_stats_cpu(d->prev_stats, now->cpu) : NULL;
		double r[4] = { 0 };
		static const unsigned int attrs[4] = { CT_STAT_INSERT_FAILED, CT_STAT_DROP,
						       CT_STAT_CLASH_RESOLVE, CT_STAT_INVALID };

		for (int k = 0; k < 4 && was && d->dt > 0; k++)
			if (now->val[attrs[k]] >= was->val[attrs[k]])
				r[k] = (double)(now->val[attrs[k]] - was->val[attrs[k]]) / d->dt;
		tui_line(y++, tui_alert(t, r[0] > 0), "cpu%-3u %15.1f %10.1f %15.1f %11.1f",
			 now->cpu, r[0], r[1], r[2], r[3]);
	}
	y++;
	if (y < LINES - 1) {
		static const char ramp[] = " .:-=+*#%@";
		double max = 0;

		for (size_t i = 0; i < d->nspark; i++)
			max = d->spark[i] > max ? d->spark[i] : max;
		mvprintw(y, 0, "insert_failed history (max %.0f/interval): ", max);
		for (size_t i = 0; i < d->nspark && getcurx(stdscr) < COLS - 1; i++)
			addch((chtype)ramp[max > 0 ? (int)(d->spark[i] / max * 9 + 0.5) : 0]);
		clrtoeol();
	}
}

/* A source address with the namespace that holds it, when known. */
static const char *who(const struct top_failures *tf, uint8_t family, const union ct_addr *a,
		       char *buf, size_t len)
{
	char addr[64];
	const char *owner = addrmap_lookup(&tf->names, family, a);

	snprintf(buf, len, "%s%s%s%s", ct_flow_addr_str(family, a, addr, sizeof(addr)),
		 owner ? " (" : "", owner ? owner : "", owner ? ")" : "");
	return buf;
}

/* Failed insertions named exactly since top started: by group, by source, the last ones. */
static void draw_named(struct tui *t, const struct top_frame *f, int y)
{
	const struct top_failures *tf = f->since;
	const struct failures *all = &tf->all;
	char a[64], b[64], c[160];

	tui_line(y++, tui_head(t),
		 "failed insertions, named exactly: %llu since start (%llu counted by the "
		 "kernel), %llu this interval",
		 (unsigned long long)all->reported, (unsigned long long)f->counted_total,
		 (unsigned long long)f->named);
	for (unsigned int i = 0; i < all->ngroups && i < 3 && y < LINES; i++) {
		const struct failure_group *g = &all->groups[i];

		tui_line(y++, tui_alert(t, true), "  %6llu  %s %s -> %s:%u",
			 (unsigned long long)g->failures,
			 ct_flow_proto_name(g->key.l4proto) ? ct_flow_proto_name(g->key.l4proto)
							    : "?",
			 ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			 ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)), g->key.dport);
	}
	for (unsigned int i = 0; i < all->nsources && i < 3 && y < LINES; i++)
		tui_line(y++, 0, "  %6llu  from %s", (unsigned long long)all->sources[i].failures,
			 who(tf, all->sources[i].family, &all->sources[i].src, c, sizeof(c)));
	for (unsigned int k = 0; k < tf->nrecent && y < LINES; k++) {
		const struct insfail_rec *r =
			&tf->recent[(tf->head + TOP_RECENT - 1 - k) % TOP_RECENT];
		union ct_addr s = failures_addr(r->family, r->orig.src),
			      dst = failures_addr(r->family, r->orig.dst),
			      n = failures_addr(r->family, r->reply.dst);

		tui_line(y++, 0, "  cpu%-2u %s:%u -> %s:%u clashed on %s:%u", r->cpu,
			 who(tf, r->family, &s, c, sizeof(c)), ntohs(r->orig.sport),
			 ct_flow_addr_str(r->family, &dst, a, sizeof(a)), ntohs(r->orig.dport),
			 ct_flow_addr_str(r->family, &n, b, sizeof(b)), ntohs(r->reply.dport));
	}
}

static void draw_groups(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	const struct clash *cl = d->frame.clash;

	tui_line(y++, tui_head(t), "%-5s %-18s %-24s %8s %8s %7s", "PROTO", "SNAT SOURCE",
		 "DESTINATION", "ENTRIES", "SOURCES", "PORTS");
	for (unsigned int i = 0; d->groups && i < d->groups->ntop && y < LINES - 6; i++) {
		const struct ct_agg_group *g = &d->groups->top[i];
		const char *proto = ct_flow_proto_name(g->key.l4proto);
		char a[64], b[64], dst[80];
		double share = ct_agg_group_port_share(g);

		snprintf(dst, sizeof(dst), "%s:%u",
			 ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)), g->key.dport);
		tui_line(y++, tui_alert(t, share >= 0.5), "%-5s %-18s %-24s %8u %8u %6.1f%%",
			 proto ? proto : "?",
			 ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)), dst,
			 g->entries, g->sources, share * 100);
	}
	if (!d->groups || !d->groups->ntop)
		tui_line(y++, 0, "no source-NAT entries");
	y++;
	if (d->frame.exact && d->frame.since) {
		draw_named(t, &d->frame, y);
		return;
	}
	tui_line(y++, tui_head(t), "likely clash episodes (not named exactly%s%s):",
		 d->frame.exact_why && d->frame.exact_why[0] ? ": " : "",
		 d->frame.exact_why ? d->frame.exact_why : "");
	for (unsigned int i = cl ? clash_nepisodes(cl) : 0; i > 0 && y < LINES; i--) {
		const struct clash_episode *ep = clash_episode(cl, i - 1);
		const struct clash_group *g = &ep->groups[0];
		char a[64], b[64];

		tui_line(y++, 0,
			 "%llu insert_failed: %s %s -> %s:%u (%u new flows from %u sources)",
			 (unsigned long long)ep->insert_failed,
			 ct_flow_proto_name(g->key.l4proto) ? ct_flow_proto_name(g->key.l4proto)
							    : "?",
			 ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			 ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)), g->key.dport,
			 g->new_flows, g->sources);
	}
	if (!cl || !clash_nepisodes(cl))
		tui_line(y, 0, "none");
}

/* What natscope's fix recorded, against what it counted since (audit's fix_effect). */
static int draw_fix_effect(struct tui *t, const struct tui_data *d, int y)
{
	struct owner_effect e;
	char was[48] = "not measured", now[48] = "not counted";

	if (!d->rules->overlay || !d->rules->fix_record.have || !d->stats)
		return y;
	owner_effect_compute(&d->rules->fix_record, ct_stats_total(d->stats, CT_STAT_INSERT_FAILED),
			     d->rules->have_counted, d->rules->counted, &e);
	if (e.before_per_100k >= 0)
		snprintf(was, sizeof(was), "%.1f", e.before_per_100k);
	if (e.since_per_100k >= 0)
		snprintf(now, sizeof(now), "%.1f (%" PRIu64 " of %" PRIu64 ")", e.since_per_100k,
			 e.since_failed, e.since_flows);
	tui_line(y++, 0, "insertion failures per 100k new SNAT flows: before fix %s, since %s", was,
		 now);
	return y;
}

static void draw_rules(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	if (!d->rules || !d->rules->have_nftables) {
		tui_line(y, 0, "nf_tables ruleset not read");
		return;
	}
	tui_line(y++, tui_head(t), "source-NAT rules (generation %u)%s", d->rules->genid,
		 d->rules->overlay ? (d->rules->overlay_stale ? ": natscope overlay STALE"
							      : ": natscope overlay current")
				   : "");
	y = draw_fix_effect(t, d, y);
	for (unsigned int i = 0; i < d->rules->n && y < LINES - 1; i++) {
		const struct natrule *r = &d->rules->v[i];
		bool covered =
			r->cover == NATRULE_COVER_COVERED || r->cover == NATRULE_COVER_HARMLESS;
		bool bad = r->cover == NATRULE_COVER_DANGEROUS ||
			   (!natrule_fully_random(r) && !covered && !r->hairpin &&
			    r->owner != NATRULE_OWNER_NATSCOPE);

		tui_line(y++, tui_alert(t, bad), "%s%s %s %s #%llu %s (%s)",
			 r->legacy ? "iptables-legacy " : "", natrules_family_name(r->family),
			 r->table, r->chain, (unsigned long long)r->handle,
			 r->cover == NATRULE_COVER_DANGEROUS ? "DANGEROUS: source gone or changed"
			 : natrule_fully_random(r)	     ? "fully-random"
			 : covered			     ? "covered by overlay"
			 : r->hairpin			     ? "NOT fully-random (hairpin only)"
							     : "NOT fully-random",
			 natrules_owner_name(r->owner));
		tui_line(y++, 0, "    %s", r->text);
	}
	if (!d->rules->n)
		tui_line(y, 0, "no source-NAT rules");
}

/* A duration in at most 6 columns: 42s, 59m59s, 23h59m, 4d23h. */
static void fmt_ttl(uint32_t sec, char *buf, size_t len)
{
	if (sec < 60)
		snprintf(buf, len, "%us", sec);
	else if (sec < 3600)
		snprintf(buf, len, "%um%02us", sec / 60, sec % 60);
	else if (sec < 86400)
		snprintf(buf, len, "%uh%02um", sec / 3600, sec % 3600 / 60);
	else
		snprintf(buf, len, "%ud%02uh", sec / 86400, sec % 86400 / 3600);
}

/* A count in at most 6 columns: 999, 12.3K, 4.5M, 6.7G, 8.9T. */
static void fmt_count(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 999.95 && u < 5) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", d, unit[u]);
}

/* @addr:@port in @w columns; when it does not fit, the start gives way (the port stays). */
static void fmt_endpoint(uint8_t family, const union ct_addr *addr, uint16_t port, int w, char *buf,
			 size_t len)
{
	char a[64], full[80];
	int n = snprintf(full, sizeof(full), "%s:%u", ct_flow_addr_str(family, addr, a, sizeof(a)),
			 port);

	if (n <= w)
		snprintf(buf, len, "%s", full);
	else
		snprintf(buf, len, "~%s", full + n - w + 1);
}

/* Columns of the flows view, fitted to the terminal: see draw_flows(). */
struct flow_cols {
	int addr; /* width of each of the three endpoint columns */
	bool ttl, counters;
};

static struct flow_cols fit_flow_cols(bool counters)
{
	/* PROTO(4) STATE(11) and spaces; TTL(6); PKTS(6) BYTES(6) */
	const int base = 4 + 1 + 11 + 3, ttl = 6 + 1, cnt = 2 * (6 + 1);
	struct flow_cols c = { 0 };
	int room = COLS - base;

	/* endpoints come first; then TTL, then counters, while an endpoint keeps ≥ 15 */
	c.ttl = (room - ttl) / 3 - 1 >= 15;
	if (c.ttl)
		room -= ttl;
	c.counters = counters && (room - cnt) / 3 - 1 >= 21;
	if (c.counters)
		room -= cnt;
	c.addr = room / 3 - 1;
	if (c.addr > 45)
		c.addr = 45;
	if (c.addr < 8)
		c.addr = 8;
	return c;
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

/*
 * Like iptstate, with the NAT'd reply side: the post-NAT source.  Timeout and counters
 * are read from the kernel for the rows on screen (they change without events); a
 * destroyed flow stays a few intervals, dimmed, with "gone" for its timeout, and a new
 * one is bold for one interval.
 */
static void draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	const struct topdata_flows *fl = d->flows;
	bool counters = false;
	struct flow_cols c;
	char hdr[256];
	int off = 0;

	for (size_t i = st->scroll; fl && i < fl->n; i++)
		counters |= fl->v[i].has_counters;
	c = fit_flow_cols(counters);

	/* the sort column carries ^ (ascending) or v (descending) */
	for (int k = 0; k < TOPDATA_COLS; k++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", topdata_col_name(k),
			 k == (int)st->sort ? (st->reverse ? "v" : "^") : "");
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%-*s ",
				k == TOPDATA_PROTO   ? 4
				: k == TOPDATA_STATE ? 11
						     : c.addr,
				name);
	}
	if (c.ttl)
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s ", "TTL");
	if (c.counters)
		snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s %6s", "PKTS", "BYTES");
	tui_line(y++, tui_head(t), "%s", hdr);

	/* listed rows of the live flows that match, and the destroyed ones still shown */
	off = snprintf(hdr, sizeof(hdr), "sort: %s%s  %s%s%s  %zu of %zu flows",
		       topdata_col_name(st->sort), st->reverse ? " (reversed)" : "",
		       st->editing || st->filter[0] ? "filter: " : "", st->filter,
		       st->editing ? "_" : "", fl ? fl->n : 0, fl ? fl->matched : 0);
	if (fl && fl->gone)
		snprintf(hdr + off, sizeof(hdr) - (size_t)off, " + %zu gone", fl->gone);
	tui_line(LINES - 1, 0, "%s", hdr);
	if (st->confirm && fl && st->cursor < fl->n) {
		char what[256];

		ct_flow_line(&fl->v[st->cursor], what, sizeof(what));
		tui_line(LINES - 1, tui_alert(t, true), "delete? y/n  %s", what);
	} else if (st->status[0] && (int)strlen(st->status) + 2 + (int)strlen(hdr) <= COLS) {
		mvprintw(LINES - 1, COLS - (int)strlen(st->status) - 1, "%s", st->status);
	}
	for (size_t i = st->scroll; fl && i < fl->n && y < LINES - 1; i++) {
		const struct ct_flow *f = &fl->v[i];
		char a[80], b[80], n[80], ttl[16] = "", pk[16] = "", by[16] = "", row[320];
		const char *proto = ct_flow_proto_name(f->l4proto);

		fmt_endpoint(f->family, &f->orig.src, f->orig.sport, c.addr, a, sizeof(a));
		fmt_endpoint(f->family, &f->orig.dst, f->orig.dport, c.addr, b, sizeof(b));
		fmt_endpoint(f->family, &f->reply.dst, f->reply.dport, c.addr, n, sizeof(n));
		off = snprintf(row, sizeof(row), "%-4s %-*s %-*s %-*s %-11s", proto ? proto : "?",
			       c.addr, a, c.addr, b, c.addr, n,
			       f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-");
		if (f->life == CT_LIFE_GONE)
			snprintf(ttl, sizeof(ttl), "gone");
		else if (fl->detail[i])
			fmt_ttl(f->timeout, ttl, sizeof(ttl));
		else
			snprintf(ttl, sizeof(ttl), "-");
		if (c.ttl)
			off += snprintf(row + off, sizeof(row) - (size_t)off, " %6s", ttl);
		if (c.counters && f->has_counters) {
			fmt_count(f->packets[0] + f->packets[1], pk, sizeof(pk));
			fmt_count(f->bytes[0] + f->bytes[1], by, sizeof(by));
			snprintf(row + off, sizeof(row) - (size_t)off, " %6s %6s", pk, by);
		}
		tui_line(y++, flow_attr(t, f, i == st->cursor), "%s", row);
	}
}

static void draw_help(struct tui *t, int y)
{
	const char *label, *help;

	tui_line(y++, tui_head(t), "keys");
	for (size_t i = 0; tui_keys_help(i, &label, &help) && y < LINES; i++)
		tui_line(y++, 0, "  %-8s %s", label, help);
}

void tui_draw(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	erase();
	draw_header(t, d, st);
	if (st->help)
		draw_help(t, 5);
	else if (st->view < TUI_VIEWS)
		views[st->view].draw(t, d, st, 5);
	refresh();
}
