/*
 * frame.c: framing, CRC check and resynchronisation.
 *
 * Resync: while looking for a frame, bytes are matched against the magic
 * ("KSHM" in memory order); a mismatch restarts the match at that byte, so
 * garbage between frames costs only itself.  A header with an oversized
 * length is NAKed (BAD_LENGTH) and the hunt restarts.  A complete frame
 * with a bad CRC is NAKed (BAD_CRC) and dropped whole: the harness sends
 * one request at a time, so nothing useful follows it in the stream.
 */
#include "frame.h"
#include "crc32.h"
#include "libc.h"
#include "uart.h"

static const uint8_t magic_bytes[4] = {
	KSHIM_FRAME_MAGIC & 0xff, (KSHIM_FRAME_MAGIC >> 8) & 0xff,
	(KSHIM_FRAME_MAGIC >> 16) & 0xff, KSHIM_FRAME_MAGIC >> 24
};

void
frame_rx_init(struct frame_rx *rx, uint8_t *buf)
{
	memset(rx, 0, sizeof(*rx));
	rx->buf = buf;
	frame_rx_reset(rx);
}

void
frame_rx_reset(struct frame_rx *rx)
{
	rx->have = 0;
	rx->need = FRAME_HDR_LEN;
}

static uint32_t
frame_crc(const uint8_t *frame, uint32_t payload_len)
{
	struct kshim_frame_hdr h;
	uint32_t crc;

	memcpy(&h, frame, sizeof(h));
	h.crc32 = 0;
	crc = crc32_update(0, &h, sizeof(h));
	return crc32_update(crc, frame + FRAME_HDR_LEN, payload_len);
}

enum rx_event
frame_rx_byte(struct frame_rx *rx, uint8_t b)
{
	struct kshim_frame_hdr h;

	if (rx->have < sizeof(magic_bytes)) {
		if (b != magic_bytes[rx->have]) {
			rx->resync_bytes += rx->have + (b != magic_bytes[0]);
			/* The magic has no self-overlap: restart at this byte. */
			rx->have = 0;
			if (b != magic_bytes[0])
				return RX_NONE;
		}
	}
	rx->buf[rx->have++] = b;
	if (rx->have < rx->need)
		return RX_NONE;

	memcpy(&h, rx->buf, sizeof(h));
	if (rx->have == FRAME_HDR_LEN) {
		if (h.length > KSHIM_FRAME_MAX_PAYLOAD) {
			rx->bad_len++;
			rx->nak_id = h.req_id;
			rx->nak_reason = KSHIM_NAK_BAD_LENGTH;
			frame_rx_reset(rx);
			return RX_NAK;
		}
		rx->need = FRAME_HDR_LEN + h.length;
		if (h.length != 0)
			return RX_NONE;
	}

	/* A whole frame. */
	frame_rx_reset(rx);
	if (frame_crc(rx->buf, h.length) != h.crc32) {
		rx->bad_crc++;
		rx->nak_id = h.req_id;
		rx->nak_reason = KSHIM_NAK_BAD_CRC;
		return RX_NAK;
	}
	rx->frames++;
	return RX_FRAME;
}

enum rx_event
frame_rx_idle(struct frame_rx *rx, uint64_t now_tsc, uint64_t timeout_tsc)
{
	struct kshim_frame_hdr h;
	int had_header;

	if (rx->have == 0 || now_tsc - rx->last_tsc < timeout_tsc)
		return RX_NONE;
	had_header = rx->have >= FRAME_HDR_LEN;
	memcpy(&h, rx->buf, sizeof(h));
	rx->timeouts++;
	frame_rx_reset(rx);
	if (!had_header)
		return RX_NONE;
	rx->nak_id = h.req_id;
	rx->nak_reason = KSHIM_NAK_BAD_LENGTH;
	return RX_NAK;
}

uint32_t
frame_seal(uint8_t *frame, uint16_t type, uint32_t req_id,
    uint32_t payload_len)
{
	struct kshim_frame_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = KSHIM_FRAME_MAGIC;
	h.length = payload_len;
	h.req_id = req_id;
	h.type = type;
	memcpy(frame, &h, sizeof(h));
	h.crc32 = frame_crc(frame, payload_len);
	memcpy(frame, &h, sizeof(h));
	return FRAME_HDR_LEN + payload_len;
}

void
frame_send(const uint8_t *frame, uint32_t len, uint32_t garble)
{
	uint32_t at, crc_at = offsetof(struct kshim_frame_hdr, crc32);
	uint8_t bad;

	if (garble == 0) {
		uart_write(&uart_agent, frame, len);
		return;
	}
	/* Corrupt one byte on the wire: the CRC's, or a payload byte's. */
	at = (garble % 2 == 1 || len == FRAME_HDR_LEN) ? crc_at :
	    FRAME_HDR_LEN + (len - FRAME_HDR_LEN) / 2;
	bad = frame[at] ^ 0x5a;
	uart_write(&uart_agent, frame, at);
	uart_write(&uart_agent, &bad, 1);
	uart_write(&uart_agent, frame + at + 1, len - at - 1);
}
