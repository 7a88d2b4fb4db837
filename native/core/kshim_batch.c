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
 */
#include "kshim_core.h"
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

int
kshim_batch_run(struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_batch *b)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	struct uvmshim_op op[KSHIM_BATCH_CHUNK];
	struct uvmshim_op_result res[KSHIM_BATCH_CHUNK];
	uint32_t done, n, i;
	int error, stop;

	b->ndone = 0;
	b->nerrors = 0;
	b->nsec = 0;

	/* Pass 1: every kind must be known before anything runs. */
	for (done = 0; done < b->nops; done += n) {
		n = KSHIM_MIN(b->nops - done, KSHIM_BATCH_CHUNK);
		error = ops->copyin(kc->kc_be, b->ops + done * sizeof(op[0]),
		    op, n * sizeof(op[0]));
		if (error != 0)
			return error;
		for (i = 0; i < n; i++)
			if (kshim_check_op_kind(&op[i]) != 0)
				return UVMSHIM_EINVAL;
	}

	/* Pass 2: run. */
	stop = 0;
	for (done = 0; done < b->nops && !stop; done += i) {
		n = KSHIM_MIN(b->nops - done, KSHIM_BATCH_CHUNK);
		error = ops->copyin(kc->kc_be, b->ops + done * sizeof(op[0]),
		    op, n * sizeof(op[0]));
		if (error != 0)
			return error;
		for (i = 0; i < n && !stop; i++) {
			run_op(kc, slot, &op[i], &res[i]);
			b->ndone++;
			b->nsec += res[i].nsec;
			if (res[i].error != 0) {
				b->nerrors++;
				if (b->flags & UVMSHIM_BATCHF_STOP_ON_ERROR)
					stop = 1;
			}
		}
		if (b->results != 0) {
			error = ops->copyout(kc->kc_be, res,
			    b->results + done * sizeof(res[0]),
			    i * sizeof(res[0]));
			if (error != 0)
				return error;
		}
	}
	return 0;
}
