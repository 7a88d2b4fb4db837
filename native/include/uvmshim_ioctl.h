/*
 * uvmshim_ioctl.h: version 2 of the ioctl ABI of the uvmshim character device.
 *
 * This header is the single source of truth for four consumers: the NetBSD
 * kernel module (native/kmod), the guest agent (native/agent), the host
 * reference model (native/model) and the generated C# bindings (bindings/).
 * It therefore obeys a few rules:
 *
 *  - fixed-width integer types only; user pointers travel as uint64_t;
 *  - every struct is a multiple of 8 bytes with explicit padding, so the
 *    layout is the same for every compiler and for C#;
 *  - fields named pad* and reserved* must be zero on input (EINVAL
 *    otherwise), so that they can gain a meaning in a later version;
 *  - command numbers use NetBSD's _IOC encoding, reproduced here by our own
 *    macros so that they evaluate identically on a Linux host; the module
 *    build asserts at compile time that they equal NetBSD's own _IOWR;
 *  - errno values are NetBSD's, also reproduced here (UVMSHIM_E*), because
 *    the model runs on Linux where some numbers (ENOTSUP...) differ.
 *
 * Addresses in map, unmap, lookup, batch and dump requests are byte offsets
 * from the start of the test map, never kernel virtual addresses: results
 * are then identical between the model and a kernel, and across boots.
 */
#ifndef UVMSHIM_IOCTL_H
#define UVMSHIM_IOCTL_H

#if defined(_KERNEL) || defined(_STANDALONE)
#include <sys/types.h>
#else
#include <stdint.h>
#endif

/* Bump on any incompatible change to a struct or a command. */
#define UVMSHIM_ABI_VERSION	3

#define UVMSHIM_DEVICE_NAME	"uvmshim"
#define UVMSHIM_DEVICE_PATH	"/dev/uvmshim"

/*
 * NetBSD's ioctl encoding (sys/sys/ioccom.h), reproduced: direction in the
 * top three bits, parameter length in bits 16..28, group in 8..15, number
 * in 0..7.  The kernel copies in/out exactly the encoded length.
 */
#define UVMSHIM_IOCPARM_MASK	0x1fffU
#define UVMSHIM_IOCPARM_SHIFT	16
#define UVMSHIM_IOCGROUP_SHIFT	8
#define UVMSHIM_IOC_VOID	0x20000000U
#define UVMSHIM_IOC_OUT		0x40000000U
#define UVMSHIM_IOC_IN		0x80000000U
#define UVMSHIM_IOC_INOUT	(UVMSHIM_IOC_IN | UVMSHIM_IOC_OUT)
#define UVMSHIM_IOC(inout, group, num, len)				\
	((uint32_t)((inout) |						\
	    (((uint32_t)(len) & UVMSHIM_IOCPARM_MASK) << UVMSHIM_IOCPARM_SHIFT) | \
	    ((uint32_t)(group) << UVMSHIM_IOCGROUP_SHIFT) | (uint32_t)(num)))
#define UVMSHIM_IOR(g, n, t)	UVMSHIM_IOC(UVMSHIM_IOC_OUT, (g), (n), sizeof(t))
#define UVMSHIM_IOW(g, n, t)	UVMSHIM_IOC(UVMSHIM_IOC_IN, (g), (n), sizeof(t))
#define UVMSHIM_IOWR(g, n, t)	UVMSHIM_IOC(UVMSHIM_IOC_INOUT, (g), (n), sizeof(t))
#define UVMSHIM_IOC_GROUP	'U'

/*
 * NetBSD errno values used by this ABI (sys/sys/errno.h).  Every target
 * returns these numbers, whatever host it runs on.
 */
