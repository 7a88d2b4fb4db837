/*
 * model_tree.c: a treap with size and largest-gap augmentations.
 *
 * Recursive on purpose: the code stays short and obviously right, and the
 * depth is O(log n) expected (about 40 for a million entries), which any
 * kernel or guest stack takes.  Keys (starts) are unique because entries
 * are disjoint and non-empty, and an entry's key may change in place as
 * long as it does not pass a neighbour: the order, hence the tree shape,
 * stays valid and only augmentations need repair.
 */
#include "model_tree.h"

static inline uint32_t
cnt(const struct model_entry *e)
{

	return e != NULL ? e->me_count : 0;
}

static inline uint64_t
mgap(const struct model_entry *e)
{

	return e != NULL ? e->me_maxgap : 0;
}

static void
pull(struct model_entry *e)
{
	uint64_t g = model_entry_gap(e);

	e->me_count = 1 + cnt(e->me_left) + cnt(e->me_right);
	if (mgap(e->me_left) > g)
		g = mgap(e->me_left);
	if (mgap(e->me_right) > g)
		g = mgap(e->me_right);
	e->me_maxgap = g;
}

static uint32_t
next_prio(struct model_tree *t)
{
	uint32_t x = t->mt_rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->mt_rng = x;
	return x;
}

void
model_tree_init(struct model_tree *t, uint32_t seed)
{

	t->mt_root = t->mt_first = t->mt_last = NULL;
	t->mt_n = 0;
	t->mt_rng = seed != 0 ? seed : 0x9e3779b9U;
}

static struct model_entry *
rotate_right(struct model_entry *e)
{
	struct model_entry *l = e->me_left;

	e->me_left = l->me_right;
	l->me_right = e;
	pull(e);
	pull(l);
	return l;
}

static struct model_entry *
rotate_left(struct model_entry *e)
{
	struct model_entry *r = e->me_right;

	e->me_right = r->me_left;
	r->me_left = e;
	pull(e);
	pull(r);
	return r;
}

static struct model_entry *
insert(struct model_entry *root, struct model_entry *e)
{

	if (root == NULL) {
		pull(e);
		return e;
	}
	if (e->me_start < root->me_start) {
		root->me_left = insert(root->me_left, e);
		if (root->me_left->me_prio > root->me_prio)
			return rotate_right(root);
	} else {
		root->me_right = insert(root->me_right, e);
		if (root->me_right->me_prio > root->me_prio)
			return rotate_left(root);
	}
	pull(root);
	return root;
}

static struct model_entry *
join(struct model_entry *a, struct model_entry *b)
{

	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (a->me_prio > b->me_prio) {
		a->me_right = join(a->me_right, b);
		pull(a);
		return a;
	}
	b->me_left = join(a, b->me_left);
	pull(b);
	return b;
}

static struct model_entry *
delete(struct model_entry *root, uint64_t key)
{

	if (root == NULL)
		return NULL;
	if (key < root->me_start)
		root->me_left = delete(root->me_left, key);
	else if (key > root->me_start)
		root->me_right = delete(root->me_right, key);
	else
		return join(root->me_left, root->me_right);
	pull(root);
	return root;
}

/* Recompute the augmentations on the path from the root to key. */
static void
refresh(struct model_entry *root, uint64_t key)
{

	if (root == NULL)
		return;
	if (key < root->me_start)
		refresh(root->me_left, key);
	else if (key > root->me_start)
		refresh(root->me_right, key);
	pull(root);
}

void
model_tree_insert_after(struct model_tree *t, struct model_entry *prev,
    struct model_entry *e)
{
	struct model_entry *next = prev != NULL ? prev->me_next : t->mt_first;

	e->me_prev = prev;
	e->me_next = next;
	if (prev != NULL)
		prev->me_next = e;
	else
		t->mt_first = e;
	if (next != NULL)
		next->me_prev = e;
	else
		t->mt_last = e;
	e->me_left = e->me_right = NULL;
	e->me_prio = next_prio(t);
	t->mt_root = insert(t->mt_root, e);
	t->mt_n++;
	/* The next entry's gap now starts at e->me_end. */
	if (next != NULL)
		refresh(t->mt_root, next->me_start);
}

