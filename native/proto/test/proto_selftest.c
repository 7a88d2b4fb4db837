/*
 * proto_selftest.c: native/proto on the host, behind a fake platform.
 *
 * The agent and the test guest can only be driven through a VM; this
 * checks the shared server directly and fast: frames checked with a
 * bit-at-a-time CRC written here (independent of the server's table),
 * every NAK reason, the replay cache, READY
 * and HELLO, the IOCTL buffers and sys_ioctl's copy-back rule, FAULT's
 * two platforms, the timeout of a partial frame, and a fuzz of garbage
 * and mutated frames, fed in random pieces, after which every byte the
 * server wrote must still parse as good frames.  Built with ASan and
 * UBSan by `make -C native selftest`, so an out-of-bounds access on
 * garbage fails the build rather than a guest.
 *
 * Exit status 0 when every check held.  `proto_selftest -v` is chatty.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kshim_proto.h"
#include "kshim_check.h"

/* Not part of the platform's interface, but worth its own check. */
uint32_t proto_crc32(uint32_t, const void *, size_t);

static int verbose;

#define HDR		KSHIM_PROTO_HDR_LEN
#define TEST_CMD_INOUT	UVMSHIM_IOC(UVMSHIM_IOC_INOUT, 'T', 1, 32)
#define TEST_CMD_IN	UVMSHIM_IOC(UVMSHIM_IOC_IN, 'T', 2, 32)

/* zlib's crc32(), one bit at a time: nothing shared with the server's. */
static uint32_t
ref_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int k;

	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

/* ---- the fake platform --------------------------------------------------- */

struct fake {
	/* The line: what the harness sent, what the server wrote. */
	uint8_t		*in;
	size_t		 in_len, in_off;
	size_t		 chunk;		/* largest piece per read; 0: all */
	uint8_t		*out;
	size_t		 out_len, out_cap;
	int		 write_error;	/* -errno for every write, or 0 */
	long		 read_error;
	uint64_t	 now;
	/* What the requests did. */
	int		 ioctls, modules, sysctls, power_offs, faults;
	int32_t		 ioctl_error;
	uint32_t	 last_op;
	char		 last_path[64];
	size_t		 out_at_fault;	/* bytes written when po_fault ran */
	int		 accepted;	/* po_accepted calls */
	size_t		 out_at_accepted; /* bytes written when it ran last */
	int		 notes[KSHIM_NOTE_SKIPPED + 1];
};

static struct fake fk;
static uint8_t *scratch;

static long
fk_read(void *ctx, uint8_t *buf, size_t len)
{
	size_t n = fk.in_len - fk.in_off;

	(void)ctx;
	if (fk.read_error != 0)
		return fk.read_error;
	if (n > len)
		n = len;
	if (fk.chunk != 0 && n > fk.chunk)
		n = 1 + (size_t)rand() % fk.chunk;
	memcpy(buf, fk.in + fk.in_off, n);
	fk.in_off += n;
	return (long)n;
}

static int
fk_write(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (fk.write_error != 0)
		return fk.write_error;
	if (fk.out_len + len > fk.out_cap) {
		fk.out_cap = (fk.out_len + len) * 2;
		fk.out = realloc(fk.out, fk.out_cap);
	}
	memcpy(fk.out + fk.out_len, frame, len);
	fk.out_len += len;
	return 0;
}

static uint64_t
fk_now(void *ctx)
{
	(void)ctx;
	return fk.now;
}

static uint64_t
fk_boot_id(void *ctx)
{
	(void)ctx;
	return 0x1122334455667788ULL;
}

static int32_t
fk_module_error(void *ctx)
{
	(void)ctx;
	return 0;
}

/*
 * The device: every pointer slot named by the test's layout must point
 * into scratch; it adds 1 to each IN byte of buffer 0 into buffer 1 and
 * sets the argument's first word.
 */
static int32_t
fk_ioctl(void *ctx, uint32_t cmd, void *arg, uint32_t arg_len, uint64_t *nsec)
{
	uint64_t *w = arg;

	(void)ctx;
	fk.ioctls++;
	*nsec = 1234;
	CHECK(((uintptr_t)arg & 7) == 0, "argument aligned");
	CHECK(arg_len == ((cmd >> UVMSHIM_IOCPARM_SHIFT) & UVMSHIM_IOCPARM_MASK),
	    "arg_len %u", arg_len);
	if ((cmd & 0xff00) == ('T' << 8) && arg_len == 32) {
		uint8_t *b0 = (uint8_t *)(uintptr_t)w[1];
		uint8_t *b1 = (uint8_t *)(uintptr_t)w[2];

		CHECK(b0 >= scratch && b0 < scratch + KSHIM_PROTO_SCRATCH_BYTES,
		    "buffer 0 in scratch");
		CHECK(b1 >= scratch && b1 < scratch + KSHIM_PROTO_SCRATCH_BYTES,
		    "buffer 1 in scratch");
		CHECK(((uintptr_t)b0 & 63) == 0, "buffer 0 aligned");
		for (int i = 0; i < 16; i++)
			b1[i] = b0[i] + 1;
		w[0] = 0xfeedULL;
	}
	return fk.ioctl_error;
}

