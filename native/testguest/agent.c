/*
 * agent.c: the test guest's platform under native/proto.
 *
 * The protocol itself (framing, replay cache, validation, IOCTL buffers)
 * is native/proto's, shared with the NetBSD agent so that the harness sees
 * one behaviour.  What is this guest's is here: the line is the second
 * UART, polled; ioctls go to the emulated device (device.c); MODULE loads
 * and unloads that device; FAULT makes the guest misbehave; and GARBLE
 * corrupts answers on their way out, which only this guest can do.
 */
#include "agent.h"
#include "clock.h"
#include "console.h"
#include "ddb.h"
#include "device.h"
#include "fault.h"
#include "io.h"
#include "irq.h"
#include "kshim_proto.h"
#include "libk.h"
#include "mem.h"
#include "power.h"
#include "rtc.h"
#include "sysctl.h"
#include "uart.h"
#include "uvmshim_ioctl.h"

#define NETBSD_EEXIST	17
#define NETBSD_EINVAL	22

static struct kshim_proto proto;
/* A few FIFOs' worth: the main loop polls the console between reads. */
static uint8_t stage[256];
static uint64_t boot_id;
static uint32_t garble_left, garble_seq;
static uint32_t stall_ms;
static uint32_t hang_after;	/* FAULT HANG_ACCEPTED: requests left */

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Whatever the UART holds now; 0 when it is empty (never waits). */
static long
tg_read(void *ctx, uint8_t *buf, size_t len)
{
	size_t n = 0;
	int c;

	(void)ctx;
	while (n < len && (c = uart_getc_nowait(&uart_agent)) >= 0)
		buf[n++] = (uint8_t)c;
	return (long)n;
}

/*
 * Every frame goes through here, so GARBLE can count answers, NAKs and
 * replays.  READY never counts: it must reach the harness intact, which
 * then tells a restart from line noise.  Nor do ACCEPTED and PROGRESS:
 * GARBLE is about answers, and a test of a garbled answer after ACCEPTED
 * needs the ACCEPTED intact.  The corruption is made on the
 * wire only (never in the cached copy), so a retry with the same id
 * eventually gets the clean answer: odd ones in the CRC field, even ones
 * in a payload byte (or the CRC again when there is no payload).
 */
static int
tg_write(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct kshim_frame_hdr h;
	uint32_t at, crc_at = offsetof(struct kshim_frame_hdr, crc32);
	uint32_t garble = 0;
	uint8_t bad;

	(void)ctx;
	memcpy(&h, frame, sizeof(h));
	if (h.type != KSHIM_FRAME_READY && h.type != KSHIM_FRAME_ACCEPTED &&
	    h.type != KSHIM_FRAME_PROGRESS && garble_left > 0) {
		garble_left--;
		garble = ++garble_seq;
	}
	if (garble == 0) {
		uart_write(&uart_agent, frame, len);
		return 0;
	}
	at = (garble % 2 == 1 || len == KSHIM_PROTO_HDR_LEN) ? crc_at :
	    KSHIM_PROTO_HDR_LEN + (len - KSHIM_PROTO_HDR_LEN) / 2;
	bad = frame[at] ^ 0x5a;
	uart_write(&uart_agent, frame, at);
	uart_write(&uart_agent, &bad, 1);
	uart_write(&uart_agent, frame + at + 1, len - at - 1);
	return 0;
}

static uint64_t
tg_now_ns(void *ctx)
{
	(void)ctx;
	return clock_nsec();
}

static uint64_t
tg_boot_id(void *ctx)
{
	(void)ctx;
	return boot_id;
}

static int32_t
tg_module_error(void *ctx)
{
	(void)ctx;
	return device_loaded() ? 0 : device_load_error();
}

/*
 * sys_ioctl() copies the argument in only for IOC_IN; otherwise the
 * device sees zeroes (and none of the pointers native/proto stored).  On
 * NetBSD the kernel does this for the agent; here the guest is the kernel.
 */
static int32_t
tg_ioctl(void *ctx, uint32_t cmd, void *arg, uint32_t arg_len,
    uint64_t *nsec)
{
	uint64_t t0;
	int32_t err;

	(void)ctx;
	if (!(cmd & UVMSHIM_IOC_IN))
		memset(arg, 0, arg_len);
	t0 = rdtsc();
	err = device_ioctl(cmd, arg);
	*nsec = clock_tsc_to_nsec(rdtsc() - t0);
	return err;
}

