/*
 * proto_serve.c: request dispatch, the replay cache, READY and NAKs.
 *
 * The last executed request's answer stays in the tx buffer until the next
 * request is executed, so a retry with the same id is answered by
 * resending it byte for byte without running the request again (a MODULE
 * load or a mapping ioctl must never happen twice).  NAKs and READY are
 * built in a separate small buffer so they never clobber it, and a NAKed
 * request is neither executed nor cached.
 *
 * A new request that is one to run is ACCEPTED before it runs, so the
 * harness waits for a slow answer instead of resending; a long frame
 * coming in is reported in PROGRESS frames, so the harness never has more
 * of it in flight than the guest's tty queue holds (kshim_agent_proto.h).
 *
 * Every field a request carries is checked before it is used: lengths
 * against the payload, strings for their NUL, the IOCTL request against
 * itself (proto_ioctl.c).  The platform sees only requests that passed.
 */
#include "proto_impl.h"

#define RX_TIMEOUT_NS	((uint64_t)KSHIM_PROTO_RX_TIMEOUT_MS * 1000 * 1000)

int
kshim_proto_init(struct kshim_proto *p, const struct kshim_proto_config *cfg)
{
	const struct kshim_proto_ops *ops = cfg->pc_ops;

	if (ops == NULL || ops->po_read == NULL || ops->po_write == NULL ||
	    ops->po_now_ns == NULL || ops->po_boot_id == NULL ||
	    ops->po_module_error == NULL || ops->po_ioctl == NULL ||
	    ops->po_module == NULL || ops->po_sysctl == NULL ||
	    ops->po_power_off == NULL ||
	    (ops->po_fault_check == NULL) != (ops->po_fault == NULL))
		return UVMSHIM_EINVAL;
	if (cfg->pc_rx_buf == NULL || cfg->pc_tx_buf == NULL ||
	    cfg->pc_scratch == NULL || cfg->pc_stage == NULL ||
	    cfg->pc_stage_len == 0 || cfg->pc_agent_version == NULL ||
	    cfg->pc_os_version == NULL)
		return UVMSHIM_EINVAL;
	kshim_memzero(p, sizeof(*p));
	p->p_cfg = *cfg;
	proto_rx_init(&p->p_rx, cfg->pc_rx_buf);
	return 0;
}

void
kshim_proto_restart(struct kshim_proto *p)
{
	p->p_last_id = 0;
	p->p_tx_len = 0;
	proto_rx_reset(&p->p_rx);
}

static void
note(struct kshim_proto *p, const struct kshim_proto_note *n)
{
	if (p->p_cfg.pc_ops->po_note != NULL)
		p->p_cfg.pc_ops->po_note(p->p_cfg.pc_ctx, n,
		    &p->p_rx.rx_stats);
}

/* Write a frame; a failure is only worth a note (the harness retries). */
static int
proto_send(struct kshim_proto *p, const uint8_t *frame, uint32_t len)
{
	struct kshim_frame_hdr h;
	struct kshim_proto_note n = { .pn_kind = KSHIM_NOTE_SEND_FAILED };
	int rv;

	rv = p->p_cfg.pc_ops->po_write(p->p_cfg.pc_ctx, frame, len);
	if (rv < 0) {
		kshim_memcpy(&h, frame, sizeof(h));
		n.pn_req_id = h.req_id;
		n.pn_type = h.type;
		n.pn_error = -rv;
		note(p, &n);
	}
	return rv;
}

static void
send_small(struct kshim_proto *p, uint16_t type, uint32_t req_id,
    const void *payload, uint32_t len)
{
	if (len > 0)
		kshim_memcpy(p->p_small + KSHIM_PROTO_HDR_LEN, payload, len);
	(void)proto_send(p, p->p_small,
	    proto_frame_seal(p->p_small, type, req_id, len));
}

static void
fill_ready(struct kshim_proto *p, struct kshim_ready *r)
{
	const struct kshim_proto_config *cfg = &p->p_cfg;

	kshim_memzero(r, sizeof(*r));
	r->proto_version = KSHIM_PROTO_VERSION;
	r->agent_kind = cfg->pc_agent_kind;
	r->boot_id = cfg->pc_ops->po_boot_id(cfg->pc_ctx);
	r->module_error = cfg->pc_ops->po_module_error(cfg->pc_ctx);
	kshim_strlcpy(r->agent_version, cfg->pc_agent_version,
	    sizeof(r->agent_version));
	kshim_strlcpy(r->os_version, cfg->pc_os_version,
	    sizeof(r->os_version));
}

void
kshim_proto_send_ready(struct kshim_proto *p)
{
	struct kshim_ready r;

	fill_ready(p, &r);
	send_small(p, KSHIM_FRAME_READY, 0, &r, sizeof(r));
}

static void
send_nak(struct kshim_proto *p, uint32_t req_id, uint32_t reason)
{
	struct kshim_nak nak = { .reason = reason, .pad0 = 0 };
	struct kshim_proto_note n = {
		.pn_kind = KSHIM_NOTE_NAK,
		.pn_req_id = req_id,
		.pn_reason = reason,
	};

	note(p, &n);
	send_small(p, KSHIM_FRAME_NAK, req_id, &nak, sizeof(nak));
}

