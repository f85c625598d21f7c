#ifndef NATSCOPE_HASH_H
#define NATSCOPE_HASH_H

#include <stdint.h>
#include <string.h>

/*
 * The hash of every table natscope keeps (flows, SNAT groups, sources, clash groups):
 * word-wise multiply-xorshift mixing.  A byte-wise FNV-1a over the 36-byte SNAT-group key
 * cost ~210 instructions an entry (callgrind, 125,000-entry dump), a fifth of the whole
 * per-entry budget of a dump; this costs a few per word.
 */
static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/** Mix 16 bytes (an address of union ct_addr) into @h. */
static inline uint64_t hash_mix16(uint64_t h, const void *p)
{
	uint64_t w[2];

	memcpy(w, p, sizeof(w));
	return hash_mix(hash_mix(h, w[0]), w[1]);
}

static inline uint32_t hash_fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

#endif
