/*
 * core_selftest.c: native/core's own checks, on the host, without a
 * backend.  For now the stress op generator (kshim_stress.c): a seed must
 * keep meaning the same ops on the kernel module and in the model, so the
 * first ops of one seed are pinned here op by op (the model's self test
 * pins whole runs).  Each map is recorded as placed at its hint and each
 * op as successful, as a backend with room everywhere would.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kshim_stress.h"
#include "kshim_check.h"

#define PS	4096ULL
#define M	KSHIM_STRESS_MAP
#define U	KSHIM_STRESS_UNMAP
#define R	UVMSHIM_PROT_READ
#define RW	(UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE)
#define NM	UVMSHIM_MAPF_NOMERGE

struct pinned_op {
	int		kind;
	uint64_t	a, b;	/* MAP: addr, size; UNMAP: start, end (pages) */
	uint32_t	prot, flags;
};

/* Seed 42 on a 64-page map, 1..8 pages a map: clips, read-only, NOMERGE. */
static const struct pinned_op seed42[] = {
	{ M, 20, 6, RW, 0 }, { M, 41, 3, RW, 0 },
	{ U, 20, 26, 0, 0 }, { U, 41, 43, 0, 0 },
	{ U, 43, 44, 0, 0 }, { M, 36, 7, RW, 0 },
	{ M, 12, 7, R, 0 }, { U, 12, 19, 0, 0 },
	{ U, 36, 43, 0, 0 }, { M, 49, 6, RW, 0 },
	{ M, 10, 8, RW, 0 }, { U, 49, 55, 0, 0 },
	{ M, 10, 6, RW, 0 }, { M, 50, 1, RW, 0 },
	{ M, 0, 6, R, 0 }, { M, 44, 8, RW, 0 },
	{ M, 23, 6, RW, 0 }, { U, 10, 16, 0, 0 },
	{ U, 44, 52, 0, 0 }, { M, 15, 2, RW, 0 },
	{ M, 56, 1, RW, 0 }, { U, 15, 17, 0, 0 },
	{ M, 24, 5, RW, 0 }, { M, 56, 4, R, NM },
};

static void
test_stress_ops(void)
{
	struct kshim_stress_geom g = { PS, 64, 8 };
	struct kshim_stress_thread th;
	struct kshim_stress_op op;
	const struct pinned_op *p;
	uint64_t rng = 42;
	size_t i;

	memset(&th, 0, sizeof(th));
	for (i = 0; i < sizeof(seed42) / sizeof(seed42[0]); i++) {
		p = &seed42[i];
		kshim_stress_next(&g, &th, &rng, &op);
		EQ(op.so_kind, p->kind);
		if (op.so_kind == KSHIM_STRESS_MAP) {
			EQ(op.so_map.addr, p->a * PS);
			EQ(op.so_map.size, p->b * PS);
			EQ(op.so_map.prot, p->prot);
			EQ(op.so_map.flags, p->flags);
		} else {
			EQ(op.so_start, p->a * PS);
			EQ(op.so_end, p->b * PS);
		}
		kshim_stress_record(&th, &op, op.so_map.addr);
	}
}

int
main(void)
{

	test_stress_ops();
	printf("core_selftest: %d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