static int32_t
fk_module(void *ctx, uint32_t op, const char *path)
{
	(void)ctx;
	fk.modules++;
	fk.last_op = op;
	snprintf(fk.last_path, sizeof(fk.last_path), "%s", path);
	return op == KSHIM_MODULE_LOAD ? 0 : UVMSHIM_EINVAL;
}

static int32_t
fk_sysctl(void *ctx, const char *name, int64_t value)
{
	(void)ctx;
	(void)value;
	fk.sysctls++;
	return strcmp(name, "ddb.lines") == 0 ? 0 : UVMSHIM_ENOENT;
}

static void
fk_power_off(void *ctx)
{
	(void)ctx;
	fk.power_offs++;
}

static int32_t
fk_fault_check(void *ctx, uint32_t mode)
{
	(void)ctx;
	return mode == KSHIM_FAULT_GARBLE ? 0 : UVMSHIM_EINVAL;
}

static void
fk_fault(void *ctx, uint32_t mode, uint32_t count)
{
	(void)ctx;
	(void)mode;
	(void)count;
	fk.faults++;
	fk.out_at_fault = fk.out_len;
}

static void
fk_accepted(void *ctx)
{
	(void)ctx;
	fk.accepted++;
	fk.out_at_accepted = fk.out_len;
}

static void
fk_note(void *ctx, const struct kshim_proto_note *n,
    const struct kshim_proto_stats *s)
{
	(void)ctx;
	(void)s;
	if (n->pn_kind >= 1 && n->pn_kind <= KSHIM_NOTE_SKIPPED)
		fk.notes[n->pn_kind]++;
}

static const struct kshim_proto_ops fk_ops = {
	.po_read = fk_read,
	.po_write = fk_write,
	.po_now_ns = fk_now,
	.po_boot_id = fk_boot_id,
	.po_module_error = fk_module_error,
	.po_ioctl = fk_ioctl,
	.po_module = fk_module,
	.po_sysctl = fk_sysctl,
	.po_power_off = fk_power_off,
	.po_fault_check = fk_fault_check,
	.po_fault = fk_fault,
	.po_accepted = fk_accepted,
	.po_note = fk_note,
};

/* The agent's platform: no fault injection. */
static struct kshim_proto_ops fk_ops_nofault;

static struct kshim_proto proto;
static uint8_t stage[4096];

static void
server_init(const struct kshim_proto_ops *ops)
{
	static uint8_t *rx, *tx;
	struct kshim_proto_config cfg = {
		.pc_ops = ops,
		.pc_agent_kind = UVMSHIM_TARGET_TESTGUEST,
		.pc_agent_version = "selftest agent",
		.pc_os_version = "selftest os",
		.pc_stage = stage,
		.pc_stage_len = sizeof(stage),
	};

	if (rx == NULL) {
		rx = malloc(KSHIM_PROTO_FRAME_BYTES);
		tx = malloc(KSHIM_PROTO_FRAME_BYTES);
		scratch = malloc(KSHIM_PROTO_SCRATCH_BYTES);
	}
	cfg.pc_rx_buf = rx;
	cfg.pc_tx_buf = tx;
	cfg.pc_scratch = scratch;
	free(fk.out);
	free(fk.in);
	memset(&fk, 0, sizeof(fk));
	EQ(kshim_proto_init(&proto, &cfg), 0);
}

/* ---- the harness's side ------------------------------------------------ */

static uint8_t *
frame(uint32_t id, uint16_t type, const void *payload, uint32_t len,
    size_t *flen)
{
	struct kshim_frame_hdr h = {
		.magic = KSHIM_FRAME_MAGIC, .length = len, .req_id = id,
		.type = type,
	};
	uint8_t *f = malloc(HDR + len + 1);

	h.crc32 = ref_crc32(ref_crc32(0, &h, sizeof(h)), payload,
	    payload != NULL ? len : 0);
	memcpy(f, &h, sizeof(h));
	if (len != 0)
		memcpy(f + HDR, payload, len);
	*flen = HDR + len;
	return f;
}

/* Queue bytes on the line and let the server read until it has all. */
static void
deliver(const uint8_t *b, size_t len)
{
	fk.in = realloc(fk.in, len ? len : 1);
	memcpy(fk.in, b, len);
	fk.in_len = len;
	fk.in_off = 0;
	while (fk.in_off < fk.in_len)
		EQ(kshim_proto_poll(&proto), 0);
}

static void
request(uint32_t id, uint16_t type, const void *payload, uint32_t len)
{
	size_t flen;
	uint8_t *f = frame(id, type, payload, len, &flen);

	deliver(f, flen);
	free(f);
}

struct answer {
	struct kshim_frame_hdr h;
	const uint8_t *payload;
};

/* ACCEPTED and PROGRESS frames answers() saw and left out. */
static int seen_accepted, seen_progress;

/*
 * Split everything written since `from` into frames; each must carry the
 * magic and a good CRC.  Returns how many were found, leaving out ACCEPTED
 * and PROGRESS (counted in seen_*), which most tests do not look at.
 */
