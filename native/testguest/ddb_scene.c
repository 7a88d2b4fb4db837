/*
 * ddb_scene.c: what the fake ddb prints.  One small invented NetBSD
 * system (a few LWPs, the kernel_map lock, a kernel_map) whose state
 * depends on the scene, so that bt, ps and "show all locks" tell the same
 * story: idle (a BREAK), a PR 24039-like deadlock (BREAK during HANG), a
 * diagnostic assertion, or an rwlock taken twice.  Texts follow NetBSD 7's
 * formats (trap.c, db_proc.c, subr_lockdebug.c, uvm_map.c, uvm_stat.c).
 */
#include "ddb_priv.h"
#include "device.h"
#include "heap.h"
#include "libk.h"
#include "uvmshim_ioctl.h"

#define LWP_IDLE	0xffffffff80c64d40ULL	/* idle/0, pid 0.5 */
#define LWP_INIT	0xfffffe8001f3e2c0ULL	/* init, pid 1.1 */
#define LWP_PGDAEMON	0xfffffe8002d2bde0ULL	/* pgdaemon, pid 0.40 */
#define KERNEL_MAP	0xffffffff80e7a600ULL
#define KMAP_LOCK	(KERNEL_MAP + 0x60)

/* A stack, innermost frame first; NULL-terminated. */
typedef const char *const trace_t[];

static trace_t trace_break = {
	"breakpoint() at netbsd:breakpoint+0x5",
	"comintr() at netbsd:comintr+0x86e",
	"intr_biglock_wrapper() at netbsd:intr_biglock_wrapper+0x26",
	"Xintr_ioapic_edge4() at netbsd:Xintr_ioapic_edge4+0xf8",
	"--- interrupt ---",
	"x86_stihlt() at netbsd:x86_stihlt+0x6",
	"x86_cpu_idle_halt() at netbsd:x86_cpu_idle_halt+0x39",
	"idle_loop() at netbsd:idle_loop+0x13d",
	NULL
};

static trace_t trace_ioctl_tail = {
	"uvm_unmap_remove() at netbsd:uvm_unmap_remove+0x1c3",
	"uvm_unmap1() at netbsd:uvm_unmap1+0x4e",
	"uvmshim_unmap() at uvmshim:uvmshim_unmap+0x9a",
	"uvmshim_ioctl() at uvmshim:uvmshim_ioctl+0x1b6",
	"cdev_ioctl() at netbsd:cdev_ioctl+0xbd",
	"VOP_IOCTL() at netbsd:VOP_IOCTL+0x54",
	"vn_ioctl() at netbsd:vn_ioctl+0xa6",
	"sys_ioctl() at netbsd:sys_ioctl+0x11a",
	"syscall() at netbsd:syscall+0x1ec",
	"--- syscall (number 54) ---",
	"7f7ff7a3f8aa:",
	NULL
};

static trace_t trace_panic_head = {
	"vpanic() at netbsd:vpanic+0x140",
	"kern_assert() at netbsd:kern_assert+0x48",
	"uvm_map_clip_end() at netbsd:uvm_map_clip_end+0x14b",
	NULL
};

static trace_t trace_lock_head = {
	"vpanic() at netbsd:vpanic+0x140",
	"snprintf() at netbsd:snprintf",
	"lockdebug_abort1() at netbsd:lockdebug_abort1+0xce",
	"rw_vector_enter() at netbsd:rw_vector_enter+0x3b1",
	"vm_map_lock() at netbsd:vm_map_lock+0x2d",
	"uvm_map() at netbsd:uvm_map+0x97",
	"uvm_km_alloc() at netbsd:uvm_km_alloc+0xe2",
	"uvm_mapent_alloc() at netbsd:uvm_mapent_alloc+0x7b",
	"uvm_map_clip_end() at netbsd:uvm_map_clip_end+0x4e",
	NULL
};