#define UVMSHIM_EPERM		1	/* open without root */
#define UVMSHIM_ENOENT		2	/* no map with that id */
#define UVMSHIM_EINTR		4	/* interrupted by a signal */
#define UVMSHIM_E2BIG		7	/* a count is above its UVMSHIM_MAX_* bound */
#define UVMSHIM_ENOMEM		12	/* UVM found no space, or no memory */
#define UVMSHIM_EFAULT		14	/* a user pointer could not be copied */
#define UVMSHIM_EBUSY		16	/* state is live (cycle running, map in use) */
#define UVMSHIM_EEXIST		17	/* reserved for future use */
#define UVMSHIM_EINVAL		22	/* malformed request (see each command) */
#define UVMSHIM_ENOTTY		25	/* unknown command */
#define UVMSHIM_ENOSPC		28	/* UVMSHIM_MAX_MAPS maps already exist */
#define UVMSHIM_EDOM		33	/* a batch expectation did not hold */
#define UVMSHIM_ETIMEDOUT	60	/* a wait exceeded its bound */
#define UVMSHIM_ENOTSUP		86	/* the target lacks this feature or policy */

/* Bounds enforced by the request validation in native/core. */
#define UVMSHIM_MAX_MAPS		8
#define UVMSHIM_MAX_MAP_SIZE		(1ULL << 34)	/* 16 GiB of VA */
#define UVMSHIM_MAX_BATCH_OPS		65536
#define UVMSHIM_MAX_DUMP_ENTRIES	1048576
#define UVMSHIM_MAX_STRESS_THREADS	16
#define UVMSHIM_MAX_STRESS_MS		60000
#define UVMSHIM_MAX_STRESS_PAGES	1024
#define UVMSHIM_MIN_CYCLE_BOUND_MS	10
#define UVMSHIM_MAX_CYCLE_BOUND_MS	60000
#define UVMSHIM_MAX_CYCLE_HOLD_MS	60000
#define UVMSHIM_MIN_CYCLE_PAGES		3
#define UVMSHIM_MAX_CYCLE_PAGES		1024
#define UVMSHIM_HIST_BUCKETS		32
#define UVMSHIM_NAME_LEN		16
#define UVMSHIM_OSRELEASE_LEN		32

/* Who answers the ioctls. */
enum uvmshim_target {
	UVMSHIM_TARGET_KERNEL = 1,	/* the uvmshim module in a NetBSD kernel */
	UVMSHIM_TARGET_MODEL = 2,	/* libkshim_model on the host */
	UVMSHIM_TARGET_TESTGUEST = 3	/* the harness's own test guest (model inside) */
};

/* Optional features, reported by UVMSHIM_IOC_VERSION. */
#define UVMSHIM_FEAT_BATCH		0x0001U
#define UVMSHIM_FEAT_PRESSURE		0x0002U
#define UVMSHIM_FEAT_CYCLE		0x0004U
#define UVMSHIM_FEAT_STRESS		0x0008U
#define UVMSHIM_FEAT_KMAP_SUMMARY	0x0010U
#define UVMSHIM_FEAT_UVMMAP_COUNTERS	0x0020U	/* options UVMMAP_COUNTERS */
#define UVMSHIM_FEAT_LOCKDEBUG		0x0040U	/* options LOCKDEBUG */
#define UVMSHIM_FEAT_DIAGNOSTIC		0x0080U	/* options DIAGNOSTIC */
#define UVMSHIM_FEAT_ENTRY_COUNTERS	0x0100U	/* the map-entry pool cache's
						   statistics are readable:
						   allocations are measured */
#define UVMSHIM_FEAT_PARKED_ENTRIES	0x0200U	/* the kernel parks spare
						   entries for clips (Thorpe's
						   patch: kpark* evcnts) */

/*
 * Where the entry counters of one result come from (the `counted` field
 * of map, unmap, batch-op and cycle results).  A bit set: that figure is
 * the target's own accounting (a kernel's pool-cache statistics and
 * uvmmap event counters, measured around the call; the model's own
 * bookkeeping).  A bit clear: it was INFERRED from the entries around the
 * request (each clip allocates one entry under the write lock, a new
 * entry one, a bi-merge frees one), because no clean measurement was
 * possible: native/kmod/README.md says when.
 */
