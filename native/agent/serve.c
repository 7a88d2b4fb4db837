/*
 * serve.c: the agent's platform under native/proto.
 *
 * The protocol itself (framing, replay cache, validation, IOCTL buffers)
 * is native/proto's, shared with the test guest so that the harness sees
 * one behaviour.  What is NetBSD's is here: the line is a tty read and
 * written with raw system calls, ioctls go to /dev/uvmshim, MODULE to
 * modctl(2), SYSCTL to __sysctl, SHUTDOWN to reboot(2), and what goes
 * wrong on the line is printed on the console, where a person reading a
 * failed run's log looks first.
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/ioccom.h>
#include <sys/reboot.h>

#include "kshim_agent_version.h"
#include "kshim_proto.h"
#include "module.h"
#include "serve.h"
#include "syscalls.h"
#include "sysctl.h"
#include "util.h"
#include "uvmshim_ioctl.h"

/*
 * native/proto answers with uvmshim_ioctl.h's copies of NetBSD's numbers;
 * make sure they still are this tree's.
 */
_Static_assert(ENOTSUP == UVMSHIM_ENOTSUP, "ENOTSUP");
_Static_assert(ENOMEM == UVMSHIM_ENOMEM, "ENOMEM");
_Static_assert(UVMSHIM_IOC_IN == IOC_IN, "IOC_IN");
_Static_assert(UVMSHIM_IOC_OUT == IOC_OUT, "IOC_OUT");
_Static_assert(UVMSHIM_IOCPARM_MASK == IOCPARM_MASK, "IOCPARM_MASK");
_Static_assert(UVMSHIM_IOCPARM_SHIFT == IOCPARM_SHIFT, "IOCPARM_SHIFT");

/*
 * Static: UVM backs the pages only as far as requests touch them, so the
 * 16 MiB cost nothing until a large request comes.
 */
static uint8_t rx_buf[KSHIM_PROTO_FRAME_BYTES] __attribute__((__aligned__(16)));
static uint8_t tx_buf[KSHIM_PROTO_FRAME_BYTES] __attribute__((__aligned__(16)));
static uint8_t scratch[KSHIM_PROTO_SCRATCH_BYTES]
    __attribute__((__aligned__(4096)));
/* The largest tty input queue (setup.c): one read takes all of it. */
static uint8_t stage[65536];

static struct kshim_proto proto;
static const struct agent_versions *versions;
static int module_error;
static int line_fd = -1;

/*
 * Plain blocking reads, VMIN=0 and VTIME>0 (see setup.c): read returns 0
 * after a short silence, which is when native/proto checks the timeout of
 * an incomplete frame.  No poll(2): nothing else needs waiting for, and
 * under QEMU TCG the guest has little CPU to spare for the reader while
 * input streams in.  With poll+read the tty input queue overflowed (and
 * was flushed) on 8 of 25 64-KiB requests on the 7.99.4 kernel; with a
 * single read per wakeup, on none of 40.
 */
static long
agent_read(void *ctx, uint8_t *buf, size_t len)
{
	long n;

	do
		n = ks_read(line_fd, buf, len);
	while (n == -EINTR || n == -EAGAIN);
	return n;
}