static int
answers(size_t from, struct answer *a, int max)
{
	size_t at = from;
	int n = 0;

	seen_accepted = seen_progress = 0;

	while (at < fk.out_len) {
		struct kshim_frame_hdr h, z;

		CHECK(fk.out_len - at >= HDR, "a whole header at %zu", at);
		if (fk.out_len - at < HDR)
			break;
		memcpy(&h, fk.out + at, sizeof(h));
		CHECK(h.magic == KSHIM_FRAME_MAGIC, "magic at %zu", at);
		CHECK(h.length <= fk.out_len - at - HDR, "length at %zu", at);
		if (h.magic != KSHIM_FRAME_MAGIC ||
		    h.length > fk.out_len - at - HDR)
			break;
		z = h;
		z.crc32 = 0;
		CHECK(ref_crc32(ref_crc32(0, &z, sizeof(z)), fk.out + at + HDR,
		    h.length) == h.crc32, "crc of frame at %zu", at);
		if (h.type == KSHIM_FRAME_ACCEPTED ||
		    h.type == KSHIM_FRAME_PROGRESS) {
			struct kshim_progress pr;

			if (h.type == KSHIM_FRAME_ACCEPTED) {
				CHECK(h.length == 0, "ACCEPTED empty");
				seen_accepted++;
			} else {
				CHECK(h.length == sizeof(pr), "PROGRESS size");
				memcpy(&pr, fk.out + at + HDR, sizeof(pr));
				CHECK(pr.have > HDR && pr.have < pr.need &&
				    pr.need <= KSHIM_PROTO_FRAME_BYTES,
				    "PROGRESS %u of %u", pr.have, pr.need);
				seen_progress++;
			}
			at += HDR + h.length;
			continue;
		}
		if (n < max) {
			a[n].h = h;
			a[n].payload = fk.out + at + HDR;
		}
		n++;
		at += HDR + h.length;
	}
	return n;
}

/* The one answer since `from`, checked for id and type. */
static struct answer
only_answer(size_t from, uint32_t id, uint16_t type)
{
	struct answer a[4];
	int n = answers(from, a, 4);

	EQ(n, 1);
	if (n < 1) {
		memset(a, 0, sizeof(a[0]));
		return a[0];
	}
	EQ(a[0].h.req_id, id);
	EQ(a[0].h.type, type);
	return a[0];
}

static void
expect_nak(size_t from, uint32_t id, uint32_t reason)
{
	struct answer a = only_answer(from, id, KSHIM_FRAME_NAK);
	struct kshim_nak nak;

	if (a.payload == NULL)
		return;
	EQ(a.h.length, sizeof(nak));
	memcpy(&nak, a.payload, sizeof(nak));
	EQ(nak.reason, reason);
}

