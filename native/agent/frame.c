/*
 * frame.c: framing, CRC check and resynchronisation.
 *
 * Resync: while hunting for a frame, bytes are matched against the magic
 * ("KSHM" in memory order); a mismatch restarts the match at that byte
 * (the magic has no self-overlap, so nothing is missed), and garbage
 * between frames costs only itself.  A header with an oversized length is
 * NAKed (BAD_LENGTH) and the hunt restarts after it.  A complete frame with
 * a bad CRC is NAKed (BAD_CRC) with the request id its header claims, and
 * dropped whole: the harness sends one request at a time and retries, so
 * nothing useful follows it.  This is the same behaviour as the harness's
 * test guest (native/testguest/frame.c), on purpose.
 */
#include <sys/types.h>
#include <sys/errno.h>

#include "crc32.h"
#include "frame.h"
#include "syscalls.h"
#include "util.h"

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

/* CRC of a frame as the header says it should be: crc32 field zeroed. */
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

/* The header is complete: check its length, or finish an empty frame. */
static enum rx_event
frame_rx_header(struct frame_rx *rx)
{
	struct kshim_frame_hdr h;

	memcpy(&h, rx->buf, sizeof(h));
	if (h.length > KSHIM_FRAME_MAX_PAYLOAD) {
		rx->bad_len++;
		rx->nak_id = h.req_id;
		rx->nak_reason = KSHIM_NAK_BAD_LENGTH;
		frame_rx_reset(rx);
		return RX_NAK;
	}
	rx->need = FRAME_HDR_LEN + h.length;
	return RX_NONE;
}

/* have == need: verify the frame. */
static enum rx_event
frame_rx_complete(struct frame_rx *rx)
{
	struct kshim_frame_hdr h;

	memcpy(&h, rx->buf, sizeof(h));
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
frame_rx_feed(struct frame_rx *rx, const uint8_t *data, size_t len,
    size_t *used)
{
	enum rx_event ev;
	size_t i = 0, n;
	uint8_t b;

	if (len > 0)
		rx->last_ns = ks_monotonic_ns();
	while (i < len) {
		if (rx->have < sizeof(magic_bytes)) {
			b = data[i++];
			if (b != magic_bytes[rx->have]) {
				rx->resync_bytes += rx->have +
				    (b != magic_bytes[0]);
				rx->have = 0;
				if (b != magic_bytes[0])
					continue;
			}
			rx->buf[rx->have++] = b;
			continue;
		}
		/* Header or payload: copy as much as the frame still needs. */
		n = rx->need - rx->have;
		if (n > len - i)
			n = len - i;
		memcpy(rx->buf + rx->have, data + i, n);
		rx->have += (uint32_t)n;
		i += n;
		if (rx->have < rx->need)
			continue;
		if (rx->have == FRAME_HDR_LEN) {
			ev = frame_rx_header(rx);
			if (ev != RX_NONE) {
				*used = i;
				return ev;
			}
			if (rx->have < rx->need)
				continue;
		}
		*used = i;
		return frame_rx_complete(rx);
	}
	*used = i;
	return RX_NONE;
}

enum rx_event
frame_rx_idle(struct frame_rx *rx, uint64_t now_ns, uint64_t timeout_ns)
{
	struct kshim_frame_hdr h;
	int had_header;

	if (rx->have == 0 || now_ns - rx->last_ns < timeout_ns)
		return RX_NONE;
	had_header = rx->have >= FRAME_HDR_LEN;
	memcpy(&h, rx->buf, sizeof(h));
	rx->timeouts++;
	rx->dropped_have = rx->have;
	rx->dropped_need = rx->need;
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

int
frame_send(int fd, const uint8_t *frame, uint32_t len)
{
	long n;

	while (len > 0) {
		n = ks_write(fd, frame, len);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		frame += n;
		len -= (uint32_t)n;
	}
	return 0;
}