static trace_t trace_sleep_head = {
	"sleepq_block() at netbsd:sleepq_block+0x99",
	"mtsleep() at netbsd:mtsleep+0x146",
	"uvm_wait() at netbsd:uvm_wait+0x85",
	"uvm_mapent_alloc() at netbsd:uvm_mapent_alloc+0x6d",
	"uvm_map_clip_end() at netbsd:uvm_map_clip_end+0x4e",
	NULL
};

static trace_t trace_pgdaemon_blocked = {
	"sleepq_block() at netbsd:sleepq_block+0x99",
	"turnstile_block() at netbsd:turnstile_block+0x2d6",
	"rw_vector_enter() at netbsd:rw_vector_enter+0x13e",
	"vm_map_lock() at netbsd:vm_map_lock+0x2d",
	"uvm_unmap1() at netbsd:uvm_unmap1+0x3c",
	"uvm_km_free() at netbsd:uvm_km_free+0x61",
	"pool_page_free() at netbsd:pool_page_free+0x22",
	"pool_reclaim() at netbsd:pool_reclaim+0x1b1",
	"pool_drain() at netbsd:pool_drain+0x7c",
	"uvm_pageout() at netbsd:uvm_pageout+0x2e9",
	NULL
};

static trace_t trace_kthread_sleep = {
	"sleepq_block() at netbsd:sleepq_block+0x99",
	"cv_timedwait() at netbsd:cv_timedwait+0x126",
	NULL
};

static trace_t trace_kthread_tail = {
	"lwp_trampoline() at netbsd:lwp_trampoline+0x17",
	NULL
};

static trace_t trace_init_idle = {
	"sleepq_block() at netbsd:sleepq_block+0x99",
	"cv_wait_sig() at netbsd:cv_wait_sig+0xe7",
	"ttysleep() at netbsd:ttysleep+0x53",
	"ttread() at netbsd:ttread+0x10b",
	"comread() at netbsd:comread+0x45",
	"cdev_read() at netbsd:cdev_read+0x7d",
	"spec_read() at netbsd:spec_read+0x2dd",
	"VOP_READ() at netbsd:VOP_READ+0x37",
	"vn_read() at netbsd:vn_read+0x94",
	"dofileread() at netbsd:dofileread+0x90",
	"syscall() at netbsd:syscall+0x1ec",
	"--- syscall (number 3) ---",
	"7f7ff7a3f8aa:",
	NULL
};

static void
print_trace(trace_t t)
{
	for (int i = 0; t[i] != NULL; i++)
		db_printf("%s\n", t[i]);
}

struct fake_lwp {
	int pid, lid;
	uint64_t addr;
	const char *name;
	uint32_t flags;
	const char *wait;	/* wait channel when asleep */
	const char *entry;	/* a kernel thread's start function */
};

static const struct fake_lwp lwps[] = {
	{ 1, 1, LWP_INIT, "init", 0x4000, "ttyraw", NULL },
	{ 0, 44, 0xfffffe8002d2a940ULL, "uvmshim0", 0x200, "uvmshim",
	    "uvmshim:uvmshim_worker" },
	{ 0, 43, 0xfffffe8002d2b180ULL, "physiod", 0x200, "physiod",
	    "netbsd:workqueue_worker" },
	{ 0, 42, 0xfffffe8002d2b5a0ULL, "aiodoned", 0x200, "aiodoned",
	    "netbsd:workqueue_worker" },
	{ 0, 41, 0xfffffe8002d2b9c0ULL, "ioflush", 0x200, "syncer",
	    "netbsd:sched_sync" },
	{ 0, 40, LWP_PGDAEMON, "pgdaemon", 0x200, "pgdaemon",
	    "netbsd:uvm_pageout" },
	{ 0, 7, 0xfffffe8001f08840ULL, "xcall/0", 0x200, "xcall",
	    "netbsd:xc_thread" },
	{ 0, 6, 0xfffffe8001f08420ULL, "softser/0", 0x200, "",
	    "netbsd:softint_thread" },
	{ 0, 5, LWP_IDLE, "idle/0", 0x201, "", NULL },
};
#define NLWPS	(sizeof(lwps) / sizeof(lwps[0]))

