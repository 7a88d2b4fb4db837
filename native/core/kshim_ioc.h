/*
 * kshim_ioc.h: the command handlers kshim_core_ioctl dispatches to.
 * Internal to the core; `data` has been copied in by the caller.
 */
#ifndef KSHIM_IOC_H
#define KSHIM_IOC_H

#include "kshim_core.h"

/* kshim_ioc_maps.c */
int	kshim_ioc_map_create(struct kshim_core *kc,
	    struct uvmshim_map_create *c);
int	kshim_ioc_map_destroy(struct kshim_core *kc, struct uvmshim_map_ref *r);

/* kshim_ioc_ops.c */
int	kshim_ioc_map(struct kshim_core *kc, struct uvmshim_map_req *r);
int	kshim_ioc_unmap(struct kshim_core *kc, struct uvmshim_unmap_req *r);
int	kshim_ioc_lookup(struct kshim_core *kc, struct uvmshim_lookup *l);
int	kshim_ioc_batch(struct kshim_core *kc, struct uvmshim_batch *b);

/* kshim_ioc_read.c */
int	kshim_ioc_stats(struct kshim_core *kc, struct uvmshim_stats *s);
int	kshim_ioc_dump(struct kshim_core *kc, struct uvmshim_dump *d);

/* kshim_ioc_runs.c */
int	kshim_ioc_pressure(struct kshim_core *kc, struct uvmshim_pressure *p);
int	kshim_ioc_cycle(struct kshim_core *kc, struct uvmshim_cycle *c);
int	kshim_ioc_stress(struct kshim_core *kc, struct uvmshim_stress *s);
int	kshim_ioc_kmap_summary(struct kshim_core *kc,
	    struct uvmshim_kmap_summary *k);

#endif /* KSHIM_IOC_H */