#define UVMSHIM_CNT_ALLOCS		0x01U	/* allocs */
#define UVMSHIM_CNT_FREES		0x02U	/* frees */
#define UVMSHIM_CNT_ALLOCS_LOCKED	0x04U	/* allocs_locked */
#define UVMSHIM_CNT_CLIPS		0x08U	/* clips */
#define UVMSHIM_CNT_OUTCOME		0x10U	/* merge kind (MAP outcome) */
#define UVMSHIM_CNT_RESERVE		0x20U	/* reserve_uses */
#define UVMSHIM_CNT_ALL			0x3fU
#define UVMSHIM_CNT_DISTURBED		0x80U	/* a measurement was made but
						   another thread may have
						   used the entry cache in
						   its window: figures are
						   the inferred ones */

/*
 * Kernel-map entry policies (../shared/design/PR24039.md).  A kernel target
 * implements DEFAULT (whatever the running kernel does when merging is
 * allowed: the policy is the kernel, stock or patched) and NOMERGE
 * (UVM_FLAG_NOMERGE on every mapping); the model implements all of them,
 * DEFAULT meaning MODERN.
 */
enum uvmshim_policy {
	UVMSHIM_POLICY_DEFAULT = 0,
	UVMSHIM_POLICY_MERGE_ALLOC = 1,	  /* pre-1.153: merge, split allocates under the lock */
	UVMSHIM_POLICY_NOMERGE = 2,	  /* 1.153: one entry per mapping, unmaps never clip */
	UVMSHIM_POLICY_MERGE_RESERVE = 3, /* NetBSD 3-5: parked entries plus reservations */
	UVMSHIM_POLICY_MODERN = 4,	  /* NetBSD 6+: merge allocates nothing, new entry and split allocate under the lock */
	UVMSHIM_POLICY_THORPE = 5	  /* Thorpe's 2004 proposal: merges park spares (16 a map), splits take them */
};
#define UVMSHIM_POLICY_COUNT	6
#define UVMSHIM_POLICY_BIT(p)	(1U << (p))

/* Protection, equal to NetBSD's VM_PROT_* bits. */
#define UVMSHIM_PROT_NONE	0x0U
#define UVMSHIM_PROT_READ	0x1U
#define UVMSHIM_PROT_WRITE	0x2U
#define UVMSHIM_PROT_EXEC	0x4U
#define UVMSHIM_PROT_ALL	0x7U

/* Flags of a map request. */
#define UVMSHIM_MAPF_FIXED	0x1U	/* place exactly at addr (UVM_FLAG_FIXED) */
#define UVMSHIM_MAPF_NOMERGE	0x2U	/* never merge this entry (UVM_FLAG_NOMERGE) */
#define UVMSHIM_MAPF_ALL	0x3U

/* What a map request did to the entry list. */
enum uvmshim_outcome {
	UVMSHIM_OUTCOME_NONE = 0,	/* the request failed */
	UVMSHIM_OUTCOME_NEW_ENTRY = 1,	/* a new entry was inserted */
	UVMSHIM_OUTCOME_BACK_MERGE = 2,	/* extended the entry before it */
	UVMSHIM_OUTCOME_FORW_MERGE = 3,	/* extended the entry after it */
	UVMSHIM_OUTCOME_BI_MERGE = 4	/* joined the entries on both sides */
};

/* Flags of a dumped entry. */
#define UVMSHIM_ENTF_NOMERGE	0x1U	/* UVM_MAP_NOMERGE */
#define UVMSHIM_ENTF_WIRED	0x2U	/* wired_count != 0 */

/* One map entry, as dumped or looked up.  Offsets from the map start. */
struct uvmshim_entry {
	uint64_t start;
	uint64_t end;			/* exclusive */
	uint32_t prot;			/* UVMSHIM_PROT_* */
	uint32_t maxprot;
	uint32_t flags;			/* UVMSHIM_ENTF_* */
	uint32_t pad0;
};

/*
 * UVMSHIM_IOC_VERSION: what this target is and can do.
 * Errors: none.
 */
struct uvmshim_version {
	uint32_t abi_version;		/* out: UVMSHIM_ABI_VERSION */
	uint32_t target;		/* out: enum uvmshim_target */
	uint32_t netbsd_version;	/* out: __NetBSD_Version__, 0 off NetBSD */
	uint32_t page_size;		/* out: PAGE_SIZE */
	uint32_t features;		/* out: UVMSHIM_FEAT_* */
	uint32_t policies;		/* out: UVMSHIM_POLICY_BIT() of each supported */
	uint32_t max_maps;		/* out: UVMSHIM_MAX_MAPS */
	uint32_t max_batch_ops;		/* out: UVMSHIM_MAX_BATCH_OPS */
	char osrelease[UVMSHIM_OSRELEASE_LEN];	/* out: NUL-terminated, e.g. "7.99.4" */
	uint64_t reserved[4];
};