static int32_t
status_of(struct answer a)
{
	struct kshim_status s;

	if (a.payload == NULL || a.h.length != sizeof(s))
		return -1;
	memcpy(&s, a.payload, sizeof(s));
	return s.error;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_crc(void)
{
	EQ(ref_crc32(0, "123456789", 9), 0xcbf43926U);
	EQ(proto_crc32(0, "123456789", 9), 0xcbf43926U);
	EQ(proto_crc32(proto_crc32(0, "1234", 4), "56789", 5), 0xcbf43926U);
}

static void
test_init(void)
{
	struct kshim_proto_ops half = fk_ops;
	struct kshim_proto_config cfg = { .pc_ops = &half };

	half.po_fault = NULL;
	EQ(kshim_proto_init(&proto, &cfg), UVMSHIM_EINVAL);
	cfg.pc_ops = NULL;
	EQ(kshim_proto_init(&proto, &cfg), UVMSHIM_EINVAL);
}

static void
test_ready_and_hello(void)
{
	struct answer a;
	struct kshim_ready r;
	size_t from;

	server_init(&fk_ops);
	kshim_proto_send_ready(&proto);
	a = only_answer(0, 0, KSHIM_FRAME_READY);
	EQ(a.h.length, sizeof(r));
	memcpy(&r, a.payload, sizeof(r));
	EQ(r.proto_version, KSHIM_PROTO_VERSION);
	EQ(r.agent_kind, UVMSHIM_TARGET_TESTGUEST);
	EQ(r.boot_id, 0x1122334455667788ULL);
	CHECK(strcmp(r.agent_version, "selftest agent") == 0, "agent_version");
	CHECK(strcmp(r.os_version, "selftest os") == 0, "os_version");

	from = fk.out_len;
	request(1, KSHIM_FRAME_HELLO, NULL, 0);
	a = only_answer(from, 1, KSHIM_FRAME_HELLO | KSHIM_FRAME_RESPONSE);
	EQ(a.h.length, sizeof(r));
	CHECK(memcmp(a.payload, &r, sizeof(r)) == 0, "HELLO = READY");
}

static void
test_naks(void)
{
	struct kshim_module_req m = { .op = KSHIM_MODULE_LOAD };
	struct kshim_sysctl_req s = { .value = 1 };
	struct kshim_frame_hdr h = {
		.magic = KSHIM_FRAME_MAGIC,
		.length = KSHIM_FRAME_MAX_PAYLOAD + 1, .req_id = 9,
	};
	uint8_t *f;
	size_t from, flen;

	server_init(&fk_ops);

	from = fk.out_len;
	deliver((const uint8_t *)&h, sizeof(h));
	expect_nak(from, 9, KSHIM_NAK_BAD_LENGTH);

	from = fk.out_len;
	f = frame(10, KSHIM_FRAME_HELLO, "x", 1, &flen);
	f[HDR] ^= 1;		/* payload corrupted after the CRC */
	deliver(f, flen);
	free(f);
	expect_nak(from, 10, KSHIM_NAK_BAD_CRC);

	from = fk.out_len;
	request(11, KSHIM_FRAME_READY, NULL, 0);
	expect_nak(from, 11, KSHIM_NAK_BAD_TYPE);
	from = fk.out_len;
	request(12, KSHIM_FRAME_HELLO | KSHIM_FRAME_RESPONSE, NULL, 0);
	expect_nak(from, 12, KSHIM_NAK_BAD_TYPE);
	from = fk.out_len;
	request(13, 0x55, NULL, 0);
	expect_nak(from, 13, KSHIM_NAK_BAD_TYPE);

	from = fk.out_len;
	request(14, KSHIM_FRAME_HELLO, "x", 1);
	expect_nak(from, 14, KSHIM_NAK_BAD_LENGTH);
	from = fk.out_len;
	request(15, KSHIM_FRAME_SHUTDOWN, "x", 1);
	expect_nak(from, 15, KSHIM_NAK_BAD_LENGTH);
	from = fk.out_len;
	request(16, KSHIM_FRAME_MODULE, &m, sizeof(m) - 1);
	expect_nak(from, 16, KSHIM_NAK_BAD_LENGTH);
	from = fk.out_len;
	request(17, KSHIM_FRAME_FAULT, &m, 4);
	expect_nak(from, 17, KSHIM_NAK_BAD_LENGTH);
	from = fk.out_len;
	{
		uint8_t longer[sizeof(s) + 1] = { 0 };

		request(18, KSHIM_FRAME_SYSCTL, longer, sizeof(longer));
	}
	expect_nak(from, 18, KSHIM_NAK_BAD_LENGTH);

	/* Strings: no NUL, or an empty path. */
	from = fk.out_len;
	memset(m.path, 'a', sizeof(m.path));
	request(19, KSHIM_FRAME_MODULE, &m, sizeof(m));
	expect_nak(from, 19, KSHIM_NAK_BAD_REQUEST);
	from = fk.out_len;
	memset(m.path, 0, sizeof(m.path));
	request(20, KSHIM_FRAME_MODULE, &m, sizeof(m));
	expect_nak(from, 20, KSHIM_NAK_BAD_REQUEST);
	from = fk.out_len;
	memset(s.name, 'a', sizeof(s.name));
	request(21, KSHIM_FRAME_SYSCTL, &s, sizeof(s));
	expect_nak(from, 21, KSHIM_NAK_BAD_REQUEST);
	EQ(fk.modules + fk.sysctls + fk.power_offs, 0);

	/* A NAKed request is not cached: the same id runs when it is good. */
	from = fk.out_len;
	strcpy(m.path, "/stand/uvmshim.kmod");
	request(20, KSHIM_FRAME_MODULE, &m, sizeof(m));
	EQ(status_of(only_answer(from, 20,
	    KSHIM_FRAME_MODULE | KSHIM_FRAME_RESPONSE)), 0);
	EQ(fk.modules, 1);
	CHECK(strcmp(fk.last_path, "/stand/uvmshim.kmod") == 0, "path");
	EQ(fk.notes[KSHIM_NOTE_NAK], 13);
}

static void
test_replay(void)
{
	struct kshim_module_req m = { .op = KSHIM_MODULE_LOAD };
	size_t from, first_len;
	uint8_t first[256];

	server_init(&fk_ops);
	strcpy(m.path, "uvmshim");
	request(5, KSHIM_FRAME_MODULE, &m, sizeof(m));
	/* ACCEPTED, then the answer; a replay is the answer alone. */
	first_len = fk.out_len - HDR;
	memcpy(first, fk.out + HDR, first_len);
	from = fk.out_len;
	request(5, KSHIM_FRAME_MODULE, &m, sizeof(m));
	EQ(fk.modules, 1);
	EQ(fk.out_len - from, first_len);
	CHECK(memcmp(fk.out + from, first, first_len) == 0, "byte for byte");
	EQ(fk.notes[KSHIM_NOTE_REPLAY], 1);
	/* A new id runs again; a restart forgets the cache. */
	request(6, KSHIM_FRAME_MODULE, &m, sizeof(m));
	EQ(fk.modules, 2);
	kshim_proto_restart(&proto);
	request(6, KSHIM_FRAME_MODULE, &m, sizeof(m));
	EQ(fk.modules, 3);
}

/* IOCTL request: header, descriptors, 32-byte argument, IN data. */
static size_t
ioctl_req(uint8_t *buf, uint32_t cmd, const struct kshim_buf_desc *d,
    uint32_t nbufs, const uint64_t arg[4], const uint8_t *in, size_t in_len)
{
	struct kshim_ioctl_req r = { .cmd = cmd, .arg_len = 32, .nbufs = nbufs };
	size_t off = 0;

	memcpy(buf + off, &r, sizeof(r));
	off += sizeof(r);
	memcpy(buf + off, d, nbufs * sizeof(*d));
	off += nbufs * sizeof(*d);
	memcpy(buf + off, arg, 32);
	off += 32;
	if (in_len != 0)
		memcpy(buf + off, in, in_len);
	return off + in_len;
}

static void
test_ioctl(void)
{
	struct kshim_buf_desc d[2] = {
		{ .ptr_offset = 8, .dir = KSHIM_BUF_IN, .len = 16 },
		{ .ptr_offset = 16, .dir = KSHIM_BUF_OUT, .len = 16 },
	};
	const uint64_t arg[4] = { 1, 0xaaaa, 0xbbbb, 4 };
	struct kshim_ioctl_resp resp;
	uint8_t in[16], buf[512];
	uint64_t got[4];
	struct answer a;
	size_t from, len;
	int i;

	server_init(&fk_ops);
	for (i = 0; i < 16; i++)
		in[i] = (uint8_t)(i * 3);

	/* Success with IOC_OUT: the argument comes back, pointers as sent. */
	len = ioctl_req(buf, TEST_CMD_INOUT, d, 2, arg, in, sizeof(in));
	from = fk.out_len;
	request(1, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);
	a = only_answer(from, 1, KSHIM_FRAME_IOCTL | KSHIM_FRAME_RESPONSE);
	EQ(a.h.length, sizeof(resp) + 32 + 16);
	if (a.payload != NULL && a.h.length == sizeof(resp) + 32 + 16) {
		memcpy(&resp, a.payload, sizeof(resp));
		EQ(resp.error, 0);
		EQ(resp.arg_len, 32);
		EQ(resp.nsec, 1234);
		memcpy(got, a.payload + sizeof(resp), 32);
		EQ(got[0], 0xfeed);
		EQ(got[1], 0xaaaa);
		EQ(got[2], 0xbbbb);
		EQ(got[3], 4);
		for (i = 0; i < 16; i++)
			EQ(a.payload[sizeof(resp) + 32 + i], in[i] + 1);
	}

	/* Failure: the argument as sent, OUT buffers all the same. */
	fk.ioctl_error = UVMSHIM_EBUSY;
	from = fk.out_len;
	request(2, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);
	a = only_answer(from, 2, KSHIM_FRAME_IOCTL | KSHIM_FRAME_RESPONSE);
	if (a.payload != NULL && a.h.length == sizeof(resp) + 32 + 16) {
		memcpy(&resp, a.payload, sizeof(resp));
		EQ(resp.error, UVMSHIM_EBUSY);
		CHECK(memcmp(a.payload + sizeof(resp), arg, 32) == 0,
		    "argument as sent");
		EQ(a.payload[sizeof(resp) + 32 + 1], in[1] + 1);
	}
	fk.ioctl_error = 0;

	/* No IOC_OUT: the argument as sent even on success. */
	len = ioctl_req(buf, TEST_CMD_IN, d, 2, arg, in, sizeof(in));
	from = fk.out_len;
	request(3, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);
	a = only_answer(from, 3, KSHIM_FRAME_IOCTL | KSHIM_FRAME_RESPONSE);
	if (a.payload != NULL && a.h.length >= sizeof(resp) + 32)
		CHECK(memcmp(a.payload + sizeof(resp), arg, 32) == 0,
		    "argument as sent");
	EQ(fk.ioctls, 3);

	/* Buffers with no direction that do not fit: ENOMEM, not run. */
	{
		struct kshim_buf_desc big[2] = {
			{ .ptr_offset = 8, .dir = 0, .len = 0xffffffffU },
			{ .ptr_offset = 16, .dir = KSHIM_BUF_OUT, .len = 16 },
		};

		len = ioctl_req(buf, TEST_CMD_INOUT, big, 2, arg, NULL, 0);
		from = fk.out_len;
		request(4, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);
		a = only_answer(from, 4,
		    KSHIM_FRAME_IOCTL | KSHIM_FRAME_RESPONSE);
		if (a.payload != NULL) {
			memcpy(&resp, a.payload, sizeof(resp));
			EQ(resp.error, UVMSHIM_ENOMEM);
			EQ(a.h.length, sizeof(resp) + 32 + 16);
		}
		EQ(fk.ioctls, 3);
	}
}

static void
test_ioctl_naks(void)
{
	struct kshim_buf_desc d[KSHIM_MAX_BUFS + 1];
	const uint64_t arg[4] = { 0 };
	uint8_t buf[512], in[16] = { 0 };
	struct kshim_ioctl_req *r = (struct kshim_ioctl_req *)buf;
	size_t len, from;
	uint32_t id = 100;

	server_init(&fk_ops);
	memset(d, 0, sizeof(d));
	d[0].ptr_offset = 8;
	d[0].dir = KSHIM_BUF_IN;
	d[0].len = 16;

#define NAK_CASE(mutate, reason) do {					\
	len = ioctl_req(buf, TEST_CMD_INOUT, d, 1, arg, in, sizeof(in));\
	mutate;								\
	from = fk.out_len;						\
	request(++id, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);		\
	expect_nak(from, id, reason);					\
} while (0)

	NAK_CASE(len = 8, KSHIM_NAK_BAD_LENGTH);
	NAK_CASE(len -= 1, KSHIM_NAK_BAD_LENGTH);
	NAK_CASE(len += 1, KSHIM_NAK_BAD_LENGTH);
	NAK_CASE(len = sizeof(*r) + 4, KSHIM_NAK_BAD_LENGTH);
	NAK_CASE(r->nbufs = KSHIM_MAX_BUFS + 1, KSHIM_NAK_BAD_REQUEST);
	NAK_CASE(r->nbufs = 0xffffffffU, KSHIM_NAK_BAD_REQUEST);
	NAK_CASE(r->pad0 = 1, KSHIM_NAK_BAD_REQUEST);
	NAK_CASE(r->arg_len = 31, KSHIM_NAK_BAD_REQUEST);
	NAK_CASE(r->cmd = UVMSHIM_IOC(UVMSHIM_IOC_INOUT, 'T', 1, 0x1fff),
	    KSHIM_NAK_BAD_REQUEST);
	d[0].ptr_offset = 25;
	NAK_CASE((void)0, KSHIM_NAK_BAD_REQUEST);
	d[0].ptr_offset = 0xfffffffcU;
	NAK_CASE((void)0, KSHIM_NAK_BAD_REQUEST);
	d[0].ptr_offset = 8;
	d[0].dir = 4;
	NAK_CASE((void)0, KSHIM_NAK_BAD_REQUEST);
	d[0].dir = KSHIM_BUF_IN;
	d[0].pad0 = 1;
	NAK_CASE((void)0, KSHIM_NAK_BAD_REQUEST);
	d[0].pad0 = 0;
	/* IN data lengths that wrap 32 bits do not pass. */
	d[0].len = 0xfffffff0U;
	NAK_CASE((void)0, KSHIM_NAK_BAD_LENGTH);
	/* An answer above the largest payload. */
	d[0].dir = KSHIM_BUF_OUT;
	d[0].len = KSHIM_FRAME_MAX_PAYLOAD;
	NAK_CASE(len -= sizeof(in), KSHIM_NAK_BAD_REQUEST);
#undef NAK_CASE
	EQ(fk.ioctls, 0);
}

