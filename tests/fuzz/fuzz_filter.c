/* The top filter expression: parsed, then matched against flows the input also decides. */
#include "config.h"

#include <stdint.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "ct_flow.h"
#include "top/flow_filter.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct flow_filter fl;
	char expr[256];

	fuzz_bytes(&in, (uint8_t *)expr, sizeof(expr) - 1);
	if (flow_filter_parse(expr, &fl) < 0)
		return 0;
	while (in.n >= sizeof(struct ct_flow) / 4) {
		struct ct_flow f;
		size_t take = in.n < sizeof(f) ? in.n : sizeof(f);

		memset(&f, 0, sizeof(f));
		memcpy(&f, in.p, take);
		in.p += take;
		in.n -= take;
		/* what ct_parse_msg() could hand over: booleans are booleans, a family is one */
		f.has_tcp_state = *(uint8_t *)&f.has_tcp_state & 1;
		f.has_counters = *(uint8_t *)&f.has_counters & 1;
		f.family = f.family & 1 ? AF_INET6 : AF_INET;
		(void)flow_filter_match(&fl, &f);
	}
	return 0;
}
