#include "config.h"
#include "top/tui_fmt.h"

#include <stdio.h>
#include <string.h>

const char *tui_fmt_fit(const char *s, int w, char *buf, size_t len)
{
	int n = (int)strlen(s), head, tail;

	if (n <= w || w < 3) {
		snprintf(buf, len, "%.*s", w < 0 ? 0 : w, s);
		return buf;
	}
	/* the start (the network) and the end (the port) both matter: w - 1 characters
	 * around the '~', the odd one to the start */
	head = w / 2;
	tail = w - 1 - head;
	snprintf(buf, len, "%.*s~%s", head, s, s + n - tail);
	return buf;
}

const char *tui_fmt_endpoint(uint8_t family, uint8_t l4proto, const union ct_addr *a, uint16_t port,
			     int w, char *buf, size_t len)
{
	char full[80];

	return tui_fmt_fit(ct_flow_endpoint_str(family, l4proto, a, port, full, sizeof(full)), w,
			   buf, len);
}

const char *tui_fmt_count(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 999.95 && u < 5) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", d, unit[u]);
	return buf;
}

const char *tui_fmt_ttl(uint32_t sec, char *buf, size_t len)
{
	if (sec < 60)
		snprintf(buf, len, "%us", sec);
	else if (sec < 3600)
		snprintf(buf, len, "%um%02us", sec / 60, sec % 60);
	else if (sec < 86400)
		snprintf(buf, len, "%uh%02um", sec / 3600, sec % 3600 / 60);
	else
		snprintf(buf, len, "%ud%02uh", sec / 86400, sec % 86400 / 3600);
	return buf;
}

const char *tui_fmt_bar(double frac, int w, char *buf, size_t len)
{
	int n = (int)(frac * w + 0.5);

	if (w < 0 || (size_t)w >= len)
		w = len ? (int)len - 1 : 0;
	n = n < 0 ? 0 : n > w ? w : n;
	memset(buf, '|', (size_t)n);
	memset(buf + n, ' ', (size_t)(w - n));
	buf[w] = '\0';
	return buf;
}

void tui_fmt_history(const double *v, size_t n, double max, int w, int h, char **rows)
{
	static const char part[] = " .:|";

	for (int r = 0; r < h; r++) {
		memset(rows[r], ' ', (size_t)w);
		rows[r][w] = '\0';
	}
	for (int x = 0; x < w; x++) {
		/* column x shows value n - w + x: the newest at the right edge */
		long i = (long)n - w + x;
		int quarters, full;

		if (i < 0 || max <= 0 || v[i] <= 0)
			continue;
		quarters = (int)(v[i] / max * h * 4 + 0.5);
		if (quarters < 1)
			quarters = 1; /* anything at all shows */
		if (quarters > h * 4)
			quarters = h * 4;
		full = quarters / 4;
		for (int r = 0; r < full; r++)
			rows[h - 1 - r][x] = '#';
		if (full < h && quarters % 4)
			rows[h - 1 - full][x] = part[quarters % 4];
	}
}
