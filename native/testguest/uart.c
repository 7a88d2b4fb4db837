/*
 * uart.c: the 16550 register dance.  QEMU maps `-serial` options in order
 * to COM1 (0x3f8), COM2 (0x2f8), ...; an absent UART reads as 0xff on
 * every port, which would look like an endless stream of 0xff bytes with
 * BREAK set, so each UART is probed through its scratch register first.
 */
#include "uart.h"
#include "io.h"

#define REG_RBR	0	/* receive buffer (read) */
#define REG_THR	0	/* transmit holding (write) */
#define REG_DLL	0	/* divisor latch low (DLAB=1) */
#define REG_IER	1	/* interrupt enable */
#define IER_RDI		0x01	/* received data available (or FIFO timeout) */
#define IER_RLSI	0x04	/* receiver line status: BREAK among others */
#define REG_DLM	1	/* divisor latch high (DLAB=1) */
#define REG_FCR	2	/* FIFO control (write) */
#define REG_LCR	3	/* line control */
#define REG_MCR	4	/* modem control */
#define REG_LSR	5	/* line status */
#define REG_SCR	7	/* scratch */

#define LSR_DR		0x01	/* data ready */
#define LSR_BI		0x10	/* break interrupt */
#define LSR_THRE	0x20	/* transmit holding register empty */

#define FIFO_DEPTH	16

struct uart uart_console;
struct uart uart_agent;

void
uart_init(struct uart *u, uint16_t base)
{
	u->base = base;
	u->break_seen = 0;
	u->breaks = 0;
	outb(base + REG_SCR, 0x5a);
	u->present = inb(base + REG_SCR) == 0x5a;
	if (u->present) {
		outb(base + REG_SCR, 0xa5);
		u->present = inb(base + REG_SCR) == 0xa5;
	}
	if (!u->present)
		return;
	/*
	 * Receive and line-status interrupts only wake the CPU from the idle
	 * hlt (irq.h); the loop still reads the FIFO and the LSR itself.
	 * Transmit stays polled: the guest only waits on it while it has
	 * something to say.
	 */
	outb(base + REG_IER, IER_RDI | IER_RLSI);
	outb(base + REG_LCR, 0x80);		/* DLAB on */
	outb(base + REG_DLL, 1);		/* 115200 baud */
	outb(base + REG_DLM, 0);
	outb(base + REG_LCR, 0x03);		/* 8N1, DLAB off */
	outb(base + REG_FCR, 0xc7);		/* FIFOs on + cleared, trigger 14 */
	outb(base + REG_MCR, 0x03);		/* DTR, RTS */
	(void)uart_lsr(u);			/* drop stale status */
	u->break_seen = 0;
}

uint8_t
uart_lsr(struct uart *u)
{
	uint8_t lsr;

	if (!u->present)
		return LSR_THRE;
	lsr = inb(u->base + REG_LSR);
	if (lsr & LSR_BI) {
		u->break_seen = 1;
		u->breaks++;
	}
	return lsr;
}

int
uart_getc_nowait(struct uart *u)
{
	if (!(uart_lsr(u) & LSR_DR))
		return -1;
	return inb(u->base + REG_RBR);
}

int
uart_rx_ready(struct uart *u)
{
	return (uart_lsr(u) & LSR_DR) != 0;
}

void
uart_discard(struct uart *u)
{
	while (uart_getc_nowait(u) >= 0)
		;
}

void
uart_putc(struct uart *u, uint8_t c)
{
	if (!u->present)
		return;
	while (!(uart_lsr(u) & LSR_THRE))
		cpu_pause();
	outb(u->base + REG_THR, c);
}

void
uart_write(struct uart *u, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!u->present)
		return;
	while (len > 0) {
		size_t n = len < FIFO_DEPTH ? len : FIFO_DEPTH;

		/* THRE means the whole FIFO is empty: fill it in one go. */
		while (!(uart_lsr(u) & LSR_THRE))
			cpu_pause();
		len -= n;
		while (n-- > 0)
			outb(u->base + REG_THR, *p++);
	}
}

int
uart_take_break(struct uart *u)
{
	int seen;

	(void)uart_lsr(u);
	seen = u->break_seen;
	u->break_seen = 0;
	return seen;
}
