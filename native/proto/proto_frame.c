/*
 * proto_frame.c: framing, CRC check and resynchronisation.
 *
 * Resync: while hunting for a frame, bytes are matched against the magic
 * ("KSHM" in memory order); a mismatch restarts the match at that byte
 * (the magic has no self-overlap, so nothing is missed), and garbage
 * between frames costs only itself.  A header with an oversized length is
 * NAKed (BAD_LENGTH) and the hunt restarts after it.  A complete frame with
 * a bad CRC is NAKed (BAD_CRC) with the request id its header claims, and
 * dropped whole: the harness sends one request at a time and retries, so
 * nothing useful follows it.
 *
 * The receiver takes bytes in pieces of any size, so a frame may arrive in
 * many reads and one read may carry garbage, a frame and more; the header
 * and payload are copied in bulk, only the magic is matched byte by byte.
 */
#include "proto_impl.h"

static const uint8_t magic_bytes[4] = {
	KSHIM_FRAME_MAGIC & 0xff, (KSHIM_FRAME_MAGIC >> 8) & 0xff,
	(KSHIM_FRAME_MAGIC >> 16) & 0xff, KSHIM_FRAME_MAGIC >> 24
};

void
proto_rx_init(struct kshim_proto_rx *rx, uint8_t *buf)
{
	kshim_memzero(rx, sizeof(*rx));
	rx->rx_buf = buf;
	proto_rx_reset(rx);
}

void
proto_rx_reset(struct kshim_proto_rx *rx)
{
	rx->rx_have = 0;
	rx->rx_need = KSHIM_PROTO_HDR_LEN;
	rx->rx_reported = 0;
}

/* CRC of a frame as the header says it should be: crc32 field zeroed. */
static uint32_t
frame_crc(const uint8_t *frame, uint32_t payload_len)
{
	struct kshim_frame_hdr h;
	uint32_t crc;

	kshim_memcpy(&h, frame, sizeof(h));
	h.crc32 = 0;
	crc = proto_crc32(0, &h, sizeof(h));
	return proto_crc32(crc, frame + KSHIM_PROTO_HDR_LEN, payload_len);
}

/* The header is complete: check its length, or go on to the payload. */
static enum proto_rx_event
rx_header(struct kshim_proto_rx *rx)
{
	struct kshim_frame_hdr h;

	kshim_memcpy(&h, rx->rx_buf, sizeof(h));
	if (h.length > KSHIM_FRAME_MAX_PAYLOAD) {
		rx->rx_stats.ps_bad_len++;
		rx->rx_nak_id = h.req_id;
		rx->rx_nak_reason = KSHIM_NAK_BAD_LENGTH;
		proto_rx_reset(rx);
		return PROTO_RX_NAK;
	}
	rx->rx_need = KSHIM_PROTO_HDR_LEN + h.length;
	return PROTO_RX_NONE;
}

/* have == need: verify the frame. */
static enum proto_rx_event
rx_complete(struct kshim_proto_rx *rx)
{
	struct kshim_frame_hdr h;

	kshim_memcpy(&h, rx->rx_buf, sizeof(h));
	proto_rx_reset(rx);
	if (frame_crc(rx->rx_buf, h.length) != h.crc32) {
		rx->rx_stats.ps_bad_crc++;
		rx->rx_nak_id = h.req_id;
		rx->rx_nak_reason = KSHIM_NAK_BAD_CRC;
		return PROTO_RX_NAK;
	}
	rx->rx_stats.ps_frames++;
	return PROTO_RX_FRAME;
}

enum proto_rx_event
proto_rx_feed(struct kshim_proto_rx *rx, const uint8_t *data, size_t len,
    size_t *used)
{
	enum proto_rx_event ev;
	size_t i = 0, n;
	uint8_t b;

	while (i < len) {
		if (rx->rx_have < sizeof(magic_bytes)) {
			b = data[i++];
			if (b != magic_bytes[rx->rx_have]) {
				rx->rx_stats.ps_resync_bytes += rx->rx_have +
				    (b != magic_bytes[0]);
				rx->rx_have = 0;
				if (b != magic_bytes[0])
					continue;
			}
			rx->rx_buf[rx->rx_have++] = b;
			continue;
		}
		/* Header or payload: copy as much as the frame still needs. */
		n = rx->rx_need - rx->rx_have;
		if (n > len - i)
			n = len - i;
		kshim_memcpy(rx->rx_buf + rx->rx_have, data + i, n);
		rx->rx_have += (uint32_t)n;
		i += n;
		if (rx->rx_have < rx->rx_need)
			continue;
		if (rx->rx_have == KSHIM_PROTO_HDR_LEN) {
			ev = rx_header(rx);
			if (ev != PROTO_RX_NONE) {
				*used = i;
				return ev;
			}
			if (rx->rx_have < rx->rx_need)
				continue;
		}
		*used = i;
		return rx_complete(rx);
	}
	*used = i;
	return PROTO_RX_NONE;
}

enum proto_rx_event
proto_rx_idle(struct kshim_proto_rx *rx, uint64_t now_ns, uint64_t timeout_ns)
{
	struct kshim_frame_hdr h;
	int had_header;

	/* A clock that stepped back counts as no time at all. */
	if (rx->rx_have == 0 || now_ns < rx->rx_last_ns ||
	    now_ns - rx->rx_last_ns < timeout_ns)
		return PROTO_RX_NONE;
	had_header = rx->rx_have >= KSHIM_PROTO_HDR_LEN;
	kshim_memcpy(&h, rx->rx_buf, sizeof(h));
	rx->rx_stats.ps_timeouts++;
	rx->rx_dropped_have = rx->rx_have;
	rx->rx_dropped_need = rx->rx_need;
	proto_rx_reset(rx);
	if (!had_header)
		return PROTO_RX_NONE;
	rx->rx_nak_id = h.req_id;
	rx->rx_nak_reason = KSHIM_NAK_BAD_LENGTH;
	return PROTO_RX_NAK;
}

int
proto_rx_progress(struct kshim_proto_rx *rx, struct kshim_progress *pr,
    uint32_t *req_id)
{
	struct kshim_frame_hdr h;

	/* Only past a header that passed rx_header(), and not when done. */
	if (rx->rx_have <= KSHIM_PROTO_HDR_LEN || rx->rx_have >= rx->rx_need ||
	    rx->rx_have - rx->rx_reported < KSHIM_PROGRESS_EVERY)
		return 0;
	kshim_memcpy(&h, rx->rx_buf, sizeof(h));
	rx->rx_reported = rx->rx_have;
	pr->have = rx->rx_have;
	pr->need = rx->rx_need;
	*req_id = h.req_id;
	return 1;
}

uint32_t
proto_frame_seal(uint8_t *frame, uint16_t type, uint32_t req_id,
    uint32_t payload_len)
{
	struct kshim_frame_hdr h;

	kshim_memzero(&h, sizeof(h));
	h.magic = KSHIM_FRAME_MAGIC;
	h.length = payload_len;
	h.req_id = req_id;
	h.type = type;
	kshim_memcpy(frame, &h, sizeof(h));
	h.crc32 = frame_crc(frame, payload_len);
	kshim_memcpy(frame, &h, sizeof(h));
	return KSHIM_PROTO_HDR_LEN + payload_len;
}
