/*
 * kshim_proto.h: the server side of kshim_agent_proto.h, once.
 *
 * Both programs that answer the harness on a guest's agent line compile
 * this: the NetBSD guest agent (native/agent, /sbin/init with raw system
 * calls) and the harness's test guest (native/testguest, a multiboot
 * kernel with the reference model inside).  The harness must see one
 * behaviour from both, so everything that decides what goes on the wire
 * lives here: framing, CRC, resynchronisation, the replay cache, NAKs,
 * READY, strict validation of every request, and the IOCTL buffers that
 * are patched into the argument.  What differs between the two is only
 * how a byte reaches the line, what answers an ioctl, how a module is
 * loaded, and so on; that is behind struct kshim_proto_ops.
 *
 * Freestanding: no libc.  The code needs only memcpy and memset from its
 * environment (the compiler may emit calls to them), and it compiles for
 * the NetBSD userland view (the agent), for bare metal (the test guest),
 * for the kernel's flags (make -C native check-freestanding) and for the
 * host (the self test).  Nothing here allocates, sleeps or blocks except
 * inside the platform's own operations.
 */
#ifndef KSHIM_PROTO_H
#define KSHIM_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "kshim_agent_proto.h"
#include "uvmshim_ioctl.h"

#define KSHIM_PROTO_HDR_LEN	((uint32_t)sizeof(struct kshim_frame_hdr))
/* One whole frame: the receive buffer, and the answer (replay) buffer. */
#define KSHIM_PROTO_FRAME_BYTES	(KSHIM_PROTO_HDR_LEN + KSHIM_FRAME_MAX_PAYLOAD)
/*
 * Every buffer of one IOCTL request: IN data fit in one request payload
 * and OUT data in one answer payload, so twice the largest payload plus
 * alignment slack holds the buffers of any request whose buffers carry
 * data.  Buffers with neither direction are not bounded by a payload;
 * when they do not fit the ioctl fails with ENOMEM.
 */
#define KSHIM_PROTO_SCRATCH_BYTES (2 * (size_t)KSHIM_FRAME_MAX_PAYLOAD + 4096)
/* A frame left incomplete this long is dropped (and NAKed if it had a header). */
#define KSHIM_PROTO_RX_TIMEOUT_MS 2000

struct kshim_proto;

/* Counters of the receiver, for the console when something goes wrong. */
struct kshim_proto_stats {
	uint32_t	ps_frames;	/* verified frames */
	uint32_t	ps_bad_crc;
	uint32_t	ps_bad_len;	/* headers with an oversized length */
	uint32_t	ps_resync_bytes; /* bytes skipped hunting for a magic */
	uint32_t	ps_timeouts;	/* incomplete frames dropped */
};

/*
 * What happened on the line, for a platform that wants to say so on its
 * console (the agent does; the test guest stays quiet, as it always has).
 * Only the fields named for a kind are meaningful.
 */
enum kshim_proto_note_kind {
	KSHIM_NOTE_NAK = 1,	/* about to NAK req_id for reason */
	KSHIM_NOTE_REPLAY,	/* req_id again: cached answer resent; error */
	KSHIM_NOTE_SEND_FAILED,	/* a frame of type for req_id: error */
	KSHIM_NOTE_STALLED,	/* the line went quiet mid-frame: have of need */
	KSHIM_NOTE_RESUMED,	/* bytes again after a stall of ms */
	KSHIM_NOTE_DROPPED,	/* an incomplete frame timed out: have of need */
	KSHIM_NOTE_SKIPPED	/* count bytes skipped before a frame */
};

struct kshim_proto_note {
	enum kshim_proto_note_kind pn_kind;
	uint32_t	pn_req_id;
	uint32_t	pn_type;	/* the frame's type (SEND_FAILED) */
	uint32_t	pn_reason;	/* enum kshim_nak_reason (NAK) */
	int		pn_error;	/* positive errno of the write, or 0 */
	uint32_t	pn_have, pn_need;
	uint32_t	pn_count;
	uint64_t	pn_ms;
};

/*
 * The platform.  Two conventions: the line operations (read, write)
 * return a negative errno on failure, as raw system calls do; request
 * operations return the positive errno that goes into the answer, 0 on
 * success, as ioctl(2) and modctl(2) report it to a program.  Every
 * errno is NetBSD's (uvmshim_ioctl.h has the numbers): the harness reads
 * them as NetBSD errnos whatever answered.
 */
struct kshim_proto_ops {
	/*
	 * Read up to len bytes from the line into buf.  Returns the count,
	 * 0 when nothing came for a while (that is when an incomplete
	 * frame's timeout is checked), or -errno when the line failed.
	 */
	long	(*po_read)(void *ctx, uint8_t *buf, size_t len);
	/* Write a whole frame.  Returns 0 or -errno. */
	int	(*po_write)(void *ctx, const uint8_t *frame, uint32_t len);
	/* A monotonic clock in nanoseconds. */
	uint64_t (*po_now_ns)(void *ctx);

	/* What READY and HELLO report besides the config's strings. */
	uint64_t (*po_boot_id)(void *ctx);
	int32_t	(*po_module_error)(void *ctx);

