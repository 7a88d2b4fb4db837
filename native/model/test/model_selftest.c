/*
 * model_selftest.c: a developer's check of libkshim_model.so through its
 * public API only (kshim_model.h).  The project's real tests are NUnit
 * over P/Invoke; this one keeps the C side honest while it is written:
 * merge counts, clips, yamt's case per policy, cycle verdicts, invalid
 * requests, and seeded random op scripts checked against a page-level
 * shadow of the map.
 *
 * Exit status 0 when every check held.  `model_selftest -v` is chatty.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kshim_model.h"
#include "kshim_check.h"

#define PS		4096ULL
#define RW		(UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE)

static int verbose;

static void
note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static const char *const policy_name[] = {
	"DEFAULT", "MERGE_ALLOC", "NOMERGE", "MERGE_RESERVE", "MODERN", "THORPE"
};

/* ---- thin wrappers ---------------------------------------------------- */

static uint64_t
dev_open(uint32_t entries_per_page)
{
	struct kshim_model_config cfg;
	uint64_t h = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.entries_per_page = entries_per_page;
	EQ(kshim_model_open(&cfg, &h), 0);
	return h;
}

static uint32_t
map_create(uint64_t h, uint64_t size, uint32_t policy)
{
	struct uvmshim_map_create c;

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.policy = policy;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), 0);
	return c.map_id;
}

static int
do_map(uint64_t h, uint32_t id, uint64_t addr, uint64_t size, uint32_t prot,
    uint32_t flags, struct uvmshim_map_req *out)
{
	struct uvmshim_map_req r;
	int error;

	memset(&r, 0, sizeof(r));
	r.map_id = id;
	r.addr = addr;
	r.size = size;
	r.prot = prot;
	r.flags = flags;
	error = kshim_model_ioctl(h, UVMSHIM_IOC_MAP, &r);
	if (out != NULL)
		*out = r;
	return error;
}

static int
do_unmap(uint64_t h, uint32_t id, uint64_t start, uint64_t end,
    struct uvmshim_unmap_req *out)
{
	struct uvmshim_unmap_req r;
	int error;

	memset(&r, 0, sizeof(r));
	r.map_id = id;
	r.start = start;
	r.end = end;
	error = kshim_model_ioctl(h, UVMSHIM_IOC_UNMAP, &r);
	if (out != NULL)
		*out = r;
	return error;
}

static uint32_t
dump(uint64_t h, uint32_t id, struct uvmshim_entry *e, uint32_t cap)
{
	struct uvmshim_dump d;

	memset(&d, 0, sizeof(d));
	d.map_id = id;
	d.capacity = cap;
	d.entries = (uint64_t)(uintptr_t)e;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_DUMP, &d), 0);
	EQ(d.ncopied, d.nentries < cap ? d.nentries : cap);
	return d.nentries;
}

static struct uvmshim_stats
stats(uint64_t h, uint32_t id)
{
	struct uvmshim_stats s;

	memset(&s, 0, sizeof(s));
	s.map_id = id;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_STATS, &s), 0);
	return s;
}

static struct uvmshim_pressure
pressure(uint64_t h, uint32_t cmd, uint32_t flags, uint64_t npages, int *err)
{
	struct uvmshim_pressure p;

	memset(&p, 0, sizeof(p));
	p.cmd = cmd;
	p.flags = flags;
	p.npages = npages;
	*err = kshim_model_ioctl(h, UVMSHIM_IOC_PRESSURE, &p);
	return p;
}

/* ---- fixed scenarios -------------------------------------------------- */

static void
test_version(void)
{
	uint64_t h = dev_open(0);
	struct uvmshim_version v;
	struct uvmshim_kmap_summary k;

	memset(&v, 0xff, sizeof(v));
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_VERSION, &v), 0);
	EQ(v.abi_version, UVMSHIM_ABI_VERSION);
	EQ(v.target, UVMSHIM_TARGET_MODEL);
	EQ(v.netbsd_version, 0);
	EQ(v.page_size, PS);
	EQ(v.policies, 0x3f);
	EQ(v.features, UVMSHIM_FEAT_BATCH | UVMSHIM_FEAT_PRESSURE |
	    UVMSHIM_FEAT_CYCLE | UVMSHIM_FEAT_STRESS);
	EQ(v.max_maps, UVMSHIM_MAX_MAPS);
	CHECK(strcmp(v.osrelease, "model") == 0, "%s", v.osrelease);
	EQ(v.reserved[0] | v.reserved[3], 0);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_KMAP_SUMMARY, &k),
	    UVMSHIM_ENOTSUP);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOR('U', 99, uint64_t), &k),
	    UVMSHIM_ENOTTY);
	EQ(kshim_model_ioctl(h + (1ULL << 32), UVMSHIM_IOC_VERSION, &v),
	    UVMSHIM_EINVAL);
	EQ(kshim_model_close(h), 0);
	EQ(kshim_model_close(h), UVMSHIM_EINVAL);
}

