/*
 * kshim_digest.c: FNV-1a over the fields kshim_digest.h names.
 */
#include "kshim_digest.h"

#define FNV_PRIME	0x100000001b3ULL

static uint64_t
mix(uint64_t h, uint64_t v)
{
	int i;

	/* Byte by byte, low first: the same digest on every host order. */
	for (i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t
kshim_digest_result(uint64_t h, uint32_t kind,
    const struct uvmshim_op_result *r)
{

	h = mix(h, kind);
	h = mix(h, (uint64_t)(int64_t)r->error);
	h = mix(h, r->outcome);
	h = mix(h, r->addr);
	if ((kind == UVMSHIM_OP_MAP || kind == UVMSHIM_OP_UNMAP) &&
	    r->error == 0) {
		h = mix(h, r->allocs);
		h = mix(h, r->frees);
		h = mix(h, r->allocs_locked);
		h = mix(h, r->clips);
	}
	return h;
}

uint64_t
kshim_digest_entry(uint64_t h, const struct uvmshim_entry *e)
{

	h = mix(h, e->start);
	h = mix(h, e->end);
	return mix(h, e->prot);
}