void
model_tree_remove(struct model_tree *t, struct model_entry *e)
{
	struct model_entry *prev = e->me_prev, *next = e->me_next;

	if (prev != NULL)
		prev->me_next = next;
	else
		t->mt_first = next;
	if (next != NULL)
		next->me_prev = prev;
	else
		t->mt_last = prev;
	t->mt_root = delete(t->mt_root, e->me_start);
	t->mt_n--;
	if (next != NULL)
		refresh(t->mt_root, next->me_start);
	e->me_prev = e->me_next = e->me_left = e->me_right = NULL;
}

void
model_tree_changed(struct model_tree *t, struct model_entry *e)
{

	refresh(t->mt_root, e->me_start);
	if (e->me_next != NULL)
		refresh(t->mt_root, e->me_next->me_start);
}

struct model_entry *
model_tree_lookup(const struct model_tree *t, uint64_t addr, uint32_t *index)
{
	struct model_entry *e = t->mt_root, *best = NULL;
	uint32_t rank = 0, best_rank = 0;

	while (e != NULL) {
		if (addr >= e->me_start) {
			best = e;
			best_rank = rank + cnt(e->me_left);
			rank = best_rank + 1;
			e = e->me_right;
		} else
			e = e->me_left;
	}
	if (index != NULL)
		*index = best_rank;
	return best;
}

struct model_entry *
model_tree_first_from(const struct model_tree *t, uint64_t addr)
{
	struct model_entry *e = t->mt_root, *best = NULL;

	while (e != NULL) {
		if (e->me_start >= addr) {
			best = e;
			e = e->me_left;
		} else
			e = e->me_right;
	}
	return best;
}

/*
 * Subtrees whose largest gap is too small are skipped whole; subtrees lying
 * entirely at or after lo with a large enough gap always succeed.  So only
 * the boundary path around lo is explored: O(height).
 */
static struct model_entry *
first_gap(struct model_entry *e, uint64_t lo, uint64_t len)
{
	struct model_entry *r;

	if (e == NULL || e->me_maxgap < len)
		return NULL;
	if (e->me_start >= lo) {
		r = first_gap(e->me_left, lo, len);
		if (r != NULL)
			return r;
		if (model_entry_gap(e) >= len)
			return e;
	}
	return first_gap(e->me_right, lo, len);
}

struct model_entry *
model_tree_first_gap(const struct model_tree *t, uint64_t lo, uint64_t len)
{

	return first_gap(t->mt_root, lo, len);
}

/* Returns the subtree's size, or -1 when anything is off. */
static int64_t
check(const struct model_entry *e, uint64_t lo, uint64_t hi)
{
	int64_t l, r;
	uint64_t g;

	if (e == NULL)
		return 0;
	if (e->me_start < lo || e->me_start >= hi || e->me_end <= e->me_start)
		return -1;
	if ((e->me_left != NULL && e->me_left->me_prio > e->me_prio) ||
	    (e->me_right != NULL && e->me_right->me_prio > e->me_prio))
		return -1;
	l = check(e->me_left, lo, e->me_start);
	r = check(e->me_right, e->me_start + 1, hi);
	if (l < 0 || r < 0 || (uint64_t)(l + r + 1) != e->me_count)
		return -1;
	g = model_entry_gap(e);
	if (mgap(e->me_left) > g)
		g = mgap(e->me_left);
	if (mgap(e->me_right) > g)
		g = mgap(e->me_right);
	if (g != e->me_maxgap)
		return -1;
	return l + r + 1;
}

int
model_tree_check(const struct model_tree *t)
{
	const struct model_entry *e, *prev = NULL;
	uint32_t n = 0, index;

	for (e = t->mt_first; e != NULL; prev = e, e = e->me_next, n++) {
		if (e->me_prev != prev)
			return -1;
		if (prev != NULL && prev->me_end > e->me_start)
			return -1;
		if (model_tree_lookup(t, e->me_start, &index) != e ||
		    index != n)
			return -1;
	}
	if (prev != t->mt_last || n != t->mt_n)
		return -1;
	if (check(t->mt_root, 0, UINT64_MAX) != (int64_t)n)
		return -1;
	return 0;
}
