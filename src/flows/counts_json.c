#include "config.h"
#include "flows/counts_json.h"

#include <stdio.h>

/* Every protocol natscope names, 0 when absent, and the rest summed as "other". */
json_t *flow_counts_protocols_json(const struct flow_counts *c)
{
	json_t *o = json_object();
	uint64_t other = 0;

	for (int p = 0; p < 256; p++) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		if (name)
			json_object_set_new(o, name, json_integer((json_int_t)c->by_proto[p]));
		else
			other += c->by_proto[p];
	}
	json_object_set_new(o, "other", json_integer((json_int_t)other));
	return o;
}

json_t *flow_counts_tcp_states_json(const struct flow_counts *c)
{
	json_t *o = json_object();

	for (unsigned int s = 0; s < CT_TCP_STATES; s++)
		json_object_set_new(o, ct_flow_tcp_state_name(s),
				    json_integer((json_int_t)c->tcp_state[s]));
	return o;
}

json_t *flow_counts_nat_json(const struct flow_counts *c)
{
	json_t *o = json_object();

	for (unsigned int k = 0; k < CT_NAT_KINDS; k++)
		json_object_set_new(o, ct_flow_nat_kind_name(k),
				    json_integer((json_int_t)c->nat_kind[k]));
	return o;
}

json_t *flow_counts_families_json(const struct flow_counts *c)
{
	json_t *o = json_object();

	for (unsigned int f = 0; f < FLOW_FAMILIES; f++)
		json_object_set_new(o, flow_family_name(f),
				    json_integer((json_int_t)c->by_family[f]));
	return o;
}
