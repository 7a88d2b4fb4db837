/*
 * serve.c: request dispatch and the replay cache.
 *
 * The last executed request's answer stays in tx_frame until the next
 * request is executed, so a retry with the same id is answered by
 * resending it byte for byte, without running the request again (a
 * MODULE load or a mapping ioctl must never happen twice).  NAKs and
 * READY are built in a separate small buffer so they never clobber it.
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/reboot.h>

#include "frame.h"
#include "ioctl.h"
#include "kshim_agent_proto.h"
#include "kshim_agent_version.h"
#include "module.h"
#include "serve.h"
#include "syscalls.h"
#include "sysctl.h"
#include "util.h"
#include "uvmshim_ioctl.h"

_Static_assert(ENOTSUP == UVMSHIM_ENOTSUP, "ENOTSUP");

/* A frame left incomplete this long is dropped (and NAKed). */
#define KSHIM_RX_TIMEOUT_MS	2000
#define RX_TIMEOUT_NS	((uint64_t)KSHIM_RX_TIMEOUT_MS * 1000 * 1000)

static uint8_t rx_buf[FRAME_MAX_LEN] __attribute__((__aligned__(16)));
static uint8_t tx_frame[FRAME_MAX_LEN] __attribute__((__aligned__(16)));
static uint8_t small_frame[FRAME_HDR_LEN + 256] __attribute__((__aligned__(16)));
static uint8_t stage[65536];

static struct frame_rx rx;
static uint32_t tx_len;
static uint32_t last_id;		/* 0: nothing cached */
static const struct agent_versions *versions;
static int module_error;

void
serve_init(const struct agent_versions *v, int modload_error)
{
	versions = v;
	module_error = modload_error;
	frame_rx_init(&rx, rx_buf);
	last_id = 0;
}

static void
fill_ready(struct kshim_ready *r)
{
	memset(r, 0, sizeof(*r));
	r->proto_version = KSHIM_PROTO_VERSION;
	r->agent_kind = UVMSHIM_TARGET_KERNEL;
	r->boot_id = versions->boot_id;
	r->module_error = module_error;
	strlcpy(r->agent_version, KSHIM_AGENT_VERSION,
	    sizeof(r->agent_version));
	strlcpy(r->os_version, versions->os_version, sizeof(r->os_version));
}

static void
send_small(int fd, uint16_t type, uint32_t req_id, const void *payload,
    uint32_t len)
{
	uint32_t flen;
	int rv;

	memcpy(small_frame + FRAME_HDR_LEN, payload, len);
	flen = frame_seal(small_frame, type, req_id, len);
	rv = frame_send(fd, small_frame, flen);
	if (rv < 0)
		con_printf("sending frame type %#x: %s", type,
		    ks_strerror(-rv));
}

void
serve_ready(int fd)
{
	struct kshim_ready r;

	fill_ready(&r);
	con_printf("READY boot_id %#016llx agent \"%s\" os \"%s\" "
	    "module_error %d (%s)", (unsigned long long)r.boot_id,
	    r.agent_version, r.os_version, module_error,
	    ks_strerror(module_error));
	send_small(fd, KSHIM_FRAME_READY, 0, &r, sizeof(r));
}

static void
send_nak(int fd, uint32_t req_id, uint32_t reason)
{
	struct kshim_nak n = { reason, 0 };

	con_printf("NAK id %u reason %u (frames %u, bad crc %u, bad length "
	    "%u, resync bytes %u, timeouts %u)", req_id, reason, rx.frames,
	    rx.bad_crc, rx.bad_len, rx.resync_bytes, rx.timeouts);
	send_small(fd, KSHIM_FRAME_NAK, req_id, &n, sizeof(n));
}

