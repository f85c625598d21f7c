/*
 * The reply state machine fed from buffers built here: a dump and its end, an
 * interrupted dump, an error after data (with the kernel's extended ACK text), a failed
 * dump's NLMSG_DONE, a message cut short, stale messages of an earlier request, and a
 * callback that stops the reading.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "netlink/nl.h"

static char buf[8192];
static size_t used;

static void reset(void)
{
	memset(buf, 0, sizeof(buf));
	used = 0;
}

static struct nlmsghdr *put(uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static void done(struct nlmsghdr *nlh)
{
	used += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void data(uint32_t seq, uint16_t flags, uint32_t value)
{
	struct nlmsghdr *nlh = put(0x100, NLM_F_MULTI | flags, seq);

	mnl_attr_put_u32(nlh, 1, value);
	done(nlh);
}

static void end(uint32_t seq, int err)
{
	struct nlmsghdr *nlh = put(NLMSG_DONE, NLM_F_MULTI, seq);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = err;
	done(nlh);
}

/* An NLMSG_ERROR for request @seq with @err and, when @msg, an extended-ACK text. */
static void error(uint32_t seq, int err, const char *msg)
{
	struct nlmsghdr *nlh = put(NLMSG_ERROR, msg ? NLM_F_CAPPED | NLM_F_ACK_TLVS : 0, seq);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = err;
	e->msg.nlmsg_seq = seq;
	e->msg.nlmsg_len = sizeof(e->msg);
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	done(nlh);
}

struct got {
	unsigned int n;
	uint32_t sum;
	int fail_at; /* return -EIO at this message (1-based), 0 never */
};

static int count(const struct nlmsghdr *nlh, void *d)
{
	struct got *g = d;
	const struct nlattr *a = mnl_nlmsg_get_payload(nlh);

	g->n++;
	g->sum += mnl_attr_get_u32(a);
	return g->n == (unsigned int)g->fail_at ? -EIO : 0;
}

static void a_dump_and_its_end(void **state)
{
	struct got g = { 0 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 7 };

	reset();
	data(7, 0, 1);
	data(7, 0, 2);
	nl_reply_feed(&r, buf, used);
	assert_false(r.done); /* more datagrams to come */
	reset();
	data(7, 0, 4);
	end(7, 0);
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.sum, 7);
}

static void interrupted_dump_fails_and_is_consumed(void **state)
{
	struct got g = { 0 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 7 };

	reset();
	data(7, 0, 1);
	data(7, NLM_F_DUMP_INTR, 2); /* the kernel says the table changed meanwhile */
	data(7, 0, 4);
	end(7, 0);
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, -EINTR);
	assert_int_equal(g.n, 1); /* nothing after the mark reached the callback */
}

static void error_after_data_with_extended_ack(void **state)
{
	struct got g = { 0 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 9 };

	reset();
	data(9, 0, 5);
	error(9, -EPERM, "Operation not permitted by natscope's test");
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, -EPERM);
	assert_string_equal(r.ext, "Operation not permitted by natscope's test");
	assert_int_equal(g.n, 1);

	/* a plain ACK ends a request without an error */
	struct nl_reply ack = { .seq = 10 };

	reset();
	error(10, 0, NULL);
	nl_reply_feed(&ack, buf, used);
	assert_true(ack.done);
	assert_int_equal(ack.err, 0);
	assert_string_equal(ack.ext, "");
}

static void failed_dump_says_so_in_done(void **state)
{
	struct nl_reply r = { .seq = 3 };

	reset();
	end(3, -ENOBUFS);
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, -ENOBUFS);
}

static void message_cut_short_ends_the_reply(void **state)
{
	struct got g = { 0 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 7 };
	struct nlmsghdr *nlh;

	reset();
	data(7, 0, 1);
	nlh = put(0x100, NLM_F_MULTI, 7);
	mnl_attr_put_u32(nlh, 1, 2);
	nlh->nlmsg_len += 64; /* claims more than the datagram holds */
	done(nlh);
	used -= 64;
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, -EBADMSG);
	assert_int_equal(g.n, 1);
}

static void stale_messages_are_skipped(void **state)
{
	struct got g = { 0 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 8 };

	reset();
	data(6, 0, 100); /* the rest of an earlier request */
	error(6, -ENOENT, NULL);
	data(8, 0, 1);
	end(8, 0);
	nl_reply_feed(&r, buf, used);
	assert_true(r.done);
	assert_int_equal(r.err, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sum, 1);
	assert_int_equal(r.skipped, 2);
}

static void callback_error_stops_callbacks(void **state)
{
	struct got g = { .fail_at = 2 };
	struct nl_reply r = { .cb = count, .data = &g, .seq = 7 };

	reset();
	for (uint32_t i = 1; i <= 5; i++)
		data(7, 0, i);
	end(7, 0);
	nl_reply_feed(&r, buf, used);
	assert_true(r.done); /* the reply is still read to its end */
	assert_int_equal(r.err, -EIO);
	assert_int_equal(g.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_dump_and_its_end),
		cmocka_unit_test(interrupted_dump_fails_and_is_consumed),
		cmocka_unit_test(error_after_data_with_extended_ack),
		cmocka_unit_test(failed_dump_says_so_in_done),
		cmocka_unit_test(message_cut_short_ends_the_reply),
		cmocka_unit_test(stale_messages_are_skipped),
		cmocka_unit_test(callback_error_stops_callbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
