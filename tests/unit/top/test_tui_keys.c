/* The key table and what keys do to the view's state: no terminal involved. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "top/tui_keys.h"

static void views_switch(void **state)
{
	struct tui_state st = { .interval = 1 };

	assert_int_equal(tui_keys_handle(&st, '3'), TUI_REDRAW | TUI_REFRESH);
	assert_int_equal(st.view, TUI_RULES);
	st.scroll = 7;
	tui_keys_handle(&st, '\t');
	assert_int_equal(st.view, TUI_FLOWS);
	assert_int_equal(st.scroll, 0); /* a new view starts at its top */
	tui_keys_handle(&st, '\t');
	assert_int_equal(st.view, TUI_NETWORKS);
	tui_keys_handle(&st, '\t');
	assert_int_equal(st.view, TUI_OVERVIEW); /* wraps */
	tui_keys_handle(&st, TUI_KEY_BTAB);
	assert_int_equal(st.view, TUI_NETWORKS); /* shift-tab goes back, wrapping */
	tui_keys_handle(&st, 'h');
	assert_true(st.help);
	tui_keys_handle(&st, '2');
	assert_false(st.help); /* choosing a view leaves help */
	tui_keys_handle(&st, TUI_KEY_F1);
	assert_true(st.help);
	tui_keys_handle(&st, TUI_KEY_ESC);
	assert_false(st.help); /* Esc leaves help */
	assert_int_equal(tui_keys_handle(&st, 'q'), TUI_QUIT);
	assert_int_equal(tui_keys_handle(&st, TUI_KEY_F10), TUI_QUIT);
	assert_int_equal(tui_keys_handle(&st, 'Q'), 0); /* unbound */
	assert_true(tui_keys_handle(&st, ' ') & TUI_NOW);
}

static void moving_and_paging(void **state)
{
	struct tui_state st = { .interval = 1, .view = TUI_FLOWS };

	tui_keys_handle(&st, TUI_KEY_DOWN);
	tui_keys_handle(&st, 'j');
	assert_int_equal(st.cursor, 2); /* the flows view moves the selection */
	tui_keys_handle(&st, TUI_KEY_UP);
	tui_keys_handle(&st, TUI_KEY_UP);
	tui_keys_handle(&st, TUI_KEY_UP);
	assert_int_equal(st.cursor, 0); /* never below the first */
	tui_keys_handle(&st, TUI_KEY_PGDN);
	assert_int_equal(st.cursor, 20);
	tui_keys_follow(&st, 10, 100);
	assert_int_equal(st.scroll, 11); /* the page follows the selection */
	tui_keys_handle(&st, TUI_KEY_END);
	tui_keys_follow(&st, 10, 100);
	assert_int_equal(st.cursor, 99); /* End: the last row, and no further */
	assert_int_equal(st.scroll, 90);
	tui_keys_follow(&st, 10, 9); /* a row deleted: the selection stays on a row */
	assert_int_equal(st.cursor, 8);
	assert_int_equal(st.scroll, 8);
	tui_keys_handle(&st, TUI_KEY_HOME);
	tui_keys_follow(&st, 10, 9);
	assert_int_equal(st.cursor, 0);
	assert_int_equal(st.scroll, 0);
	st.view = TUI_GROUPS;
	tui_keys_handle(&st, TUI_KEY_PGDN);
	assert_int_equal(st.scroll, 20); /* elsewhere the page moves */
}

static void sorting_interval_pause(void **state)
{
	struct tui_state st = { .interval = 1 };

	tui_keys_handle(&st, 'B'); /* iptstate's b/B, htop's < > */
	assert_int_equal(st.sort, TOPDATA_COLS - 1);
	assert_int_equal(st.view, TUI_FLOWS); /* sorting opens the flows view */
	tui_keys_handle(&st, 'b');
	assert_int_equal(st.sort, 0);
	tui_keys_handle(&st, '>');
	assert_int_equal(st.sort, 1);
	tui_keys_handle(&st, '<');
	assert_int_equal(st.sort, 0);
	tui_keys_handle(&st, 'r');
	assert_true(st.reverse);
	assert_int_equal(tui_keys_handle(&st, '+'), TUI_REDRAW | TUI_INTERVAL);
	assert_true(st.interval == 0.5);
	for (int i = 0; i < 10; i++)
		tui_keys_handle(&st, '+');
	assert_true(st.interval >= 0.1);
	for (int i = 0; i < 20; i++)
		tui_keys_handle(&st, '-');
	assert_true(st.interval == 60);
	tui_keys_handle(&st, 'Z'); /* htop's pause */
	assert_true(st.paused);
}

