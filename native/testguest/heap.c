/*
 * heap.c: segregated power-of-two free lists on a bump region.
 * Each block carries a 16-byte header with its class, so free() needs no
 * size and alignment stays 16.
 */
#include "heap.h"
#include "libk.h"

#define MIN_SHIFT	5	/* 32-byte blocks, header included */
#define MAX_SHIFT	40
#define HDR		16

struct block {
	struct block *next;	/* while free */
};

struct hdr {
	uint32_t shift;
	uint32_t magic;
	uint64_t pad;
};
#define HDR_MAGIC	0x68656170U	/* "heap" */

static uint8_t *heap_base;
static size_t heap_len, heap_bump, heap_used;
static struct block *free_lists[MAX_SHIFT + 1];

void
heap_init(void *base, size_t size)
{
	heap_base = base;
	heap_len = size;
	heap_reset();
}

void
heap_reset(void)
{
	heap_bump = 0;
	heap_used = 0;
	memset(free_lists, 0, sizeof(free_lists));
}

void *
heap_alloc(size_t size)
{
	uint32_t shift = MIN_SHIFT;
	struct hdr *h;

	if (size > ((size_t)1 << MAX_SHIFT) - HDR)
		return NULL;
	while (((size_t)1 << shift) < size + HDR)
		shift++;
	if (free_lists[shift] != NULL) {
		struct block *b = free_lists[shift];

		free_lists[shift] = b->next;
		h = (struct hdr *)b;
	} else {
		size_t bytes = (size_t)1 << shift;

		if (heap_len - heap_bump < bytes)
			return NULL;
		h = (struct hdr *)(heap_base + heap_bump);
		heap_bump += bytes;
	}
	h->shift = shift;
	h->magic = HDR_MAGIC;
	heap_used += (size_t)1 << shift;
	return (uint8_t *)h + HDR;
}

void *
heap_zalloc(size_t size)
{
	void *p = heap_alloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
heap_free(void *p)
{
	struct hdr *h;
	struct block *b;
	uint32_t shift;

	if (p == NULL)
		return;
	h = (struct hdr *)((uint8_t *)p - HDR);
	if (h->magic != HDR_MAGIC)
		return;		/* double free or foreign pointer: leak, don't corrupt */
	shift = h->shift;
	h->magic = 0;
	heap_used -= (size_t)1 << shift;
	b = (struct block *)h;
	b->next = free_lists[shift];
	free_lists[shift] = b;
}

size_t
heap_in_use(void)
{
	return heap_used;
}

size_t
heap_size(void)
{
	return heap_len;
}
