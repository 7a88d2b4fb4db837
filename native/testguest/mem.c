/*
 * mem.c: a boot-time carver and a bump arena.
 */
#include "mem.h"

static uintptr_t mem_lo, mem_hi;
static uint64_t mem_bytes;

static uintptr_t
align_up(uintptr_t v, size_t align)
{
	return (v + align - 1) & ~(uintptr_t)(align - 1);
}

void
mem_init(uintptr_t lo, uintptr_t hi)
{
	mem_lo = lo;
	mem_hi = hi;
}

void *
mem_carve(size_t size, size_t align)
{
	uintptr_t p = align_up(mem_lo, align);

	if (p > mem_hi || mem_hi - p < size)
		return NULL;
	mem_lo = p + size;
	/* Not zeroed: clearing tens of MiB costs boot time under TCG. */
	return (void *)p;
}

size_t
mem_left(void)
{
	return mem_hi > mem_lo ? mem_hi - mem_lo : 0;
}

uint64_t
mem_total(void)
{
	return mem_bytes;
}

void
mem_set_total(uint64_t bytes)
{
	mem_bytes = bytes;
}

void
arena_init(struct arena *a, void *base, size_t size)
{
	a->base = base;
	a->size = size;
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)a->base;
	uintptr_t p = align_up(start + a->used, align);

	if (a->base == NULL || p - start > a->size || a->size - (p - start) < size)
		return NULL;
	a->used = p - start + size;
	return (void *)p;
}

void
arena_reset(struct arena *a)
{
	a->used = 0;
}
