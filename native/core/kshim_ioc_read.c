/*
 * kshim_ioc_read.c: reading a map's state out: STATS and DUMP.
 */
#include "kshim_core.h"
#include "kshim_digest.h"
#include "kshim_ioc.h"
#include "kshim_util.h"
#include "kshim_validate.h"

int
kshim_ioc_stats(struct kshim_core *kc, struct uvmshim_stats *s)
{
	struct kshim_slot *slot;
	uint32_t n;
	int error;

	error = kshim_check_stats(s);
	if (error != 0)
		return error;
	error = kshim_slot_get(kc, s->map_id, &slot);
	if (error != 0)
		return error;
	n = kshim_core_nentries(kc, slot);
	kshim_core_lock(kc);
	slot->ks_stats.nentries = n;
	if (n > slot->ks_stats.peak_entries)
		slot->ks_stats.peak_entries = n;
	kshim_stats_export(&slot->ks_stats, s);
	if (s->flags & UVMSHIM_STATSF_RESET)
		kshim_stats_reset(&slot->ks_stats);
	kshim_core_unlock(kc);
	kshim_slot_put(kc, slot);
	return 0;
}

/* Every entry in address order, in chunks as for the copy below. */
static uint64_t
digest_entries(struct kshim_core *kc, struct kshim_slot *slot)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	struct uvmshim_entry buf[KSHIM_DUMP_CHUNK];
	uint64_t h = KSHIM_DIGEST_INIT, from = 0;
	uint32_t got, i;

	for (;;) {
		ops->lock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
		got = ops->walk(kc->kc_be, slot->ks_map, from, buf,
		    KSHIM_DUMP_CHUNK);
		ops->unlock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
		if (got > KSHIM_DUMP_CHUNK)
			got = KSHIM_DUMP_CHUNK;
		for (i = 0; i < got; i++)
			h = kshim_digest_entry(h, &buf[i]);
		if (got < KSHIM_DUMP_CHUNK)
			return h;
		from = buf[got - 1].end;
	}
}

/*
 * Walk in chunks with the read lock dropped around each copyout (which
 * may fault and sleep).  If the map changes in between (a stress run on a
 * kernel), the dump continues after the last entry copied: entries stay
 * sorted and disjoint, but ncopied may differ from min(nentries,
 * capacity).
 */
int
kshim_ioc_dump(struct kshim_core *kc, struct uvmshim_dump *d)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	struct uvmshim_entry buf[KSHIM_DUMP_CHUNK];
	struct kshim_slot *slot;
	uint32_t total, copied, want, got, i;
	uint64_t from;
	int error;

	error = kshim_check_dump(d);
	if (error != 0)
		return error;
	d->digest = 0;
	error = kshim_slot_get(kc, d->map_id, &slot);
	if (error != 0)
		return error;

	total = kshim_core_nentries(kc, slot);
	copied = 0;
	from = 0;
	while (copied < d->capacity) {
		want = KSHIM_MIN(d->capacity - copied, KSHIM_DUMP_CHUNK);
		ops->lock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
		got = ops->walk(kc->kc_be, slot->ks_map, from, buf, want);
		ops->unlock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
		if (got > want)
			got = want;
		if (got == 0)
			break;
		for (i = 0; i < got; i++)
			buf[i].pad0 = 0;
		error = ops->copyout(kc->kc_be, buf,
		    d->entries + (uint64_t)copied * sizeof(buf[0]),
		    got * sizeof(buf[0]));
		if (error != 0)
			break;
		copied += got;
		from = buf[got - 1].end;
		if (got < want)
			break;
	}
	if (error == 0 && (d->flags & UVMSHIM_DUMPF_DIGEST) != 0)
		d->digest = digest_entries(kc, slot);
	kshim_slot_put(kc, slot);
	if (error != 0)
		return error;
	d->nentries = total;
	d->ncopied = copied;
	return 0;
}
