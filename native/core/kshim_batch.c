/*
 * kshim_batch.c: the op-script interpreter behind UVMSHIM_IOC_BATCH.
 *
 * A script runs in two passes over the caller's ops array.  The first only
 * reads kinds: one unknown kind fails the whole ioctl with EINVAL before
 * anything has run, so a malformed script never half-executes.  The second
 * runs the ops in order; a failing op does not fail the ioctl, its errno
 * goes into its result (and stops the script with STOP_ON_ERROR).  Ops are
 * copied in, and results out, in chunks of KSHIM_BATCH_CHUNK so a script
 * of 65536 ops needs no kernel allocation and little stack.  Because the
 * ops are read twice, each op is checked again when it runs: a caller that
 * rewrites its script in between gets per-op EINVALs, nothing worse.
 *
 * Timings are the backend clock around each UVM call (map_enter,
 * map_remove, lookup); the ioctl's nsec is their sum, so the copies and
 * the interpreter itself stay off the measured path.
 *
 * REPEAT runs one op nops times (a fragmentation run's ten thousand equal
 * maps cost 32 bytes on the line, not 320 KiB), and with AT once at each
 * of the nops addresses that follow the op (its frees: 8 bytes an op);
 * BRIEF copies out each op's address, errno and entry count only; the
 * digest always covers every op run, whether results are copied out or
 * not.  GENERATE makes a
 * random script here (kshim_script.h), so the fuzz scenario's ops never
 * cross the line at all.  With STOP_ON_ERROR, a generated chunk's ops
 * after the stop were drawn but not run: gen_state is then not where an
 * unstopped run would leave it.
 */
#include "kshim_core.h"
#include "kshim_digest.h"
#include "kshim_script.h"
#include "kshim_util.h"
#include "kshim_validate.h"

static void
run_op(struct kshim_core *kc, struct kshim_slot *slot,
    const struct uvmshim_op *op, struct uvmshim_op_result *r)
{
	struct kshim_map_args args;
	struct kshim_effect eff;
	struct uvmshim_entry entry;
	uint32_t n;

	kshim_memzero(r, sizeof(*r));
	kshim_memzero(&eff, sizeof(eff));
	r->error = kshim_check_op(op, slot->ks_size, kc->kc_info.page_size);
	if (r->error != 0) {
		r->nentries = kshim_core_nentries(kc, slot);
		return;
	}

	switch (op->kind) {
	case UVMSHIM_OP_MAP:
		args.addr = op->addr;
		args.size = op->size;
		args.prot = op->prot;
		args.flags = op->flags;
		r->error = kshim_core_do_map(kc, slot, &args, &eff);
		r->outcome = eff.outcome;
		r->addr = eff.placed;
		r->nentries = eff.nentries;
		r->nsec = eff.nsec;
		break;
	case UVMSHIM_OP_UNMAP:
		r->error = kshim_core_do_unmap(kc, slot, op->addr,
		    op->addr + op->size, &eff);
		r->clips = eff.clips_start + eff.clips_end;
		r->nentries = eff.nentries;
		r->nsec = eff.nsec;
		break;
	case UVMSHIM_OP_LOOKUP:
		/* No index: batch results have no field for it, and a
		   backend may have to walk the map to compute one. */
		r->outcome = (uint32_t)kshim_core_lookup(kc, slot, op->addr,
		    &entry, NULL, &r->nentries, &r->nsec);
		r->addr = entry.start;
		break;
	case UVMSHIM_OP_EXPECT_ENTRIES:
		n = kshim_core_nentries(kc, slot);
		r->nentries = n;
		if (n != op->arg)
			r->error = UVMSHIM_EDOM;
		break;
	case UVMSHIM_OP_NOP:
	default:
		r->nentries = kshim_core_nentries(kc, slot);
		break;
	}
	/* Map and unmap ops: the entry counters (zero for the others). */
	r->allocs = eff.allocs;
	r->allocs_locked = eff.allocs_locked;
	r->frees = eff.frees;
	r->reserve_uses = eff.reserve_uses;
	r->counted = eff.counted;
}