static void
test_fault_and_shutdown(void)
{
	struct kshim_fault_req f = { .mode = KSHIM_FAULT_GARBLE, .count = 2 };
	struct answer a;
	size_t from;

	/* The test guest: the answer goes out before the fault. */
	server_init(&fk_ops);
	request(1, KSHIM_FRAME_FAULT, &f, sizeof(f));
	a = only_answer(0, 1, KSHIM_FRAME_FAULT | KSHIM_FRAME_RESPONSE);
	EQ(status_of(a), 0);
	EQ(fk.faults, 1);
	EQ(fk.out_at_fault, HDR + HDR + sizeof(struct kshim_status));
	from = fk.out_len;
	f.mode = 99;
	request(2, KSHIM_FRAME_FAULT, &f, sizeof(f));
	EQ(status_of(only_answer(from, 2,
	    KSHIM_FRAME_FAULT | KSHIM_FRAME_RESPONSE)), UVMSHIM_EINVAL);
	EQ(fk.faults, 1);

	/* The agent: ENOTSUP. */
	server_init(&fk_ops_nofault);
	request(1, KSHIM_FRAME_FAULT, &f, sizeof(f));
	EQ(status_of(only_answer(0, 1,
	    KSHIM_FRAME_FAULT | KSHIM_FRAME_RESPONSE)), UVMSHIM_ENOTSUP);

	from = fk.out_len;
	request(2, KSHIM_FRAME_SHUTDOWN, NULL, 0);
	EQ(status_of(only_answer(from, 2,
	    KSHIM_FRAME_SHUTDOWN | KSHIM_FRAME_RESPONSE)), 0);
	EQ(fk.power_offs, 1);
}

