/*
 * kshim_agent_proto.h: the framed protocol between the harness and a guest
 * agent (the NetBSD guest agent in native/agent, or the harness's own test
 * guest in native/testguest), carried on a dedicated serial line (com1) so
 * that kernel console chatter on com0 never corrupts it.
 *
 * Every frame is a struct kshim_frame_hdr followed by `length` payload
 * bytes.  All integers are little-endian (both ends are x86_64).  `crc32` is
 * CRC-32/IEEE (zlib's crc32) over the header with crc32 set to zero,
 * followed by the payload.  A receiver that sees a bad magic, an oversized
 * length or a bad CRC drops bytes until the next magic (resynchronisation);
 * the agent answers a request frame it could parse but not verify with a
 * NAK naming the request id, and the harness retries.
 *
 * Retries never execute a request twice: the agent remembers the id and
 * the response of the last request it executed and replays that response
 * when the same id arrives again.  Request ids start at 1 and increase.
 *
 * Since version 2 the agent also says how a request is getting on, so the
 * harness can tell a busy guest from a lost frame and need not overrun
 * the guest's input queue:
 * - ACCEPTED (no payload) goes out as soon as a new request arrived with
 *   a good CRC and is one the agent executes, before it runs.  The answer
 *   may then take as long as the request does: the harness stops counting
 *   resends and waits for it up to the request's deadline.  A replay is
 *   not preceded by ACCEPTED, and a NAK may still follow one (a malformed
 *   IOCTL is found out as it is unpacked).
 * - PROGRESS goes out while a long frame streams in, whenever another
 *   KSHIM_PROGRESS_EVERY bytes of it arrived, with the bytes received so
 *   far and the frame's length, both from the header (whose CRC is not
 *   known yet).  The harness keeps no more than KSHIM_PROGRESS_WINDOW bytes
 *   of a frame beyond what was reported in flight, which keeps NetBSD's
 *   64 KiB tty input queue from overflowing (it is flushed whole then).
 * A version 1 agent sends neither; the harness then resends on its timers
 * alone and sends every frame in one piece.
 *
 * At boot the agent sends an unsolicited READY frame (request id 0) that
 * carries a boot id; a READY in the middle of a session means the agent or
 * the guest restarted.
 */
#ifndef KSHIM_AGENT_PROTO_H
#define KSHIM_AGENT_PROTO_H

#if defined(_KERNEL) || defined(_STANDALONE)
#include <sys/types.h>
#else
#include <stdint.h>
#endif

#define KSHIM_PROTO_VERSION	2
#define KSHIM_FRAME_MAGIC	0x4d48534bU	/* "KSHM" in memory order */
#define KSHIM_FRAME_MAX_PAYLOAD	(1U << 22)	/* 4 MiB */

enum kshim_frame_type {
	KSHIM_FRAME_READY = 0x01,	/* agent -> host, unsolicited: struct kshim_ready */
	KSHIM_FRAME_HELLO = 0x02,	/* host -> agent: no payload; answer: struct kshim_ready */
	KSHIM_FRAME_IOCTL = 0x03,	/* host -> agent: struct kshim_ioctl_req + data */
	KSHIM_FRAME_MODULE = 0x04,	/* host -> agent: struct kshim_module_req */
	KSHIM_FRAME_SHUTDOWN = 0x05,	/* host -> agent: power off; answered first */
	KSHIM_FRAME_FAULT = 0x06,	/* host -> test guest only: struct kshim_fault_req */
	KSHIM_FRAME_SYSCTL = 0x07,	/* host -> agent: struct kshim_sysctl_req */
	KSHIM_FRAME_PROGRESS = 0x7d,	/* agent -> host: struct kshim_progress */
	KSHIM_FRAME_ACCEPTED = 0x7e,	/* agent -> host: no payload; runs now */
	KSHIM_FRAME_NAK = 0x7f,		/* agent -> host: struct kshim_nak */
	KSHIM_FRAME_RESPONSE = 0x80	/* OR-ed into the request's type in an answer */
};

struct kshim_frame_hdr {
	uint32_t magic;			/* KSHIM_FRAME_MAGIC */
	uint32_t length;		/* payload bytes, <= KSHIM_FRAME_MAX_PAYLOAD */
	uint32_t req_id;		/* echoed in the answer; 0 for READY */
	uint16_t type;			/* enum kshim_frame_type */
	uint16_t flags;			/* 0 */
	uint32_t crc32;
	uint32_t pad0;
};

/* READY and the answer to HELLO. */
struct kshim_ready {
	uint32_t proto_version;		/* KSHIM_PROTO_VERSION */
	uint32_t agent_kind;		/* enum uvmshim_target of what answers ioctls */
	uint64_t boot_id;		/* differs on every boot of the agent */
	int32_t module_error;		/* errno of loading the module, 0 if loaded */
	uint32_t pad0;
	char agent_version[32];		/* NUL-terminated */
	char os_version[64];		/* NUL-terminated, e.g. "NetBSD 7.99.4 (KSHIM)" */
};

#define KSHIM_BUF_IN	0x1U	/* copied to the guest before the ioctl */
#define KSHIM_BUF_OUT	0x2U	/* copied back after it */