/* Seal the answer in the tx buffer, cache it, send it. */
static void
answer(struct kshim_proto *p, const struct kshim_frame_hdr *req,
    uint32_t payload_len)
{
	p->p_tx_len = proto_frame_seal(p->p_cfg.pc_tx_buf,
	    req->type | KSHIM_FRAME_RESPONSE, req->req_id, payload_len);
	p->p_last_id = req->req_id;
	(void)proto_send(p, p->p_cfg.pc_tx_buf, p->p_tx_len);
}

static uint32_t
put_status(struct kshim_proto *p, int32_t error)
{
	struct kshim_status s = { .error = error, .pad0 = 0 };

	kshim_memcpy(p->p_cfg.pc_tx_buf + KSHIM_PROTO_HDR_LEN, &s, sizeof(s));
	return sizeof(s);
}

/* 1 when the size bytes at s hold a NUL (a string the sender ended). */
static int
has_nul(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (s[i] == '\0')
			return 1;
	return 0;
}

/* What a request's payload must be; IOCTL's checks itself (proto_ioctl.c). */
#define REQ_NOT_A_REQUEST	(-1)
#define REQ_VARIABLE		(-2)

static int64_t
request_len(uint16_t type)
{
	switch (type) {
	case KSHIM_FRAME_HELLO:
	case KSHIM_FRAME_SHUTDOWN:
		return 0;
	case KSHIM_FRAME_MODULE:
		return sizeof(struct kshim_module_req);
	case KSHIM_FRAME_SYSCTL:
		return sizeof(struct kshim_sysctl_req);
	case KSHIM_FRAME_FAULT:
		return sizeof(struct kshim_fault_req);
	case KSHIM_FRAME_IOCTL:
		return REQ_VARIABLE;
	default:
		/* READY, NAK, answers, unknown types: not requests. */
		return REQ_NOT_A_REQUEST;
	}
}

/*
 * Execute one verified request.  Returns the NAK reason when the request
 * cannot be executed (nothing is cached then), else 0.
 */
static uint32_t
execute(struct kshim_proto *p, const struct kshim_frame_hdr *h,
    const uint8_t *payload)
{
	const struct kshim_proto_ops *ops = p->p_cfg.pc_ops;
	void *ctx = p->p_cfg.pc_ctx;
	uint8_t *out = p->p_cfg.pc_tx_buf + KSHIM_PROTO_HDR_LEN;
	union {
		struct kshim_module_req m;
		struct kshim_sysctl_req s;
		struct kshim_fault_req f;
	} u;
	int64_t want = request_len(h->type);
	uint32_t out_len, nak;
	int32_t err;

	if (want == REQ_NOT_A_REQUEST)
		return KSHIM_NAK_BAD_TYPE;
	if (want >= 0 && h->length != (uint64_t)want)
		return KSHIM_NAK_BAD_LENGTH;
	/*
	 * Before it runs, which may take long (a large batch on a busy
	 * TCG guest): the harness then stops resending and waits.
	 */
	send_small(p, KSHIM_FRAME_ACCEPTED, h->req_id, NULL, 0);
	if (ops->po_accepted != NULL)
		ops->po_accepted(ctx);
	/* A copy: the payload in the receive buffer may be unaligned. */
	if (want > 0)
		kshim_memcpy(&u, payload, (size_t)want);

	switch (h->type) {
	case KSHIM_FRAME_HELLO:
		fill_ready(p, (struct kshim_ready *)out);
		answer(p, h, sizeof(struct kshim_ready));
		return 0;

	case KSHIM_FRAME_IOCTL:
		nak = proto_ioctl(p, payload, h->length, out, &out_len);
		if (nak != 0)
			return nak;
		answer(p, h, out_len);
		return 0;

	case KSHIM_FRAME_MODULE:
		if (!has_nul(u.m.path, sizeof(u.m.path)) || u.m.path[0] == '\0')
			return KSHIM_NAK_BAD_REQUEST;
		err = ops->po_module(ctx, u.m.op, u.m.path);
		break;

	case KSHIM_FRAME_SYSCTL:
		if (!has_nul(u.s.name, sizeof(u.s.name)))
			return KSHIM_NAK_BAD_REQUEST;
		err = ops->po_sysctl(ctx, u.s.name, u.s.value);
		break;

	case KSHIM_FRAME_SHUTDOWN:
		answer(p, h, put_status(p, 0));
		ops->po_power_off(ctx);
		return 0;

	case KSHIM_FRAME_FAULT:
		/* Answered first: most faults never come back. */
		err = ops->po_fault_check == NULL ? UVMSHIM_ENOTSUP :
		    ops->po_fault_check(ctx, u.f.mode);
		answer(p, h, put_status(p, err));
		if (err == 0 && ops->po_fault != NULL)
			ops->po_fault(ctx, u.f.mode, u.f.count);
		return 0;

	default:
		return KSHIM_NAK_BAD_TYPE;
	}
	answer(p, h, put_status(p, err));
	return 0;
}

