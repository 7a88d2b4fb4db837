/*
 * frame.h: the framing layer of kshim_agent_proto.h on the agent serial
 * line (com1).
 *
 * Receiving is a state machine fed with whatever read(2) returned, so a
 * frame may arrive in any number of pieces and several frames (or garbage
 * and a frame) may arrive in one piece.  Sending writes a sealed frame.
 */
#ifndef KSHIM_AGENT_FRAME_H
#define KSHIM_AGENT_FRAME_H

#include <sys/types.h>

#include "kshim_agent_proto.h"

#define FRAME_HDR_LEN	((uint32_t)sizeof(struct kshim_frame_hdr))
#define FRAME_MAX_LEN	(FRAME_HDR_LEN + KSHIM_FRAME_MAX_PAYLOAD)

enum rx_event {
	RX_NONE = 0,	/* keep feeding */
	RX_FRAME,	/* a verified frame is in rx->buf */
	RX_NAK		/* answer rx->nak_reason for request rx->nak_id */
};

struct frame_rx {
	uint8_t *buf;		/* FRAME_MAX_LEN bytes */
	uint32_t have;		/* bytes of the current frame so far */
	uint32_t need;		/* bytes the current frame needs in all */
	uint64_t last_ns;	/* monotonic time of the last byte */
	uint32_t nak_id;
	uint32_t nak_reason;
	/* counters, shown on the console when something goes wrong */
	uint32_t frames, bad_crc, bad_len, resync_bytes, timeouts;
	uint32_t dropped_have, dropped_need;	/* the last timed-out frame */
};

void	frame_rx_init(struct frame_rx *, uint8_t *);
void	frame_rx_reset(struct frame_rx *);

/*
 * Feed len bytes; stops at the first event.  *used tells how many bytes
 * were consumed: the caller feeds the rest again after handling it.
 */
enum rx_event frame_rx_feed(struct frame_rx *, const uint8_t *, size_t,
	    size_t *);

/*
 * Called when no byte came for a while: a frame left incomplete for
 * timeout_ns is dropped (its length field was probably corrupted and the
 * bytes it waits for will never come).  Returns RX_NAK (BAD_LENGTH) when a
 * whole header had arrived, so the harness learns about it at once.
 */
enum rx_event frame_rx_idle(struct frame_rx *, uint64_t, uint64_t);

/*
 * Fill in the header of a frame whose payload already sits at
 * frame + FRAME_HDR_LEN, computing the CRC.  Returns the frame length.
 */
uint32_t frame_seal(uint8_t *, uint16_t, uint32_t, uint32_t);

/* Write a whole sealed frame.  Returns 0 or -errno. */
int	frame_send(int, const uint8_t *, uint32_t);

#endif /* KSHIM_AGENT_FRAME_H */
