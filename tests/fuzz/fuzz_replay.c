/*
 * Capture files, as `top --replay` and `audit --replay` read them: the pcap framing
 * (libpcap), the recorded markers, the engine and model, the aggregation, the audit and
 * both renderings of the frames and of the report.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/render.h"
#include "audit/snapshot.h"
#include "flows/ct_agg.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "top/replay.h"
#include "top/top.h"
#include "top/topdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static int frame(const struct top_frame *f, void *data)
{
	top_render_text(sink, f);
	top_render_json(sink, f);
	return 0;
}

static int msg(const struct nlmsghdr *nlh, double t, void *data)
{
	return engine_replay(data, nlh);
}

static int agg_flow(const struct ct_flow *f, void *data)
{
	return ct_agg_add(data, f);
}

/* The flows view of top on the final table: every column, both orders, a filter. */
static void views_of(struct engine *e, uint8_t how)
{
	static const char *const filters[] = { NULL, "udp",
					       "!tcp 10.0.0.0/8 src=10.0.0.0/8 dport=53 web",
					       "established",
					       "1 2 3 4 5 6 7 8 9" /* more words than it takes */ };
	struct topdata_flows page = { 0 };
	struct ct_summary sum;

	for (int col = 0; col < TOPDATA_COLS; col++) {
		topdata_col_name((enum topdata_col)col);
		topdata_flows(e, (enum topdata_col)col, (how >> col) & 1, filters[(how + col) % 5],
			      NULL, 3, 1 + how % 32, &page);
	}
	topdata_flows_release(&page);
	topdata_groups(e, &sum); /* plain data: nothing to release */
}

/* audit --replay: the table at the end of the capture. */
static void audit_of(const char *path, uint8_t how)
{
	struct render_opts ro = { .version = "fuzz" };
	struct audit_thresholds th;
	struct audit_report rep;
	struct evrec_status st;
	struct snapshot snap;
	struct ct_agg *agg;
	struct engine *e;

	if (engine_new(&e) < 0)
		return;
	engine_keep_gone(e, how % 16);
	if (ct_agg_new(&agg) < 0) {
		engine_free(e);
		return;
	}
	snapshot_init(&snap);
	if (evrec_replay(path, msg, e, &st) == 0 && engine_foreach(e, agg_flow, agg) == 0) {
		engine_close_interval(e, 1, 0);
		views_of(e, how);
		ct_agg_summarize(agg, &snap.table);
		snap.have_table = snap.replay = true;
		audit_thresholds_default(&th);
		audit_run(&snap, &th, &rep);
		render_text(sink, &snap, &rep, &ro);
		render_json(sink, &snap, &rep, &ro);
		render_prom(sink, &snap, &rep, &ro);
	}
	snapshot_release(&snap);
	ct_agg_free(agg);
	engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct top_replay_opts o = { .interval = 1, .iterations = 50 };
	struct evrec_status st;
	char path[64];

	if (fd < 0) {
		fd = memfd_create("capture", 0);
		sink = fopen("/dev/null", "w");
		if (fd < 0 || !sink)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	top_replay_run(path, &o, frame, NULL, &st);
	audit_of(path, size ? data[size - 1] : 0);
	return 0;
}
