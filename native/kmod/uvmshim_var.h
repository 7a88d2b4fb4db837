/*
 * uvmshim_var.h: the uvmshim module's internal interfaces.
 *
 * The module is glue (uvmshim_mod.c, uvmshim_dev.c) around the portable
 * core of native/core, plus a backend over real UVM:
 *
 *  uvmshim_backend.c	the kshim_backend_ops table: private maps, locks,
 *			lookups, copyin/copyout, clock
 *  uvmshim_mapops.c	map_enter/map_remove: uvm_map/uvm_unmap and the
 *			effect record inferred from the entries around them
 *  uvmshim_hoard.c	pages taken off the free list (PRESSURE, the cycle)
 *  uvmshim_epool.c	the map-entry pool cache: find it, take its free items
 *  uvmshim_cycle.c	the PR 24039 cycle: unmapper, reclaimer, watchdog
 *  uvmshim_lockowner.c	who write-holds a map's krwlock (evidence)
 *  uvmshim_stress.c	stress kthreads
 *  uvmshim_kmap.c	kernel_map summary and the uvmmap event counters
 *  uvmshim_feat.c	kernel options detected at run time (ksyms)
 */
#ifndef UVMSHIM_VAR_H
#define UVMSHIM_VAR_H

#include <sys/param.h>
#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/evcnt.h>
#include <sys/pool.h>
#include <uvm/uvm_extern.h>
#include <uvm/uvm_map.h>
#include <uvm/uvm_page.h>

#include "kshim_core.h"
#include "uvmshim_compat.h"

/* One private test map: a struct vm_map over VA reserved in kernel_map. */
struct uvmshim_map {
	struct vm_map	um_map;
	vaddr_t		um_base;	/* vm_map_min */
	vsize_t		um_size;
	int		um_nomerge;	/* UVM_FLAG_NOMERGE on every mapping */
};

/*
 * Pages taken off the free list and held, linked through pageq.queue as
 * uvm_pglistalloc links its pages.  Nobody else can reclaim them: they
 * belong to no object and sit on no paging queue.
 */
struct uvmshim_hoard {
	struct pglist	uh_pages;
	uint64_t	uh_npages;
};

/* Map entries taken out of the entry pool cache and held. */
struct uvmshim_sponge {
	void		*us_items;	/* chained through their first word */
	uint64_t	 us_nitems;
	uint64_t	 us_calls;	/* pool_cache_get calls made (each is
					   one count of the cache's
					   statistics, even a failed one) */
	kmutex_t	*us_lock;	/* optional: held around each call
					   and its count (uvmshim_ecount) */
};

/* Kernel options, detected at load (uvmshim_feat.c). */
#define UVMSHIM_NEVCNT	8
/* Thorpe's patch: kpark, kparkuse, kparkalloc, kparkdrain. */
#define UVMSHIM_NPARKEV	4
#define UVMSHIM_EV_KPARK	0
#define UVMSHIM_EV_KPARKUSE	1
#define UVMSHIM_EV_KPARKALLOC	2
#define UVMSHIM_EV_KPARKDRAIN	3
struct uvmshim_feat {
	uint32_t	 uf_bits;		/* UVMSHIM_FEAT_* options */
	struct evcnt	*uf_ev[UVMSHIM_NEVCNT];	/* kbackmerge ... unomerge */
	struct evcnt	*uf_park[UVMSHIM_NPARKEV]; /* all or none */
	struct evcnt	*uf_map_call;		/* every uvm_map call */
	pool_cache_t	 uf_epool;		/* "vmmpepl", if usable */
};

/*
 * One look at the kernel's own entry accounting (uvmshim_ecount.c):
 * the map-entry cache's operation counts, the uvmmap event counters and
 * the entries a map owns.  Two of them around a call give its effect.
 */
struct uvmshim_ecount {
	struct cpu_info	*ec_ci;		/* where the caller ran */
	uint64_t	 ec_nswtch;	/* that CPU's context switches */
	uint64_t	 ec_ops;	/* cache gets + puts on ec_ci */
	uint64_t	 ec_allops;	/* ... on every CPU */
	uint64_t	 ec_others;	/* old kernels: slow paths elsewhere */
	uint64_t	 ec_held;	/* entries of the map, parked included */
	uint64_t	 ec_kind[4];	/* kbackmerge kforwmerge kbimerge knomerge */
	uint64_t	 ec_park[UVMSHIM_NPARKEV];
	uint64_t	 ec_map_call;
	uint64_t	 ec_sponge;	/* the cycle's own cache calls */
};