static void
test_pieces_and_garbage(void)
{
	uint8_t line[1024];
	size_t flen, n = 0;
	uint8_t *f;
	struct answer a[4];

	server_init(&fk_ops);
	/* Garbage with false starts of the magic, then two frames. */
	memcpy(line, "KSH\0KSxKKSHxx", 13);
	n = 13;
	f = frame(1, KSHIM_FRAME_HELLO, NULL, 0, &flen);
	memcpy(line + n, f, flen);
	n += flen;
	free(f);
	f = frame(2, KSHIM_FRAME_HELLO, NULL, 0, &flen);
	memcpy(line + n, f, flen);
	n += flen;
	free(f);
	fk.chunk = 1;		/* one byte per read */
	deliver(line, n);
	EQ(answers(0, a, 4), 2);
	EQ(a[0].h.req_id, 1);
	EQ(a[1].h.req_id, 2);
	EQ(proto.p_rx.rx_stats.ps_resync_bytes, 13);
	EQ(fk.notes[KSHIM_NOTE_SKIPPED], 1);
}

static void
test_timeout(void)
{
	size_t flen, from;
	uint8_t *f;

	server_init(&fk_ops);
	f = frame(7, KSHIM_FRAME_HELLO, "abcd", 4, &flen);
	/* Half a header: dropped silently. */
	deliver(f, 10);
	fk.now += 1999ULL * 1000000;
	EQ(kshim_proto_poll(&proto), 0);
	EQ(fk.out_len, 0);
	fk.now += 2ULL * 1000000;
	EQ(kshim_proto_poll(&proto), 0);
	EQ(fk.out_len, 0);
	EQ(proto.p_rx.rx_stats.ps_timeouts, 1);
	/* A header without its payload: NAKed BAD_LENGTH with its id. */
	deliver(f, flen - 1);
	fk.now += 2001ULL * 1000000;
	from = fk.out_len;
	EQ(kshim_proto_poll(&proto), 0);
	expect_nak(from, 7, KSHIM_NAK_BAD_LENGTH);
	EQ(fk.notes[KSHIM_NOTE_STALLED], 2);
	EQ(fk.notes[KSHIM_NOTE_DROPPED], 2);
	/* The next good frame is served. */
	from = fk.out_len;
	deliver(f, flen);
	EQ(fk.notes[KSHIM_NOTE_RESUMED], 2);
	expect_nak(from, 7, KSHIM_NAK_BAD_LENGTH);
	free(f);
	/* A line error comes back to the caller. */
	fk.read_error = -5;
	EQ(kshim_proto_poll(&proto), -5);
}

