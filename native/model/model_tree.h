/*
 * model_tree.h: the entries of one model map, in address order.
 *
 * Like UVM's vm_map, entries sit both on a doubly linked list (neighbours
 * in O(1): merging and clipping only ever look next door) and in a search
 * tree.  The tree is a treap keyed by start, with two augmentations per
 * subtree: the number of entries (the index LOOKUP reports, in O(log n))
 * and the largest gap in front of an entry (first-fit placement in
 * O(log n), the job UVM's rb tree "space" fields do).  Priorities come from
 * a per-map xorshift generator, so shapes, and therefore timings, are
 * reproducible run to run.
 *
 * The gap in front of an entry e is [prev->end, e->start), with prev->end
 * taken as 0 for the first entry; the gap behind the last entry is the
 * caller's business (it knows the map size).
 *
 * Every function is O(log n) expected.  Entries are not allocated here;
 * the caller hands them in and takes them back.
 */
#ifndef MODEL_TREE_H
#define MODEL_TREE_H

#include "uvmshim_ioctl.h"

#if !defined(_KERNEL) && !defined(_STANDALONE)
#include <stddef.h>
#endif

struct model_entry {
	uint64_t		 me_start;
	uint64_t		 me_end;	/* exclusive */
	uint32_t		 me_prot;
	uint32_t		 me_maxprot;
	uint32_t		 me_flags;	/* UVMSHIM_ENTF_* */
	uint32_t		 me_prio;	/* treap priority */
	uint32_t		 me_count;	/* entries in this subtree */
	uint32_t		 me_pad;
	uint64_t		 me_maxgap;	/* largest gap in the subtree */
	struct model_entry	*me_prev;	/* address order */
	struct model_entry	*me_next;
	struct model_entry	*me_left;	/* treap */
	struct model_entry	*me_right;
};

struct model_tree {
	struct model_entry	*mt_root;
	struct model_entry	*mt_first;
	struct model_entry	*mt_last;
	uint32_t		 mt_n;
	uint32_t		 mt_rng;	/* xorshift32 state, never 0 */
};

void	model_tree_init(struct model_tree *t, uint32_t seed);

/* Link e (start, end set; disjoint from all) right after prev (NULL: first). */
void	model_tree_insert_after(struct model_tree *t, struct model_entry *prev,
	    struct model_entry *e);
/* Unlink e. */
void	model_tree_remove(struct model_tree *t, struct model_entry *e);
/*
 * e's start or end moved without crossing a neighbour: repair the
 * augmentations that depend on it.
 */
void	model_tree_changed(struct model_tree *t, struct model_entry *e);

/* Last entry with start <= addr (NULL if none); *index its position. */
struct model_entry *model_tree_lookup(const struct model_tree *t,
	    uint64_t addr, uint32_t *index);
/* First entry with start >= addr, or NULL. */
struct model_entry *model_tree_first_from(const struct model_tree *t,
	    uint64_t addr);
/* First entry (address order) with start >= lo and a gap >= len in front. */
struct model_entry *model_tree_first_gap(const struct model_tree *t,
	    uint64_t lo, uint64_t len);

static inline uint64_t
model_entry_gap(const struct model_entry *e)
{

	return e->me_start - (e->me_prev != NULL ? e->me_prev->me_end : 0);
}

/* Consistency of list, order and augmentations; 0 if sound (tests). */
int	model_tree_check(const struct model_tree *t);

#endif /* MODEL_TREE_H */
