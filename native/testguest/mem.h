/*
 * mem.h: physical memory above the kernel image, handed out once at boot
 * in large permanent pieces (frame buffers, ioctl scratch, the model's
 * heap).  Paging maps the low 4 GiB 1:1, so addresses are usable as-is.
 */
#ifndef TG_MEM_H
#define TG_MEM_H

#include <stddef.h>
#include <stdint.h>

/* [lo, hi) is free RAM; lo must lie above everything the loader placed. */
void mem_init(uintptr_t lo, uintptr_t hi);
/* A permanent piece (contents undefined), or NULL when RAM is short. */
void *mem_carve(size_t size, size_t align);
size_t mem_left(void);
/* Every byte of RAM the guest was given (for the banner). */
uint64_t mem_total(void);
void mem_set_total(uint64_t bytes);

/*
 * A bump arena: allocations are released all at once by arena_reset.
 * Used for the buffers of one ioctl request.
 */
struct arena {
	uint8_t *base;
	size_t size;
	size_t used;
};

void arena_init(struct arena *a, void *base, size_t size);
void *arena_alloc(struct arena *a, size_t size, size_t align);
void arena_reset(struct arena *a);

#endif /* TG_MEM_H */
