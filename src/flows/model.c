#include "config.h"
#include "flows/model.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "hash.h"

/* flags in mflow.bits */
#define F_TCP_STATE 0x01
#define F_ASSURED   0x02
#define F_UNREPLIED 0x04
#define F_NAT_SHIFT 3 /* two bits of enum ct_nat_kind */
_Static_assert(CT_NAT_KINDS <= 4, "enum ct_nat_kind fits in two bits");

/*
 * 44 bytes a flow plus 8 of index at half load: within the 64-byte budget.  The views need
 * the addresses (original source and destination, post-NAT source, post-DNAT destination):
 * IPv4 ones live in the flow, IPv6 ones in a side table of 64-byte slots that only IPv6
 * flows pay for; v4[0] then holds the slot number.
 */
struct mflow {
	uint32_t id;
	uint32_t tkey; /* hash of the original tuple: conntrack ids alone collide */
	uint32_t epoch;
	uint8_t family;
	uint8_t l4proto;
	uint8_t tcp_state;
	uint8_t bits;
	uint16_t sport, dport;	       /* original direction */
	uint16_t nat_sport, nat_dport; /* reply.dport (post-NAT source port), reply.sport */
	uint32_t v4[4];		       /* orig src, orig dst, post-NAT src, post-DNAT dst */
	uint32_t born;		       /* the tick its NEW event came in; 0: found by a dump */
};

/* The four addresses of an IPv6 flow, in the order of mflow.v4. */
struct v6slot {
	union ct_addr a[4];
};

struct model {
	struct mflow *flows; /* dense; order is irrelevant */
	uint32_t n, cap;
	uint32_t *index; /* flow position + 1, 0 = empty; open addressing, linear probing */
	uint32_t mask;	 /* index size - 1 */
	uint32_t epoch;
	uint32_t tick; /* interval number, from 1 */
	struct flow_counts counts;
	struct v6slot *v6; /* slots of IPv6 flows */
	uint32_t v6_n, v6_cap;
	uint32_t *v6_free; /* released slot numbers, a stack */
	uint32_t v6_nfree;
	/*
	 * During a resynchronisation events keep coming, and a dump buffer read after an
	 * event may describe the flow as it was before it: flows destroyed by events since
	 * model_mark() are remembered here (id << 32 | tuple key; 0 = empty slot) so the
	 * dump cannot bring them back.
	 */
	bool resyncing;
	uint64_t *dead;
	uint32_t dead_mask, dead_n; /* dead_mask + 1 slots */
};

/*
 * Conntrack ids are 32-bit hashes (nf_ct_get_id()): among 100,000 live flows two share
 * an id about as often as not (seen in the flood test).  A flow is its id and its
 * original tuple.
 */
uint32_t model_tuple_key(const struct ct_flow *f)
{
	uint64_t h =
		hash_mix(0, f->family | (uint64_t)f->l4proto << 8 | (uint64_t)f->orig.sport << 16 |
				    (uint64_t)f->orig.dport << 32);

	return hash_fold(hash_mix16(hash_mix16(h, &f->orig.src), &f->orig.dst));
}

static inline uint32_t home(const struct model *m, uint32_t id, uint32_t tkey)
{
	return hash_fold(hash_mix(0, (uint64_t)id << 32 | tkey)) & m->mask;
}

int model_new(struct model **out)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->mask = 1023;
	m->tick = 1;
	m->index = calloc(m->mask + 1, sizeof(*m->index));
	if (!m->index) {
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	free(m->flows);
	free(m->index);
	free(m->v6);
	free(m->v6_free);
	free(m->dead);
	free(m);
}

size_t model_flow_bytes(void)
{
	return sizeof(struct mflow) + 2 * sizeof(uint32_t);
}

/*
 * The index slot holding the flow (@id, @tkey, @family), or the empty slot where it would
 * go.  The family is part of the match: two flows of different families whose ids and
 * tuple keys collide are two flows (one of them an IPv6 flow with a side-table slot).
 */