/*
 * ACCEPTED precedes the run of every new request and nothing else;
 * PROGRESS reports a long frame every KSHIM_PROGRESS_EVERY bytes.
 */
static void
test_accepted_and_progress(void)
{
	struct kshim_buf_desc d[2] = {
		{ .ptr_offset = 8, .dir = KSHIM_BUF_IN, .len = 100 * 1024 },
		{ .ptr_offset = 16, .dir = KSHIM_BUF_OUT, .len = 16 },
	};
	const uint64_t arg[4] = { 0 };
	struct kshim_frame_hdr h;
	struct kshim_progress pr;
	struct answer a[64];
	uint32_t want_have;
	size_t len, from;
	uint8_t *buf, *in;
	int i, n;

	server_init(&fk_ops);
	request(1, KSHIM_FRAME_HELLO, NULL, 0);
	/* First on the line, before the run, with the request's id. */
	memcpy(&h, fk.out, sizeof(h));
	EQ(h.type, KSHIM_FRAME_ACCEPTED);
	EQ(h.req_id, 1);
	EQ(h.length, 0);
	EQ(fk.accepted, 1);
	EQ(fk.out_at_accepted, HDR);
	only_answer(0, 1, KSHIM_FRAME_HELLO | KSHIM_FRAME_RESPONSE);
	EQ(seen_accepted, 1);
	/* Not for a replay, a NAKed type, or a bad length. */
	from = fk.out_len;
	request(1, KSHIM_FRAME_HELLO, NULL, 0);
	request(2, KSHIM_FRAME_NAK, NULL, 0);
	request(3, KSHIM_FRAME_MODULE, "x", 1);
	request(4, KSHIM_FRAME_ACCEPTED, NULL, 0);
	request(5, KSHIM_FRAME_PROGRESS, "12345678", 8);
	EQ(answers(from, a, 8), 5);
	EQ(seen_accepted, 0);
	EQ(fk.accepted, 1);

	/* A 100 KiB IOCTL in reads of at most 4 KiB: PROGRESS every 8 KiB. */
	in = calloc(1, 100 * 1024);
	buf = malloc(200 * 1024);
	len = ioctl_req(buf, TEST_CMD_INOUT, d, 2, arg, in, d[0].len);
	from = fk.out_len;
	fk.chunk = 4096;
	request(6, KSHIM_FRAME_IOCTL, buf, (uint32_t)len);
	fk.chunk = 0;
	n = answers(from, a, 64);
	EQ(n, 1);
	EQ(seen_accepted, 1);
	EQ(seen_progress, (int)((HDR + len - 1) / KSHIM_PROGRESS_EVERY));
	/* In order, growing, each for id 6 and the frame's length. */
	want_have = 0;
	for (i = 0; i < seen_progress; i++, from += HDR + sizeof(pr)) {
		memcpy(&h, fk.out + from, sizeof(h));
		EQ(h.type, KSHIM_FRAME_PROGRESS);
		EQ(h.req_id, 6);
		EQ(h.length, sizeof(pr));
		memcpy(&pr, fk.out + from + HDR, sizeof(pr));
		CHECK(pr.have >= want_have + KSHIM_PROGRESS_EVERY &&
		    pr.have < pr.need, "progress %u after %u", pr.have,
		    want_have);
		EQ(pr.need, HDR + len);
		want_have = pr.have;
	}
	/* Then ACCEPTED. */
	memcpy(&h, fk.out + from, sizeof(h));
	EQ(h.type, KSHIM_FRAME_ACCEPTED);
	free(in);
	free(buf);
}

