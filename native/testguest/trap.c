/*
 * trap.c: the IDT (32 exception vectors, then irq.c's 16 IRQ vectors),
 * and the fatal-trap report.
 * Vectors map to NetBSD's trap types (x86/include/trap.h) so the console
 * reads like a NetBSD fatal trap: "fatal page fault in supervisor mode".
 */
#include "trap.h"
#include "console.h"
#include "ddb.h"
#include "ddb_priv.h"
#include "io.h"
#include "libk.h"

extern const uint64_t trap_vectors[IDT_VECTORS];
extern char __image_start[], __image_end[];

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static struct trapframe saved_tf;
static uint64_t saved_cr2;
static int in_trap;

void
trap_init(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr;

	for (int i = 0; i < IDT_VECTORS; i++) {
		uint64_t a = trap_vectors[i];

		idt[i].off_lo = a & 0xffff;
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].off_mid = (a >> 16) & 0xffff;
		idt[i].off_hi = a >> 32;
		idt[i].zero = 0;
	}
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* NetBSD trap type of an x86 vector, and its name in trap_type[]. */
static int
netbsd_type(uint64_t vector)
{
	static const int8_t map[32] = {
		8, 5, 9, 1, 10, 11, 0, 12, 13, -1, 15, 16, 17, 4, 6, -1,
		2, 7, 18, 19,
	};

	return vector < 32 && map[vector] >= 0 ? map[vector] : 3;
}

static const char *const trap_names[] = {
	"privileged instruction fault", "breakpoint trap", "arithmetic trap",
	"asynchronous system trap", "protection fault", "trace trap",
	"page fault", "alignment fault", "integer divide fault",
	"non-maskable interrupt", "overflow trap", "bounds check fault",
	"FPU not available fault", "double fault", "FPU operand fetch fault",
	"invalid TSS fault", "segment not present fault", "stack fault",
	"machine check fault", "SSE FP exception",
};

/* trap.c's trap_print(): the CPU exception itself. */
static void
print_fatal(void)
{
	const struct trapframe *tf = &saved_tf;
	int type = netbsd_type(tf->vector);

	db_printf("fatal %s in supervisor mode\n", trap_names[type]);
	db_printf("trap type %d code %#lx rip %#lx cs %#lx rflags %#lx cr2 %#lx "
	    "ilevel 0 rsp %#lx\n", type, (unsigned long)tf->err,
	    (unsigned long)tf->rip, (unsigned long)tf->cs,
	    (unsigned long)tf->rflags, (unsigned long)saved_cr2,
	    (unsigned long)tf->rsp);
	db_printf("curlwp 0xffffffff80c64d40 pid 0.5 lowest kstack 0xffffffff80c62000\n");
}

/* ddb's entry after panic("trap"): vpanic's breakpoint, as in NetBSD. */
void
trap_print_entry(void)
{
	db_printf("fatal breakpoint trap in supervisor mode\n");
	db_printf("trap type 1 code 0 rip 0xffffffff8021ddf5 cs 0x8 rflags 0x246 "
	    "cr2 %#lx ilevel 0 rsp 0xffffffff80c63e80\n", (unsigned long)saved_cr2);
	db_printf("curlwp 0xffffffff80c64d40 pid 0.5 lowest kstack 0xffffffff80c62000\n");
	db_printf("Stopped in pid 0.5 (system) at\tnetbsd:breakpoint+0x5:\tleave\n");
}

static int
in_image(uint64_t a)
{
	return a >= (uintptr_t)__image_start && a < (uintptr_t)__image_end;
}

/* A real frame-pointer walk (the guest is built with frame pointers). */
void
trap_print_backtrace(void)
{
	uint64_t rbp = saved_tf.rbp;

	db_printf("?() at kshim-testguest:%#lx\n", (unsigned long)saved_tf.rip);
	for (int depth = 0; depth < 32 && rbp != 0 && (rbp & 7) == 0 &&
	    in_image(rbp); depth++) {
		const uint64_t *fp = (const uint64_t *)(uintptr_t)rbp;

		if (!in_image(fp[1]))
			break;
		db_printf("?() at kshim-testguest:%#lx\n", (unsigned long)fp[1]);
		rbp = fp[0];
	}
}

void
trap_print_registers(void)
{
	const struct trapframe *t = &saved_tf;

	db_printf("rdi  %#018lx rsi  %#018lx rbp  %#018lx\n",
	    (unsigned long)t->rdi, (unsigned long)t->rsi, (unsigned long)t->rbp);
	db_printf("rbx  %#018lx rdx  %#018lx rcx  %#018lx\n",
	    (unsigned long)t->rbx, (unsigned long)t->rdx, (unsigned long)t->rcx);
	db_printf("rax  %#018lx r8   %#018lx r9   %#018lx\n",
	    (unsigned long)t->rax, (unsigned long)t->r8, (unsigned long)t->r9);
	db_printf("r10  %#018lx r11  %#018lx r12  %#018lx\n",
	    (unsigned long)t->r10, (unsigned long)t->r11, (unsigned long)t->r12);
	db_printf("r13  %#018lx r14  %#018lx r15  %#018lx\n",
	    (unsigned long)t->r13, (unsigned long)t->r14, (unsigned long)t->r15);
	db_printf("rip  %#018lx rsp  %#018lx rflags %#lx\n",
	    (unsigned long)t->rip, (unsigned long)t->rsp,
	    (unsigned long)t->rflags);
}

void
trap(struct trapframe *tf)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (in_trap++) {
		/* A fault while reporting a fault: just stop. */
		kputs("\nkshim-testguest: recursive fault, halting\n");
		cpu_halt_forever();
	}
	saved_tf = *tf;
	saved_cr2 = cr2;
	print_fatal();
	kprintf("panic: trap\n");
	kprintf("cpu0: Begin traceback...\n");
	trap_print_backtrace();
	kprintf("cpu0: End traceback...\n");
	for (;;)
		ddb_enter(DDB_SCENE_TRAP);
}