/* Back, forward and bi-merges, and what refuses to merge. */
static void
test_merges(uint32_t policy)
{
	uint64_t h = dev_open(0);
	uint32_t id = map_create(h, 64 * PS, policy);
	struct uvmshim_map_req r;
	struct uvmshim_entry e[64];
	struct uvmshim_stats s;
	int merging = policy != UVMSHIM_POLICY_NOMERGE;
	uint32_t n;

	note("  merges %s\n", policy_name[policy]);
	EQ(do_map(h, id, 0, PS, RW, UVMSHIM_MAPF_FIXED, &r), 0);
	EQ(r.outcome, UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 2 * PS, PS, RW, UVMSHIM_MAPF_FIXED, &r), 0);
	EQ(r.outcome, UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 0, PS, RW, 0, &r), 0);		/* first fit: page 1 */
	EQ(r.placed, PS);
	EQ(r.outcome, merging ? UVMSHIM_OUTCOME_BI_MERGE :
	    UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 0, PS, RW, 0, &r), 0);		/* page 3 */
	EQ(r.placed, 3 * PS);
	EQ(r.outcome, merging ? UVMSHIM_OUTCOME_BACK_MERGE :
	    UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 10 * PS, PS, RW, UVMSHIM_MAPF_FIXED, &r), 0);
	EQ(do_map(h, id, 9 * PS, PS, RW, UVMSHIM_MAPF_FIXED, &r), 0);
	EQ(r.outcome, merging ? UVMSHIM_OUTCOME_FORW_MERGE :
	    UVMSHIM_OUTCOME_NEW_ENTRY);
	/* Different protection, or NOMERGE either side: never merged. */
	EQ(do_map(h, id, 11 * PS, PS, UVMSHIM_PROT_READ, UVMSHIM_MAPF_FIXED,
	    &r), 0);
	EQ(r.outcome, UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 4 * PS, PS, RW,
	    UVMSHIM_MAPF_FIXED | UVMSHIM_MAPF_NOMERGE, &r), 0);
	EQ(r.outcome, UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(do_map(h, id, 5 * PS, PS, RW, UVMSHIM_MAPF_FIXED, &r), 0);
	EQ(r.outcome, UVMSHIM_OUTCOME_NEW_ENTRY);

	n = dump(h, id, e, 64);
	s = stats(h, id);
	if (merging) {
		/* [0,4) [4,5)N [5,6) [9,11) [11,12)r */
		EQ(n, 5);
		EQ(e[0].start, 0);
		EQ(e[0].end, 4 * PS);
		EQ(e[1].flags, UVMSHIM_ENTF_NOMERGE);
		EQ(e[3].start, 9 * PS);
		EQ(e[3].end, 11 * PS);
		EQ(e[4].prot, UVMSHIM_PROT_READ);
		EQ(s.new_entries, 6);
		EQ(s.back_merges, 1);
		EQ(s.forw_merges, 1);
		EQ(s.bi_merges, 1);
	} else {
		EQ(n, 9);
		EQ(e[0].flags, UVMSHIM_ENTF_NOMERGE);
		EQ(s.new_entries, 9);
		EQ(s.back_merges + s.forw_merges + s.bi_merges, 0);
	}
	EQ(s.maps, 9);
	EQ(s.mapped_bytes, 9 * PS);
	EQ(s.nentries, n);
	/*
	 * Maps only: 3-5 and Thorpe allocate before the lock (every map
	 * request), 1.152, 1.153 and 6+ under it (only when no merge).
	 */
	if (policy == UVMSHIM_POLICY_MERGE_RESERVE ||
	    policy == UVMSHIM_POLICY_THORPE) {
		EQ(s.entry_allocs_locked, 0);
		EQ(s.entry_allocs, 9);
	} else {
		EQ(s.entry_allocs_locked, s.entry_allocs);
		EQ(s.entry_allocs, s.new_entries);
	}
	EQ(e[0].maxprot, UVMSHIM_PROT_ALL);
	EQ(kshim_model_close(h), 0);
}

/*
 * yamt's case (tech-kern, 2004-02-05): map [0,100) pages, unmap [10,90).
 * One mapping: two clips under every policy; only MERGE_RESERVE does them
 * without allocating under the lock (THORPE has nothing parked then).  A
 * hundred one-page mappings: NOMERGE removes whole entries and never clips;
 * THORPE's 99 merges parked 16 entries, and the clips take two.
 */
static void
test_yamt(uint32_t policy, int one_mapping)
{
	uint64_t h = dev_open(0);
	uint32_t id = map_create(h, 128 * PS, policy), i, n;
	struct uvmshim_unmap_req u;
	struct uvmshim_entry e[128];
	struct uvmshim_stats s0, s;

	note("  yamt %s, %s\n", policy_name[policy],
	    one_mapping ? "one mapping" : "100 mappings");
	if (one_mapping)
		EQ(do_map(h, id, 0, 100 * PS, RW, 0, NULL), 0);
	else
		for (i = 0; i < 100; i++)
			EQ(do_map(h, id, 0, PS, RW, 0, NULL), 0);
	s0 = stats(h, id);
	EQ(do_unmap(h, id, 10 * PS, 90 * PS, &u), 0);
	s = stats(h, id);
	EQ(u.unmapped, 80 * PS);
	n = dump(h, id, e, 128);
	EQ(u.entries_after, n);
	if (one_mapping || policy != UVMSHIM_POLICY_NOMERGE) {
		EQ(u.entries_before, 1);
		EQ(u.clips, 2);
		EQ(n, 2);
		EQ(e[0].end, 10 * PS);
		EQ(e[1].start, 90 * PS);
		EQ(s.clips_start, 1);
		EQ(s.clips_end, 1);
		EQ(s.peak_entries, 3);		/* both clips, before removal */
		if (policy == UVMSHIM_POLICY_MERGE_RESERVE ||
		    (policy == UVMSHIM_POLICY_THORPE && !one_mapping)) {
			EQ(u.allocs_locked, 0);
			EQ(s.reserve_uses, 2);
			EQ(s.entry_allocs_locked, 0);
		} else {
			EQ(u.allocs_locked, 2);
			EQ(s.entry_allocs - s0.entry_allocs, 2);
			EQ(s.reserve_uses, 0);
		}
	} else {
		EQ(u.entries_before, 100);
		EQ(u.clips, 0);
		EQ(u.allocs_locked, 0);
		EQ(n, 20);
		EQ(s.entry_frees - s0.entry_frees, 80);
	}
	EQ(s.mapped_bytes, 20 * PS);
	EQ(kshim_model_close(h), 0);
}

/* First fit from the hint, FIXED, no wrap-around. */
static void
test_placement(void)
{
	uint64_t h = dev_open(0);
	uint32_t id = map_create(h, 16 * PS, UVMSHIM_POLICY_MODERN);
	struct uvmshim_map_req r;

	EQ(do_map(h, id, 0, 4 * PS, RW, 0, &r), 0);
	EQ(r.placed, 0);
	EQ(do_unmap(h, id, PS, 2 * PS, NULL), 0);	/* hole at page 1 */
	EQ(do_map(h, id, 0, 2 * PS, RW, 0, &r), 0);	/* too big for it */
	EQ(r.placed, 4 * PS);
	EQ(do_map(h, id, 0, PS, UVMSHIM_PROT_READ, 0, &r), 0);
	EQ(r.placed, PS);
	EQ(do_map(h, id, 2 * PS, PS, RW, UVMSHIM_MAPF_FIXED, NULL),
	    UVMSHIM_ENOMEM);
	EQ(do_map(h, id, 5 * PS, 2 * PS, RW, UVMSHIM_MAPF_FIXED, NULL),
	    UVMSHIM_ENOMEM);
	EQ(do_map(h, id, 7 * PS, PS, RW, 0, &r), 0);	/* hint in a gap */
	EQ(r.placed, 7 * PS);
	EQ(do_map(h, id, 6 * PS, PS, RW, 0, &r), 0);
	EQ(r.placed, 6 * PS);
	EQ(r.outcome, UVMSHIM_OUTCOME_BI_MERGE);
	EQ(do_map(h, id, 12 * PS, 4 * PS, RW, 0, &r), 0);
	EQ(r.placed, 12 * PS);
	EQ(do_map(h, id, 13 * PS, PS, RW, 0, NULL), UVMSHIM_ENOMEM);
	EQ(do_map(h, id, 8 * PS, 4 * PS, RW, 0, &r), 0);
	EQ(r.placed, 8 * PS);
	EQ(do_map(h, id, 0, PS, RW, 0, NULL), UVMSHIM_ENOMEM);	/* full */
	EQ(stats(h, id).map_failures, 4);
	EQ(kshim_model_close(h), 0);
}

