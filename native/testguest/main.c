/*
 * main.c: boot (memory, UARTs, clock, traps, IRQs), the banner, and the
 * main loop, which polls the agent line and watches the console for a
 * BREAK.  All work is done here, polled, with interrupts off; when a pass
 * finds nothing waiting, the loop halts until a UART interrupt or the
 * next tick (irq.h), so an idle guest does not burn a host core.
 */
#include "agent.h"
#include "clock.h"
#include "console.h"
#include "ddb.h"
#include "device.h"
#include "heap.h"
#include "io.h"
#include "irq.h"
#include "main.h"
#include "mem.h"
#include "trap.h"
#include "uart.h"

#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002U
#define MBI_FLAG_MEM			0x1U
#define MIN_HEAP			(1U << 20)

/* The first fields of the multiboot information structure. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB below 1 MiB */
	uint32_t mem_upper;	/* KiB of contiguous RAM from 1 MiB */
};

extern char __image_end[];

static void __attribute__((noreturn))
fatal(const char *why)
{
	kprintf("kshim-testguest: fatal: %s\n", why);
	cpu_halt_forever();
}

static void
banner(void)
{
	uint64_t mhz = clock_tsc_hz() / 1000000;

	kprintf("Copyright (c) 2025 The KernelShim project.  This is not NetBSD.\n");
	kprintf("KernelShim test guest 1.0 (not NetBSD)\n");
	kprintf("total memory = %lu MB\n", (unsigned long)(mem_total() >> 20));
	kprintf("avail memory = %lu MB\n", (unsigned long)(heap_size() >> 20));
	kprintf("cpu0: TSC %lu MHz (calibrated against the PIT)\n",
	    (unsigned long)mhz);
	kprintf("com0 at isa0 port 0x3f8: ns16550a, working fifo\n");
	kprintf("com0: console\n");
	if (uart_agent.present)
		kprintf("com1 at isa0 port 0x2f8: ns16550a, working fifo "
		    "(agent channel)\n");
	else
		kprintf("com1: not found: no agent channel "
		    "(QEMU needs a second -serial)\n");
	kprintf("uvmshim0: kshim test guest device, %s\n",
	    device_has_model() ? "reference model compiled in" :
	    "no model: VERSION only, ENOTTY otherwise");
}

void
guest_restart(void)
{
	kprintf("\n");
	banner();
	device_unload();
	if (device_load() != 0)
		kprintf("uvmshim0: load failed\n");
	agent_start();
}

static void
memory_init(uint32_t mb_magic, uint32_t mb_info)
{
	const struct multiboot_info *mbi =
	    (const struct multiboot_info *)(uintptr_t)mb_info;
	uint64_t top = 64ULL << 20;	/* assume -m 64 if the loader is mute */
	uintptr_t lo;
	size_t heap;
	void *p;

	if (mb_magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_MEM))
		top = (1ULL << 20) + (uint64_t)mbi->mem_upper * 1024;
	if (top > (3ULL << 30))
		top = 3ULL << 30;	/* stay below the PCI hole */
	mem_set_total(top);
	/*
	 * QEMU puts the multiboot info right after the image; it has been
	 * read above, so the carving may start there.
	 */
	lo = ((uintptr_t)__image_end + 0xfffff) & ~(uintptr_t)0xfffff;
	mem_init(lo, (uintptr_t)top);
	if (!agent_init())
		fatal("not enough memory for the frame buffers (use -m 64 or more)");
	heap = mem_left() & ~(size_t)0xfff;
	if (heap < MIN_HEAP)
		fatal("not enough memory for the model heap (use -m 64 or more)");
	p = mem_carve(heap, 4096);
	heap_init(p, heap);
}

void
kmain(uint32_t mb_magic, uint32_t mb_info)
{
	uart_init(&uart_console, UART_COM1);
	uart_init(&uart_agent, UART_COM2);
	trap_init();
	kprintf("\n");
	if (mb_magic != MULTIBOOT_BOOTLOADER_MAGIC)
		kprintf("kshim-testguest: not started by a multiboot loader\n");
	memory_init(mb_magic, mb_info);
	clock_init();
	irq_init();
	banner();
	if (device_load() != 0)
		kprintf("uvmshim0: load failed\n");
	agent_start();

	for (;;) {
		agent_poll();
		/* Console input outside ddb goes nowhere, as on a getty-less console. */
		uart_discard(&uart_console);
		if (uart_take_break(&uart_console))
			ddb_enter(DDB_SCENE_IDLE);
		irq_idle(IDLE_AGENT | IDLE_CONSOLE);
	}
}