/* A chunk of results as the caller asked for them: full, or brief. */
static int
put_results(struct kshim_core *kc, const struct uvmshim_batch *b,
    uint32_t done, const struct uvmshim_op_result *res, uint32_t n)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	struct uvmshim_op_brief brief[KSHIM_BATCH_CHUNK];
	uint32_t i;

	if (b->results == 0 || n == 0)
		return 0;
	if ((b->flags & UVMSHIM_BATCHF_BRIEF) == 0)
		return ops->copyout(kc->kc_be, res,
		    b->results + (uint64_t)done * sizeof(res[0]),
		    n * sizeof(res[0]));
	for (i = 0; i < n; i++) {
		brief[i].addr = res[i].addr;
		brief[i].error = res[i].error;
		brief[i].nentries = res[i].nentries;
	}
	return ops->copyout(kc->kc_be, brief,
	    b->results + (uint64_t)done * sizeof(brief[0]),
	    n * sizeof(brief[0]));
}

/*
 * The next n ops: read from the caller, the one op again (REPEAT), or
 * made here (GENERATE, which moves b->gen_state on).
 */
static int
get_ops(struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_batch *b, uint32_t done, struct uvmshim_op *op,
    uint32_t n)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	uint64_t pg = kc->kc_info.page_size;
	uint64_t addr[KSHIM_BATCH_CHUNK];
	uint32_t i;
	int error;

	if (b->flags & UVMSHIM_BATCHF_GENERATE) {
		for (i = 0; i < n; i++)
			kshim_script_next(&b->gen_state, slot->ks_size / pg,
			    b->gen_max_pages, pg, &op[i]);
		return 0;
	}
	if ((b->flags & UVMSHIM_BATCHF_REPEAT) == 0)
		return ops->copyin(kc->kc_be,
		    b->ops + (uint64_t)done * sizeof(op[0]), op,
		    n * sizeof(op[0]));
	/* Read each time: the caller may rewrite it, as with a script. */
	error = ops->copyin(kc->kc_be, b->ops, op, sizeof(op[0]));
	if (error != 0 || (b->flags & UVMSHIM_BATCHF_AT) == 0) {
		for (i = 1; error == 0 && i < n; i++)
			op[i] = op[0];
		return error;
	}
	error = ops->copyin(kc->kc_be, b->ops + sizeof(op[0]) +
	    (uint64_t)done * sizeof(addr[0]), addr, n * sizeof(addr[0]));
	for (i = 0; error == 0 && i < n; i++) {
		op[i] = op[0];
		op[i].addr = addr[i];
	}
	return error;
}

int
kshim_batch_run(struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_batch *b)
{
	struct uvmshim_op op[KSHIM_BATCH_CHUNK];
	struct uvmshim_op_result res[KSHIM_BATCH_CHUNK];
	uint32_t done, n, i;
	int error, stop;

	b->ndone = 0;
	b->nerrors = 0;
	b->nsec = 0;
	if (b->digest == 0)
		b->digest = KSHIM_DIGEST_INIT;

	/* Pass 1: every kind must be known before anything runs. */
	for (done = 0; done < b->nops; done += n) {
		if (b->flags & UVMSHIM_BATCHF_GENERATE)
			break;		/* made here: known kinds */
		n = KSHIM_MIN(b->nops - done, KSHIM_BATCH_CHUNK);
		error = get_ops(kc, slot, b, done, op, n);
		if (error != 0)
			return error;
		for (i = 0; i < n; i++)
			if (kshim_check_op_kind(&op[i]) != 0)
				return UVMSHIM_EINVAL;
		if (b->flags & UVMSHIM_BATCHF_REPEAT)
			break;		/* one op, checked */
	}

	/* Pass 2: run. */
	stop = 0;
	for (done = 0; done < b->nops && !stop; done += i) {
		n = KSHIM_MIN(b->nops - done, KSHIM_BATCH_CHUNK);
		error = get_ops(kc, slot, b, done, op, n);
		if (error != 0)
			return error;
		for (i = 0; i < n && !stop; i++) {
			run_op(kc, slot, &op[i], &res[i]);
			b->ndone++;
			b->nsec += res[i].nsec;
			b->digest = kshim_digest_result(b->digest, op[i].kind,
			    &res[i]);
			if (res[i].error != 0) {
				b->nerrors++;
				if (b->flags & UVMSHIM_BATCHF_STOP_ON_ERROR)
					stop = 1;
			}
		}
		error = put_results(kc, b, done, res, i);
		if (error != 0)
			return error;
	}
	return 0;
}
