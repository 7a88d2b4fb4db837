/*
 * fault.c: panics, hangs, silence, garbling and restarts on command.
 *
 * Every loop here keeps polling the console's LSR, so a serial BREAK
 * still reaches the fake ddb, as it would reach a real NetBSD's ddb
 * whose CPUs sit idle while its threads are deadlocked: the harness can
 * then capture evidence from a "hung" test guest too.
 */
#include "agent.h"
#include "clock.h"
#include "console.h"
#include "ddb.h"
#include "device.h"
#include "fault.h"
#include "io.h"
#include "irq.h"
#include "kshim_agent_proto.h"
#include "main.h"
#include "uart.h"

int
fault_valid(uint32_t mode)
{
	return mode >= KSHIM_FAULT_PANIC && mode <= KSHIM_FAULT_HANG_ACCEPTED;
}

static void
traceback(enum ddb_scene scene)
{
	kprintf("cpu0: Begin traceback...\n");
	ddb_print_panic_trace(scene);
	kprintf("cpu0: End traceback...\n");
}

static void __attribute__((noreturn))
panic_assert(void)
{
	kprintf("panic: kernel diagnostic assertion \"entry->start < entry->end\" "
	    "failed: file \"../../../../uvm/uvm_map.c\", line 1234 \n");
	traceback(DDB_SCENE_PANIC);
	for (;;)
		ddb_enter(DDB_SCENE_PANIC);	/* "continue" resets the machine */
}

/* subr_lockdebug.c's lockdebug_abort1() for an rwlock taken twice. */
static void __attribute__((noreturn))
panic_lock_against_myself(void)
{
	const unsigned long lock = 0xffffffff80e7a660UL;
	const unsigned long lwp = 0xfffffe8001f3e2c0UL;

	kprintf("Reader / writer lock error: rw_vector_enter,296: "
	    "locking against myself\n\n");
	kprintf("lock address : %#018lx type     : %18s\n", lock,
	    "sleep/adaptive");
	kprintf("initialized  : %#018lx\n", 0xffffffff8095e9a1UL);
	kprintf("shared holds : %18u exclusive: %18u\n", 0, 1);
	kprintf("shares wanted: %18u exclusive: %18u\n", 0, 0);
	kprintf("current cpu  : %18u last held: %18u\n", 0, 0);
	kprintf("current lwp  : %#018lx last held: %#018lx\n", lwp, lwp);
	kprintf("last locked* : %#018lx unlocked : %#018lx\n",
	    0xffffffff8095ea6eUL, 0xffffffff8095eb71UL);
	kprintf("owner/count  : %#018lx flags    : %#018x\n", lwp, 0x4);
	kprintf("\nTurnstile chain at %#lx.\n", 0xffffffff80d07840UL);
	kprintf("=> No active turnstile for this lock.\n\n");
	kprintf("panic: LOCKDEBUG: Reader / writer lock error: "
	    "rw_vector_enter,296: locking against myself\n");
	traceback(DDB_SCENE_LOCK);
	for (;;)
		ddb_enter(DDB_SCENE_LOCK);
}

/*
 * Interrupts off, agent line ignored, console silent; only BREAK works.
 * It spins on purpose and never halts: a deadlocked kernel's CPUs are
 * not idle, and the harness must see the same hang as before.
 */
void __attribute__((noreturn))
fault_hang(void)
{
	cpu_cli();
	for (;;) {
		if (uart_take_break(&uart_console))
			ddb_enter(DDB_SCENE_HANG);
		cpu_pause();
	}
}

/*
 * Agent line read and dropped; a console line every second.  Console
 * input goes nowhere, as in the main loop, and between ticks the CPU
 * halts (irq.h): the tick interrupt keeps the seconds coming.
 */
static void __attribute__((noreturn))
silent(void)
{
	uint64_t next = rdtsc() + clock_msec_to_tsc(1000);
	unsigned long tick = 0;

	for (;;) {
		uart_discard(&uart_agent);
		uart_discard(&uart_console);
		if (uart_take_break(&uart_console)) {
			ddb_enter(DDB_SCENE_IDLE);
			next = rdtsc() + clock_msec_to_tsc(1000);
		}
		if (rdtsc() >= next) {
			kprintf("kshim-testguest: tick %lu (agent silent)\n", ++tick);
			next += clock_msec_to_tsc(1000);
		}
		irq_idle(IDLE_AGENT | IDLE_CONSOLE);
	}
}

void
fault_inject(uint32_t mode, uint32_t count)
{
	switch (mode) {
	case KSHIM_FAULT_PANIC:
		panic_assert();
	case KSHIM_FAULT_HANG:
		fault_hang();
	case KSHIM_FAULT_GARBLE:
		kprintf("kshim-testguest: garbling the next %u answers\n", count);
		agent_garble(count);
		return;
	case KSHIM_FAULT_SILENT:
		kprintf("kshim-testguest: agent silent from now on\n");
		silent();
	case KSHIM_FAULT_LOCK_AGAINST_MYSELF:
		panic_lock_against_myself();
	case KSHIM_FAULT_REBOOT:
		kprintf("kshim-testguest: agent restart (FAULT REBOOT)\n");
		guest_restart();
		return;
	case KSHIM_FAULT_STALL:
		kprintf("kshim-testguest: the next request stalls %u ms\n",
		    count);
		agent_stall(count);
		return;
	case KSHIM_FAULT_HANG_ACCEPTED:
		kprintf("kshim-testguest: request %u from now hangs after "
		    "ACCEPTED\n", count);
		agent_hang_after(count);
		return;
	}
}
