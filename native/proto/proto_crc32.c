/*
 * proto_crc32.c: table-driven CRC-32/IEEE.  The table is computed at
 * first use rather than spelt out, which keeps the source short and
 * obviously right; eight bits at a time is far faster than a serial line
 * anyway.
 */
#include "proto_impl.h"

static uint32_t crc_table[256];
static int crc_table_ready;

static void
crc32_make_table(void)
{
	uint32_t c, i;
	int k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_table_ready = 1;
}

uint32_t
proto_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_table_ready)
		crc32_make_table();
	crc = ~crc;
	while (len-- > 0)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