/* Every malformed request: its errno, and nothing changed anywhere. */
static void
test_invalid(void)
{
	uint64_t h = dev_open(0);
	uint32_t id = map_create(h, 64 * PS, UVMSHIM_POLICY_DEFAULT), i;
	struct uvmshim_map_create c;
	struct uvmshim_map_req r;
	struct uvmshim_unmap_req u;
	struct uvmshim_lookup l;
	struct uvmshim_map_ref ref;
	struct uvmshim_dump d;
	struct uvmshim_stats s, s0;
	struct uvmshim_entry before[64], after[64];
	uint32_t nb, na;

	EQ(do_map(h, id, 0, 8 * PS, RW, 0, NULL), 0);
	nb = dump(h, id, before, 64);
	s0 = stats(h, id);

	EQ(do_map(h, id, 0, 0, RW, 0, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, id, 0, PS + 1, RW, 0, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, id, 1, PS, RW, 0, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, id, 63 * PS, 2 * PS, RW, 0, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, id, UINT64_MAX - PS + 1, PS, RW, 0, NULL),
	    UVMSHIM_EINVAL);
	EQ(do_map(h, id, 0, PS, 8, 0, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, id, 0, PS, RW, 4, NULL), UVMSHIM_EINVAL);
	EQ(do_map(h, 7, 0, PS, RW, 0, NULL), UVMSHIM_ENOENT);
	EQ(do_map(h, 0, 0, PS, RW, 0, NULL), UVMSHIM_ENOENT);
	memset(&r, 0, sizeof(r));
	r.map_id = id;
	r.size = PS;
	r.pad0 = 1;
	r.placed = 0x1234;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP, &r), UVMSHIM_EINVAL);
	EQ(r.placed, 0x1234);		/* a failed ioctl copies nothing out */

	EQ(do_unmap(h, id, PS, PS, NULL), UVMSHIM_EINVAL);
	EQ(do_unmap(h, id, 2 * PS, PS, NULL), UVMSHIM_EINVAL);
	EQ(do_unmap(h, id, 1, PS, NULL), UVMSHIM_EINVAL);
	EQ(do_unmap(h, id, 0, 65 * PS, NULL), UVMSHIM_EINVAL);
	memset(&u, 0, sizeof(u));
	u.map_id = id;
	u.end = PS;
	u.flags = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_UNMAP, &u), UVMSHIM_EINVAL);

	memset(&l, 0, sizeof(l));
	l.map_id = id;
	l.addr = 64 * PS;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_LOOKUP, &l), UVMSHIM_EINVAL);
	l.addr = 0;
	l.pad0 = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_LOOKUP, &l), UVMSHIM_EINVAL);

	memset(&d, 0, sizeof(d));
	d.map_id = id;
	d.capacity = 4;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_DUMP, &d), UVMSHIM_EINVAL);
	d.capacity = UVMSHIM_MAX_DUMP_ENTRIES + 1;
	d.entries = (uint64_t)(uintptr_t)after;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_DUMP, &d), UVMSHIM_E2BIG);

	memset(&s, 0, sizeof(s));
	s.map_id = id;
	s.flags = 2;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_STATS, &s), UVMSHIM_EINVAL);

	memset(&c, 0, sizeof(c));
	c.size = PS;
	c.policy = UVMSHIM_POLICY_COUNT;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), UVMSHIM_EINVAL);
	c.policy = 0;
	c.size = PS + 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), UVMSHIM_EINVAL);
	c.size = UVMSHIM_MAX_MAP_SIZE + PS;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), UVMSHIM_EINVAL);
	c.size = PS;
	c.reserved[1] = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), UVMSHIM_EINVAL);
	c.reserved[1] = 0;
	for (i = 1; i < UVMSHIM_MAX_MAPS; i++)
		EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), 0);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), UVMSHIM_ENOSPC);
	memset(&ref, 0, sizeof(ref));
	ref.map_id = c.map_id;
	ref.pad0 = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_DESTROY, &ref), UVMSHIM_EINVAL);
	ref.pad0 = 0;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_DESTROY, &ref), 0);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_DESTROY, &ref), UVMSHIM_ENOENT);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_MAP_CREATE, &c), 0);
	EQ(c.map_id, ref.map_id);	/* the freed id is reused */

	na = dump(h, id, after, 64);
	EQ(na, nb);
	CHECK(memcmp(before, after, nb * sizeof(after[0])) == 0, "entries");
	s = stats(h, id);
	EQ(s.maps, s0.maps);
	EQ(s.map_failures, s0.map_failures);
	EQ(s.entry_allocs, s0.entry_allocs);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_VERSION, NULL), UVMSHIM_EFAULT);
	EQ(kshim_model_close(h), 0);
}