/* iptstate's s d S D p start a one-sided filter word after what is there. */
static void iptstate_filters(void **state)
{
	struct tui_state st = { .interval = 1 };

	tui_keys_handle(&st, 's');
	assert_int_equal(st.view, TUI_FLOWS);
	assert_true(st.editing);
	for (const char *c = "10.0.0.0/8"; *c; c++)
		tui_keys_handle(&st, *c);
	tui_keys_handle(&st, TUI_KEY_ENTER);
	tui_keys_handle(&st, 'D');
	for (const char *c = "53"; *c; c++)
		tui_keys_handle(&st, *c);
	tui_keys_handle(&st, TUI_KEY_ENTER);
	tui_keys_handle(&st, 'p');
	tui_keys_handle(&st, 'u');
	tui_keys_handle(&st, TUI_KEY_ENTER);
	assert_string_equal(st.filter, "src=10.0.0.0/8 dport=53 proto=u");
}

/* The help screen scrolls and stops at its last page. */
static void help_scrolls(void **state)
{
	struct tui_state st = { .interval = 1 };
	size_t lines = tui_keys_help_lines();

	tui_keys_handle(&st, '?');
	tui_keys_handle(&st, TUI_KEY_PGDN);
	assert_int_equal(st.help_scroll, 20);
	tui_keys_handle(&st, TUI_KEY_END);
	tui_keys_follow(&st, 10, 0);
	assert_int_equal(st.help_scroll, lines - 10);
	assert_int_equal(st.view, TUI_OVERVIEW); /* the view underneath did not move */
	assert_int_equal(st.scroll, 0);
	tui_keys_handle(&st, TUI_KEY_HOME);
	assert_int_equal(st.help_scroll, 0);
}

static void filter_editing(void **state)
{
	struct tui_state st = { .interval = 1 };

	tui_keys_handle(&st, '/');
	assert_true(st.editing);
	assert_int_equal(st.view, TUI_FLOWS);
	for (const char *c = "udp 53"; *c; c++)
		tui_keys_handle(&st, *c);
	assert_string_equal(st.filter, "udp 53");
	/* while typing, keys are text, not commands */
	tui_keys_handle(&st, 'q');
	assert_string_equal(st.filter, "udp 53q");
	tui_keys_handle(&st, TUI_KEY_BACKSPACE);
	tui_keys_handle(&st, TUI_KEY_ENTER);
	assert_false(st.editing);
	assert_string_equal(st.filter, "udp 53");
	tui_keys_handle(&st, '/');
	tui_keys_handle(&st, 'x');
	tui_keys_handle(&st, TUI_KEY_ESC); /* Esc drops the filter */
	assert_false(st.editing);
	assert_string_equal(st.filter, "");
	/* a filter never overflows its buffer */
	tui_keys_handle(&st, '/');
	for (int i = 0; i < 200; i++)
		tui_keys_handle(&st, 'a');
	assert_int_equal(strlen(st.filter), sizeof(st.filter) - 1);
}

static void deleting_asks_first(void **state)
{
	struct tui_state st = { .interval = 1 };

	assert_int_equal(tui_keys_handle(&st, 'x'), 0); /* only in the flows view */
	st.view = TUI_FLOWS;
	tui_keys_handle(&st, 'x');
	assert_true(st.confirm);
	assert_int_equal(tui_keys_handle(&st, 'n'), TUI_REDRAW);
	assert_string_equal(st.status, "not deleted");
	tui_keys_handle(&st, 'x');
	assert_true(tui_keys_handle(&st, 'y') & TUI_DELETE);
	assert_false(st.confirm);
}

static void views_by_name(void **state)
{
	assert_int_equal(tui_view_by_name("groups"), TUI_GROUPS);
	assert_int_equal(tui_view_by_name("5"), TUI_NETWORKS);
	assert_int_equal(tui_view_by_name("1"), TUI_OVERVIEW);
	assert_int_equal(tui_view_by_name("6"), -1);
	assert_int_equal(tui_view_by_name("12"), -1);
	assert_int_equal(tui_view_by_name("Groups"), -1);
	assert_int_equal(tui_view_by_name(""), -1);
}

/* The help screen is made from the same table that dispatches. */
static void help_from_the_table(void **state)
{
	const char *label, *help, *from;
	size_t n = 0;
	bool quit = false;

	while (tui_keys_help(n, &label, &help, &from)) {
		assert_true(*label && *help && from);
		quit |= strcmp(help, "quit") == 0;
		n++;
	}
	assert_true(n >= 15);
	assert_true(quit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(views_switch),		  cmocka_unit_test(moving_and_paging),
		cmocka_unit_test(sorting_interval_pause), cmocka_unit_test(filter_editing),
		cmocka_unit_test(iptstate_filters),	  cmocka_unit_test(help_scrolls),
		cmocka_unit_test(views_by_name),	  cmocka_unit_test(deleting_asks_first),
		cmocka_unit_test(help_from_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