static uint32_t slot_of(const struct model *m, uint32_t id, uint32_t tkey, uint8_t family)
{
	uint32_t s = home(m, id, tkey);

	for (; m->index[s]; s = (s + 1) & m->mask) {
		const struct mflow *mf = &m->flows[m->index[s] - 1];

		if (mf->id == id && mf->tkey == tkey && mf->family == family)
			break;
	}
	return s;
}

static int grow_index(struct model *m)
{
	uint32_t size = (m->mask + 1) * 2;
	uint32_t *idx = calloc(size, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	free(m->index);
	m->index = idx;
	m->mask = size - 1;
	for (uint32_t i = 0; i < m->n; i++)
		m->index[slot_of(m, m->flows[i].id, m->flows[i].tkey, m->flows[i].family)] = i + 1;
	return 0;
}

static void count(struct model *m, const struct mflow *f, int64_t d)
{
	struct flow_class k = {
		.family = f->family,
		.l4proto = f->l4proto,
		.has_tcp_state = f->bits & F_TCP_STATE,
		.tcp_state = f->tcp_state,
		.assured = f->bits & F_ASSURED,
		.unreplied = f->bits & F_UNREPLIED,
		.nat = (f->bits >> F_NAT_SHIFT) & 3,
	};

	flow_counts_add(&m->counts, &k, d);
}

/* A slot for an IPv6 flow's addresses: a released one, or a new one. */
static int v6_alloc(struct model *m, uint32_t *out)
{
	if (m->v6_nfree) {
		*out = m->v6_free[--m->v6_nfree];
		return 0;
	}
	if (m->v6_n == m->v6_cap) {
		uint32_t cap = m->v6_cap ? m->v6_cap * 2 : 256;
		struct v6slot *v = realloc(m->v6, (size_t)cap * sizeof(*v));
		uint32_t *fr;

		if (!v)
			return -ENOMEM;
		m->v6 = v;
		/* the free stack never holds more than every slot: size it now, so that
		 * releasing a slot cannot fail */
		fr = realloc(m->v6_free, (size_t)cap * sizeof(*fr));
		if (!fr)
			return -ENOMEM;
		m->v6_free = fr;
		m->v6_cap = cap;
	}
	*out = m->v6_n++;
	return 0;
}

static void v6_release(struct model *m, const struct mflow *mf)
{
	if (mf->family == AF_INET6)
		m->v6_free[m->v6_nfree++] = mf->v4[0];
}

/* @v6 is the flow's IPv6 slot (ignored for other families). */
static void fill(struct model *m, struct mflow *mf, const struct ct_flow *f, uint32_t v6)
{
	mf->id = f->id;
	mf->tkey = model_tuple_key(f);
	mf->epoch = m->epoch;
	mf->family = f->family;
	mf->l4proto = f->l4proto;
	mf->tcp_state = f->tcp_state;
	mf->bits = (uint8_t)((f->has_tcp_state ? F_TCP_STATE : 0) |
			     (ct_flow_assured(f) ? F_ASSURED : 0) |
			     (ct_flow_unreplied(f) ? F_UNREPLIED : 0) |
			     (ct_flow_nat_kind(f) << F_NAT_SHIFT));
	mf->sport = f->orig.sport;
	mf->dport = f->orig.dport;
	mf->nat_sport = f->reply.dport;
	mf->nat_dport = f->reply.sport;
	if (f->family == AF_INET) {
		mf->v4[0] = f->orig.src.a32[0];
		mf->v4[1] = f->orig.dst.a32[0];
		mf->v4[2] = f->reply.dst.a32[0];
		mf->v4[3] = f->reply.src.a32[0];
	} else if (f->family == AF_INET6) {
		struct v6slot *sl = &m->v6[v6];

		sl->a[0] = f->orig.src;
		sl->a[1] = f->orig.dst;
		sl->a[2] = f->reply.dst;
		sl->a[3] = f->reply.src;
		memset(mf->v4, 0, sizeof(mf->v4));
		mf->v4[0] = v6;
	} else {
		memset(mf->v4, 0, sizeof(mf->v4));
	}
}

static uint64_t dead_key(uint32_t id, uint32_t tkey)
{
	uint64_t k = (uint64_t)id << 32 | tkey;

	return k ? k : 1;
}

static uint32_t dead_slot(const struct model *m, uint64_t k)
{
	uint32_t s = hash_fold(hash_mix(0, k)) & m->dead_mask;

	while (m->dead[s] && m->dead[s] != k)
		s = (s + 1) & m->dead_mask;
	return s;
}

static bool dead_has(const struct model *m, uint32_t id, uint32_t tkey)
{
	return m->dead_n && m->dead[dead_slot(m, dead_key(id, tkey))];
}

/* Without memory the flow is simply not remembered: a stale dump entry may then bring
 * it back until the next reconciliation, which is what happened before this set. */
static void dead_add(struct model *m, uint32_t id, uint32_t tkey)
{
	uint64_t k = dead_key(id, tkey);
	uint32_t s;

	if (!m->dead || (m->dead_n + 1) * 2 > m->dead_mask + 1) {
		uint32_t size = m->dead ? (m->dead_mask + 1) * 2 : 1024;
		uint64_t *old = m->dead, *tab = calloc(size, sizeof(*tab));
		uint32_t old_size = m->dead ? m->dead_mask + 1 : 0;

		if (!tab)
			return;
		m->dead = tab;
		m->dead_mask = size - 1;
		for (uint32_t i = 0; i < old_size; i++)
			if (old[i])
				m->dead[dead_slot(m, old[i])] = old[i];
		free(old);
	}
	s = dead_slot(m, k);
	if (!m->dead[s]) {
		m->dead[s] = k;
		m->dead_n++;
	}
}

static void dead_clear(struct model *m)
{
	if (m->dead_n)
		memset(m->dead, 0, ((size_t)m->dead_mask + 1) * sizeof(*m->dead));
	m->dead_n = 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void index_delete(struct model *m, uint32_t s)
{
	uint32_t j = s;

	for (;;) {
		uint32_t k;

		j = (j + 1) & m->mask;
		if (!m->index[j])
			break;
		k = home(m, m->flows[m->index[j] - 1].id, m->flows[m->index[j] - 1].tkey);
		/* move j into the hole at s unless its home lies cyclically in (s, j] */
		if ((j > s && (k <= s || k > j)) || (j < s && (k <= s && k > j))) {
			m->index[s] = m->index[j];
			s = j;
		}
	}
	m->index[s] = 0;
}

static void remove_at(struct model *m, uint32_t s)
{
	uint32_t pos = m->index[s] - 1, last = m->n - 1;

	count(m, &m->flows[pos], -1);
	v6_release(m, &m->flows[pos]);
	index_delete(m, s);
	if (pos != last) {
		m->flows[pos] = m->flows[last];
		m->index[slot_of(m, m->flows[pos].id, m->flows[pos].tkey, m->flows[pos].family)] =
			pos + 1;
	}
	m->n--;
}

int model_apply(struct model *m, enum ct_event_type type, const struct ct_flow *f)
{
	uint32_t tkey = model_tuple_key(f);
	uint32_t s = slot_of(m, f->id, tkey, f->family);
	struct mflow *mf;
	uint32_t v6 = 0;

	if (type == CT_EVENT_DESTROY) {
		if (m->resyncing)
			dead_add(m, f->id, tkey);
		if (m->index[s])
			remove_at(m, s);
		return 0;
	}
	if (type == CT_EVENT_DUMP && m->resyncing) {
		/* an event since the mark is newer than the dump's view of the flow */
		if (m->index[s] ? m->flows[m->index[s] - 1].epoch == m->epoch
				: dead_has(m, f->id, tkey))
			return 0;
	}
	if (m->index[s]) {
		mf = &m->flows[m->index[s] - 1];
		count(m, mf, -1);
		/* the tuple key covers the family: an IPv6 flow stays one and keeps its slot */
		v6 = mf->v4[0];
		/* an update without protocol info keeps the TCP state it had */
		if (!f->has_tcp_state && (mf->bits & F_TCP_STATE) && f->l4proto == mf->l4proto) {
			uint8_t state = mf->tcp_state;

			fill(m, mf, f, v6);
			mf->tcp_state = state;
			mf->bits |= F_TCP_STATE;
		} else {
			fill(m, mf, f, v6);
		}
		count(m, mf, 1);
		return 0;
	}
	if ((m->n + 1) * 2 > m->mask + 1) {
		if (grow_index(m) < 0)
			return -ENOMEM;
		s = slot_of(m, f->id, tkey, f->family);
	}
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 1024;
		struct mflow *arr = realloc(m->flows, (size_t)cap * sizeof(*arr));

		if (!arr)
			return -ENOMEM;
		m->flows = arr;
		m->cap = cap;
	}
	if (f->family == AF_INET6 && v6_alloc(m, &v6) < 0)
		return -ENOMEM;
	mf = &m->flows[m->n];
	fill(m, mf, f, v6);
	mf->born = type == CT_EVENT_DUMP ? 0 : m->tick;
	m->index[s] = ++m->n;
	count(m, mf, 1);
	return 0;
}

void model_mark(struct model *m)
{
	m->epoch++;
	m->resyncing = true;
	dead_clear(m);
}

void model_mark_cancel(struct model *m)
{
	m->resyncing = false;
	dead_clear(m);
}

/* What the model keeps of a flow, as a ct_flow. */
static void unpack(const struct model *m, const struct mflow *mf, struct ct_flow *f)
{
	*f = (struct ct_flow){
		.id = mf->id,
		.family = mf->family,
		.l4proto = mf->l4proto,
		.has_tcp_state = mf->bits & F_TCP_STATE,
		.tcp_state = mf->tcp_state,
		.status = (mf->bits & F_ASSURED ? IPS_ASSURED : 0) |
			  (mf->bits & F_UNREPLIED ? 0 : IPS_SEEN_REPLY),
		.life = mf->born && mf->born + 1 == m->tick ? CT_LIFE_NEW : CT_LIFE_LIVE,
	};
	f->orig.sport = mf->sport;
	f->orig.dport = mf->dport;
	f->reply.dport = mf->nat_sport;
	f->reply.sport = mf->nat_dport;
	if (mf->family == AF_INET6) {
		const struct v6slot *sl = &m->v6[mf->v4[0]];

		f->orig.src = sl->a[0];
		f->orig.dst = sl->a[1];
		f->reply.dst = sl->a[2];
		f->reply.src = sl->a[3];
	} else {
		f->orig.src.a32[0] = mf->v4[0];
		f->orig.dst.a32[0] = mf->v4[1];
		f->reply.dst.a32[0] = mf->v4[2];
		f->reply.src.a32[0] = mf->v4[3];
	}
}

uint64_t model_sweep(struct model *m, model_fn gone, void *data)
{
	uint64_t removed = 0;
	uint32_t i = 0;

	m->resyncing = false;
	dead_clear(m);
	while (i < m->n) {
		if (m->flows[i].epoch == m->epoch) {
			i++;
			continue;
		}
		if (gone) {
			struct ct_flow f;

			unpack(m, &m->flows[i], &f);
			gone(&f, data);
		}
		/* remove_at() moves the last flow into position i: look at i again */
		remove_at(m, slot_of(m, m->flows[i].id, m->flows[i].tkey, m->flows[i].family));
		removed++;
	}
	return removed;
}

int model_foreach(const struct model *m, model_fn fn, void *data)
{
	for (uint32_t i = 0; i < m->n; i++) {
		struct ct_flow f;
		int ret;

		unpack(m, &m->flows[i], &f);
		ret = fn(&f, data);
		if (ret)
			return ret;
	}
	return 0;
}

const struct flow_counts *model_counts(const struct model *m)
{
	return &m->counts;
}

bool model_has(const struct model *m, const struct ct_flow *f)
{
	return m->index[slot_of(m, f->id, model_tuple_key(f), f->family)] != 0;
}

bool model_get(const struct model *m, const struct ct_flow *key, struct ct_flow *out)
{
	uint32_t s = slot_of(m, key->id, model_tuple_key(key), key->family);

	if (!m->index[s])
		return false;
	unpack(m, &m->flows[m->index[s] - 1], out);
	return true;
}

uint32_t model_tick(struct model *m)
{
	return ++m->tick;
}

uint32_t model_now(const struct model *m)
{
	return m->tick;
}