static void
handle_frame(struct kshim_proto *p)
{
	struct kshim_frame_hdr h;
	struct kshim_proto_note n = { .pn_kind = KSHIM_NOTE_REPLAY };
	uint32_t nak;
	int rv;

	kshim_memcpy(&h, p->p_rx.rx_buf, sizeof(h));
	if (p->p_last_id != 0 && h.req_id == p->p_last_id) {
		/*
		 * A retry: the answer was lost or garbled; never re-execute.
		 * The note says whether the resend failed.
		 */
		rv = p->p_cfg.pc_ops->po_write(p->p_cfg.pc_ctx,
		    p->p_cfg.pc_tx_buf, p->p_tx_len);
		n.pn_req_id = h.req_id;
		n.pn_error = rv < 0 ? -rv : 0;
		note(p, &n);
		return;
	}
	nak = execute(p, &h, p->p_rx.rx_buf + KSHIM_PROTO_HDR_LEN);
	if (nak != 0)
		send_nak(p, h.req_id, nak);
}

static void
handle_event(struct kshim_proto *p, enum proto_rx_event ev)
{
	if (ev == PROTO_RX_FRAME)
		handle_frame(p);
	else if (ev == PROTO_RX_NAK)
		send_nak(p, p->p_rx.rx_nak_id, p->p_rx.rx_nak_reason);
}

/* Tell the harness how far a long frame got, so it may send more. */
static void
send_progress(struct kshim_proto *p)
{
	struct kshim_progress pr;
	uint32_t req_id;

	if (proto_rx_progress(&p->p_rx, &pr, &req_id))
		send_small(p, KSHIM_FRAME_PROGRESS, req_id, &pr, sizeof(pr));
}

/* Nothing came for a while: say so once, and time out a partial frame. */
static void
poll_idle(struct kshim_proto *p)
{
	struct kshim_proto_rx *rx = &p->p_rx;
	struct kshim_proto_note n = { .pn_kind = KSHIM_NOTE_STALLED };
	enum proto_rx_event ev;
	uint32_t timeouts = rx->rx_stats.ps_timeouts;
	uint64_t now = p->p_cfg.pc_ops->po_now_ns(p->p_cfg.pc_ctx);

	if (rx->rx_have != 0 && !p->p_stalled) {
		/* Input lost on the way, or the sender stopped. */
		n.pn_have = rx->rx_have;
		n.pn_need = rx->rx_need;
		note(p, &n);
		p->p_stalled = 1;
		p->p_stall_ns = now;
	}
	ev = proto_rx_idle(rx, now, RX_TIMEOUT_NS);
	if (rx->rx_stats.ps_timeouts != timeouts) {
		n.pn_kind = KSHIM_NOTE_DROPPED;
		n.pn_have = rx->rx_dropped_have;
		n.pn_need = rx->rx_dropped_need;
		note(p, &n);
	}
	handle_event(p, ev);
}

int
kshim_proto_poll(struct kshim_proto *p)
{
	const struct kshim_proto_config *cfg = &p->p_cfg;
	struct kshim_proto_rx *rx = &p->p_rx;
	struct kshim_proto_note n = { .pn_kind = KSHIM_NOTE_RESUMED };
	enum proto_rx_event ev;
	size_t off, used, len;
	uint64_t now;
	long got;

	got = cfg->pc_ops->po_read(cfg->pc_ctx, cfg->pc_stage,
	    cfg->pc_stage_len);
	if (got < 0) {
		/* The caller reopens the line: it starts afresh. */
		p->p_stalled = 0;
		p->p_resync_seen = rx->rx_stats.ps_resync_bytes;
		return (int)got;
	}
	if (got == 0) {
		poll_idle(p);
		return 0;
	}
	/* Never trust a count beyond the buffer the platform was given. */
	len = (size_t)got < cfg->pc_stage_len ? (size_t)got :
	    cfg->pc_stage_len;
	now = cfg->pc_ops->po_now_ns(cfg->pc_ctx);
	rx->rx_last_ns = now;
	if (p->p_stalled) {
		n.pn_ms = now >= p->p_stall_ns ?
		    (now - p->p_stall_ns) / 1000000 : 0;
		note(p, &n);
	}
	p->p_stalled = 0;
	for (off = 0; off < len; off += used) {
		ev = proto_rx_feed(rx, cfg->pc_stage + off, len - off, &used);
		if (ev != PROTO_RX_NONE &&
		    rx->rx_stats.ps_resync_bytes != p->p_resync_seen) {
			/* Worth a line: line noise or lost bytes. */
			n.pn_kind = KSHIM_NOTE_SKIPPED;
			n.pn_count = rx->rx_stats.ps_resync_bytes -
			    p->p_resync_seen;
			note(p, &n);
			p->p_resync_seen = rx->rx_stats.ps_resync_bytes;
		}
		handle_event(p, ev);
	}
	send_progress(p);
	return 0;
}