/*
 * A buffer that an ioctl argument points to.  The agent allocates `len`
 * bytes, fills them from the request when KSHIM_BUF_IN, stores the guest
 * address as a uint64_t at byte `ptr_offset` of the argument, and returns
 * the contents when KSHIM_BUF_OUT.  The harness never sees guest pointers.
 */
struct kshim_buf_desc {
	uint32_t ptr_offset;
	uint32_t dir;			/* KSHIM_BUF_* */
	uint32_t len;
	uint32_t pad0;
};

/*
 * IOCTL request payload: this header, nbufs descriptors, arg_len argument
 * bytes, then the bytes of every KSHIM_BUF_IN buffer in descriptor order.
 * Answer payload: struct kshim_ioctl_resp, arg_len argument bytes (with the
 * pointer fields as the harness sent them), then every KSHIM_BUF_OUT
 * buffer in descriptor order.
 */
struct kshim_ioctl_req {
	uint32_t cmd;			/* UVMSHIM_IOC_* */
	uint32_t arg_len;		/* must equal the length encoded in cmd */
	uint32_t nbufs;			/* <= KSHIM_MAX_BUFS */
	uint32_t pad0;
};
#define KSHIM_MAX_BUFS	4

struct kshim_ioctl_resp {
	int32_t error;			/* errno of ioctl(2), 0 on success */
	uint32_t arg_len;
	uint64_t nsec;			/* time the agent spent in ioctl(2) */
};

/*
 * HOLD opens the module's device once more, apart from the descriptor
 * that ioctls use, and keeps it open until RELEASE: the module must then
 * refuse UNLOAD with EBUSY (its FINI may not run while the device is open)
 * while ioctls still work.  Without HOLD this contract cannot be tested,
 * because UNLOAD closes the ioctl descriptor first.  A restart of the
 * agent releases the device.
 */
enum kshim_module_op {
	KSHIM_MODULE_LOAD = 1,
	KSHIM_MODULE_UNLOAD = 2,
	KSHIM_MODULE_HOLD = 3,		/* 0, KSHIM_EALREADY, or open(2)'s errno */
	KSHIM_MODULE_RELEASE = 4	/* 0, or KSHIM_EBADF when nothing is held */
};

/* NetBSD's errnos that HOLD and RELEASE answer besides open(2)'s. */
#define KSHIM_EBADF	9	/* RELEASE: nothing held, as close(2) says */
#define KSHIM_EALREADY	37	/* HOLD: the device is held already */

/* MODULE request; the answer is a struct kshim_status. */
struct kshim_module_req {
	uint32_t op;			/* enum kshim_module_op */
	uint32_t pad0;
	char path[64];			/* NUL-terminated, e.g. "/stand/uvmshim.kmod" */
};

/* SYSCTL request (integer write by name); the answer is a struct kshim_status. */
struct kshim_sysctl_req {
	char name[56];			/* NUL-terminated, e.g. "ddb.lines" */
	int64_t value;
};

struct kshim_status {
	int32_t error;			/* errno, 0 on success */
	uint32_t pad0;
};

enum kshim_fault_mode {
	KSHIM_FAULT_PANIC = 1,		/* print a NetBSD-style panic and stop */
	KSHIM_FAULT_HANG = 2,		/* stop answering, console goes quiet */
	KSHIM_FAULT_GARBLE = 3,		/* corrupt the next `count` answers */
	KSHIM_FAULT_SILENT = 4,		/* stop answering, console keeps ticking */
	KSHIM_FAULT_LOCK_AGAINST_MYSELF = 5,	/* print that panic and stop */
	KSHIM_FAULT_REBOOT = 6,		/* restart the agent (new boot id) */
	KSHIM_FAULT_STALL = 7,		/* wait `count` ms after ACCEPTED of the next request */
	KSHIM_FAULT_HANG_ACCEPTED = 8	/* the `count`-th request from now hangs after its
					   ACCEPTED, as an ioctl that blocks in a kernel */
};

/* FAULT request (test guest only); answered with struct kshim_status first. */
struct kshim_fault_req {
	uint32_t mode;			/* enum kshim_fault_mode */
	uint32_t count;
};

/* A PROGRESS frame every this many bytes of a frame coming in. */
#define KSHIM_PROGRESS_EVERY	(8U * 1024)
/*
 * Bytes of one frame the harness may have sent beyond the last PROGRESS:
 * half of NetBSD's largest tty input queue (TTY_MAXQSIZE, 64 KiB), so
 * that a reader that falls behind never sees it overflow.
 */
#define KSHIM_PROGRESS_WINDOW	(32U * 1024)

/* PROGRESS payload; the frame's req_id is the one the header claims. */
struct kshim_progress {
	uint32_t have;			/* bytes of the frame received, header included */
	uint32_t need;			/* the whole frame's bytes, header included */
};

enum kshim_nak_reason {
	KSHIM_NAK_BAD_CRC = 1,
	KSHIM_NAK_BAD_TYPE = 2,
	KSHIM_NAK_BAD_LENGTH = 3,
	KSHIM_NAK_BAD_REQUEST = 4
};

struct kshim_nak {
	uint32_t reason;		/* enum kshim_nak_reason */
	uint32_t pad0;
};

#endif /* KSHIM_AGENT_PROTO_H */