static void
test_batch(void)
{
	uint64_t h = dev_open(0);
	uint32_t id = map_create(h, 64 * PS, UVMSHIM_POLICY_MODERN);
	struct uvmshim_op op[8];
	struct uvmshim_op_result res[8];
	struct uvmshim_batch b;

	memset(op, 0, sizeof(op));
	op[0].kind = UVMSHIM_OP_MAP;
	op[0].size = 10 * PS;
	op[0].prot = RW;
	op[1].kind = UVMSHIM_OP_UNMAP;
	op[1].addr = 2 * PS;
	op[1].size = PS;
	op[2].kind = UVMSHIM_OP_LOOKUP;
	op[2].addr = 2 * PS + 5;
	op[3].kind = UVMSHIM_OP_EXPECT_ENTRIES;
	op[3].arg = 2;
	op[4].kind = UVMSHIM_OP_EXPECT_ENTRIES;
	op[4].arg = 7;
	op[5].kind = UVMSHIM_OP_NOP;
	op[6].kind = 77;

	/* An unknown kind anywhere: EINVAL, and nothing ran. */
	memset(&b, 0, sizeof(b));
	b.map_id = id;
	b.nops = 7;
	b.ops = (uint64_t)(uintptr_t)op;
	b.results = (uint64_t)(uintptr_t)res;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), UVMSHIM_EINVAL);
	EQ(stats(h, id).nentries, 0);
	EQ(stats(h, id).maps, 0);

	memset(res, 0xee, sizeof(res));
	b.nops = 6;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), 0);
	EQ(b.ndone, 6);
	EQ(b.nerrors, 1);
	EQ(res[0].error, 0);
	EQ(res[0].outcome, UVMSHIM_OUTCOME_NEW_ENTRY);
	EQ(res[0].nentries, 1);
	EQ(res[1].clips, 2);
	EQ(res[1].nentries, 2);
	EQ(res[2].outcome, 0);			/* in the hole */
	EQ(res[2].addr, 0);			/* the entry before it */
	EQ(res[3].error, 0);
	EQ(res[4].error, UVMSHIM_EDOM);
	EQ(res[4].nentries, 2);
	EQ(res[5].error, 0);
	CHECK(b.nsec >= res[0].nsec, "batch time");

	/* STOP_ON_ERROR: the failing op is the last one run. */
	memset(res, 0xee, sizeof(res));
	b.flags = UVMSHIM_BATCHF_STOP_ON_ERROR;
	b.ops = (uint64_t)(uintptr_t)&op[3];
	b.nops = 3;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), 0);
	EQ(b.ndone, 2);
	EQ(b.nerrors, 1);
	EQ(res[1].error, UVMSHIM_EDOM);
	EQ(res[2].error, (int32_t)0xeeeeeeee);	/* never written */

	/* A bad op: its own EINVAL, the batch goes on. */
	op[7].kind = UVMSHIM_OP_UNMAP;
	op[7].addr = 1;
	op[7].size = PS;
	b.flags = 0;
	b.ops = (uint64_t)(uintptr_t)&op[7];
	b.nops = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), 0);
	EQ(res[0].error, UVMSHIM_EINVAL);
	EQ(res[0].nentries, 2);

	b.nops = UVMSHIM_MAX_BATCH_OPS + 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), UVMSHIM_E2BIG);
	b.nops = 0;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), UVMSHIM_EINVAL);
	b.nops = 1;
	b.ops = 0;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_BATCH, &b), UVMSHIM_EINVAL);
	EQ(kshim_model_close(h), 0);
}

/*
 * Memory pressure on plain requests: one entry per pool page, so every
 * allocation needs a page.  Under the lock it cannot get one: ENOMEM,
 * nothing changed.  What allocates nothing, or only before the lock with
 * parked entries at hand, still works.
 */
static void
test_pressure(void)
{
	uint64_t h = dev_open(1);
	uint32_t modern = map_create(h, 64 * PS, UVMSHIM_POLICY_MODERN);
	uint32_t nomerge = map_create(h, 64 * PS, UVMSHIM_POLICY_NOMERGE);
	uint32_t reserve = map_create(h, 64 * PS, UVMSHIM_POLICY_MERGE_RESERVE);
	struct uvmshim_pressure p, q;
	struct uvmshim_entry e[4];
	uint32_t i;
	int err;

	q = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	EQ(err, 0);
	EQ(q.total_pages, KSHIM_MODEL_DEFAULT_TOTAL_PAGES);
	EQ(q.free_min, KSHIM_MODEL_DEFAULT_FREE_MIN);
	EQ(q.free_pages, q.total_pages);
	EQ(q.held_pages, 0);

	EQ(do_map(h, modern, 0, 10 * PS, RW, 0, NULL), 0);
	for (i = 0; i < 4; i++) {
		EQ(do_map(h, nomerge, 0, PS, RW, 0, NULL), 0);
		EQ(do_map(h, reserve, 0, PS, RW, 0, NULL), 0);
	}
	q = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);

	p = pressure(h, UVMSHIM_PRESSURE_WIRE, 0, q.free_pages, &err);
	EQ(err, UVMSHIM_ENOMEM);
	p = pressure(h, UVMSHIM_PRESSURE_WIRE, 0, 0, &err);
	EQ(err, UVMSHIM_EINVAL);
	p = pressure(h, UVMSHIM_PRESSURE_WIRE, 0, q.free_pages - q.free_min,
	    &err);
	EQ(err, 0);
	EQ(p.free_pages, q.free_min);
	EQ(p.held_pages, q.free_pages - q.free_min);

	EQ(do_unmap(h, modern, 2 * PS, 3 * PS, NULL), UVMSHIM_ENOMEM);
	EQ(dump(h, modern, e, 4), 1);
	EQ(stats(h, modern).alloc_failures, 1);
	EQ(stats(h, modern).unmaps, 0);
	EQ(do_map(h, modern, 20 * PS, PS, RW, UVMSHIM_MAPF_FIXED, NULL),
	    UVMSHIM_ENOMEM);
	/* 6+ allocates nothing for a mapping that merges ... */
	EQ(do_map(h, modern, 10 * PS, PS, RW, 0, NULL), 0);
	EQ(dump(h, modern, e, 4), 1);
	/* ... but 3-5 allocates its entry before the lock even then. */
	EQ(do_map(h, reserve, 4 * PS, PS, RW, 0, NULL), UVMSHIM_ENOMEM);
	EQ(do_unmap(h, nomerge, PS, 2 * PS, NULL), 0);		/* no clip */
	EQ(do_unmap(h, reserve, PS, 2 * PS, NULL), 0);		/* parked */
	EQ(stats(h, reserve).reserve_uses, 2);

	p = pressure(h, UVMSHIM_PRESSURE_RELEASE, 0, 0, &err);
	EQ(err, 0);
	EQ(p.held_pages, 0);
	EQ(do_unmap(h, modern, 2 * PS, 3 * PS, NULL), 0);
	p = pressure(h, 3, 0, 0, &err);
	EQ(err, UVMSHIM_EINVAL);
	EQ(kshim_model_close(h), 0);
}