static int
scene_is_panic(enum ddb_scene s)
{
	return s == DDB_SCENE_PANIC || s == DDB_SCENE_LOCK;
}

/* The LWP ddb stopped in. */
static uint64_t
current_lwp(enum ddb_scene s)
{
	return scene_is_panic(s) || s == DDB_SCENE_BUSY ? LWP_INIT : LWP_IDLE;
}

/* NetBSD LSSLEEP 3, LSONPROC 7, LSRUN 2. */
static int
lwp_stat(enum ddb_scene s, const struct fake_lwp *l)
{
	return l->addr == current_lwp(s) ? 7 : 3;
}

static const char *
lwp_wait(enum ddb_scene s, const struct fake_lwp *l)
{
	if (l->addr == current_lwp(s))
		return "";
	if (s == DDB_SCENE_HANG && l->addr == LWP_INIT)
		return "kmapent";	/* the unmapper, waiting for memory */
	if (s == DDB_SCENE_HANG && l->addr == LWP_PGDAEMON)
		return "tstile";	/* the reclaimer, waiting for the map lock */
	return l->wait;
}

static void
lwp_trace(enum ddb_scene s, const struct fake_lwp *l)
{
	if (l->addr == current_lwp(s)) {
		if (s == DDB_SCENE_PANIC) {
			print_trace(trace_panic_head);
			print_trace(trace_ioctl_tail);
		} else if (s == DDB_SCENE_LOCK) {
			print_trace(trace_lock_head);
			print_trace(trace_ioctl_tail);
		} else if (s == DDB_SCENE_BUSY) {
			/* interrupted while it runs the request */
			for (int i = 0; i < 5; i++)
				db_printf("%s\n", trace_break[i]);
			print_trace(trace_ioctl_tail);
		} else
			print_trace(trace_break);
		return;
	}
	if (l->addr == LWP_INIT) {
		if (s == DDB_SCENE_HANG) {
			print_trace(trace_sleep_head);
			print_trace(trace_ioctl_tail);
		} else
			print_trace(trace_init_idle);
		return;
	}
	if (l->addr == LWP_PGDAEMON && s == DDB_SCENE_HANG) {
		print_trace(trace_pgdaemon_blocked);
		print_trace(trace_kthread_tail);
		return;
	}
	if (l->addr == LWP_IDLE) {
		print_trace(trace_break + 5);	/* the idle loop frames */
		return;
	}
	print_trace(trace_kthread_sleep);
	if (l->entry != NULL) {
		const char *fn = strchr(l->entry, ':') + 1;

		db_printf("%s() at %s+0x%x\n", fn, l->entry,
		    0x40 + (unsigned)l->lid * 3);
	}
	print_trace(trace_kthread_tail);
}

void
scene_print_entry(enum ddb_scene s)
{
	const struct fake_lwp *cur = NULL;

	if (s == DDB_SCENE_TRAP) {
		trap_print_entry();
		return;
	}
	for (size_t i = 0; i < NLWPS; i++)
		if (lwps[i].addr == current_lwp(s))
			cur = &lwps[i];
	db_printf("fatal breakpoint trap in supervisor mode\n");
	db_printf("trap type 1 code 0 rip %#lx cs 0x8 rflags %#x cr2 %#lx "
	    "ilevel %#x rsp %#lx\n", 0xffffffff8021ddf5UL,
	    scene_is_panic(s) ? 0x246 : 0x202, 0x7f7ff7b0f000UL,
	    scene_is_panic(s) ? 0 : 8, 0xfffffe8002e1fa90UL);
	db_printf("curlwp %#lx pid %d.%d lowest kstack %#lx\n",
	    (unsigned long)cur->addr, cur->pid, cur->lid,
	    0xfffffe8002e00000UL + (unsigned long)cur->lid * 0x5000 + 0x2c0);
	db_printf("Stopped in pid %d.%d (%s) at\tnetbsd:breakpoint+0x5:\tleave\n",
	    cur->pid, cur->lid, cur->pid == 0 ? "system" : cur->name);
}

