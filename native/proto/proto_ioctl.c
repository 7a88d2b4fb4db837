/*
 * proto_ioctl.c: the IOCTL request, checked strictly before anything runs.
 *
 * NAK BAD_LENGTH: the payload is shorter or longer than its own header,
 *   descriptors and IN buffers say it must be.
 * NAK BAD_REQUEST: nbufs above KSHIM_MAX_BUFS, arg_len different from the
 *   length encoded in cmd, a pad field nonzero, a descriptor whose pointer
 *   slot does not fit in the argument or whose dir has unknown bits, or an
 *   answer that would exceed KSHIM_FRAME_MAX_PAYLOAD.
 * Anything else runs and is answered with an errno, as ioctl(2) would:
 * the platform's (ENXIO without the module, for one), or ENOMEM when the
 * buffers do not fit in the scratch memory.
 *
 * As NetBSD's sys_ioctl() does, the argument is copied back only when the
 * call succeeded and cmd has IOC_OUT; otherwise the answer carries the
 * argument as sent.  Pointer slots always go back as the harness sent
 * them, never as guest addresses (the harness never sees those).  OUT
 * buffers go back whatever the outcome: zeroes unless the device wrote
 * them.
 */
#include "proto_impl.h"

/* Cache-line aligned: the device sees buffers as a C library hands out. */
#define BUF_ALIGN	64

_Static_assert(sizeof(((struct kshim_proto *)0)->p_arg) >=
    UVMSHIM_IOCPARM_MASK, "p_arg holds the largest argument");

static void *
scratch_alloc(struct kshim_proto *p, uint32_t len)
{
	size_t at = (p->p_scratch_used + BUF_ALIGN - 1) &
	    ~(size_t)(BUF_ALIGN - 1);

	if (at > KSHIM_PROTO_SCRATCH_BYTES ||
	    len > KSHIM_PROTO_SCRATCH_BYTES - at)
		return NULL;
	p->p_scratch_used = at + len;
	return p->p_cfg.pc_scratch + at;
}

/*
 * Check the request against itself, filling r and d.  Every length is
 * summed in 64 bits, so no field can wrap a check.
 */
static uint32_t
ioctl_check(const uint8_t *req, uint32_t len, struct kshim_ioctl_req *r,
    struct kshim_buf_desc *d)
{
	uint64_t need, answer_len;
	uint32_t i;

	if (len < sizeof(*r))
		return KSHIM_NAK_BAD_LENGTH;
	kshim_memcpy(r, req, sizeof(*r));
	if (r->nbufs > KSHIM_MAX_BUFS || r->pad0 != 0 ||
	    r->arg_len != ((r->cmd >> UVMSHIM_IOCPARM_SHIFT) &
	    UVMSHIM_IOCPARM_MASK))
		return KSHIM_NAK_BAD_REQUEST;
	need = sizeof(*r) + (uint64_t)r->nbufs * sizeof(d[0]) + r->arg_len;
	if (len < need)
		return KSHIM_NAK_BAD_LENGTH;
	kshim_memcpy(d, req + sizeof(*r), r->nbufs * sizeof(d[0]));
	answer_len = sizeof(struct kshim_ioctl_resp) + r->arg_len;
	for (i = 0; i < r->nbufs; i++) {
		if (d[i].pad0 != 0 ||
		    (d[i].dir & ~(KSHIM_BUF_IN | KSHIM_BUF_OUT)) != 0 ||
		    (uint64_t)d[i].ptr_offset + sizeof(uint64_t) > r->arg_len)
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
	return 0;
}

uint32_t
proto_ioctl(struct kshim_proto *p, const uint8_t *req, uint32_t len,
    uint8_t *out, uint32_t *out_len)
{
	const struct kshim_proto_ops *ops = p->p_cfg.pc_ops;
	struct kshim_ioctl_req r;
	struct kshim_buf_desc d[KSHIM_MAX_BUFS];
	struct kshim_ioctl_resp resp;
	uint8_t *bufs[KSHIM_MAX_BUFS] = { NULL };
	uint8_t *argp = (uint8_t *)p->p_arg;
	const uint8_t *arg, *in;
	uint64_t nsec = 0, addr;
	uint32_t i, off, nak;
	int32_t err = 0;

	nak = ioctl_check(req, len, &r, d);
	if (nak != 0)
		return nak;

	arg = req + sizeof(r) + r.nbufs * sizeof(d[0]);
	in = arg + r.arg_len;
	kshim_memzero(p->p_arg, sizeof(p->p_arg));
	kshim_memcpy(argp, arg, r.arg_len);

	/* Guest buffers: zeroed, IN data copied, address patched in. */
	p->p_scratch_used = 0;
	for (i = 0; i < r.nbufs; i++) {
		bufs[i] = scratch_alloc(p, d[i].len);
		if (bufs[i] == NULL) {
			err = UVMSHIM_ENOMEM;
			break;
		}
		kshim_memzero(bufs[i], d[i].len);
		if (d[i].dir & KSHIM_BUF_IN) {
			kshim_memcpy(bufs[i], in, d[i].len);
			in += d[i].len;
		}
		addr = (uint64_t)(uintptr_t)bufs[i];
		kshim_memcpy(argp + d[i].ptr_offset, &addr, sizeof(addr));
	}

	if (err == 0)
		err = ops->po_ioctl(p->p_cfg.pc_ctx, r.cmd, p->p_arg, r.arg_len,
		    &nsec);

	resp.error = err;
	resp.arg_len = r.arg_len;
	resp.nsec = nsec;
	kshim_memcpy(out, &resp, sizeof(resp));
	off = sizeof(resp);
	if (err == 0 && (r.cmd & UVMSHIM_IOC_OUT)) {
		/* Copied out, but with the harness's own pointer values. */
		for (i = 0; i < r.nbufs; i++)
			kshim_memcpy(argp + d[i].ptr_offset,
			    arg + d[i].ptr_offset, sizeof(uint64_t));
		kshim_memcpy(out + off, argp, r.arg_len);
	} else
		kshim_memcpy(out + off, arg, r.arg_len);
	off += r.arg_len;
	for (i = 0; i < r.nbufs; i++) {
		if (!(d[i].dir & KSHIM_BUF_OUT))
			continue;
		if (bufs[i] != NULL)
			kshim_memcpy(out + off, bufs[i], d[i].len);
		else
			kshim_memzero(out + off, d[i].len);
		off += d[i].len;
	}
	*out_len = off;
	return 0;
}