static int
agent_write(void *ctx, const uint8_t *frame, uint32_t len)
{
	long n;

	while (len > 0) {
		n = ks_write(line_fd, frame, len);
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

static uint64_t
agent_now_ns(void *ctx)
{
	return ks_monotonic_ns();
}

static uint64_t
agent_boot_id(void *ctx)
{
	return versions->boot_id;
}

static int32_t
agent_module_error(void *ctx)
{
	return module_error;
}

/*
 * The device stays open across requests (the module may keep per-open
 * state).  When it cannot be opened the ioctl's error is open(2)'s errno:
 * ENOENT without a node, ENXIO without a driver.
 */
static int32_t
agent_ioctl(void *ctx, uint32_t cmd, void *arg, uint32_t arg_len,
    uint64_t *nsec)
{
	uint64_t t0;
	int fd, rv;

	fd = uvmshim_fd();
	if (fd < 0)
		return -fd;
	t0 = ks_monotonic_ns();
	rv = ks_ioctl(fd, (unsigned long)cmd, arg);
	*nsec = ks_monotonic_ns() - t0;
	return rv < 0 ? -rv : 0;
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
agent_module(void *ctx, uint32_t op, const char *path)
{
	int32_t err;

	switch (op) {
	case KSHIM_MODULE_LOAD:
		err = module_load(path);
		if (err == EEXIST)
			(void)uvmshim_make_node();
		/* READY/HELLO's module_error follows the uvmshim module. */
		if (is_uvmshim(path))
			module_error = err == EEXIST ? 0 : err;
		return err;
	case KSHIM_MODULE_UNLOAD:
		err = module_unload(path);
		if (err == 0 && is_uvmshim(path))
			module_error = ENOENT;
		return err;
	case KSHIM_MODULE_HOLD:
		/* Only the uvmshim module has a device the agent knows. */
		return is_uvmshim(path) ? uvmshim_hold() : EINVAL;
	case KSHIM_MODULE_RELEASE:
		return is_uvmshim(path) ? uvmshim_release() : EINVAL;
	default:
		return EINVAL;
	}
}

static int32_t
agent_sysctl(void *ctx, const char *name, int64_t value)
{
	int32_t err;

	err = sysctl_write_int(name, value);
	con_printf("sysctl %s=%lld: %s", name, (long long)value,
	    ks_strerror(err));
	return err;
}

static void
agent_power_off(void *ctx)
{
	int rv;

	uvmshim_close();
	(void)uvmshim_release();
	con_printf("shutdown requested: powering off");
	/* RB_POWERDOWN includes RB_HALT; the kernel syncs and unmounts. */
	rv = ks_reboot(RB_POWERDOWN, NULL);
	con_printf("reboot(RB_POWERDOWN): %s; still serving",
	    ks_strerror(-rv));
}

/* Everything odd on the line is worth a console line. */
static void
agent_note(void *ctx, const struct kshim_proto_note *n,
    const struct kshim_proto_stats *s)
{
	switch (n->pn_kind) {
	case KSHIM_NOTE_NAK:
		con_printf("NAK id %u reason %u (frames %u, bad crc %u, bad "
		    "length %u, resync bytes %u, timeouts %u)", n->pn_req_id,
		    n->pn_reason, s->ps_frames, s->ps_bad_crc, s->ps_bad_len,
		    s->ps_resync_bytes, s->ps_timeouts);
		break;
	case KSHIM_NOTE_REPLAY:
		con_printf("id %u again: answer replayed%s", n->pn_req_id,
		    n->pn_error != 0 ? " (send failed)" : "");
		break;
	case KSHIM_NOTE_SEND_FAILED:
		if (n->pn_type & KSHIM_FRAME_RESPONSE)
			con_printf("sending answer to id %u: %s",
			    n->pn_req_id, ks_strerror(n->pn_error));
		else
			con_printf("sending frame type %#x: %s", n->pn_type,
			    ks_strerror(n->pn_error));
		break;
	case KSHIM_NOTE_STALLED:
		/* Input lost (see setup.c) or the sender stopped. */
		con_printf("line quiet in the middle of a frame (%u of %u "
		    "bytes)", n->pn_have, n->pn_need);
		break;
	case KSHIM_NOTE_RESUMED:
		con_printf("line back after %llu ms",
		    (unsigned long long)n->pn_ms);
		break;
	case KSHIM_NOTE_DROPPED:
		con_printf("incomplete frame dropped after %d ms of silence: "
		    "%u of %u bytes", KSHIM_PROTO_RX_TIMEOUT_MS, n->pn_have,
		    n->pn_need);
		break;
	case KSHIM_NOTE_SKIPPED:
		/* Line noise or lost bytes. */
		con_printf("skipped %u bytes before a frame", n->pn_count);
		break;
	}
}

static const struct kshim_proto_ops agent_ops = {
	.po_read = agent_read,
	.po_write = agent_write,
	.po_now_ns = agent_now_ns,
	.po_boot_id = agent_boot_id,
	.po_module_error = agent_module_error,
	.po_ioctl = agent_ioctl,
	.po_module = agent_module,
	.po_sysctl = agent_sysctl,
	.po_power_off = agent_power_off,
	/* No fault injection on a real kernel: FAULT answers ENOTSUP. */
	.po_fault_check = NULL,
	.po_fault = NULL,
	.po_note = agent_note,
};

void
serve_init(const struct agent_versions *v, int modload_error)
{
	const struct kshim_proto_config cfg = {
		.pc_ops = &agent_ops,
		.pc_ctx = NULL,
		.pc_agent_kind = UVMSHIM_TARGET_KERNEL,
		.pc_agent_version = KSHIM_AGENT_VERSION,
		.pc_os_version = v->os_version,
		.pc_rx_buf = rx_buf,
		.pc_tx_buf = tx_buf,
		.pc_scratch = scratch,
		.pc_stage = stage,
		.pc_stage_len = sizeof(stage),
	};
	int error;

	versions = v;
	module_error = modload_error;
	error = kshim_proto_init(&proto, &cfg);
	if (error != 0)
		con_printf("protocol set-up: %s", ks_strerror(error));
}

void
serve_ready(int fd)
{
	line_fd = fd;
	con_printf("READY boot_id %#016llx agent \"%s\" os \"%s\" "
	    "module_error %d (%s)", (unsigned long long)versions->boot_id,
	    KSHIM_AGENT_VERSION, versions->os_version, module_error,
	    ks_strerror(module_error));
	kshim_proto_send_ready(&proto);
}

int
serve_loop(int fd)
{
	int rv;

	line_fd = fd;
	for (;;) {
		rv = kshim_proto_poll(&proto);
		if (rv < 0) {
			con_printf("read on the agent line: %s",
			    ks_strerror(-rv));
			return rv;
		}
	}
}