void
ddb_print_panic_trace(enum ddb_scene s)
{
	for (size_t i = 0; i < NLWPS; i++)
		if (lwps[i].addr == current_lwp(s))
			lwp_trace(s, &lwps[i]);
}

void
scene_bt(enum ddb_scene s, int have_addr, uint64_t lwp_addr)
{
	if (s == DDB_SCENE_TRAP && !have_addr) {
		trap_print_backtrace();
		return;
	}
	if (!have_addr)
		lwp_addr = current_lwp(s);
	for (size_t i = 0; i < NLWPS; i++) {
		if (lwps[i].addr == lwp_addr) {
			if (have_addr)
				db_printf("trace: pid %d lid %d at 0x%lx\n",
				    lwps[i].pid, lwps[i].lid,
				    0xfffffe8002e1f000UL + lwps[i].lid * 0x40);
			lwp_trace(s, &lwps[i]);
			return;
		}
	}
	db_printf("Not a valid lwp address\n");
}

void
scene_ps(enum ddb_scene s)
{
	db_printf("PID    LID S CPU     FLAGS       STRUCT LWP *               NAME WAIT\n");
	for (size_t i = 0; i < NLWPS; i++) {
		const struct fake_lwp *l = &lwps[i];
		int cur = l->addr == current_lwp(s);

		db_printf("%-5d%c%4d %d %3d %9x %18lx %18s %s\n", l->pid,
		    cur ? '>' : ' ', l->lid, lwp_stat(s, l), 0, l->flags,
		    (unsigned long)l->addr, l->name, lwp_wait(s, l));
	}
}

static void
print_kmap_lock(uint64_t holder, int wanted, uint64_t cur)
{
	db_printf("Lock 0 (initialized at uvm_map_setup)\n");
	db_printf("lock address : %#018lx type     : %18s\n",
	    (unsigned long)KMAP_LOCK, "sleep/adaptive");
	db_printf("initialized  : %#018lx\n", 0xffffffff8095e9a1UL);
	db_printf("shared holds : %18u exclusive: %18u\n", 0, 1);
	db_printf("shares wanted: %18u exclusive: %18u\n", 0, wanted);
	db_printf("current cpu  : %18u last held: %18u\n", 0, 0);
	db_printf("current lwp  : %#018lx last held: %#018lx\n",
	    (unsigned long)cur, (unsigned long)holder);
	db_printf("last locked* : %#018lx unlocked : %#018lx\n",
	    0xffffffff8095ea6eUL, 0xffffffff8095eb71UL);
	db_printf("owner/count  : %#018lx flags    : %#018x\n",
	    (unsigned long)holder, wanted ? 0x5 : 0x4);
	db_printf("\nTurnstile chain at %#lx.\n", 0xffffffff80d07840UL);
	if (!wanted) {
		db_printf("=> No active turnstile for this lock.\n");
		return;
	}
	db_printf("=> Turnstile at %#lx (wrq=%#lx, rdq=%#lx).\n",
	    0xfffffe8002d2e3c0UL, 0xfffffe8002d2e3e0UL, 0xfffffe8002d2e3f0UL);
	db_printf("=> 0 waiting readers:\n");
	db_printf("=> 1 waiting writers: %#lx\n", (unsigned long)LWP_PGDAEMON);
}

void
scene_show_all_locks(enum ddb_scene s)
{
	if (s == DDB_SCENE_IDLE || s == DDB_SCENE_TRAP || s == DDB_SCENE_BUSY)
		return;		/* nobody holds a lock */
	db_printf("Locks held by an LWP (pid 1.1 init):\n");
	print_kmap_lock(LWP_INIT, s == DDB_SCENE_HANG, current_lwp(s));
}