/* The module is the device: the path is ignored. */
static int32_t
tg_module(void *ctx, uint32_t op, const char *path)
{
	static const char *const names[] = {
		[KSHIM_MODULE_LOAD] = "load",
		[KSHIM_MODULE_UNLOAD] = "unload",
		[KSHIM_MODULE_HOLD] = "hold",
		[KSHIM_MODULE_RELEASE] = "release",
	};
	int32_t err;

	(void)ctx;
	switch (op) {
	case KSHIM_MODULE_LOAD:
		err = device_loaded() ? NETBSD_EEXIST : device_load();
		break;
	case KSHIM_MODULE_UNLOAD:
		err = device_try_unload();
		break;
	case KSHIM_MODULE_HOLD:
		err = device_hold();
		break;
	case KSHIM_MODULE_RELEASE:
		err = device_release();
		break;
	default:
		err = NETBSD_EINVAL;
		break;
	}
	kprintf("kshim-testguest: module %s %s: error %d\n",
	    op < sizeof(names) / sizeof(names[0]) && names[op] != NULL ?
	    names[op] : "?", path, err);
	return err;
}

static int32_t
tg_sysctl(void *ctx, const char *name, int64_t value)
{
	(void)ctx;
	return sysctl_write(name, value);
}

static void
tg_power_off(void *ctx)
{
	(void)ctx;
	kprintf("kshim-testguest: shutdown requested\n");
	power_off();
}

static int32_t
tg_fault_check(void *ctx, uint32_t mode)
{
	(void)ctx;
	return fault_valid(mode) ? 0 : NETBSD_EINVAL;
}

static void
tg_fault(void *ctx, uint32_t mode, uint32_t count)
{
	(void)ctx;
	fault_inject(mode, count);
}

/*
 * FAULT STALL: a request that takes long to run, as a big batch does on a
 * starved TCG guest.  The wait comes after ACCEPTED went out, and BREAK
 * still reaches the fake ddb, as in fault.c's loops.  The CPU halts in
 * between (irq.h), but not on the agent line: the bytes that arrive there
 * meanwhile are the next request's, left in the FIFO for after the stall.
 */
static void
tg_accepted(void *ctx)
{
	uint64_t end;

	(void)ctx;
	if (hang_after != 0 && --hang_after == 0)
		fault_hang();	/* after ACCEPTED went out, as a blocked ioctl */
	if (stall_ms == 0)
		return;
	kprintf("kshim-testguest: stalling %u ms before running a request\n",
	    stall_ms);
	end = rdtsc() + clock_msec_to_tsc(stall_ms);
	stall_ms = 0;
	while (rdtsc() < end) {
		uart_discard(&uart_console);
		if (uart_take_break(&uart_console))
			ddb_enter(DDB_SCENE_BUSY);
		irq_idle(IDLE_CONSOLE);
	}
}

static const struct kshim_proto_ops tg_ops = {
	.po_read = tg_read,
	.po_write = tg_write,
	.po_now_ns = tg_now_ns,
	.po_boot_id = tg_boot_id,
	.po_module_error = tg_module_error,
	.po_ioctl = tg_ioctl,
	.po_module = tg_module,
	.po_sysctl = tg_sysctl,
	.po_power_off = tg_power_off,
	.po_fault_check = tg_fault_check,
	.po_fault = tg_fault,
	.po_accepted = tg_accepted,
	/* The console is the harness's evidence: nothing extra goes there. */
	.po_note = NULL,
};

int
agent_init(void)
{
	struct kshim_proto_config cfg = {
		.pc_ops = &tg_ops,
		.pc_ctx = NULL,
		.pc_agent_kind = UVMSHIM_TARGET_TESTGUEST,
		.pc_agent_version = TG_AGENT_VERSION,
		.pc_os_version = TG_OS_VERSION,
		.pc_stage = stage,
		.pc_stage_len = sizeof(stage),
	};

	cfg.pc_rx_buf = mem_carve(KSHIM_PROTO_FRAME_BYTES, 4096);
	cfg.pc_tx_buf = mem_carve(KSHIM_PROTO_FRAME_BYTES, 4096);
	cfg.pc_scratch = mem_carve(KSHIM_PROTO_SCRATCH_BYTES, 4096);
	return kshim_proto_init(&proto, &cfg) == 0;
}

uint64_t
agent_boot_id(void)
{
	return boot_id;
}

void
agent_garble(uint32_t n)
{
	garble_left = n;
}

void
agent_stall(uint32_t ms)
{
	stall_ms = ms;
}

void
agent_hang_after(uint32_t n)
{
	hang_after = n;
}

void
agent_start(void)
{
	/*
	 * The TSC counts from VM start, so two boots could read close
	 * values: mix in the RTC's wall-clock time, and the previous id so
	 * a FAULT REBOOT never repeats it.
	 */
	boot_id = mix64(rdtsc() ^ (rtc_seconds() << 32) ^ mix64(boot_id));
	garble_left = 0;
	kshim_proto_restart(&proto);
	kprintf("kshim-testguest: READY boot_id %#018llx\n",
	    (unsigned long long)boot_id);
	kshim_proto_send_ready(&proto);
}

void
agent_poll(void)
{
	if (uart_agent.present)
		(void)kshim_proto_poll(&proto);
}
