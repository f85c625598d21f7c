#include "config.h"
#include "audit/sizing.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

uint64_t sizing_saved(const uint64_t *hist, int64_t now, int64_t then)
{
	/* an entry with r seconds left has been there now - r: a timeout of @then would have
	 * ended it when r <= now - then; whole buckets below that only */
	int64_t cut = now - then;
	uint64_t n = 0;

	if (cut <= 0)
		return 0;
	for (unsigned int i = 0; i < CT_AGG_TIMEOUT_BUCKETS - 1; i++)
		if (ct_agg_timeout_bounds[i] <= cut)
			n += hist[i];
	return n;
}

static struct sizing_line *line(struct sizing *z, enum sysctl_key key, int64_t now, int64_t rec,
				bool global)
{
	struct sizing_line *l = &z->v[z->n++];

	*l = (struct sizing_line){
		.key = key, .current = now, .recommended = rec, .global = global
	};
	return l;
}

static double mib(int64_t entries, int64_t buckets, int64_t bytes)
{
	return bytes <= 0 ? -1
			  : ((double)entries * (double)bytes + (double)buckets * 8) / 1048576.0;
}

/* "42 s", "17 min", "3.5 h", "2.0 d" */
static const char *span(double sec, char *buf, size_t len)
{
	if (sec < 120)
		snprintf(buf, len, "%.0f s", sec < 0 ? 0 : sec);
	else if (sec < 7200)
		snprintf(buf, len, "%.0f min", sec / 60);
	else if (sec < 172800)
		snprintf(buf, len, "%.1f h", sec / 3600);
	else
		snprintf(buf, len, "%.1f d", sec / 86400);
	return buf;
}

static void size_table(const struct snapshot *s, struct sizing *z, int64_t count, int64_t max)
{
	int64_t seen = snapshot_peak(s), buckets = s->sys.val[SYSCTL_BUCKETS],
		rec = (seen * 2 + SIZING_STEP - 1) / SIZING_STEP * SIZING_STEP;
	struct sizing_line *l;
	char ago[32], over[32];

	if (rec <= max)
		return;
	l = line(z, SYSCTL_MAX, max, rec, true);
	if (seen > count)
		snprintf(l->why, sizeof(l->why),
			 "the table peaked at %lld of %lld %s ago (%lld now; the highest in %s "
			 "of watching): twice that leaves room for a burst like it",
			 (long long)seen, (long long)max,
			 span(difftime(s->taken, s->peak.at), ago, sizeof(ago)), (long long)count,
			 span(difftime(s->taken, s->peak.since), over, sizeof(over)));
	else
		snprintf(l->why, sizeof(l->why),
			 "the table held %lld of %lld: twice that leaves room for a burst like it",
			 (long long)count, (long long)max);
	if (z->entry_bytes > 0)
		snprintf(l->risk, sizeof(l->risk),
			 "kernel memory: %lld bytes an entry here (slab object), %.0f MiB for %lld "
			 "entries, taken as entries are created, not reserved",
			 (long long)z->entry_bytes, mib(rec, 0, z->entry_bytes), (long long)rec);
	else
		snprintf(l->risk, sizeof(l->risk),
			 "kernel memory for the entries (about 256 "
			 "bytes each), taken as they are created");
	if (buckets != SYSCTL_ABSENT && buckets < rec) {
		l = line(z, SYSCTL_BUCKETS, buckets, rec, true);
		snprintf(l->why, sizeof(l->why),
			 "the kernel's own sizing: one bucket per allowed entry "
			 "(nf_conntrack_max defaults to nf_conntrack_buckets)");
		snprintf(l->risk, sizeof(l->risk),
			 "8 bytes a bucket, allocated at once; resizing rehashes the table under "
			 "a lock (a short stall); also "
			 "/sys/module/nf_conntrack/parameters/hashsize");
	}
	z->mem_mib_now = mib(max, buckets != SYSCTL_ABSENT ? buckets : max, z->entry_bytes);
	z->mem_mib_after = mib(rec, rec, z->entry_bytes);
}

/*
 * CLOSE (after a RST): only under pressure, with hundreds of entries in it.  Its timeout
 * (10 s) is finer than the histogram's buckets, so the saving is the steady state's: with
 * arrivals spread evenly, a timeout of T' keeps T'/T of them.
 */
