/*
 * frame.h: the framing layer of kshim_agent_proto.h on the agent UART.
 *
 * Receiving is a byte-fed state machine, so the main loop can interleave
 * the agent line with console polling (BREAK, ticks).  Sending writes a
 * complete frame; a "garble" request corrupts that one transmission on the
 * wire only, never the stored copy used for replays.
 */
#ifndef TG_FRAME_H
#define TG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "kshim_agent_proto.h"

#define FRAME_HDR_LEN	((uint32_t)sizeof(struct kshim_frame_hdr))

enum rx_event {
	RX_NONE = 0,	/* keep feeding */
	RX_FRAME,	/* a verified frame is in rx->buf */
	RX_NAK		/* answer rx->nak_reason for rx->nak_id */
};

struct frame_rx {
	uint8_t *buf;		/* header + up to KSHIM_FRAME_MAX_PAYLOAD */
	uint32_t have;		/* bytes of the current frame so far */
	uint32_t need;		/* bytes the current frame needs in all */
	uint64_t last_tsc;	/* when the last byte arrived */
	uint32_t nak_id;
	uint32_t nak_reason;
	/* counters, for the console and for debugging the harness */
	uint32_t frames, bad_crc, bad_len, resync_bytes, timeouts;
};

void frame_rx_init(struct frame_rx *rx, uint8_t *buf);
void frame_rx_reset(struct frame_rx *rx);
enum rx_event frame_rx_byte(struct frame_rx *rx, uint8_t b);
/*
 * Called while idle: a frame left incomplete for too long is dropped (its
 * length field was probably corrupted and the bytes will never come).
 * Returns RX_NAK (BAD_LENGTH) when a header had been received.
 */
enum rx_event frame_rx_idle(struct frame_rx *rx, uint64_t now_tsc,
    uint64_t timeout_tsc);

static inline const struct kshim_frame_hdr *
frame_hdr(const uint8_t *frame)
{
	return (const struct kshim_frame_hdr *)frame;
}

/*
 * Fill in the header of a frame whose payload already sits at
 * frame + FRAME_HDR_LEN, computing the CRC.  Returns the frame length.
 */
uint32_t frame_seal(uint8_t *frame, uint16_t type, uint32_t req_id,
    uint32_t payload_len);

/*
 * Write a sealed frame to the agent UART.  garble selects a corruption of
 * this transmission: 0 none, odd the CRC field, even one payload byte (or
 * the CRC again when there is no payload).  Both fail the receiver's CRC.
 */
void frame_send(const uint8_t *frame, uint32_t len, uint32_t garble);

#endif /* TG_FRAME_H */
