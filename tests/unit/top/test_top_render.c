/* A frame of `top --batch` as JSON (schema natscope.top) and text: golden files. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <jansson.h>

#include "flows/clash.h"
#include "top/top.h"

#include "golden.h"

struct frame_data {
	struct flow_counts counts;
	struct engine_stats es;
	struct clash *clash;
	struct rates rates;
	struct top_frame f;
};

static void fill(struct frame_data *d)
{
	struct ct_flow fl = { .family = AF_INET, .l4proto = IPPROTO_UDP };
	struct ct_cpu_stats cpu = { .cpu = 0 };
	struct ct_stats st = { .ncpu = 1, .cpu = &cpu };

	memset(d, 0, sizeof(*d));
	d->counts.total = 6;
	d->counts.by_family[FLOW_IPV4] = 6;
	d->counts.by_proto[IPPROTO_TCP] = 2;
	d->counts.by_proto[IPPROTO_UDP] = 3;
	d->counts.by_proto[IPPROTO_GRE] = 1;
	d->counts.tcp_state[3] = 1;
	d->counts.tcp_state[7] = 1;
	d->counts.nat_kind[CT_NAT_SNAT] = 4;
	d->counts.nat_kind[CT_NAT_NONE] = 2;
	d->counts.assured = 2;
	d->counts.unreplied = 3;
	d->es.received[CT_EVENT_NEW] = 10;
	d->es.received[CT_EVENT_UPDATE] = 4;
	d->es.received[CT_EVENT_DESTROY] = 4;
	d->es.received[CT_EVENT_DUMP] = 2;
	d->es.overruns = 1;
	d->es.dropped = 3;
	d->es.lost_estimate = 2;
	d->es.resyncs = 2;
	/* one likely clash episode: two sources into 203.0.113.9:53 */
	assert_int_equal(clash_new(&d->clash), 0);
	fl.reply.dst.a32[0] = inet_addr("198.51.100.1");
	fl.reply.src.a32[0] = inet_addr("203.0.113.9");
	fl.reply.sport = 53;
	for (uint32_t i = 0; i < 6; i++) {
		fl.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
		fl.reply.dport = (uint16_t)(2000 + i);
		clash_new_flow(d->clash, &fl);
	}
	assert_true(clash_close_interval(d->clash, 1795500001.0, 2));
	rates_init(&d->rates);
	cpu.val[CT_STAT_INSERT_FAILED] = 0;
	rates_push(&d->rates, 100.0, &st);
	cpu.val[CT_STAT_INSERT_FAILED] = 2;
	cpu.val[CT_STAT_DROP] = 2;
	rates_push(&d->rates, 101.0, &st);
	d->f = (struct top_frame){
		.time = 1795500001.0,
		.iteration = 3,
		.netns = "lab-r",
		.counts = &d->counts,
		.es = &d->es,
		.clash = d->clash,
		.events_per_s = 18,
		.rcvbuf = 64u << 20,
		.ct_events = 1,
		.have_kernel = true,
		.kernel_count = 6,
		.kernel_max = 262144,
		.kernel_peak = 9,
		.kernel_peak_at = 1795500000.0,
	};
	top_frame_rates(&d->f, &d->rates);
}

static char *render(int (*fn)(FILE *, const struct top_frame *), const struct top_frame *f,
		    size_t *len)
{
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	assert_int_equal(fn(out, f), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void json_frame(void **state)
{
	struct frame_data d;
	json_error_t err;
	json_t *o;
	size_t len;
	char *out;

	fill(&d);
	out = render(top_render_json, &d.f, &len);
	/* one object on one line */
	assert_non_null(strchr(out, '\n'));
	assert_true(strchr(out, '\n') == out + len - 1);
	o = json_loadb(out, len, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "schema")), "natscope.top");
	assert_int_equal(json_integer_value(json_object_get(o, "entries")), 6);
	json_decref(o);
	golden_compare("top.json", out, len);
	free(out);
	clash_free(d.clash);
}

static void text_frame(void **state)
{
	struct frame_data d;
	size_t len;
	char *out;

	fill(&d);
	setenv("TZ", "UTC", 1);
	out = render(top_render_text, &d.f, &len);
	golden_compare("top.txt", out, len);
	free(out);
	clash_free(d.clash);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_frame),
		cmocka_unit_test(text_frame),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
