/*
 * ioctl.c: the IOCTL frame, checked strictly before anything runs.
 *
 * NAK BAD_LENGTH: the payload is shorter or longer than its own header,
 *   descriptors and IN buffers say it must be.
 * NAK BAD_REQUEST: nbufs above KSHIM_MAX_BUFS, arg_len different from the
 *   length encoded in cmd, a pad field nonzero, a descriptor whose pointer
 *   slot does not fit in the argument or whose dir has unknown bits, or an
 *   answer that would exceed KSHIM_FRAME_MAX_PAYLOAD.
 * Anything else is executed and answered with the device's errno, like
 * ioctl(2): ENOMEM when the buffers do not fit in the scratch arena.
 *
 * As in NetBSD's sys_ioctl(), the argument is copied back only when the
 * call succeeded and cmd has IOC_OUT; otherwise the answer carries the
 * argument as sent.  Pointer slots always go back as the harness sent
 * them.  OUT buffers go back whatever the outcome (zero-filled unless the
 * device wrote them).
 */
#include "ioctl.h"
#include "clock.h"
#include "device.h"
#include "io.h"
#include "libc.h"
#include "mem.h"
#include "kshim_agent_proto.h"
#include "uvmshim_ioctl.h"

/* Every buffer of one request: IN data <= one payload, OUT <= one answer. */
#define SCRATCH_BYTES	(2 * (size_t)KSHIM_FRAME_MAX_PAYLOAD + 4096)
#define ARG_MAX		UVMSHIM_IOCPARM_MASK

static struct arena scratch;
/* The argument as the device sees it: 8-aligned, pointers patched. */
static uint64_t arg_words[(ARG_MAX + 8) / 8];

int
ioctl_init(void)
{
	void *p = mem_carve(SCRATCH_BYTES, 4096);

	if (p == NULL)
		return 0;
	arena_init(&scratch, p, SCRATCH_BYTES);
	return 1;
}

uint32_t
ioctl_serve(const uint8_t *req, uint32_t len, uint8_t *out, uint32_t *out_len)
{
	struct kshim_ioctl_req r;
	struct kshim_buf_desc d[KSHIM_MAX_BUFS];
	struct kshim_ioctl_resp resp;
	uint8_t *bufs[KSHIM_MAX_BUFS] = { NULL };
	const uint8_t *arg, *in;
	uint64_t need, answer_len, t0, t1;
	uint32_t i, off;
	int32_t err = 0;

	if (len < sizeof(r))
		return KSHIM_NAK_BAD_LENGTH;
	memcpy(&r, req, sizeof(r));
	if (r.nbufs > KSHIM_MAX_BUFS || r.pad0 != 0 ||
	    r.arg_len != ((r.cmd >> UVMSHIM_IOCPARM_SHIFT) & UVMSHIM_IOCPARM_MASK))
		return KSHIM_NAK_BAD_REQUEST;
	need = sizeof(r) + (uint64_t)r.nbufs * sizeof(d[0]) + r.arg_len;
	if (len < need)
		return KSHIM_NAK_BAD_LENGTH;
	memcpy(d, req + sizeof(r), r.nbufs * sizeof(d[0]));
	answer_len = sizeof(resp) + r.arg_len;
	for (i = 0; i < r.nbufs; i++) {
		if (d[i].pad0 != 0 ||
		    (d[i].dir & ~(KSHIM_BUF_IN | KSHIM_BUF_OUT)) != 0 ||
		    (uint64_t)d[i].ptr_offset + sizeof(uint64_t) > r.arg_len)
			return KSHIM_NAK_BAD_REQUEST;
		if (d[i].dir & KSHIM_BUF_IN)
			need += d[i].len;
		if (d[i].dir & KSHIM_BUF_OUT)
			answer_len += d[i].len;
	}
	if (len != need)
		return KSHIM_NAK_BAD_LENGTH;
	if (answer_len > KSHIM_FRAME_MAX_PAYLOAD)
		return KSHIM_NAK_BAD_REQUEST;

	arg = req + sizeof(r) + r.nbufs * sizeof(d[0]);
	in = arg + r.arg_len;
	memset(arg_words, 0, sizeof(arg_words));
	memcpy(arg_words, arg, r.arg_len);

	/* Guest buffers: zeroed, IN data copied, address patched in. */
	arena_reset(&scratch);
	for (i = 0; i < r.nbufs; i++) {
		uint64_t addr;

		bufs[i] = arena_alloc(&scratch, d[i].len, 16);
		if (bufs[i] == NULL) {
			err = UVMSHIM_ENOMEM;
			break;
		}
		memset(bufs[i], 0, d[i].len);
		if (d[i].dir & KSHIM_BUF_IN) {
			memcpy(bufs[i], in, d[i].len);
			in += d[i].len;
		}
		addr = (uintptr_t)bufs[i];
		memcpy((uint8_t *)arg_words + d[i].ptr_offset, &addr, sizeof(addr));
	}

	/*
	 * sys_ioctl() copies the argument in only for IOC_IN; otherwise the
	 * device sees zeroes (and no pointer the agent may have stored).
	 */
	if (!(r.cmd & UVMSHIM_IOC_IN))
		memset(arg_words, 0, sizeof(arg_words));

	t0 = rdtsc();
	if (err == 0)
		err = device_ioctl(r.cmd, arg_words);
	t1 = rdtsc();

	resp.error = err;
	resp.arg_len = r.arg_len;
	resp.nsec = clock_tsc_to_nsec(t1 - t0);
	memcpy(out, &resp, sizeof(resp));
	off = sizeof(resp);
	if (err == 0 && (r.cmd & UVMSHIM_IOC_OUT)) {
		/* Copied out, but with the harness's own pointer values. */
		for (i = 0; i < r.nbufs; i++)
			memcpy((uint8_t *)arg_words + d[i].ptr_offset,
			    arg + d[i].ptr_offset, sizeof(uint64_t));
		memcpy(out + off, arg_words, r.arg_len);
	} else
		memcpy(out + off, arg, r.arg_len);
	off += r.arg_len;
	for (i = 0; i < r.nbufs; i++) {
		if (!(d[i].dir & KSHIM_BUF_OUT))
			continue;
		if (bufs[i] != NULL)
			memcpy(out + off, bufs[i], d[i].len);
		else
			memset(out + off, 0, d[i].len);
		off += d[i].len;
	}
	*out_len = off;
	return 0;
}
