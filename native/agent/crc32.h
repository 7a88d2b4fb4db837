/*
 * crc32.h: CRC-32/IEEE as zlib computes it (reflected polynomial
 * 0xedb88320, initial value and final xor ~0), the frame checksum of
 * kshim_agent_proto.h.  crc32_update(0, buf, len) is zlib's crc32().
 */
#ifndef KSHIM_AGENT_CRC32_H
#define KSHIM_AGENT_CRC32_H

#include <sys/types.h>

uint32_t crc32_update(uint32_t, const void *, size_t);

#endif /* KSHIM_AGENT_CRC32_H */
