/*
 * uvmshim_feat.c: the running kernel's options, detected at load.
 *
 * An out-of-tree module sees no opt_*.h, and its own build has none of
 * the kernel's options, so each option is recognised by a symbol that
 * only a kernel built with it contains, looked up with ksyms_getval(9)
 * in the kernel's own symbol table ("netbsd"):
 *
 *  UVMMAP_COUNTERS  the global evcnts uvmmap_evcnt_{k,u}{back,forw,bi,no}merge
 *		     of uvm_map.c; each is also checked to be group "uvmmap"
 *		     with the expected name.  KMAP_SUMMARY reads them,
 *		     and every map and unmap reads the k* ones and
 *		     map_call (uvmshim_ecount.c).  Thorpe's patch adds
 *		     kpark, kparkuse, kparkalloc, kparkdrain: a kernel
 *		     with all four parks entries (FEAT_PARKED_ENTRIES).
 *		     Found through ksyms, else by walking the list of all
 *		     event counters (allevents) for group "uvmmap".
 *  entry cache	     uvm_map_entry_cache ("vmmpepl", uvmshim_epool.c),
 *		     usable for measurement when it is an IPL_NONE cache:
 *		     then no interrupt handler ever touches it
 *		     (FEAT_ENTRY_COUNTERS).
 *  LOCKDEBUG	     lockdebug_alloc(), defined only under LOCKDEBUG in
 *		     subr_lockdebug.c (lockdebug_abort() is always there).
 *  DIAGNOSTIC	     m_verify_packet(), defined only under DIAGNOSTIC in
 *		     uipc_mbuf.c (there by 8.99.14); on older kernels
 *		     sysctl_kern_trigger_panic(), the handler of the
 *		     kern.panic_now node that exists only with DIAGNOSTIC
 *		     (gone by 8.99.34).  That one is a static function:
 *		     found only if the kernel's symbol table keeps local
 *		     symbols (GENERIC kernels do).
 *
 * A kernel without ksyms (pseudo-device ksyms) reports none of them: the
 * bits can under-report, never over-report.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/ksyms.h>
#include <sys/evcnt.h>
#include <sys/intr.h>

#include "uvmshim_var.h"

static const char *const evnames[UVMSHIM_NEVCNT] = {
	"kbackmerge", "kforwmerge", "kbimerge", "knomerge",
	"ubackmerge", "uforwmerge", "ubimerge", "unomerge",
};

int
uvmshim_ksym(const char *name, int any, unsigned long *valp)
{

	return ksyms_getval("netbsd", name, valp,
	    any ? KSYMS_ANY : KSYMS_EXTERN);
}

static const char *const parknames[UVMSHIM_NPARKEV] = {
	"kpark", "kparkuse", "kparkalloc", "kparkdrain",
};

static bool
is_uvmmap(const struct evcnt *ev, const char *name)
{

	return ev->ev_group != NULL && strcmp(ev->ev_group, "uvmmap") == 0 &&
	    ev->ev_name != NULL && strcmp(ev->ev_name, name) == 0;
}

static struct evcnt *
find_evcnt(const char *name)
{
	char sym[48];
	unsigned long v;
	struct evcnt *ev;

	snprintf(sym, sizeof(sym), "uvmmap_evcnt_%s", name);
	if (uvmshim_ksym(sym, 0, &v) == 0 && v != 0 &&
	    is_uvmmap((struct evcnt *)v, name))
		return (struct evcnt *)v;
	/*
	 * Without the symbol: the list of attached counters.  Its lock is
	 * static; counters are attached and detached by drivers, not
	 * while a module loads, and uvmmap's are static ones, never
	 * detached.
	 */
	TAILQ_FOREACH(ev, &allevents, ev_list)
		if (is_uvmmap(ev, name))
			return ev;
	return NULL;
}

void
uvmshim_feat_detect(struct uvmshim_feat *f)
{
	unsigned long v;
	int i, found = 0;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < UVMSHIM_NEVCNT; i++) {
		f->uf_ev[i] = find_evcnt(evnames[i]);
		if (f->uf_ev[i] != NULL)
			found++;
	}
	if (found == UVMSHIM_NEVCNT)
		f->uf_bits |= UVMSHIM_FEAT_UVMMAP_COUNTERS;
	else
		memset(f->uf_ev, 0, sizeof(f->uf_ev));
	for (i = 0, found = 0; i < UVMSHIM_NPARKEV; i++) {
		f->uf_park[i] = find_evcnt(parknames[i]);
		if (f->uf_park[i] != NULL)
			found++;
	}
	if (found == UVMSHIM_NPARKEV)
		f->uf_bits |= UVMSHIM_FEAT_PARKED_ENTRIES;
	else
		memset(f->uf_park, 0, sizeof(f->uf_park));
	f->uf_map_call = find_evcnt("map_call");
	f->uf_epool = uvmshim_epool_find();
	if (f->uf_epool != NULL && f->uf_epool->pc_pool.pr_ipl != IPL_NONE)
		f->uf_epool = NULL;
	if (f->uf_epool != NULL && f->uf_map_call != NULL &&
	    (f->uf_bits & UVMSHIM_FEAT_UVMMAP_COUNTERS) != 0)
		f->uf_bits |= UVMSHIM_FEAT_ENTRY_COUNTERS;
	if (uvmshim_ksym("lockdebug_alloc", 0, &v) == 0)
		f->uf_bits |= UVMSHIM_FEAT_LOCKDEBUG;
	if (uvmshim_ksym("m_verify_packet", 0, &v) == 0 ||
	    uvmshim_ksym("sysctl_kern_trigger_panic", 1, &v) == 0)
		f->uf_bits |= UVMSHIM_FEAT_DIAGNOSTIC;
}
