#ifndef NATSCOPE_TOP_TUI_FMT_H
#define NATSCOPE_TOP_TUI_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"

/*
 * Text of the interactive view's cells, without curses (unit-tested): what is too wide
 * gives way in the middle, so an address keeps its network part and its port.
 */

/** @s in at most @w columns: cut in the middle with '~' when it does not fit. */
const char *tui_fmt_fit(const char *s, int w, char *buf, size_t len);
/** An endpoint (ct_flow_endpoint_str()), then with its owner "addr:port web-1", fitted. */
const char *tui_fmt_endpoint(uint8_t family, uint8_t l4proto, const union ct_addr *a, uint16_t port,
			     int w, char *buf, size_t len);
/** A count in at most 6 columns: 999, 12.3K, 4.5M, 6.7G. */
const char *tui_fmt_count(uint64_t v, char *buf, size_t len);
/** A duration in at most 6 columns: 42s, 59m59s, 23h59m, 4d23h. */
const char *tui_fmt_ttl(uint32_t sec, char *buf, size_t len);
/** A bar of @w columns, @frac (0..1) of it filled with '|'. */
const char *tui_fmt_bar(double frac, int w, char *buf, size_t len);
/**
 * A history as @h rows of @w columns (row 0 the top), the newest value at the right,
 * scaled to @max: full cells '#', the top cell of a column ' ', '.', ':' or '|' by
 * quarters.  @rows holds @h strings of at least @w + 1 bytes.
 */
void tui_fmt_history(const double *v, size_t n, double max, int w, int h, char **rows);

#endif