/*
 * UVMSHIM_IOC_MAP_CREATE: a private test map over reserved VA.
 * Errors: EINVAL size zero, not a page multiple, above UVMSHIM_MAX_MAP_SIZE,
 *         policy unknown, flags or reserved nonzero;
 *         ENOTSUP policy not implemented by this target;
 *         ENOSPC UVMSHIM_MAX_MAPS maps exist; ENOMEM no VA to reserve.
 */
struct uvmshim_map_create {
	uint64_t size;			/* in: bytes */
	uint32_t policy;		/* in: enum uvmshim_policy */
	uint32_t flags;			/* in: 0 */
	uint32_t map_id;		/* out: 1..UVMSHIM_MAX_MAPS */
	uint32_t pad0;
	uint64_t base;			/* out: vm_map_min (informational; for ddb) */
	uint64_t kva;			/* out: address of the struct vm_map (for ddb "show map") */
	uint64_t reserved[2];
};

/*
 * UVMSHIM_IOC_MAP_DESTROY: unmap everything and free the map.
 * Errors: EINVAL pad nonzero; ENOENT no such map; EBUSY a cycle or stress
 *         run uses it.
 */
struct uvmshim_map_ref {
	uint32_t map_id;		/* in */
	uint32_t pad0;
};

/*
 * UVMSHIM_IOC_MAP: uvm_map() into a test map.
 * Errors: ENOENT no such map; EINVAL size zero or not a page multiple,
 *         addr not page aligned, [addr, addr+size) outside the map, prot or
 *         flags unknown, pad nonzero; ENOMEM no free space (first fit from
 *         addr) or, with UVMSHIM_MAPF_FIXED, the range is not free;
 *         ENOTSUP MAPF_NOMERGE on a target that cannot honour it.
 */
struct uvmshim_map_req {
	uint32_t map_id;		/* in */
	uint32_t flags;			/* in: UVMSHIM_MAPF_* */
	uint64_t addr;			/* in: hint, or exact offset with FIXED */
	uint64_t size;			/* in: bytes */
	uint32_t prot;			/* in: UVMSHIM_PROT_* (max protection is ALL) */
	uint32_t pad0;
	uint64_t placed;		/* out: offset of the new mapping */
	uint32_t outcome;		/* out: enum uvmshim_outcome */
	uint32_t nentries;		/* out: entries in the map afterwards */
	uint32_t allocs;		/* out: map entries allocated */
	uint32_t allocs_locked;		/* out: ... with the map write-locked */
	uint32_t frees;			/* out: map entries freed */
	uint32_t reserve_uses;		/* out: entries parked or reserved */
	uint32_t counted;		/* out: UVMSHIM_CNT_* */
	uint32_t pad1;
};

/*
 * UVMSHIM_IOC_UNMAP: uvm_unmap() of [start, end).  Holes are skipped, as
 * uvm_unmap does; each range end inside an entry costs one clip.
 * Errors: ENOENT no such map; EINVAL start/end not page aligned, end <=
 *         start, end beyond the map, flags nonzero; ENOMEM the target's
 *         clip could not get an entry (model under pressure, no waiting).
 */
struct uvmshim_unmap_req {
	uint32_t map_id;		/* in */
	uint32_t flags;			/* in: 0 */
	uint64_t start;			/* in */
	uint64_t end;			/* in: exclusive */
	uint32_t clips;			/* out: clip_start + clip_end performed */
	uint32_t entries_before;	/* out */
	uint32_t entries_after;		/* out */
	uint32_t allocs_locked;		/* out: entry allocations under the write lock */
	uint64_t unmapped;		/* out: bytes that were mapped and are now free */
	uint32_t allocs;		/* out: map entries allocated */
	uint32_t frees;			/* out: map entries freed */
	uint32_t reserve_uses;		/* out: clips served by parked/reserved */
	uint32_t counted;		/* out: UVMSHIM_CNT_* */
};

