/*
 * crc32.h: CRC-32/IEEE (reflected polynomial 0xedb88320, init and final
 * xor 0xffffffff), bit-identical to zlib's crc32(), which is what the
 * harness uses on its side of the agent protocol.
 */
#ifndef TG_CRC32_H
#define TG_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order: crc = crc32_update(crc, ...). */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

#endif /* TG_CRC32_H */
