/*
 * layout.c: the sizes, as this sys tree compiles them, of the kernel
 * structures the uvmshim module embeds in its own memory or relies on the
 * size of.  Never linked into the module: the harness compiles it with the
 * module's flags (make -C native/kmod layout) and compares the size of each
 * object below with the kernel object of the same type named in it (its
 * st_size in the kernel's ELF symbol table).  A mismatch means that the
 * kernel was built from other headers: the module would hand the kernel a
 * structure of the wrong size (a larger kernel struct vm_map writes past
 * the module's uvmshim_map and panics in uvm_unmap).
 *
 * LAYOUT(type, ksym) defines kshim_layout_<ksym>, an object of that type,
 * and kshim_layout_type_<ksym>, the type's name for messages.
 */
#include <sys/param.h>
#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/evcnt.h>
#include <uvm/uvm_extern.h>
#include <uvm/uvm_map.h>

#define LAYOUT(type, ksym)						\
	type kshim_layout_##ksym;					\
	const char kshim_layout_type_##ksym[] = #type

/* struct uvmshim_map embeds it; uvm_map_setup() and UVM write all of it. */
LAYOUT(struct vm_map, kernel_map_store);		/* uvm_km.c */
/* uvmshim_epool.c compares the entry pool's item size with it. */
LAYOUT(struct vm_map_entry, kernel_image_mapent_store);	/* uvm_km.c */
/* The softc and the cycle's and stress's records embed locks. */
LAYOUT(kmutex_t, uvm_kentry_lock);			/* uvm_map.c */
LAYOUT(kcondvar_t, lbolt);				/* kern_condvar.c */
/* uvmshim_kmap.c reads the uvmmap counters (options UVMMAP_COUNTERS). */
LAYOUT(struct evcnt, uvmmap_evcnt_map_call);		/* uvm_map.c */
