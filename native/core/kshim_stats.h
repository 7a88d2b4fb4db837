/*
 * kshim_stats.h: per-map statistics, the semantics of struct uvmshim_stats.
 *
 * Counters grow from map creation or from the last UVMSHIM_STATSF_RESET.
 * nentries, mapped_bytes and peak_entries describe state rather than
 * events: a reset keeps the first two and restarts the peak from the
 * current entry count.
 *
 * Only requests that reach the backend are counted: a request refused by
 * validation (EINVAL) leaves the statistics alone, like the map.
 *  maps/unmaps	     successful requests;
 *  map_failures     map requests the backend refused (ENOMEM: no space,
 *		     or no entry could be had);
 *  new_entries ...  one of new_entries/back_merges/forw_merges/bi_merges per
 *		     successful map (UVM's knomerge/kbackmerge/kforwmerge/
 *		     kbimerge);
 *  the rest	     sums of the effect records (kshim_core.h).
 */
#ifndef KSHIM_STATS_H
#define KSHIM_STATS_H

#include "uvmshim_ioctl.h"

struct kshim_effect;

struct kshim_stats {
	uint64_t	nentries;
	uint64_t	peak_entries;
	uint64_t	mapped_bytes;
	uint64_t	maps;
	uint64_t	unmaps;
	uint64_t	map_failures;
	uint64_t	new_entries;
	uint64_t	back_merges;
	uint64_t	forw_merges;
	uint64_t	bi_merges;
	uint64_t	clips_start;
	uint64_t	clips_end;
	uint64_t	entry_allocs;
	uint64_t	entry_allocs_locked;
	uint64_t	entry_frees;
	uint64_t	reserve_uses;
	uint64_t	alloc_waits;
	uint64_t	alloc_failures;
};

void	kshim_stats_init(struct kshim_stats *st);
void	kshim_stats_reset(struct kshim_stats *st);
void	kshim_stats_account_map(struct kshim_stats *st, int error,
	    uint64_t size, const struct kshim_effect *eff);
void	kshim_stats_account_unmap(struct kshim_stats *st, int error,
	    const struct kshim_effect *eff);
/* Fill the output fields of UVMSHIM_IOC_STATS (map_id/flags untouched). */
void	kshim_stats_export(const struct kshim_stats *st,
	    struct uvmshim_stats *out);

#endif /* KSHIM_STATS_H */
