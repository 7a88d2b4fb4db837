/*
 * irq.c: the 8259 pair, the PIT tick, and the idle halt (see irq.h).
 *
 * The PICs are remapped past the exception vectors (32..47) and only the
 * tick, COM1 and COM2 are unmasked.  ISA lines are edge-triggered: a
 * UART's line rises when it has something to say and stays up until the
 * loop reads the FIFO or the LSR, so irq_idle() checks the FIFOs with
 * interrupts off before it halts; an edge that comes after the check is
 * latched by the PIC and taken the moment `sti` lets it in.
 */
#include "io.h"
#include "irq.h"
#include "uart.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20
#define PIC_READ_ISR	0x0b
#define IRQ_BASE	32
#define IRQ_CASCADE	2

#define PIT_HZ		1193182U
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define TICK_HZ		100U	/* NetBSD's HZ: deadlines here are >= 10 ms */

static volatile uint64_t counts[16];

static void
pic_init(void)
{
	uint8_t unmasked = (1U << IRQ_TIMER) | (1U << IRQ_COM2) |
	    (1U << IRQ_COM1);

	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_BASE);	/* ICW2: vector bases */
	outb(PIC2_DATA, IRQ_BASE + 8);
	outb(PIC1_DATA, 1U << IRQ_CASCADE);	/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, IRQ_CASCADE);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, (uint8_t)~unmasked);
	outb(PIC2_DATA, 0xff);
}

/* Channel 0, mode 2 (rate generator): an IRQ 0 edge every tick. */
static void
tick_init(void)
{
	uint16_t div = (PIT_HZ + TICK_HZ / 2) / TICK_HZ;

	outb(PIT_CMD, 0x34);		/* ch0, lo/hi byte, mode 2, binary */
	outb(PIT_CH0, div & 0xff);
	outb(PIT_CH0, div >> 8);
}

void
irq_init(void)
{
	pic_init();
	tick_init();
}

/* An IRQ 7 or 15 that the PIC's in-service register disowns. */
static int
spurious(unsigned irq)
{
	uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;

	if ((irq & 7) != 7)
		return 0;
	outb(cmd, PIC_READ_ISR);
	return !(inb(cmd) & 0x80);
}

void
irq_dispatch(uint64_t vector)
{
	unsigned irq = (unsigned)(vector - IRQ_BASE) & 15;

	if (spurious(irq)) {
		/* The master did raise the cascade line for it. */
		if (irq >= 8)
			outb(PIC1_CMD, PIC_EOI);
		return;
	}
	counts[irq]++;
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

uint64_t
irq_count(unsigned irq)
{
	return irq < 16 ? counts[irq] : 0;
}

void
irq_idle(unsigned watch)
{
	if ((watch & IDLE_AGENT) && uart_rx_ready(&uart_agent))
		return;
	/* A BREAK latched by an LSR read since the loop looked counts too. */
	if ((watch & IDLE_CONSOLE) && (uart_rx_ready(&uart_console) ||
	    uart_console.break_seen))
		return;
	/* sti takes effect after hlt has started: no wake-up is lost. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}