/*
 * UVMSHIM_IOC_LOOKUP: uvm_map_lookup_entry() of one offset.
 * Errors: ENOENT no such map; EINVAL addr beyond the map, pad nonzero.
 */
struct uvmshim_lookup {
	uint32_t map_id;		/* in */
	uint32_t found;			/* out: 1 if addr lies inside an entry */
	uint64_t addr;			/* in */
	struct uvmshim_entry entry;	/* out: the entry holding addr, else the
					   last one before it (zeroes if none) */
	uint32_t index;			/* out: that entry's index in address order */
	uint32_t pad0;
	uint64_t nsec;			/* out: time spent in the lookup */
};

/* Operations of a batch script. */
enum uvmshim_op_kind {
	UVMSHIM_OP_NOP = 0,
	UVMSHIM_OP_MAP = 1,		/* addr, size, prot, flags (UVMSHIM_MAPF_*) */
	UVMSHIM_OP_UNMAP = 2,		/* [addr, addr + size) */
	UVMSHIM_OP_LOOKUP = 3,		/* addr */
	UVMSHIM_OP_EXPECT_ENTRIES = 4	/* arg = expected entry count, else EDOM */
};
#define UVMSHIM_OP_KIND_COUNT	5

struct uvmshim_op {
	uint32_t kind;			/* enum uvmshim_op_kind */
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
	uint32_t prot;
	uint32_t arg;
};

struct uvmshim_op_result {
	int32_t error;			/* UVMSHIM_E* or 0 */
	uint32_t outcome;		/* MAP: enum uvmshim_outcome; LOOKUP: found */
	uint64_t addr;			/* MAP: placed offset; LOOKUP: entry start */
	uint32_t nentries;		/* entries after the op */
	uint32_t clips;			/* UNMAP: clips performed */
	uint64_t nsec;			/* time spent in the UVM call */
	uint32_t allocs;		/* MAP, UNMAP: map entries allocated */
	uint32_t allocs_locked;		/* ... with the map write-locked */
	uint32_t frees;			/* map entries freed */
	uint32_t reserve_uses;		/* entries parked or reserved */
	uint32_t counted;		/* UVMSHIM_CNT_* */
	uint32_t pad0;
};

#define UVMSHIM_BATCHF_STOP_ON_ERROR	0x1U
/* The script is ops[0], run nops times (ops holds one op). */
#define UVMSHIM_BATCHF_REPEAT		0x2U
/* results holds struct uvmshim_op_brief[nops] instead of full results. */
#define UVMSHIM_BATCHF_BRIEF		0x4U
/*
 * The target makes the script itself: nops random map, unmap and lookup
 * ops drawn from gen_state (native/core/kshim_script.h says how), ops 0.
 * The model library exports the same generator (kshim_model_script), so
 * a caller knows the ops without sending them.
 */
#define UVMSHIM_BATCHF_GENERATE		0x8U
/*
 * With REPEAT: ops holds the op, then uint64_t addr[nops]; the op runs
 * once at each address (a run's frees or lookups: 8 bytes an op, not 32).
 */
#define UVMSHIM_BATCHF_AT		0x10U
#define UVMSHIM_BATCHF_ALL		0x1fU

/*
 * What a script's caller often needs of each op, and nothing else: a
 * fifth of a full result on a slow line.
 */
struct uvmshim_op_brief {
	uint64_t addr;			/* as in uvmshim_op_result */
	int32_t error;
	uint32_t nentries;
};

/*
 * UVMSHIM_IOC_BATCH: run a script of ops on one map in the kernel, so the
 * serial round trip stays off the measured path.  A failing op does not
 * fail the ioctl: its errno goes into its result.  digest sums up every
 * result (kshim_digest.h says of what), so a caller comparing two targets
 * can leave results 0 and fetch them only when the digests differ.
 * Errors: ENOENT no such map; EINVAL nops zero, ops zero (nonzero with
 *         GENERATE), unknown flags, GENERATE with REPEAT, AT without
 *         REPEAT, gen_max_pages
 *         zero with GENERATE (nonzero without), pad nonzero, an op of
 *         unknown kind (nothing is run then);
 *         E2BIG nops above UVMSHIM_MAX_BATCH_OPS; EFAULT ops or results
 *         unreadable/unwritable.
 */