	/*
	 * ioctl(2) on the uvmshim device.  arg holds arg_len bytes, 8-byte
	 * aligned, with every buffer's address already patched in; the
	 * device's answer is read back from it.  *nsec is the time of the
	 * device call alone: only the platform knows where that starts
	 * (the agent opens the device on first use, and that must not
	 * count).
	 */
	int32_t	(*po_ioctl)(void *ctx, uint32_t cmd, void *arg,
		    uint32_t arg_len, uint64_t *nsec);
	/* enum kshim_module_op on a NUL-terminated, non-empty path. */
	int32_t	(*po_module)(void *ctx, uint32_t op, const char *path);
	/* Write an integer node by its NUL-terminated name. */
	int32_t	(*po_sysctl)(void *ctx, const char *name, int64_t value);
	/* Called after SHUTDOWN was answered.  May return if it failed. */
	void	(*po_power_off)(void *ctx);

	/*
	 * Fault injection, the test guest's alone: NULL in both makes FAULT
	 * answer ENOTSUP.  po_fault_check says what the answer's status will
	 * be; po_fault runs after that answer went out (0 only), since most
	 * faults never come back.
	 */
	int32_t	(*po_fault_check)(void *ctx, uint32_t mode);
	void	(*po_fault)(void *ctx, uint32_t mode, uint32_t count);

	/*
	 * Optional: called after ACCEPTED went out, just before a new
	 * request runs (the test guest's STALL fault waits here).
	 */
	void	(*po_accepted)(void *ctx);

	/* Optional. */
	void	(*po_note)(void *ctx, const struct kshim_proto_note *,
		    const struct kshim_proto_stats *);
};

struct kshim_proto_config {
	const struct kshim_proto_ops *pc_ops;
	void		*pc_ctx;
	uint32_t	 pc_agent_kind;		/* enum uvmshim_target */
	const char	*pc_agent_version;	/* READY's strings; must stay */
	const char	*pc_os_version;
	/*
	 * Memory, given rather than declared here: the agent keeps it in
	 * static arrays (UVM only backs the pages it touches), the test
	 * guest carves it at boot (clearing megabytes of bss costs boot
	 * time under TCG).
	 */
	uint8_t		*pc_rx_buf;		/* KSHIM_PROTO_FRAME_BYTES */
	uint8_t		*pc_tx_buf;		/* KSHIM_PROTO_FRAME_BYTES */
	uint8_t		*pc_scratch;		/* KSHIM_PROTO_SCRATCH_BYTES */
	/*
	 * How much one po_read may return: the agent drains a 64 KiB tty
	 * queue per read, the test guest a 16-byte UART FIFO.
	 */
	uint8_t		*pc_stage;
	size_t		 pc_stage_len;
};

/* The receiver, fed with whatever po_read returned. */
struct kshim_proto_rx {
	uint8_t		*rx_buf;	/* KSHIM_PROTO_FRAME_BYTES */
	uint32_t	 rx_have;	/* bytes of the current frame so far */
	uint32_t	 rx_need;	/* bytes the current frame needs in all */
	uint64_t	 rx_last_ns;	/* when the last byte came */
	uint32_t	 rx_reported;	/* rx_have the last PROGRESS said */
	uint32_t	 rx_nak_id;	/* the NAK an event asks for */
	uint32_t	 rx_nak_reason;
	uint32_t	 rx_dropped_have, rx_dropped_need; /* last timeout */
	struct kshim_proto_stats rx_stats;
};

/*
 * The server's state.  Declared here so that a platform can place it
 * statically; only this module touches the members.
 */
struct kshim_proto {
	struct kshim_proto_config p_cfg;
	struct kshim_proto_rx p_rx;
	uint32_t	 p_tx_len;	/* the cached answer in pc_tx_buf */
	uint32_t	 p_last_id;	/* its request id; 0: nothing cached */
	size_t		 p_scratch_used;
	int		 p_stalled;	/* the line is quiet mid-frame */
	uint64_t	 p_stall_ns;
	uint32_t	 p_resync_seen;	/* skipped bytes already noted */
	/* The ioctl argument as the device sees it: 8-aligned, patched. */
	uint64_t	 p_arg[(UVMSHIM_IOCPARM_MASK + 8) / 8];
	/* READY and NAKs, so that they never clobber the cached answer. */
	uint8_t		 p_small[KSHIM_PROTO_HDR_LEN + 256]
			    __attribute__((__aligned__(16)));
};

/* Returns 0, or EINVAL when an operation or buffer is missing. */
int	kshim_proto_init(struct kshim_proto *, const struct kshim_proto_config *);

/*
 * The agent restarted (boot, or the test guest's FAULT REBOOT): forget
 * the cached answer and any partial frame.  Safe inside an operation.
 */
void	kshim_proto_restart(struct kshim_proto *);

/* Send the unsolicited READY frame (request id 0). */
void	kshim_proto_send_ready(struct kshim_proto *);

/*
 * One po_read, and everything it completes: answers, NAKs, replays, or
 * the timeout of an incomplete frame when nothing came.  Returns 0, or
 * the negative errno of po_read (the caller reopens the line).
 */
int	kshim_proto_poll(struct kshim_proto *);

#endif /* KSHIM_PROTO_H */