static void
test_cycle(uint32_t policy, uint32_t flags)
{
	uint64_t h = dev_open(0);
	struct uvmshim_cycle c;
	struct uvmshim_pressure q0, q1;
	/* THORPE: the 15 merges parked 15 entries; the clips take two. */
	int err, deadlock = policy == UVMSHIM_POLICY_DEFAULT ||
	    policy == UVMSHIM_POLICY_MODERN ||
	    policy == UVMSHIM_POLICY_MERGE_ALLOC;

	note("  cycle %s%s\n", policy_name[policy],
	    flags ? " (recover)" : "");
	q0 = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	memset(&c, 0, sizeof(c));
	c.policy = policy;
	c.flags = flags;
	c.bound_ms = 500;
	c.hold_ms = 2000;
	c.npages = 16;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), 0);
	EQ(c.error, 0);
	EQ(c.unmapper_lid != 0 && c.reclaimer_lid != 0, 1);
	if (deadlock) {
		EQ(c.verdict, UVMSHIM_CYCLE_DEADLOCK);
		EQ(c.holder_lid, c.unmapper_lid);
		CHECK(strcmp(c.holder_name, "uvmshim_unmap") == 0, "%s",
		    c.holder_name);
		EQ(c.unmapper_wait_ms, 500);
		EQ(c.reclaimer_wait_ms, 500);
		EQ(c.lock_held_ms, 500);
		CHECK(strcmp(c.unmapper_wmesg,
		    policy == UVMSHIM_POLICY_MERGE_ALLOC ? "vmmaplk" :
		    "vmmapent") == 0, "%s", c.unmapper_wmesg);
		CHECK(strcmp(c.reclaimer_wmesg, "vmmaplk") == 0, "%s",
		    c.reclaimer_wmesg);
		EQ(c.recovered, 1);
		EQ(c.elapsed_ms, flags ? 500 : 2500);
		EQ(c.clips, 2);			/* finished after the break */
		EQ(c.allocs_locked, 2);
	} else {
		EQ(c.verdict, UVMSHIM_CYCLE_COMPLETED);
		EQ(c.holder_lid, 0);
		EQ(c.unmapper_wait_ms, 0);
		EQ(c.recovered, 0);
		EQ(c.allocs_locked, 0);
		EQ(c.clips, policy == UVMSHIM_POLICY_NOMERGE ? 0 : 2);
	}
	q1 = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	EQ(q1.free_pages, q0.free_pages);	/* all given back */
	EQ(kshim_model_close(h), 0);
}

static void
test_cycle_errors(void)
{
	uint64_t h = dev_open(0), h2;
	struct uvmshim_cycle c;
	struct uvmshim_pressure q;
	int err;

	memset(&c, 0, sizeof(c));
	c.bound_ms = 5;
	c.npages = 16;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), UVMSHIM_EINVAL);
	c.bound_ms = 100;
	c.npages = 2;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), UVMSHIM_EINVAL);
	c.npages = 16;
	c.reserved[2] = 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), UVMSHIM_EINVAL);
	c.reserved[2] = 0;

	/* Memory already at free_min by PRESSURE: still the same deadlock. */
	q = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	pressure(h, UVMSHIM_PRESSURE_WIRE, 0, q.free_pages - q.free_min - 1,
	    &err);
	EQ(err, 0);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), 0);
	EQ(c.verdict, UVMSHIM_CYCLE_DEADLOCK);
	EQ(c.error, 0);
	EQ(c.clips, 2);
	pressure(h, UVMSHIM_PRESSURE_RELEASE, 0, 0, &err);

	/*
	 * One entry per page and PRESSURE at free_min: breaking the cycle
	 * frees nothing the unmapper can use.  It is abandoned, not waited
	 * for.
	 */
	h2 = dev_open(1);
	q = pressure(h2, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	pressure(h2, UVMSHIM_PRESSURE_WIRE, 0, q.free_pages - q.free_min - 1,
	    &err);
	EQ(err, 0);
	/*
	 * MERGE_ALLOC: its merges allocate nothing (MODERN would already
	 * fail the setup here, allocating each mapping's entry before it
	 * locks).
	 */
	c.policy = UVMSHIM_POLICY_MERGE_ALLOC;
	EQ(kshim_model_ioctl(h2, UVMSHIM_IOC_CYCLE, &c), 0);
	EQ(c.verdict, UVMSHIM_CYCLE_DEADLOCK);
	EQ(c.error, UVMSHIM_ETIMEDOUT);
	EQ(c.clips, 0);
	c.policy = UVMSHIM_POLICY_DEFAULT;
	EQ(kshim_model_close(h2), 0);

	/* All memory wired by PRESSURE: the setup cannot even merge. */
	q = pressure(h, UVMSHIM_PRESSURE_QUERY, 0, 0, &err);
	pressure(h, UVMSHIM_PRESSURE_WIRE, UVMSHIM_PRESSUREF_FORCE,
	    q.free_pages, &err);
	EQ(err, 0);
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_CYCLE, &c), 0);
	EQ(c.verdict, UVMSHIM_CYCLE_ERROR);
	EQ(c.error, UVMSHIM_ENOMEM);
	EQ(kshim_model_close(h), 0);
}