/* Random bytes, random frames, and good frames with a few bytes changed. */
static void
test_fuzz(int rounds)
{
	static const uint16_t types[] = {
		KSHIM_FRAME_HELLO, KSHIM_FRAME_IOCTL, KSHIM_FRAME_MODULE,
		KSHIM_FRAME_SYSCTL, KSHIM_FRAME_FAULT, KSHIM_FRAME_SHUTDOWN,
		KSHIM_FRAME_READY, KSHIM_FRAME_NAK, KSHIM_FRAME_ACCEPTED,
		KSHIM_FRAME_PROGRESS, 0x83, 0xffff,
	};
	struct kshim_buf_desc d[KSHIM_MAX_BUFS] = {
		{ .ptr_offset = 8, .dir = KSHIM_BUF_IN, .len = 16 },
		{ .ptr_offset = 16, .dir = KSHIM_BUF_OUT, .len = 16 },
	};
	const uint64_t arg[4] = { 0 };
	static uint8_t payload[40 * 1024];
	uint8_t in[16] = { 0 }, *f;
	uint32_t plen, id = 1;
	size_t flen;
	int round, i, good;

	server_init(&fk_ops);
	srand(24039);
	for (round = 0; round < rounds; round++) {
		uint16_t type = types[rand() % (int)(sizeof(types) /
		    sizeof(types[0]))];

		if (type == KSHIM_FRAME_IOCTL && rand() % 2 == 0) {
			plen = (uint32_t)ioctl_req(payload, TEST_CMD_INOUT, d,
			    2, arg, in, sizeof(in));
		} else {
			/* Now and then long enough for PROGRESS frames. */
			plen = (uint32_t)(rand() % (rand() % 32 == 0 ?
			    (int)sizeof(payload) : 600));
			for (i = 0; i < (int)plen; i++)
				payload[i] = (uint8_t)rand();
		}
		/* Fixed-size requests sometimes get their size. */
		if (rand() % 3 == 0 && type == KSHIM_FRAME_MODULE)
			plen = sizeof(struct kshim_module_req);
		if (rand() % 3 == 0 && type == KSHIM_FRAME_SYSCTL)
			plen = sizeof(struct kshim_sysctl_req);
		if (rand() % 3 == 0 && type == KSHIM_FRAME_FAULT)
			plen = sizeof(struct kshim_fault_req);
		f = frame(rand() % 8 == 0 ? id : ++id, type, payload, plen,
		    &flen);
		/* Sometimes a few bytes change after sealing, header too. */
		if (rand() % 2 == 0)
			for (i = rand() % 4; i > 0; i--)
				f[rand() % (int)flen] ^= (uint8_t)(1 +
				    rand() % 255);
		fk.chunk = 1 + (size_t)(rand() % (plen > 600 ? 8192 : 64));
		/* Sometimes noise first. */
		if (rand() % 4 == 0) {
			uint8_t noise[64];
			int nn = 1 + rand() % (int)sizeof(noise);

			for (i = 0; i < nn; i++)
				noise[i] = (uint8_t)rand();
			deliver(noise, (size_t)nn);
		}
		deliver(f, flen);
		free(f);
		/* Anything left half-received times out before the next. */
		fk.now += 3ULL * 1000000000;
		EQ(kshim_proto_poll(&proto), 0);
	}
	good = answers(0, NULL, 0);
	CHECK(good > rounds / 2, "%d answers to %d requests", good, rounds);
	if (verbose)
		printf("fuzz: %d rounds, %d frames out, %u bad crc, %u bad "
		    "length, %u timeouts, %d ioctls ran\n", rounds, good,
		    proto.p_rx.rx_stats.ps_bad_crc,
		    proto.p_rx.rx_stats.ps_bad_len,
		    proto.p_rx.rx_stats.ps_timeouts, fk.ioctls);
	/* SHUTDOWN and FAULT ran only as the harness would ask. */
	CHECK(fk.ioctls > 0, "some ioctls ran");
}

int
main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	fk_ops_nofault = fk_ops;
	fk_ops_nofault.po_fault_check = NULL;
	fk_ops_nofault.po_fault = NULL;

	test_crc();
	test_init();
	test_ready_and_hello();
	test_naks();
	test_replay();
	test_ioctl();
	test_ioctl_naks();
	test_fault_and_shutdown();
	test_pieces_and_garbage();
	test_timeout();
	test_accepted_and_progress();
	test_fuzz(20000);

	printf("proto_selftest: %d checks, %d failed\n", checks, failures);
	free(fk.out);
	free(fk.in);
	return failures == 0 ? 0 : 1;
}