static void size_close(const struct snapshot *s, struct sizing *z, bool pressure)
{
	int64_t close = s->sys.val[SYSCTL_TCP_TIMEOUT_CLOSE];
	uint64_t n = s->table.counts.tcp_state[CT_TCP_CLOSE];
	struct sizing_line *l;

	if (!pressure || close == SYSCTL_ABSENT || close <= SIZING_CLOSE_TIMEOUT || n < 100)
		return;
	l = line(z, SYSCTL_TCP_TIMEOUT_CLOSE, close, SIZING_CLOSE_TIMEOUT, false);
	snprintf(l->why, sizeof(l->why),
		 "%llu entries wait out a RST: in a steady state about %llu of them would be gone",
		 (unsigned long long)n,
		 (unsigned long long)(n * (uint64_t)(close - SIZING_CLOSE_TIMEOUT) /
				      (uint64_t)close));
	snprintf(l->risk, sizeof(l->risk),
		 "packets still in flight after a reset arrive to no entry and are taken as "
		 "new (or invalid)");
}

static void size_timeouts(const struct snapshot *s, struct sizing *z, bool pressure, bool tw_heavy)
{
	const struct ct_summary *t = &s->table;
	int64_t tw = s->sys.val[SYSCTL_TCP_TIMEOUT_TIME_WAIT], udp = s->sys.val[SYSCTL_UDP_TIMEOUT];
	uint64_t saved;
	struct sizing_line *l;

	if ((pressure || tw_heavy) && tw != SYSCTL_ABSENT && tw > SIZING_TW_TIMEOUT &&
	    (saved = sizing_saved(t->time_wait_timeout, tw, SIZING_TW_TIMEOUT)) > 0) {
		l = line(z, SYSCTL_TCP_TIMEOUT_TIME_WAIT, tw, SIZING_TW_TIMEOUT, false);
		snprintf(l->why, sizeof(l->why),
			 "at least %llu of the %llu TIME_WAIT entries had been there %d s or more: "
			 "the table would have held that many fewer",
			 (unsigned long long)saved,
			 (unsigned long long)t->counts.tcp_state[CT_TCP_TIME_WAIT],
			 SIZING_TW_TIMEOUT);
		snprintf(l->risk, sizeof(l->risk),
			 "a late segment of a closed connection may be taken for a new one sooner; "
			 "%d s is still the TCP stack's own TIME_WAIT",
			 SIZING_TW_TIMEOUT);
	}
	size_close(s, z, pressure);
	if (pressure && udp != SYSCTL_ABSENT && udp > SIZING_UDP_TIMEOUT &&
	    t->counts.by_proto[IPPROTO_UDP] * 2 >= t->counts.total &&
	    (saved = sizing_saved(t->udp_timeout, udp, SIZING_UDP_TIMEOUT)) > 0) {
		l = line(z, SYSCTL_UDP_TIMEOUT, udp, SIZING_UDP_TIMEOUT, false);
		snprintf(
			l->why, sizeof(l->why),
			"UDP holds most of the table; at least %llu UDP entries had been idle %d s "
			"or more",
			(unsigned long long)saved, SIZING_UDP_TIMEOUT);
		snprintf(
			l->risk, sizeof(l->risk),
			"a UDP flow idle longer loses its entry: a late reply is dropped, or NAT'd "
			"anew to another port (DNS retries, QUIC and VPN keepalives)");
	}
}

void sizing_compute(const struct snapshot *s, const struct audit_thresholds *t, struct sizing *z)
{
	int64_t count = snapshot_count(s), max = snapshot_max(s);
	bool pressure, tw_heavy;
	uint64_t tcp = s->table.counts.by_proto[IPPROTO_TCP];

	memset(z, 0, sizeof(*z));
	z->entry_bytes = s->sys.ct_entry_bytes;
	z->mem_mib_now = z->mem_mib_after = -1;
	if (!s->have_table || count < 0 || max <= 0)
		return;
	pressure = (double)snapshot_peak(s) / (double)max >= t->fill_warning ||
		   snapshot_delta(s, CT_STAT_EARLY_DROP) > 0;
	tw_heavy = tcp >= t->time_wait_min && (double)s->table.counts.tcp_state[CT_TCP_TIME_WAIT] >
						      t->time_wait_share * (double)tcp;
	if (pressure)
		size_table(s, z, count, max);
	size_timeouts(s, z, pressure, tw_heavy);
}

int sizing_sysctl_d(const struct sizing *z, char *buf, size_t len)
{
	size_t off = 0;
	int n;

	n = snprintf(buf, len, "# /etc/sysctl.d/90-conntrack.conf, from natscope audit\n");
	for (unsigned int i = 0; i < z->n && n >= 0 && (off += (size_t)n) < len; i++)
		n = snprintf(buf + off, len - off, "%snet.netfilter.%s = %lld\n",
			     z->v[i].global ? "# global: takes effect from the initial namespace\n"
					    : "# per network namespace\n",
			     sysctl_name(z->v[i].key), (long long)z->v[i].recommended);
	return n < 0 || off >= len ? -1 : 0;
}