static void
test_stress(void)
{
	uint64_t h1 = dev_open(0), h2 = dev_open(0);
	uint32_t id1 = map_create(h1, 4096 * PS, UVMSHIM_POLICY_MODERN);
	uint32_t id2 = map_create(h2, 4096 * PS, UVMSHIM_POLICY_MODERN);
	static struct uvmshim_entry e1[4096], e2[4096];
	struct uvmshim_stress s, t;
	struct uvmshim_stats st;
	uint64_t sum = 0;
	uint32_t i, n1, n2;

	memset(&s, 0, sizeof(s));
	s.map_id = id1;
	s.nthreads = 8;
	s.duration_ms = 50;
	s.seed = 42;
	s.max_pages = 16;
	EQ(do_map(h1, id1, 0, 8 * PS, RW, 0, NULL), 0);
	EQ(do_map(h2, id2, 0, 8 * PS, RW, 0, NULL), 0);
	EQ(kshim_model_ioctl(h1, UVMSHIM_IOC_STRESS, &s), 0);
	t = s;
	t.map_id = id2;
	EQ(kshim_model_ioctl(h2, UVMSHIM_IOC_STRESS, &t), 0);
	EQ(s.ops, 50 * 32);
	EQ(s.maps + s.unmaps, s.ops);
	for (i = 0; i < UVMSHIM_HIST_BUCKETS; i++)
		sum += s.hist[i];
	EQ(sum, s.ops);
	CHECK(s.errors < s.ops / 4, "%llu errors",
	    (unsigned long long)s.errors);
	EQ(t.maps, s.maps);
	EQ(t.unmaps, s.unmaps);
	n1 = dump(h1, id1, e1, 4096);
	n2 = dump(h2, id2, e2, 4096);
	EQ(n1, 1);			/* the threads cleaned up after them */
	EQ(n1, n2);
	CHECK(memcmp(e1, e2, n1 * sizeof(e1[0])) == 0, "same seed, same map");
	st = stats(h1, id1);
	EQ(st.mapped_bytes, 8 * PS);
	CHECK(st.clips_start + st.clips_end > 0, "stress clipped nothing");
	s.nthreads = 17;
	EQ(kshim_model_ioctl(h1, UVMSHIM_IOC_STRESS, &s), UVMSHIM_EINVAL);
	EQ(kshim_model_close(h1), 0);
	EQ(kshim_model_close(h2), 0);
}

/*
 * The stress op sequence is pinned: the counts below were taken from the
 * model before the op generator moved into native/core, and a seed must
 * keep meaning the same ops on every target.  A change that alters the
 * sequence must say so and update them.
 */
struct stress_pin {
	uint32_t	policy, nthreads, max_pages, mpages;
	uint64_t	seed;
	uint64_t	maps, unmaps, errors;		/* the run's result */
	uint64_t	new_entries, back, forw, bi;	/* the map's statistics */
	uint64_t	clips_start, clips_end, peak;
};

static const struct stress_pin stress_pins[] = {
	{ UVMSHIM_POLICY_MODERN, 8, 16, 4096, 42,
	    336, 304, 0, 303, 29, 4, 0, 44, 49, 91 },
	{ UVMSHIM_POLICY_NOMERGE, 3, 64, 512, 0xdeadbeefULL,
	    329, 311, 87, 242, 0, 0, 0, 41, 34, 20 },
	{ UVMSHIM_POLICY_MERGE_RESERVE, 16, 1, 64, 7,
	    369, 271, 49, 155, 75, 51, 39, 96, 108, 41 },
};

static void
test_stress_pinned(void)
{
	const struct stress_pin *p;
	struct uvmshim_stress s;
	struct uvmshim_stats st;
	uint64_t h;
	uint32_t id, i;

	for (i = 0; i < sizeof(stress_pins) / sizeof(stress_pins[0]);
	    i++) {
		p = &stress_pins[i];
		h = dev_open(0);
		id = map_create(h, p->mpages * PS, p->policy);
		memset(&s, 0, sizeof(s));
		s.map_id = id;
		s.nthreads = p->nthreads;
		s.duration_ms = 20;
		s.seed = p->seed;
		s.max_pages = p->max_pages;
		EQ(kshim_model_ioctl(h, UVMSHIM_IOC_STRESS, &s), 0);
		st = stats(h, id);
		note("stress pin %u: %llu, %llu, %llu, %llu, %llu, %llu, "
		    "%llu, %llu, %llu, %llu\n", i,
		    (unsigned long long)s.maps, (unsigned long long)s.unmaps,
		    (unsigned long long)s.errors,
		    (unsigned long long)st.new_entries,
		    (unsigned long long)st.back_merges,
		    (unsigned long long)st.forw_merges,
		    (unsigned long long)st.bi_merges,
		    (unsigned long long)st.clips_start,
		    (unsigned long long)st.clips_end,
		    (unsigned long long)st.peak_entries);
		EQ(s.maps, p->maps);
		EQ(s.unmaps, p->unmaps);
		EQ(s.errors, p->errors);
		EQ(st.new_entries, p->new_entries);
		EQ(st.back_merges, p->back);
		EQ(st.forw_merges, p->forw);
		EQ(st.bi_merges, p->bi);
		EQ(st.clips_start, p->clips_start);
		EQ(st.clips_end, p->clips_end);
		EQ(st.peak_entries, p->peak);
		EQ(st.nentries, 0);	/* the threads cleaned up */
		EQ(kshim_model_close(h), 0);
	}
}

