#ifndef NATSCOPE_FUZZ_H
#define NATSCOPE_FUZZ_H

/*
 * Shared by the libFuzzer targets: a cursor over the fuzzer's bytes, for targets that
 * build structurally valid input from them (libnftnl's own parsers exit() or crash on
 * some malformed attributes, which no kernel sends).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* Up to @max bytes into @buf (NUL-terminated, of size @max + 1); the count. */
static inline size_t fuzz_bytes(struct fuzz_in *in, uint8_t *buf, size_t max)
{
	size_t n = fuzz_u8(in) % (max + 1);

	if (n > in->n)
		n = in->n;
	memcpy(buf, in->p, n);
	buf[n] = 0;
	in->p += n;
	in->n -= n;
	return n;
}

/* One of @n strings, or (one time in 8) a string of the fuzzer's bytes in @own. */
static inline const char *fuzz_pick(struct fuzz_in *in, const char *const *v, size_t n, char *own,
				    size_t ownlen)
{
	uint8_t k = fuzz_u8(in);

	if (k % 8 == 7) {
		size_t len = fuzz_bytes(in, (uint8_t *)own, ownlen - 1);

		if (memchr(own, 0, len) || len == 0)
			return v[0];
		return own;
	}
	return v[k % n];
}

#endif