/* uvm_map_printit(): one entry. */
static void
print_entry(uint64_t eaddr, uint64_t start, uint64_t end, uint32_t prot,
    uint32_t maxprot, int wired)
{
	db_printf(" - %#lx: %#lx->%#lx: obj=0x0/0, amap=0x0/0\n",
	    (unsigned long)eaddr, (unsigned long)start, (unsigned long)end);
	db_printf("\tsubmap=F, cow=F, nc=F, prot(max)=%u/%u, inh=1, wc=%d, adv=0\n",
	    prot, maxprot, wired);
}

/* A test map of the model: its real entries, via UVMSHIM_IOC_DUMP. */
static void
show_model_map(const struct device_map *m, int full)
{
	struct uvmshim_dump d;
	struct uvmshim_entry *e = NULL;
	uint64_t sz = 0;
	uint32_t n;

	memset(&d, 0, sizeof(d));
	d.map_id = m->map_id;
	if (device_ioctl(UVMSHIM_IOC_DUMP, &d) != 0) {
		db_printf("(map %u: dump failed)\n", m->map_id);
		return;
	}
	n = d.nentries;
	if (n > 0)
		e = heap_alloc((size_t)n * sizeof(*e));
	if (e != NULL) {
		d.capacity = n;
		d.entries = (uintptr_t)e;
		if (device_ioctl(UVMSHIM_IOC_DUMP, &d) != 0)
			d.ncopied = 0;
		for (uint32_t i = 0; i < d.ncopied; i++)
			sz += e[i].end - e[i].start;
	}
	db_printf("MAP %#lx: [%#lx->%#lx]\n", (unsigned long)m->kva,
	    (unsigned long)m->base, (unsigned long)(m->base + m->size));
	db_printf("\t#ent=%u, sz=%lu, ref=1, version=%u, flags=%#x\n", n,
	    (unsigned long)sz, n + 1, 0x41);
	db_printf("\tpmap=%#lx(resident=<<NOT SUPPORTED!!!>>)\n",
	    0xffffffff80c5b0a0UL);
	if (full && e == NULL && n > 0)
		db_printf("(no memory to dump %u entries)\n", n);
	if (full && e != NULL)
		for (uint32_t i = 0; i < d.ncopied; i++)
			print_entry(m->kva + 0x100 + (uint64_t)i * 0x80,
			    m->base + e[i].start, m->base + e[i].end,
			    e[i].prot, e[i].maxprot,
			    (e[i].flags & UVMSHIM_ENTF_WIRED) != 0);
	heap_free(e);
}

void
scene_show_map(int full, int have_addr, uint64_t addr)
{
	const struct device_map *maps = device_maps();
	static const uint64_t kentries[][2] = {
		{ 0xffff800000000000ULL, 0xffff800000400000ULL },
		{ 0xffff800000400000ULL, 0xffff800003c00000ULL },
		{ 0xffff800003c00000ULL, 0xffff800004000000ULL },
		{ 0xffff800005000000ULL, 0xffff800005020000ULL },
	};

	if (!have_addr)
		addr = KERNEL_MAP;
	for (int i = 0; i < DEVICE_MAX_MAPS; i++) {
		if (maps[i].map_id != 0 && maps[i].kva == addr) {
			show_model_map(&maps[i], full);
			return;
		}
	}
	/* Anything else is shown as an invented kernel_map. */
	db_printf("MAP %#lx: [%#lx->%#lx]\n", (unsigned long)addr,
	    0xffff800000000000UL, 0xffff808000000000UL);
	db_printf("\t#ent=4, sz=65142784, ref=1, version=10873, flags=0x41\n");
	db_printf("\tpmap=%#lx(resident=<<NOT SUPPORTED!!!>>)\n",
	    0xffffffff80c5b0a0UL);
	if (!full)
		return;
	for (int i = 0; i < 4; i++)
		print_entry(0xfffffe8000a3e000ULL + (uint64_t)i * 0x80,
		    kentries[i][0], kentries[i][1], 3, 7, 0);
}