/* Seal the answer in tx_frame, cache it, send it. */
static void
answer(int fd, const struct kshim_frame_hdr *req, uint32_t payload_len)
{
	int rv;

	tx_len = frame_seal(tx_frame, req->type | KSHIM_FRAME_RESPONSE,
	    req->req_id, payload_len);
	last_id = req->req_id;
	rv = frame_send(fd, tx_frame, tx_len);
	if (rv < 0)
		con_printf("sending answer to id %u: %s", req->req_id,
		    ks_strerror(-rv));
}

static uint32_t
put_status(int32_t error)
{
	struct kshim_status s = { error, 0 };

	memcpy(tx_frame + FRAME_HDR_LEN, &s, sizeof(s));
	return sizeof(s);
}

/* Is this MODULE path (or name) the uvmshim module? */
static int
is_uvmshim(const char *path)
{
	const char *base = path, *p;

	for (p = path; *p != '\0'; p++)
		if (*p == '/')
			base = p + 1;
	return strcmp(base, UVMSHIM_DEVICE_NAME ".kmod") == 0 ||
	    strcmp(base, UVMSHIM_DEVICE_NAME) == 0;
}

static int32_t
do_module(const struct kshim_module_req *m)
{
	int32_t err;

	switch (m->op) {
	case KSHIM_MODULE_LOAD:
		err = module_load(m->path);
		if (err == EEXIST)
			(void)uvmshim_make_node();
		/* READY/HELLO's module_error follows the uvmshim module. */
		if (is_uvmshim(m->path))
			module_error = err == EEXIST ? 0 : err;
		return err;
	case KSHIM_MODULE_UNLOAD:
		err = module_unload(m->path);
		if (err == 0 && is_uvmshim(m->path))
			module_error = ENOENT;
		return err;
	default:
		return EINVAL;
	}
}

static void
do_shutdown(void)
{
	int rv;

	uvmshim_close();
	con_printf("shutdown requested: powering off");
	/* RB_POWERDOWN includes RB_HALT; the kernel syncs and unmounts. */
	rv = ks_reboot(RB_POWERDOWN, NULL);
	con_printf("reboot(RB_POWERDOWN): %s; still serving",
	    ks_strerror(-rv));
}

/*
 * Execute one verified request.  Returns the NAK reason when the request
 * cannot be executed (nothing is cached then), else 0.
 */
static uint32_t
execute(int fd, const struct kshim_frame_hdr *h, const uint8_t *payload)
{
	uint8_t *out = tx_frame + FRAME_HDR_LEN;
	uint32_t out_len, nak;
	int32_t err;

	switch (h->type) {
	case KSHIM_FRAME_HELLO:
		if (h->length != 0)
			return KSHIM_NAK_BAD_LENGTH;
		fill_ready((struct kshim_ready *)out);
		answer(fd, h, sizeof(struct kshim_ready));
		return 0;

	case KSHIM_FRAME_IOCTL:
		nak = ioctl_serve(payload, h->length, out, &out_len);
		if (nak != 0)
			return nak;
		answer(fd, h, out_len);
		return 0;

	case KSHIM_FRAME_MODULE: {
		struct kshim_module_req m;

		if (h->length != sizeof(m))
			return KSHIM_NAK_BAD_LENGTH;
		memcpy(&m, payload, sizeof(m));
		if (strnlen(m.path, sizeof(m.path)) == sizeof(m.path) ||
		    m.path[0] == '\0')
			return KSHIM_NAK_BAD_REQUEST;
		err = do_module(&m);
		answer(fd, h, put_status(err));
		return 0;
	}

	case KSHIM_FRAME_SYSCTL: {
		struct kshim_sysctl_req s;

		if (h->length != sizeof(s))
			return KSHIM_NAK_BAD_LENGTH;
		memcpy(&s, payload, sizeof(s));
		if (strnlen(s.name, sizeof(s.name)) == sizeof(s.name))
			return KSHIM_NAK_BAD_REQUEST;
		err = sysctl_write_int(s.name, s.value);
		con_printf("sysctl %s=%lld: %s", s.name, (long long)s.value,
		    ks_strerror(err));
		answer(fd, h, put_status(err));
		return 0;
	}

	case KSHIM_FRAME_SHUTDOWN:
		if (h->length != 0)
			return KSHIM_NAK_BAD_LENGTH;
		answer(fd, h, put_status(0));
		do_shutdown();
		return 0;

	case KSHIM_FRAME_FAULT:
		/* Fault injection is for the harness's test guest only. */
		if (h->length != sizeof(struct kshim_fault_req))
			return KSHIM_NAK_BAD_LENGTH;
		answer(fd, h, put_status(ENOTSUP));
		return 0;

	default:
		/* READY, NAK, answers, unknown types: not requests. */
		return KSHIM_NAK_BAD_TYPE;
	}
}

