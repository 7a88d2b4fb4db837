/*
 * kshim_stats.c: turning effect records into struct uvmshim_stats.
 */
#include "kshim_core.h"
#include "kshim_stats.h"
#include "kshim_util.h"

void
kshim_stats_init(struct kshim_stats *st)
{

	kshim_memzero(st, sizeof(*st));
}

void
kshim_stats_reset(struct kshim_stats *st)
{
	uint64_t nentries = st->nentries, mapped = st->mapped_bytes;

	/* State survives a reset; only the event counters restart. */
	kshim_memzero(st, sizeof(*st));
	st->nentries = nentries;
	st->peak_entries = nentries;
	st->mapped_bytes = mapped;
}

/* The entry-level events every request may cause, failed or not. */
static void
account_effect(struct kshim_stats *st, const struct kshim_effect *eff)
{

	st->nentries = eff->nentries;
	if (eff->peak_entries > st->peak_entries)
		st->peak_entries = eff->peak_entries;
	if (eff->nentries > st->peak_entries)
		st->peak_entries = eff->nentries;
	st->clips_start += eff->clips_start;
	st->clips_end += eff->clips_end;
	st->entry_allocs += eff->allocs;
	st->entry_allocs_locked += eff->allocs_locked;
	st->entry_frees += eff->frees;
	st->reserve_uses += eff->reserve_uses;
	st->alloc_waits += eff->waits;
	st->alloc_failures += eff->alloc_failures;
}

void
kshim_stats_account_map(struct kshim_stats *st, int error, uint64_t size,
    const struct kshim_effect *eff)
{

	account_effect(st, eff);
	if (error != 0) {
		st->map_failures++;
		return;
	}
	st->maps++;
	st->mapped_bytes += size;
	switch (eff->outcome) {
	case UVMSHIM_OUTCOME_NEW_ENTRY:
		st->new_entries++;
		break;
	case UVMSHIM_OUTCOME_BACK_MERGE:
		st->back_merges++;
		break;
	case UVMSHIM_OUTCOME_FORW_MERGE:
		st->forw_merges++;
		break;
	case UVMSHIM_OUTCOME_BI_MERGE:
		st->bi_merges++;
		break;
	default:
		break;
	}
}

void
kshim_stats_account_unmap(struct kshim_stats *st, int error,
    const struct kshim_effect *eff)
{

	account_effect(st, eff);
	if (error != 0)
		return;
	st->unmaps++;
	/* A backend never reports more than was mapped; clamp regardless. */
	if (eff->unmapped > st->mapped_bytes)
		st->mapped_bytes = 0;
	else
		st->mapped_bytes -= eff->unmapped;
}

void
kshim_stats_export(const struct kshim_stats *st, struct uvmshim_stats *out)
{

	out->nentries = st->nentries;
	out->peak_entries = st->peak_entries;
	out->mapped_bytes = st->mapped_bytes;
	out->maps = st->maps;
	out->unmaps = st->unmaps;
	out->map_failures = st->map_failures;
	out->new_entries = st->new_entries;
	out->back_merges = st->back_merges;
	out->forw_merges = st->forw_merges;
	out->bi_merges = st->bi_merges;
	out->clips_start = st->clips_start;
	out->clips_end = st->clips_end;
	out->entry_allocs = st->entry_allocs;
	out->entry_allocs_locked = st->entry_allocs_locked;
	out->entry_frees = st->entry_frees;
	out->reserve_uses = st->reserve_uses;
	out->alloc_waits = st->alloc_waits;
	out->alloc_failures = st->alloc_failures;
	kshim_memzero(out->reserved, sizeof(out->reserved));
}