struct uvmshim_batch {
	uint32_t map_id;		/* in */
	uint32_t nops;			/* in */
	uint64_t ops;			/* in: user pointer, struct uvmshim_op[nops] */
	uint64_t results;		/* in: user pointer, struct uvmshim_op_result[nops], or 0 */
	uint32_t flags;			/* in: UVMSHIM_BATCHF_* */
	uint32_t ndone;			/* out: ops executed */
	uint32_t nerrors;		/* out: ops whose error was nonzero */
	uint32_t pad0;
	uint64_t nsec;			/* out: total time spent in UVM calls */
	uint64_t digest;		/* in: the digest to go on from, 0 for none
				   (a script sent in pieces); out: that
				   and the results of the ops run */
	uint64_t gen_state;		/* GENERATE: in: the generator's state, the
				   seed for a first piece; out: its state
				   after the ops made (the next piece's) */
	uint32_t gen_max_pages;		/* GENERATE: pages per op, 1 and up; else 0 */
	uint32_t pad1;
};

#define UVMSHIM_STATSF_RESET	0x1U	/* zero the counters after reading */

/*
 * UVMSHIM_IOC_STATS: counters of one map since creation (or last reset).
 * Errors: ENOENT no such map; EINVAL unknown flags.
 */
struct uvmshim_stats {
	uint32_t map_id;		/* in */
	uint32_t flags;			/* in: UVMSHIM_STATSF_* */
	uint64_t nentries;		/* out: entries now */
	uint64_t peak_entries;
	uint64_t mapped_bytes;
	uint64_t maps;			/* successful map requests */
	uint64_t unmaps;		/* successful unmap requests */
	uint64_t map_failures;
	uint64_t new_entries;		/* maps that inserted an entry (knomerge) */
	uint64_t back_merges;		/* kbackmerge */
	uint64_t forw_merges;		/* kforwmerge */
	uint64_t bi_merges;		/* kbimerge */
	uint64_t clips_start;
	uint64_t clips_end;
	uint64_t entry_allocs;
	uint64_t entry_allocs_locked;	/* made while the map was write-locked */
	uint64_t entry_frees;
	uint64_t reserve_uses;		/* splits served by parked/reserved entries */
	uint64_t alloc_waits;		/* allocations that had to wait for memory */
	uint64_t alloc_failures;
	uint64_t reserved[4];
};

/* Also sum up every entry of the map in digest (kshim_digest.h). */
#define UVMSHIM_DUMPF_DIGEST	0x1U
#define UVMSHIM_DUMPF_ALL	0x1U

/*
 * UVMSHIM_IOC_DUMP: copy the entries out in address order.
 * Errors: ENOENT no such map; EINVAL capacity nonzero with entries zero,
 *         unknown flags, pad nonzero; E2BIG capacity above
 *         UVMSHIM_MAX_DUMP_ENTRIES; EFAULT entries unwritable.
 */
struct uvmshim_dump {
	uint32_t map_id;		/* in */
	uint32_t capacity;		/* in: entries the buffer holds; 0 counts only */
	uint64_t entries;		/* in: user pointer, struct uvmshim_entry[capacity] */
	uint32_t nentries;		/* out: entries in the map */
	uint32_t ncopied;		/* out: min(nentries, capacity) */
	uint32_t flags;			/* in: UVMSHIM_DUMPF_* */
	uint32_t pad0;
	uint64_t digest;		/* out: with DUMPF_DIGEST, else 0 */
};

enum uvmshim_pressure_cmd {
	UVMSHIM_PRESSURE_QUERY = 0,
	UVMSHIM_PRESSURE_WIRE = 1,	/* take npages free pages and hold them */
	UVMSHIM_PRESSURE_RELEASE = 2	/* give back npages (0: all) */
};

/* Allow WIRE to go below the free-page reserve (freemin). */
#define UVMSHIM_PRESSUREF_FORCE	0x1U

