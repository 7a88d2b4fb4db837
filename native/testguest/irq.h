/*
 * irq.h: interrupts, used for one thing only: waking the CPU from hlt.
 *
 * The guest runs with interrupts off.  When the main loop (or SILENT's,
 * or STALL's wait) finds nothing to do, irq_idle() does `sti; hlt; cli`,
 * as NetBSD's idle loop does, so an idle test guest costs the host nearly
 * nothing instead of a whole core.  What wakes it: the UARTs' receive and
 * line-status (BREAK) interrupts and a 100 Hz PIT tick, which keeps
 * deadlines (the proto's 2 s frame timeout, SILENT's ticks, STALL) moving.
 *
 * Handlers only count and acknowledge: the bytes stay in the UART FIFO
 * for the loop to read, so QEMU keeps holding back what does not fit
 * (its 16550 offers the chardev only the FIFO's free space) and nothing
 * can be lost, whatever the rate.
 */
#ifndef TG_IRQ_H
#define TG_IRQ_H

#include <stdint.h>

#define IRQ_TIMER	0	/* PIT channel 0 */
#define IRQ_COM2	3	/* agent channel */
#define IRQ_COM1	4	/* console */

/* What irq_idle() must not sleep on: input already waiting there. */
#define IDLE_AGENT	0x1
#define IDLE_CONSOLE	0x2

/* Remap and unmask the 8259s, start the tick.  Interrupts stay off. */
void irq_init(void);

/*
 * Halt until the next interrupt, unless a UART named in `watch` holds
 * input already (the caller then simply polls again).
 */
void irq_idle(unsigned watch);

/* Called by boot.S's IRQ stubs with the vector (32..47). */
void irq_dispatch(uint64_t vector);

/* Interrupts taken on an IRQ line since boot (diagnostics). */
uint64_t irq_count(unsigned irq);

#endif /* TG_IRQ_H */
