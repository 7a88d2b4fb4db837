/*
 * heap.h: malloc/free for code that expects them (the model, through the
 * platform interface), over one region carved at boot.  Power-of-two size
 * classes with per-class free lists: constant-time, no coalescing, at most
 * 2x waste, and heap_reset() wipes everything when the agent restarts.
 */
#ifndef TG_HEAP_H
#define TG_HEAP_H

#include <stddef.h>
#include <stdint.h>

void heap_init(void *base, size_t size);
void heap_reset(void);
void *heap_alloc(size_t size);		/* 16-byte aligned, or NULL */
void *heap_zalloc(size_t size);
void heap_free(void *p);
size_t heap_in_use(void);		/* bytes handed out, class-rounded */
size_t heap_size(void);

#endif /* TG_HEAP_H */