/*
 * UVMSHIM_IOC_PRESSURE: memory pressure control.
 * Errors: EINVAL unknown cmd or flags, WIRE of zero pages; ENOMEM WIRE
 *         would take free pages below freemin without FORCE (nothing is
 *         taken); EBUSY a cycle run owns the pressure; ENOTSUP no
 *         pressure control on this target.
 */
struct uvmshim_pressure {
	uint32_t cmd;			/* in: enum uvmshim_pressure_cmd */
	uint32_t flags;			/* in: UVMSHIM_PRESSUREF_* */
	uint64_t npages;		/* in */
	uint64_t held_pages;		/* out: pages the device holds now */
	uint64_t free_pages;		/* out: uvmexp.free */
	uint64_t free_min;		/* out: uvmexp.freemin */
	uint64_t free_target;		/* out: uvmexp.freetarg */
	uint64_t total_pages;		/* out: uvmexp.npages */
};

enum uvmshim_cycle_verdict {
	UVMSHIM_CYCLE_NONE = 0,
	UVMSHIM_CYCLE_COMPLETED = 1,	/* the unmap finished within the bound */
	UVMSHIM_CYCLE_DEADLOCK = 2,	/* unmapper and reclaimer waited on each other */
	UVMSHIM_CYCLE_ERROR = 3		/* setup failed; see error */
};

#define UVMSHIM_CYCLEF_RECOVER	0x1U	/* break a detected cycle (else it is
					   broken after hold_ms anyway) */
#define UVMSHIM_CYCLEF_ALL	0x1U

/*
 * UVMSHIM_IOC_CYCLE: the PR 24039 cycle on a fresh private map: merge
 * npages pages into one entry, take memory away, let an unmapper free a
 * middle page (a clip that needs an entry with the map write-locked) while
 * a reclaimer must take the same lock before it gives memory back.  A
 * watchdog declares DEADLOCK when the unmapper is blocked longer than
 * bound_ms, records the evidence below, keeps the cycle standing hold_ms
 * more (time for ddb to capture stacks), then breaks it.
 * Errors: EINVAL policy unknown, bound_ms/hold_ms/npages out of range,
 *         unknown flags, pad nonzero; ENOTSUP policy or cycle not
 *         supported here; EBUSY another cycle is running.
 */
struct uvmshim_cycle {
	uint32_t policy;		/* in: enum uvmshim_policy */
	uint32_t flags;			/* in: UVMSHIM_CYCLEF_* */
	uint32_t bound_ms;		/* in */
	uint32_t hold_ms;		/* in */
	uint32_t npages;		/* in: pages of the merged region */
	uint32_t verdict;		/* out: enum uvmshim_cycle_verdict */
	int32_t error;			/* out: UVMSHIM_E* of a failed setup */
	uint32_t recovered;		/* out: 1 if the watchdog broke the cycle */
	uint64_t map_kva;		/* out: the struct vm_map (ddb "show map") */
	uint64_t holder_lid;		/* out: LWP holding the map write lock */
	uint64_t holder_pid;
	char holder_name[UVMSHIM_NAME_LEN];
	uint64_t lock_held_ms;		/* out: how long it had held it */
	uint64_t unmapper_lid;
	uint64_t unmapper_wait_ms;	/* out: how long the unmapper was blocked */
	char unmapper_wmesg[UVMSHIM_NAME_LEN];	/* out: what it slept on */
	uint64_t reclaimer_lid;
	uint64_t reclaimer_wait_ms;
	char reclaimer_wmesg[UVMSHIM_NAME_LEN];
	uint32_t clips;			/* out: clips the unmap performed */
	uint32_t allocs_locked;		/* out: entry allocations under the lock */
	uint64_t elapsed_ms;		/* out: whole run */
	uint32_t allocs;		/* out: entries the unmap allocated */
	uint32_t frees;			/* out: entries it freed */
	uint32_t reserve_uses;		/* out: clips served by parked entries */
	uint32_t counted;		/* out: UVMSHIM_CNT_* of the unmap */
	uint64_t reserved[4];
};

