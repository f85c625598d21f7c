/*
 * One family's half of the legacy reader, included by iptlegacy4.c and iptlegacy6.c
 * after they define LEGACY_ENTRY (ipt_entry / ip6t_entry), LEGACY_IP (its ip / ipv6
 * member), LEGACY_ALEN (address bytes), LEGACY_INV(x) (IPT_INV_x / IP6T_INV_x),
 * LEGACY_TC(fn) (iptc_fn / ip6tc_fn), LEGACY_FAMILY and LEGACY_READ.  libip4tc and
 * libip6tc declare the same handle type under one name and their entries differ, so the
 * two cannot share a translation unit; this is how iptables builds its own libiptc.
 */

static void read_entry(const LEGACY_ENTRY *e, struct iptlegacy_rule *r)
{
	const struct xt_entry_target *t = (const void *)((const char *)e + e->target_offset);

	memcpy(r->src, &e->LEGACY_IP.src, LEGACY_ALEN);
	memcpy(r->smsk, &e->LEGACY_IP.smsk, LEGACY_ALEN);
	memcpy(r->dst, &e->LEGACY_IP.dst, LEGACY_ALEN);
	memcpy(r->dmsk, &e->LEGACY_IP.dmsk, LEGACY_ALEN);
	memcpy(r->iniface, e->LEGACY_IP.iniface, sizeof(r->iniface) - 1);
	memcpy(r->outiface, e->LEGACY_IP.outiface, sizeof(r->outiface) - 1);
	r->inv_src = e->LEGACY_IP.invflags & LEGACY_INV(SRCIP);
	r->inv_dst = e->LEGACY_IP.invflags & LEGACY_INV(DSTIP);
	r->inv_in = e->LEGACY_IP.invflags & LEGACY_INV(VIA_IN);
	r->inv_out = e->LEGACY_IP.invflags & LEGACY_INV(VIA_OUT);
	r->inv_proto = e->LEGACY_IP.invflags & XT_INV_PROTO;
	r->proto = e->LEGACY_IP.proto;
	for (unsigned int off = sizeof(*e);
	     off + sizeof(struct xt_entry_match) <= e->target_offset;) {
		const struct xt_entry_match *m = (const void *)((const char *)e + off);

		if (m->u.match_size < sizeof(*m) || off + m->u.match_size > e->target_offset)
			break;
		iptlegacy_match(r, m->u.user.name, m->data, m->u.match_size - sizeof(*m));
		off += m->u.match_size;
	}
	if (e->target_offset + sizeof(*t) <= e->next_offset && t->u.target_size >= sizeof(*t))
		iptlegacy_target(r, t->u.user.name, t->u.user.revision, t->data,
				 t->u.target_size - sizeof(*t));
}

int LEGACY_READ(struct iptlegacy_table *out)
{
	struct xtc_handle *h = LEGACY_TC(init)("nat");
	int ret = 0;

	if (!h)
		return errno ? -errno : -ENOENT;
	for (const char *c = LEGACY_TC(first_chain)(h); c && ret == 0;
	     c = LEGACY_TC(next_chain)(h)) {
		unsigned int num = 0;

		if (!LEGACY_TC(builtin)(c, h))
			ret = iptlegacy_push_chain(out, c);
		for (const LEGACY_ENTRY *e = LEGACY_TC(first_rule)(c, h); e && ret == 0;
		     e = LEGACY_TC(next_rule)(e, h)) {
			struct iptlegacy_rule r = { .family = LEGACY_FAMILY, .num = ++num };
			const char *tg = LEGACY_TC(get_target)(e, h);

			snprintf(r.chain, sizeof(r.chain), "%s", c);
			read_entry(e, &r);
			if (tg && tg[0]) /* a jump, a verdict, or the target's own name */
				snprintf(r.target, sizeof(r.target), "%s", tg);
			ret = iptlegacy_push(out, &r);
		}
	}
	LEGACY_TC(free)(h);
	return ret;
}
