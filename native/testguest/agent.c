/*
 * agent.c: request dispatch and the replay cache.
 *
 * The last executed request's answer stays in tx_frame until the next
 * request is executed, so a retry with the same id is answered by
 * resending it byte for byte, without running the request again.  NAKs
 * and READY are built in a separate small buffer so they never clobber it.
 */
#include "agent.h"
#include "clock.h"
#include "console.h"
#include "device.h"
#include "fault.h"
#include "frame.h"
#include "io.h"
#include "ioctl.h"
#include "libc.h"
#include "mem.h"
#include "power.h"
#include "rtc.h"
#include "sysctl.h"
#include "uart.h"
#include "uvmshim_ioctl.h"

/* A frame left incomplete this long is dropped and NAKed. */
#define RX_TIMEOUT_MS	2000

#define NETBSD_ENOENT	2
#define NETBSD_EEXIST	17
#define NETBSD_EINVAL	22

static struct frame_rx rx;
static uint8_t *tx_frame;		/* cached last answer lives here */
static uint32_t tx_len;
static uint32_t last_id;		/* 0: nothing cached */
static uint8_t small_frame[FRAME_HDR_LEN + 256];
static uint64_t boot_id;
static uint32_t garble_left, garble_seq;

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int
agent_init(void)
{
	uint8_t *rxbuf;

	rxbuf = mem_carve(FRAME_HDR_LEN + KSHIM_FRAME_MAX_PAYLOAD, 4096);
	tx_frame = mem_carve(FRAME_HDR_LEN + KSHIM_FRAME_MAX_PAYLOAD, 4096);
	if (rxbuf == NULL || tx_frame == NULL)
		return 0;
	frame_rx_init(&rx, rxbuf);
	return 1;
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

/* Every answer (not READY) goes through here, so GARBLE can count them. */
static void
send_answer(const uint8_t *frame, uint32_t len)
{
	uint32_t garble = 0;

	if (garble_left > 0) {
		garble_left--;
		garble = ++garble_seq;
	}
	frame_send(frame, len, garble);
}

static void
fill_ready(struct kshim_ready *r)
{
	memset(r, 0, sizeof(*r));
	r->proto_version = KSHIM_PROTO_VERSION;
	r->agent_kind = UVMSHIM_TARGET_TESTGUEST;
	r->boot_id = boot_id;
	r->module_error = device_loaded() ? 0 : device_load_error();
	strlcpy(r->agent_version, TG_AGENT_VERSION, sizeof(r->agent_version));
	strlcpy(r->os_version, TG_OS_VERSION, sizeof(r->os_version));
}

void
agent_start(void)
{
	struct kshim_ready r;
	uint32_t len;

	/*
	 * The TSC counts from VM start, so two boots could read close
	 * values: mix in the RTC's wall-clock time, and the previous id so
	 * a FAULT REBOOT never repeats it.
	 */
	boot_id = mix64(rdtsc() ^ (rtc_seconds() << 32) ^ mix64(boot_id));
	last_id = 0;
	garble_left = 0;
	frame_rx_reset(&rx);
	fill_ready(&r);
	memcpy(small_frame + FRAME_HDR_LEN, &r, sizeof(r));
	len = frame_seal(small_frame, KSHIM_FRAME_READY, 0, sizeof(r));
	kprintf("kshim-testguest: READY boot_id %#018llx\n",
	    (unsigned long long)boot_id);
	frame_send(small_frame, len, 0);
}

static void
send_nak(uint32_t req_id, uint32_t reason)
{
	struct kshim_nak n = { reason, 0 };
	uint32_t len;

	memcpy(small_frame + FRAME_HDR_LEN, &n, sizeof(n));
	len = frame_seal(small_frame, KSHIM_FRAME_NAK, req_id, sizeof(n));
	send_answer(small_frame, len);
}

/* Seal the answer in tx_frame, cache it, send it. */
static void
answer(const struct kshim_frame_hdr *req, uint32_t payload_len)
{
	tx_len = frame_seal(tx_frame, req->type | KSHIM_FRAME_RESPONSE,
	    req->req_id, payload_len);
	last_id = req->req_id;
	send_answer(tx_frame, tx_len);
}

static uint32_t
put_status(int32_t error)
{
	struct kshim_status s = { error, 0 };

	memcpy(tx_frame + FRAME_HDR_LEN, &s, sizeof(s));
	return sizeof(s);
}

static int32_t
do_module(const struct kshim_module_req *m)
{
	if (m->op == KSHIM_MODULE_LOAD)
		return device_loaded() ? NETBSD_EEXIST : device_load();
	if (m->op == KSHIM_MODULE_UNLOAD) {
		if (!device_loaded())
			return NETBSD_ENOENT;
		device_unload();
		return 0;
	}
	return NETBSD_EINVAL;
}

/*
 * Execute one verified request.  Returns the NAK reason when the request
 * cannot be executed (nothing is cached then), else 0.
 */
static uint32_t
execute(const struct kshim_frame_hdr *h, const uint8_t *payload)
{
	uint8_t *out = tx_frame + FRAME_HDR_LEN;
	uint32_t out_len, nak;
	int32_t err;

	switch (h->type) {
	case KSHIM_FRAME_HELLO:
		if (h->length != 0)
			return KSHIM_NAK_BAD_LENGTH;
		fill_ready((struct kshim_ready *)out);
		answer(h, sizeof(struct kshim_ready));
		return 0;

	case KSHIM_FRAME_IOCTL:
		nak = ioctl_serve(payload, h->length, out, &out_len);
		if (nak != 0)
			return nak;
		answer(h, out_len);
		return 0;

	case KSHIM_FRAME_MODULE: {
		struct kshim_module_req m;

		if (h->length != sizeof(m))
			return KSHIM_NAK_BAD_LENGTH;
		memcpy(&m, payload, sizeof(m));
		if (strnlen(m.path, sizeof(m.path)) == sizeof(m.path))
			return KSHIM_NAK_BAD_REQUEST;
		err = do_module(&m);
		kprintf("kshim-testguest: module %s %s: error %d\n",
		    m.op == KSHIM_MODULE_LOAD ? "load" :
		    m.op == KSHIM_MODULE_UNLOAD ? "unload" : "?", m.path, err);
		answer(h, put_status(err));
		return 0;
	}

	case KSHIM_FRAME_SYSCTL: {
		struct kshim_sysctl_req s;

		if (h->length != sizeof(s))
			return KSHIM_NAK_BAD_LENGTH;
		memcpy(&s, payload, sizeof(s));
		if (strnlen(s.name, sizeof(s.name)) == sizeof(s.name))
			return KSHIM_NAK_BAD_REQUEST;
		answer(h, put_status(sysctl_write(s.name, s.value)));
		return 0;
	}

	case KSHIM_FRAME_SHUTDOWN:
		if (h->length != 0)
			return KSHIM_NAK_BAD_LENGTH;
		answer(h, put_status(0));
		kprintf("kshim-testguest: shutdown requested\n");
		power_off();	/* does not return */

	case KSHIM_FRAME_FAULT: {
		struct kshim_fault_req f;

		if (h->length != sizeof(f))
			return KSHIM_NAK_BAD_LENGTH;
		memcpy(&f, payload, sizeof(f));
		if (!fault_valid(f.mode)) {
			answer(h, put_status(NETBSD_EINVAL));
			return 0;
		}
		answer(h, put_status(0));
		fault_inject(f.mode, f.count);
		return 0;
	}

	default:
		/* READY, NAK, answers, unknown types: not requests. */
		return KSHIM_NAK_BAD_TYPE;
	}
}

static void
handle_frame(void)
{
	struct kshim_frame_hdr h;
	uint32_t nak;

	memcpy(&h, rx.buf, sizeof(h));
	if (last_id != 0 && h.req_id == last_id) {
		/* A retry: the answer was lost or garbled; never re-execute. */
		send_answer(tx_frame, tx_len);
		return;
	}
	nak = execute(&h, rx.buf + FRAME_HDR_LEN);
	if (nak != 0)
		send_nak(h.req_id, nak);
}

void
agent_poll(void)
{
	enum rx_event ev = RX_NONE;
	int c;

	if (!uart_agent.present)
		return;
	while ((c = uart_getc_nowait(&uart_agent)) >= 0) {
		rx.last_tsc = rdtsc();
		ev = frame_rx_byte(&rx, (uint8_t)c);
		if (ev != RX_NONE)
			break;
	}
	if (ev == RX_NONE)
		ev = frame_rx_idle(&rx, rdtsc(), clock_msec_to_tsc(RX_TIMEOUT_MS));
	if (ev == RX_FRAME)
		handle_frame();
	else if (ev == RX_NAK)
		send_nak(rx.nak_id, rx.nak_reason);
}