/* What two looks say, when they say it cleanly. */
struct uvmshim_edelta {
	uint32_t	 ed_gets;
	uint32_t	 ed_puts;
	int32_t		 ed_kind[4];
	uint32_t	 ed_park[UVMSHIM_NPARKEV];
	uint32_t	 ed_map_call;
};

struct uvmshim_softc {
	kmutex_t		sc_lock;	/* core tables, sc_opens */
	struct kshim_core	sc_core;
	u_int			sc_opens;
	bool			sc_dying;	/* FINI: refuse opens */
	kmutex_t		sc_hoard_lock;	/* sc_pressure */
	struct uvmshim_hoard	sc_pressure;	/* pages PRESSURE holds */
	struct uvmshim_feat	sc_feat;
};

extern struct uvmshim_softc uvmshim_sc;
extern const struct kshim_backend_ops uvmshim_backend_ops;

/* uvmshim_dev.c */
extern const struct cdevsw uvmshim_cdevsw;

/* uvmshim_backend.c */
uint64_t uvmshim_nsec(void);
int	uvmshim_map_new(vsize_t size, int nomerge, struct uvmshim_map **ump);
void	uvmshim_map_free(struct uvmshim_map *um);
uint32_t uvmshim_map_nentries(struct uvmshim_map *um);

/* uvmshim_mapops.c */
int	uvmshim_map_enter(void *be, void *map,
	    const struct kshim_map_args *args, struct kshim_effect *eff);
int	uvmshim_map_remove(void *be, void *map, uint64_t start, uint64_t end,
	    struct kshim_effect *eff);

/* uvmshim_hoard.c */
void	uvmshim_hoard_init(struct uvmshim_hoard *h);
uint64_t uvmshim_hoard_take(struct uvmshim_hoard *h, uint64_t n,
	    int pgaflags);
uint64_t uvmshim_hoard_reclaim(struct uvmshim_hoard *h, int pgaflags);
uint64_t uvmshim_hoard_take_settled(struct uvmshim_hoard *h, uint64_t min_ms,
	    int pgaflags);
int	uvmshim_pool_inactive_time(int **varp, int *valp);
void	uvmshim_hoard_move(struct uvmshim_hoard *to,
	    struct uvmshim_hoard *from);
uint64_t uvmshim_hoard_release(struct uvmshim_hoard *h, uint64_t n);
int	uvmshim_pressure(void *be, struct uvmshim_pressure *p);
void	uvmshim_pressure_fini(struct uvmshim_softc *sc);

/* uvmshim_epool.c */
pool_cache_t uvmshim_epool_find(void);
int	uvmshim_epool_drain(pool_cache_t pc, struct uvmshim_sponge *s);
void	uvmshim_epool_release(pool_cache_t pc, struct uvmshim_sponge *s);

/* uvmshim_ecount.c */
bool	uvmshim_ecount_usable(void);
bool	uvmshim_ecount_parks(void);
void	uvmshim_ecount_take(struct uvmshim_map *um,
	    const struct uvmshim_sponge *sp, struct uvmshim_ecount *ec);
bool	uvmshim_ecount_delta(const struct uvmshim_ecount *a,
	    const struct uvmshim_ecount *b, bool all_cpus,
	    struct uvmshim_edelta *d);

/* uvmshim_lockowner.c */
struct lwp *uvmshim_map_writer(struct vm_map *map);

/* uvmshim_cycle.c */
int	uvmshim_cycle(void *be, struct uvmshim_cycle *c);

/* uvmshim_stress.c */
int	uvmshim_stress(void *be, struct kshim_core *kc, struct kshim_slot *slot,
	    struct uvmshim_stress *s);

/* uvmshim_kmap.c */
int	uvmshim_kmap_summary(void *be, struct uvmshim_kmap_summary *k);

/* uvmshim_feat.c */
void	uvmshim_feat_detect(struct uvmshim_feat *f);
int	uvmshim_ksym(const char *name, int any, unsigned long *valp);

#endif /* UVMSHIM_VAR_H */