void
scene_show_registers(enum ddb_scene s)
{
	if (s == DDB_SCENE_TRAP) {
		trap_print_registers();
		return;
	}
	db_printf("ds          0x10\nes          0x10\nfs          0x10\n"
	    "gs          0x10\n");
	db_printf("rdi         %#lx\n", scene_is_panic(s) ? 0UL : 0x1UL);
	db_printf("rsi         0x1\nrbp         %#lx\nrbx         %#lx\n",
	    0xfffffe8002e1fa90UL, (unsigned long)current_lwp(s));
	db_printf("rdx         0\nrcx         0\nrax         0x1\n");
	db_printf("r8          0\nr9          0\nr10         0\nr11         0x246\n");
	db_printf("r12         0\nr13         0\nr14         0\nr15         0\n");
	db_printf("rip         0xffffffff8021ddf5  breakpoint+0x5\n");
	db_printf("cs          0x8\nrflags      0x246\n");
	db_printf("rsp         0xfffffe8002e1fa90\nss          0x10\n");
	db_printf("netbsd:breakpoint+0x5:  leave\n");
}

/* Long on purpose: the handy way to see the --db_more-- pager. */
void
scene_show_uvmexp(void)
{
	size_t used = heap_in_use(), size = heap_size();

	db_printf("Current UVM status:\n");
	db_printf("  pagesize=4096 (0x1000), pagemask=0xfff, pageshift=12, ncolors=16\n");
	db_printf("  %lu VM pages: %lu active, %lu inactive, %lu wired, %lu free\n",
	    (unsigned long)(size / 4096), (unsigned long)(used / 4096), 0UL,
	    0UL, (unsigned long)((size - used) / 4096));
	db_printf("  pages  %d anon, %d file, %d exec\n", 3982, 3930, 957);
	db_printf("  freemin=64, free-target=85, wired-max=5415\n");
	db_printf("  resv-pg=1, resv-kernel=5\n");
	db_printf("  bootpages=805, poolpages=1103\n");
	db_printf("  faults=1874420, traps=1890033, intrs=4019, ctxswitch=212331\n");
	db_printf("   softint=64920, syscalls=2030451\n");
	db_printf("  fault counts:\n");
	db_printf("    noram=0, noanon=0, pgwait=0, pgrele=0\n");
	db_printf("    ok relocks(total)=2043(2043), anget(retrys)=290118(0), amapcopy=96121\n");
	db_printf("    neighbor anon/obj pg=81062/795371, gets(lock/unlock)=375912/2043\n");
	db_printf("    cases: anon=251344, anoncow=38774, obj=334007, prcopy=41905, przero=1063211\n");
	db_printf("  daemon and swap counts:\n");
	db_printf("    woke=0, revs=0, scans=0, obscans=0, anscans=0\n");
	db_printf("    busy=0, freed=0, reactivate=0, deactivate=0\n");
	db_printf("    pageouts=0, pending=0, nswget=0\n");
	db_printf("    nswapdev=0, swpgavail=0\n");
	db_printf("    swpages=0, swpginuse=0, swpgonly=0, paging=0\n");
	db_printf("  kernel pointers:\n");
	db_printf("    objs(kern)=%#lx\n", 0xffffffff80e7a8c0UL);
	db_printf("  map entry policy counters (kshim test guest):\n");
	for (int i = 0; i < DEVICE_MAX_MAPS; i++) {
		const struct device_map *m = &device_maps()[i];

		if (m->map_id != 0)
			db_printf("    map %u: kva %#lx size %#lx policy %u\n",
			    m->map_id, (unsigned long)m->kva,
			    (unsigned long)m->size, m->policy);
	}
	db_printf("  (end of uvmexp)\n");
}