/* 100k single-page NOMERGE entries: placement and removal stay O(log n). */
static void
test_scale(void)
{
	uint64_t h = dev_open(0);
	uint32_t n = 100000, id = map_create(h, 2ULL * n * PS,
	    UVMSHIM_POLICY_NOMERGE), i;
	struct uvmshim_map_req r;
	struct uvmshim_lookup l;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		/* Hint 0 every time: first fit must not walk the list. */
		EQ(do_map(h, id, 0, PS, RW, 0, &r), 0);
		if (r.placed != (uint64_t)i * PS)
			break;
	}
	EQ(stats(h, id).nentries, n);
	memset(&l, 0, sizeof(l));
	l.map_id = id;
	l.addr = 77777 * PS + 1;
	EQ(kshim_model_ioctl(h, UVMSHIM_IOC_LOOKUP, &l), 0);
	EQ(l.found, 1);
	EQ(l.index, 77777);
	for (i = 0; i < n; i += 2)
		EQ(do_unmap(h, id, (uint64_t)i * PS, (uint64_t)(i + 1) * PS,
		    NULL), 0);
	EQ(do_map(h, id, 0, 2 * PS, RW, 0, &r), 0);
	EQ(r.placed, (uint64_t)n * PS);		/* no 2-page hole before */
	EQ(do_unmap(h, id, 0, 2ULL * n * PS, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	note("  scale: %u entries mapped, half unmapped, all unmapped "
	    "in %.3f s\n", n, secs);
	CHECK(secs < 10.0, "%.3f s", secs);
	EQ(kshim_model_close(h), 0);
}

/* ---- seeded random scripts against a page-level shadow ---------------- */

#define RPAGES		48
#define RSCRIPTS	3000
#define ROPS		30

struct shadow {
	uint8_t		prot[RPAGES];	/* 0: unmapped, else prot | 0x80 */
	uint64_t	maps, clips;
};

struct rstate {
	uint64_t	h;
	uint32_t	id, policy;
	struct shadow	sh;
	struct uvmshim_entry e[RPAGES + 1];
	uint32_t	n;
};

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{

	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

static int
mergeable(const struct uvmshim_entry *e, uint32_t prot)
{

	return e->prot == prot && (e->flags & UVMSHIM_ENTF_NOMERGE) == 0;
}

/* Index of the entry holding page p in the cached dump, or -1. */
static int
entry_at(const struct rstate *st, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < st->n; i++)
		if (st->e[i].start <= off && off < st->e[i].end)
			return (int)i;
	return -1;
}

/* Everything that must hold between any two requests. */
static void
check_invariants(struct rstate *st)
{
	struct uvmshim_stats s;
	struct uvmshim_lookup l;
	uint64_t bytes = 0, shadow_bytes = 0, off, p;
	uint32_t i;
	int k;

	st->n = dump(st->h, st->id, st->e, RPAGES + 1);
	for (i = 0; i < st->n; i++) {
		const struct uvmshim_entry *e = &st->e[i];

		CHECK(e->start < e->end && e->end <= RPAGES * PS &&
		    e->start % PS == 0 && e->end % PS == 0, "entry %u", i);
		if (i > 0) {
			CHECK(st->e[i - 1].end <= e->start, "overlap at %u", i);
			/*
			 * Two mergeable neighbours are legal: a clip of a
			 * no-merge entry leaves a piece without the flag (as
			 * in NetBSD), and unmap never re-merges.
			 */
		}
		for (off = e->start; off < e->end; off += PS)
			CHECK(st->sh.prot[off / PS] == (e->prot | 0x80),
			    "page %llu", (unsigned long long)(off / PS));
		bytes += e->end - e->start;
	}
	for (p = 0; p < RPAGES; p++)
		if (st->sh.prot[p])
			shadow_bytes += PS;
	EQ(bytes, shadow_bytes);

	s = stats(st->h, st->id);
	EQ(s.nentries, st->n);
	EQ(s.mapped_bytes, bytes);
	EQ(s.maps, st->sh.maps);
	EQ(s.new_entries + s.back_merges + s.forw_merges + s.bi_merges,
	    s.maps);
	EQ(s.clips_start + s.clips_end, st->sh.clips);
	CHECK(s.peak_entries >= s.nentries, "peak");
	if (st->policy == UVMSHIM_POLICY_MERGE_RESERVE) {
		CHECK(s.entry_allocs - s.entry_frees >= s.nentries, "parked");
		EQ(s.entry_allocs_locked, 0);
	} else if (st->policy == UVMSHIM_POLICY_THORPE) {
		/* At most 16 parked; a clip takes one or allocates locked. */
		CHECK(s.entry_allocs - s.entry_frees >= s.nentries &&
		    s.entry_allocs - s.entry_frees <= s.nentries + 16,
		    "parked %llu", (unsigned long long)(s.entry_allocs -
		    s.entry_frees - s.nentries));
		EQ(s.entry_allocs_locked + s.reserve_uses,
		    s.clips_start + s.clips_end);
		if (s.nentries == 0)
			EQ(s.entry_allocs, s.entry_frees);	/* drained */
	} else {
		EQ(s.entry_allocs - s.entry_frees, s.nentries);
		EQ(s.entry_allocs_locked, s.entry_allocs);
	}

	memset(&l, 0, sizeof(l));
	l.map_id = st->id;
	l.addr = rnd(RPAGES * PS);
	EQ(kshim_model_ioctl(st->h, UVMSHIM_IOC_LOOKUP, &l), 0);
	k = entry_at(st, l.addr);
	EQ(l.found, k >= 0);
	if (k < 0) {
		/* The last entry before addr, if any. */
		for (k = (int)st->n - 1; k >= 0; k--)
			if (st->e[k].end <= l.addr)
				break;
	}
	if (k >= 0) {
		EQ(l.index, k);
		EQ(l.entry.start, st->e[k].start);
		EQ(l.entry.end, st->e[k].end);
	} else
		EQ(l.entry.end, 0);
}

/* What the map should do with op, from the shadow and the cached dump. */
static void
expect(const struct rstate *st, const struct uvmshim_op *op,
    struct uvmshim_op_result *x)
{
	uint64_t a = op->addr / PS, np = op->size / PS, p, q;
	int back, forw, merging = st->policy != UVMSHIM_POLICY_NOMERGE &&
	    !(op->flags & UVMSHIM_MAPF_NOMERGE), k;

	memset(x, 0, sizeof(*x));
	if (op->kind == UVMSHIM_OP_MAP) {
		x->error = UVMSHIM_ENOMEM;
		for (p = a; p + np <= RPAGES; p++) {
			for (q = p; q < p + np && !st->sh.prot[q]; q++)
				;
			if (q == p + np) {
				x->error = 0;
				break;
			}
			if (op->flags & UVMSHIM_MAPF_FIXED)
				break;
		}
		if (x->error != 0)
			return;
		x->addr = p * PS;
		k = p > 0 ? entry_at(st, (p - 1) * PS) : -1;
		back = merging && k >= 0 && st->e[k].end == p * PS &&
		    mergeable(&st->e[k], op->prot);
		k = entry_at(st, (p + np) * PS);
		forw = merging && k >= 0 && st->e[k].start == (p + np) * PS &&
		    mergeable(&st->e[k], op->prot);
		x->outcome = back && forw ? UVMSHIM_OUTCOME_BI_MERGE :
		    back ? UVMSHIM_OUTCOME_BACK_MERGE :
		    forw ? UVMSHIM_OUTCOME_FORW_MERGE :
		    UVMSHIM_OUTCOME_NEW_ENTRY;
	} else if (op->kind == UVMSHIM_OP_UNMAP) {
		k = entry_at(st, op->addr);
		x->clips = k >= 0 && st->e[k].start < op->addr;
		k = entry_at(st, op->addr + op->size);
		x->clips += k >= 0 && st->e[k].start < op->addr + op->size;
	}
}

static void
apply(struct rstate *st, const struct uvmshim_op *op,
    const struct uvmshim_op_result *r)
{
	uint64_t p;

	if (r->error != 0)
		return;
	if (op->kind == UVMSHIM_OP_MAP) {
		for (p = r->addr / PS; p < (r->addr + op->size) / PS; p++)
			st->sh.prot[p] = (uint8_t)(op->prot | 0x80);
		st->sh.maps++;
	} else if (op->kind == UVMSHIM_OP_UNMAP) {
		for (p = op->addr / PS; p < (op->addr + op->size) / PS; p++)
			st->sh.prot[p] = 0;
		st->sh.clips += r->clips;
	}
}

static void
random_op(struct uvmshim_op *op)
{
	uint32_t r = rnd(100);

	memset(op, 0, sizeof(*op));
	if (r < 50) {
		op->kind = UVMSHIM_OP_MAP;
		op->size = (1 + rnd(6)) * PS;
		op->addr = rnd(RPAGES - (uint32_t)(op->size / PS) + 1) * PS;
		op->prot = rnd(3) == 0 ? UVMSHIM_PROT_READ : RW;
		op->flags = (rnd(3) == 0 ? UVMSHIM_MAPF_FIXED : 0) |
		    (rnd(7) == 0 ? UVMSHIM_MAPF_NOMERGE : 0);
	} else if (r < 92) {
		op->kind = UVMSHIM_OP_UNMAP;
		op->size = (1 + rnd(10)) * PS;
		op->addr = rnd(RPAGES - (uint32_t)(op->size / PS) + 1) * PS;
	} else {
		/* Malformed: unaligned, or running off the map. */
		op->kind = rnd(2) ? UVMSHIM_OP_MAP : UVMSHIM_OP_UNMAP;
		op->size = PS;
		op->prot = op->kind == UVMSHIM_OP_MAP ? RW : 0;
		op->addr = rnd(2) ? 512 : RPAGES * PS;
	}
}

/* One op through MAP/UNMAP, checked against expect(). */
static void
run_checked(struct rstate *st, const struct uvmshim_op *op,
    struct uvmshim_op_result *r)
{
	struct uvmshim_op_result x;
	struct uvmshim_map_req m;
	struct uvmshim_unmap_req u;
	int bad = op->addr % PS != 0 || op->addr + op->size > RPAGES * PS;

	expect(st, op, &x);
	memset(r, 0, sizeof(*r));
	if (op->kind == UVMSHIM_OP_MAP) {
		r->error = do_map(st->h, st->id, op->addr, op->size, op->prot,
		    op->flags, &m);
		r->addr = r->error == 0 ? m.placed : 0;
		r->outcome = r->error == 0 ? m.outcome : 0;
		if (bad)
			EQ(r->error, UVMSHIM_EINVAL);
		else {
			EQ(r->error, x.error);
			EQ(r->addr, x.addr);
			EQ(r->outcome, x.outcome);
		}
	} else {
		r->error = do_unmap(st->h, st->id, op->addr,
		    op->addr + op->size, &u);
		r->clips = r->error == 0 ? u.clips : 0;
		if (bad)
			EQ(r->error, UVMSHIM_EINVAL);
		else {
			EQ(r->error, 0);
			EQ(r->clips, x.clips);
			if (st->policy == UVMSHIM_POLICY_THORPE)
				CHECK(u.allocs_locked <= x.clips, "%u",
				    u.allocs_locked);
			else
				EQ(u.allocs_locked, st->policy ==
				    UVMSHIM_POLICY_MERGE_RESERVE ? 0 : x.clips);
		}
	}
	apply(st, op, r);
	check_invariants(st);
	r->nentries = st->n;
}

static void
test_random(void)
{
	static const uint32_t epp[] = { 1, 2, 32 };
	struct uvmshim_op ops[ROPS];
	struct uvmshim_op_result want[ROPS], got[ROPS];
	struct uvmshim_entry e1[RPAGES + 1], e2[RPAGES + 1];
	struct uvmshim_batch b;
	struct rstate st;
	uint64_t h2;
	uint32_t script, i, id2, n2;

	rng_state = 24039;
	for (script = 0; script < RSCRIPTS; script++) {
		memset(&st, 0, sizeof(st));
		st.policy = script % UVMSHIM_POLICY_COUNT;
		st.h = dev_open(epp[script % 3]);
		st.id = map_create(st.h, RPAGES * PS, st.policy);
		for (i = 0; i < ROPS; i++) {
			random_op(&ops[i]);
			run_checked(&st, &ops[i], &want[i]);
		}

		/* Every fourth script again, as one BATCH on a new device. */
		if (script % 4 == 0) {
			h2 = dev_open(epp[script % 3]);
			id2 = map_create(h2, RPAGES * PS, st.policy);
			memset(&b, 0, sizeof(b));
			b.map_id = id2;
			b.nops = ROPS;
			b.ops = (uint64_t)(uintptr_t)ops;
			b.results = (uint64_t)(uintptr_t)got;
			EQ(kshim_model_ioctl(h2, UVMSHIM_IOC_BATCH, &b), 0);
			EQ(b.ndone, ROPS);
			for (i = 0; i < ROPS; i++) {
				EQ(got[i].error, want[i].error);
				EQ(got[i].addr, want[i].addr);
				EQ(got[i].outcome, want[i].outcome);
				EQ(got[i].clips, want[i].clips);
				EQ(got[i].nentries, want[i].nentries);
			}
			n2 = dump(h2, id2, e2, RPAGES + 1);
			EQ(dump(st.h, st.id, e1, RPAGES + 1), n2);
			CHECK(memcmp(e1, e2, n2 * sizeof(e1[0])) == 0,
			    "batch and single ops disagree (script %u)",
			    script);
			EQ(kshim_model_close(h2), 0);
		}
		EQ(kshim_model_close(st.h), 0);
		if (failures > 20)
			break;
	}
	note("  random: %u scripts of %u ops\n", script, ROPS);
}

int
main(int argc, char **argv)
{
	uint32_t p;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	test_version();
	for (p = 0; p < UVMSHIM_POLICY_COUNT; p++) {
		test_merges(p);
		test_yamt(p, 1);
		test_yamt(p, 0);
		test_cycle(p, 0);
		test_cycle(p, UVMSHIM_CYCLEF_RECOVER);
	}
	test_placement();
	test_invalid();
	test_batch();
	test_pressure();
	test_cycle_errors();
	test_stress();
	test_stress_pinned();
	test_scale();
	test_random();
	printf("model_selftest: %d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