/*
 * UVMSHIM_IOC_STRESS: nthreads kernel threads map and unmap random ranges
 * of one map for duration_ms.
 * Errors: ENOENT no such map; EINVAL nthreads, duration_ms or max_pages
 *         out of range, flags nonzero; ENOTSUP no stress here; EBUSY a
 *         stress or cycle run is active; EINTR interrupted.
 */
struct uvmshim_stress {
	uint32_t map_id;		/* in */
	uint32_t nthreads;		/* in: 1..UVMSHIM_MAX_STRESS_THREADS */
	uint32_t duration_ms;		/* in: 1..UVMSHIM_MAX_STRESS_MS */
	uint32_t seed;			/* in */
	uint32_t max_pages;		/* in: largest mapping, 1..UVMSHIM_MAX_STRESS_PAGES */
	uint32_t flags;			/* in: 0 */
	uint64_t ops;			/* out */
	uint64_t maps;
	uint64_t unmaps;
	uint64_t errors;
	uint64_t max_nsec;
	uint64_t entry_allocs;		/* out: sums over the ops */
	uint64_t entry_allocs_locked;
	uint64_t entry_frees;
	uint64_t clips;
	uint64_t ops_measured;		/* out: ops whose counters were all
					   measured (UVMSHIM_CNT_ALL) */
	uint64_t ops_inferred;		/* out: the others (inferred) */
	uint64_t hist[UVMSHIM_HIST_BUCKETS];	/* out: bucket i counts ops
						   taking [2^i, 2^(i+1)) ns;
						   the last is open-ended */
};

/*
 * UVMSHIM_IOC_KMAP_SUMMARY: a read-only look at kernel_map, plus the
 * uvmmap event counters when the kernel has options UVMMAP_COUNTERS.
 * Errors: ENOTSUP on targets without a kernel_map (the model).
 */
struct uvmshim_kmap_summary {
	uint64_t min;			/* out: vm_map_min(kernel_map) */
	uint64_t max;
	uint64_t nentries;
	uint64_t mapped_bytes;
	uint64_t largest_gap;
	uint64_t nomerge_entries;	/* entries with UVM_MAP_NOMERGE */
	uint32_t counters_valid;	/* out: 1 if the counters below were found */
	uint32_t pad0;
	uint64_t kbackmerge;
	uint64_t kforwmerge;
	uint64_t kbimerge;
	uint64_t knomerge;
	uint64_t ubackmerge;
	uint64_t uforwmerge;
	uint64_t ubimerge;
	uint64_t unomerge;
	uint64_t reserved[4];
};

/* The commands.  Numbers never change within an ABI version. */
#define UVMSHIM_IOC_VERSION	 UVMSHIM_IOR(UVMSHIM_IOC_GROUP, 0, struct uvmshim_version)
#define UVMSHIM_IOC_MAP_CREATE	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 1, struct uvmshim_map_create)
#define UVMSHIM_IOC_MAP_DESTROY	 UVMSHIM_IOW(UVMSHIM_IOC_GROUP, 2, struct uvmshim_map_ref)
#define UVMSHIM_IOC_MAP		 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 3, struct uvmshim_map_req)
#define UVMSHIM_IOC_UNMAP	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 4, struct uvmshim_unmap_req)
#define UVMSHIM_IOC_LOOKUP	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 5, struct uvmshim_lookup)
#define UVMSHIM_IOC_BATCH	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 6, struct uvmshim_batch)
#define UVMSHIM_IOC_STATS	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 7, struct uvmshim_stats)
#define UVMSHIM_IOC_DUMP	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 8, struct uvmshim_dump)
#define UVMSHIM_IOC_PRESSURE	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 9, struct uvmshim_pressure)
#define UVMSHIM_IOC_CYCLE	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 10, struct uvmshim_cycle)
#define UVMSHIM_IOC_STRESS	 UVMSHIM_IOWR(UVMSHIM_IOC_GROUP, 11, struct uvmshim_stress)
#define UVMSHIM_IOC_KMAP_SUMMARY UVMSHIM_IOR(UVMSHIM_IOC_GROUP, 12, struct uvmshim_kmap_summary)

#endif /* UVMSHIM_IOCTL_H */
