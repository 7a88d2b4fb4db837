/*
 * ioctl.c: the IOCTL frame, checked strictly before anything runs.
 *
 * NAK BAD_LENGTH: the payload is shorter or longer than its own header,
 *   descriptors and IN buffers say it must be.
 * NAK BAD_REQUEST: nbufs above KSHIM_MAX_BUFS, arg_len different from the
 *   length encoded in cmd, a pad field nonzero, a descriptor whose pointer
 *   slot does not fit in the argument or whose dir has unknown bits, or an
 *   answer that would exceed KSHIM_FRAME_MAX_PAYLOAD.
 * Anything else is executed and answered with an errno, like ioctl(2):
 * the open(2) error when /dev/uvmshim cannot be opened (ENOENT without a
 * node, ENXIO without a driver), ENOMEM when the buffers do not fit in the
 * scratch arena.
 *
 * As NetBSD's sys_ioctl() does, the argument is copied back only when the
 * call succeeded and cmd has IOC_OUT; otherwise the answer carries the
 * argument as sent.  Pointer slots always go back as the harness sent
 * them, never as guest addresses.  OUT buffers go back whatever the
 * outcome (zero-filled unless the driver wrote them).  This is exactly
 * what the harness's test guest does (native/testguest/ioctl.c).
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/ioccom.h>

#include "ioctl.h"
#include "kshim_agent_proto.h"
#include "module.h"
#include "syscalls.h"
#include "util.h"
#include "uvmshim_ioctl.h"

/* The ABI header reproduces NetBSD's encoding; make sure it still does. */
_Static_assert(UVMSHIM_IOC_IN == IOC_IN, "IOC_IN");
_Static_assert(UVMSHIM_IOC_OUT == IOC_OUT, "IOC_OUT");
_Static_assert(UVMSHIM_IOCPARM_MASK == IOCPARM_MASK, "IOCPARM_MASK");
_Static_assert(UVMSHIM_IOCPARM_SHIFT == IOCPARM_SHIFT, "IOCPARM_SHIFT");

/*
 * Every buffer of one request: the IN data fit in one request payload and
 * the OUT data in one answer payload, so twice the maximum payload plus
 * alignment slack holds any valid request.  Static: the pages are only
 * touched (and so only allocated by UVM) as far as requests use them.
 */
#define SCRATCH_BYTES	(2 * (size_t)KSHIM_FRAME_MAX_PAYLOAD + 4096)
#define BUF_ALIGN	64
#define ARG_MAX		UVMSHIM_IOCPARM_MASK

static uint8_t scratch[SCRATCH_BYTES] __attribute__((__aligned__(4096)));
static size_t scratch_used;
/* The argument as the driver sees it: 8-aligned, pointers patched. */
static uint64_t arg_words[(ARG_MAX + 8) / 8];

static void *
scratch_alloc(uint32_t len)
{
	size_t at = (scratch_used + BUF_ALIGN - 1) & ~(size_t)(BUF_ALIGN - 1);

	if (at > SCRATCH_BYTES || len > SCRATCH_BYTES - at)
		return NULL;
	scratch_used = at + len;
	return scratch + at;
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
	int fd, rv;

	if (len < sizeof(r))
		return KSHIM_NAK_BAD_LENGTH;
	memcpy(&r, req, sizeof(r));
	if (r.nbufs > KSHIM_MAX_BUFS || r.pad0 != 0 ||
	    r.arg_len != IOCPARM_LEN(r.cmd))
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
	scratch_used = 0;
	for (i = 0; i < r.nbufs; i++) {
		uint64_t addr;

		bufs[i] = scratch_alloc(d[i].len);
		if (bufs[i] == NULL) {
			err = ENOMEM;
			break;
		}
		memset(bufs[i], 0, d[i].len);
		if (d[i].dir & KSHIM_BUF_IN) {
			memcpy(bufs[i], in, d[i].len);
			in += d[i].len;
		}
		addr = (uint64_t)(uintptr_t)bufs[i];
		memcpy((uint8_t *)arg_words + d[i].ptr_offset, &addr,
		    sizeof(addr));
	}

	t0 = t1 = 0;
	if (err == 0) {
		fd = uvmshim_fd();
		if (fd < 0)
			err = -fd;
		else {
			t0 = ks_monotonic_ns();
			rv = ks_ioctl(fd, (unsigned long)r.cmd, arg_words);
			t1 = ks_monotonic_ns();
			err = rv < 0 ? -rv : 0;
		}
	}

	resp.error = err;
	resp.arg_len = r.arg_len;
	resp.nsec = t1 - t0;
	memcpy(out, &resp, sizeof(resp));
	off = sizeof(resp);
	if (err == 0 && (r.cmd & IOC_OUT)) {
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