static void
handle_frame(int fd)
{
	struct kshim_frame_hdr h;
	uint32_t nak;

	memcpy(&h, rx.buf, sizeof(h));
	if (last_id != 0 && h.req_id == last_id) {
		/* A retry: the answer was lost or garbled; never re-execute. */
		int rv = frame_send(fd, tx_frame, tx_len);

		con_printf("id %u again: answer replayed%s", h.req_id,
		    rv < 0 ? " (send failed)" : "");
		return;
	}
	nak = execute(fd, &h, rx.buf + FRAME_HDR_LEN);
	if (nak != 0)
		send_nak(fd, h.req_id, nak);
}

static void
handle_event(int fd, enum rx_event ev)
{
	if (ev == RX_FRAME)
		handle_frame(fd);
	else if (ev == RX_NAK)
		send_nak(fd, rx.nak_id, rx.nak_reason);
}

/*
 * The line is read with plain blocking reads, VMIN=0 and VTIME>0 (see
 * setup.c): read returns 0 after a short silence, which is when the
 * timeout of an incomplete frame is checked.  No poll(2): nothing else
 * needs waiting for, and under QEMU TCG the guest has little CPU to spare
 * for the reader while input streams in.  With poll+read the tty input
 * queue overflowed (and was flushed) on 8 of 25 64-KiB requests on the
 * 7.99.4 kernel; with a single read per wakeup, on none of 40.
 */
int
serve_loop(int fd)
{
	enum rx_event ev;
	size_t off, used;
	uint32_t timeouts, resync = rx.resync_bytes;
	uint64_t stall_ns = 0;
	int stalled = 0;
	long n;

	for (;;) {
		n = ks_read(fd, stage, sizeof(stage));
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n < 0) {
			con_printf("read on the agent line: %s",
			    ks_strerror((int)-n));
			return (int)n;
		}
		if (n == 0) {
			/* VTIME expired: nothing came for a while. */
			if (rx.have != 0 && !stalled) {
				/* Input lost (see setup.c) or sender stopped. */
				con_printf("line quiet in the middle of a frame "
				    "(%u of %u bytes)", rx.have, rx.need);
				stalled = 1;
				stall_ns = ks_monotonic_ns();
			}
			timeouts = rx.timeouts;
			ev = frame_rx_idle(&rx, ks_monotonic_ns(),
			    RX_TIMEOUT_NS);
			if (rx.timeouts != timeouts)
				con_printf("incomplete frame dropped after %d ms "
				    "of silence: %u of %u bytes",
				    KSHIM_RX_TIMEOUT_MS, rx.dropped_have,
				    rx.dropped_need);
			handle_event(fd, ev);
			continue;
		}
		if (stalled)
			con_printf("line back after %llu ms",
			    (unsigned long long)(ks_monotonic_ns() - stall_ns) /
			    1000000);
		stalled = 0;
		for (off = 0; off < (size_t)n; off += used) {
			ev = frame_rx_feed(&rx, stage + off, (size_t)n - off,
			    &used);
			if (ev != RX_NONE && rx.resync_bytes != resync) {
				/* Worth a line: line noise or lost bytes. */
				con_printf("skipped %u bytes before a frame",
				    rx.resync_bytes - resync);
				resync = rx.resync_bytes;
			}
			handle_event(fd, ev);
		}
	}
}
