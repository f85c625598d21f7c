#include "config.h"
#include "top/tui.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "tui_int.h"
#include "util.h"

/* The terminal: curses set-up, teardown and input.  Views draw in tui_views.c. */

/*
 * A fatal signal (abort(), a crash) must not leave the terminal raw and on the
 * alternate screen.  Its handler may only use async-signal-safe calls, so what it needs is
 * prepared here, before the handlers are installed: the terminal modes from before curses
 * and the sequences that leave the alternate screen and show the cursor.  This is the
 * one piece of static state of the TUI, written before any handler can run.
 */
static const int fatal_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
static struct {
	struct termios modes;
	char leave[64]; /* rmcup + cnorm */
	size_t leave_len;
	struct sigaction old[sizeof(fatal_signals) / sizeof(fatal_signals[0])];
} fatal;

static void fatal_handler(int sig)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &fatal.modes);
	if (fatal.leave_len && write(STDOUT_FILENO, fatal.leave, fatal.leave_len) < 0) {
		/* nothing more can be done from here */
	}
	/* then what would have happened: the previous handler (a sanitizer's), or death */
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &fatal.old[i], NULL);
	raise(sig);
}

static void append_cap(const char *name)
{
	const char *cap = tigetstr(name);
	size_t n;

	if (!cap || cap == (const char *)-1)
		return;
	n = strlen(cap);
	if (fatal.leave_len + n < sizeof(fatal.leave)) {
		memcpy(fatal.leave + fatal.leave_len, cap, n);
		fatal.leave_len += n;
	}
}

static void fatal_install(void)
{
	struct sigaction sa = { .sa_handler = fatal_handler };

	append_cap("rmcup");
	append_cap("cnorm");
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &fatal.old[i]);
}

static void fatal_uninstall(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &fatal.old[i], NULL);
	fatal.leave_len = 0;
}

int tui_open(struct tui **out, bool color)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (tcgetattr(STDIN_FILENO, &fatal.modes) < 0) {
		free(t);
		return -ENOTTY;
	}
	/* newterm(), not initscr(): initscr() exits the program when it cannot start */
	t->screen = newterm(NULL, stdout, stdin);
	if (!t->screen) {
		free(t);
		return -ENOTTY;
	}
	set_term(t->screen);
	fatal_install();
	t->open = true;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25); /* Esc leaves help and prompts at once, not after a second */
	curs_set(0);
	if (color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_HEAD, COLOR_CYAN, -1);
		init_pair(PAIR_GOOD, COLOR_GREEN, -1);
		init_pair(PAIR_FADED, COLORS > 8 ? 8 : COLOR_BLUE,
			  -1); /* grey where there is one */
		init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		t->color = true;
	}
	*out = t;
	return 0;
}

void tui_close(struct tui *t)
{
	if (!t)
		return;
	if (t->open) {
		endwin();
		fatal_uninstall();
	}
	if (t->screen)
		delscreen(t->screen);
	free(t);
}

int tui_list_rows(const struct tui *t)
{
	int rows = LINES - t->top - 2; /* the list's heading and the status line */

	return rows > 1 ? rows : 1;
}

/* curses key codes to the key table's */
static int key_code(int c)
{
	switch (c) {
	case KEY_UP:
		return TUI_KEY_UP;
	case KEY_DOWN:
		return TUI_KEY_DOWN;
	case KEY_PPAGE:
		return TUI_KEY_PGUP;
	case KEY_NPAGE:
		return TUI_KEY_PGDN;
	case KEY_BACKSPACE:
		return TUI_KEY_BACKSPACE;
	case KEY_ENTER:
		return TUI_KEY_ENTER;
	case KEY_RESIZE:
		return TUI_KEY_RESIZE;
	case KEY_HOME:
		return TUI_KEY_HOME;
	case KEY_END:
		return TUI_KEY_END;
	case KEY_BTAB:
		return TUI_KEY_BTAB;
	case KEY_F(1):
		return TUI_KEY_F1;
	case KEY_F(3):
		return TUI_KEY_F3;
	case KEY_F(4):
		return TUI_KEY_F4;
	case KEY_F(6):
		return TUI_KEY_F6;
	case KEY_F(10):
		return TUI_KEY_F10;
	default:
		return c;
	}
}

int tui_input(struct tui *t, struct tui_state *st)
{
	int c, r = 0;

	while ((c = getch()) != ERR) {
		if (c == 12) /* ^L: repaint everything */
			clearok(curscr, TRUE);
		r |= tui_keys_handle(st, key_code(c));
		if (r & TUI_QUIT)
			break;
	}
	return r;
}

void tui_line(int y, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, 0, buf, COLS);
	if ((int)strlen(buf) > COLS && COLS > 0)
		mvaddch(y, COLS - 1, '>'); /* cut: say so */
	attroff(attr);
}

int tui_alert(const struct tui *t, bool on)
{
	return on ? (t->color ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_BOLD | A_REVERSE) : 0;
}

int tui_warn(const struct tui *t, bool on)
{
	return on ? (t->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD) : 0;
}

int tui_fields(int y, int maxlines, const struct tui_field *f, size_t n)
{
	int line = 0, x = 0;

	if (y >= LINES || maxlines < 1)
		return 0;
	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(f[i].text), sep = x ? 2 : 0;

		if (x + sep + w > COLS && x > 0) {
			if (line + 1 >= maxlines || y + line + 1 >= LINES) {
				mvaddch(y + line, COLS - 1, '>'); /* more than the lines hold */
				return line + 1;
			}
			line++;
			x = sep = 0;
			move(y + line, 0);
			clrtoeol();
		}
		attron(f[i].attr);
		mvaddnstr(y + line, x + sep, f[i].text, COLS - x - sep);
		attroff(f[i].attr);
		x += sep + w;
		if (x > COLS) /* one field wider than the screen: cut, marked */
			mvaddch(y + line, COLS - 1, '>');
	}
	return line + 1;
}

int tui_head(const struct tui *t)
{
	return t->color ? COLOR_PAIR(PAIR_HEAD) | A_BOLD : A_BOLD;
}
