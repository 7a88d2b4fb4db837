/*
 * uart.h: 16550 driver.  Every UART is read by polling from the main loop
 * (or from ddb's or a fault's loop); the receive and line-status
 * interrupts are enabled only so that an idle loop halted in irq_idle()
 * wakes up when input arrives (irq.h).
 *
 * A serial BREAK shows up as the BI bit of the Line Status Register, and
 * reading the LSR clears BI.  Every LSR read in this driver therefore goes
 * through one function that latches BI into a sticky flag, so polling for
 * "transmitter empty" while printing can never swallow a BREAK.
 */
#ifndef TG_UART_H
#define TG_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_COM1	0x3f8	/* console, like NetBSD's com0 */
#define UART_COM2	0x2f8	/* agent channel, like NetBSD's com1 */

struct uart {
	uint16_t base;
	uint8_t present;	/* the scratch register answered */
	uint8_t break_seen;	/* sticky copy of LSR.BI */
	uint32_t breaks;	/* BREAKs seen since boot (diagnostics) */
};

extern struct uart uart_console;
extern struct uart uart_agent;

/* Probe and program a UART: 115200 8N1, FIFOs on, RX interrupts on. */
void uart_init(struct uart *u, uint16_t base);

/* Read the LSR, latching BI.  Returns the LSR value. */
uint8_t uart_lsr(struct uart *u);

/* A received byte, or -1 when none is waiting.  Never blocks. */
int uart_getc_nowait(struct uart *u);

/* True when the receive FIFO holds a byte (latches BI like uart_lsr). */
int uart_rx_ready(struct uart *u);

/* Read and drop whatever the receive FIFO holds. */
void uart_discard(struct uart *u);

/* Blocking write of one byte / a buffer (waits for the transmitter). */
void uart_putc(struct uart *u, uint8_t c);
void uart_write(struct uart *u, const void *buf, size_t len);

/* True once a BREAK was seen since the last call (which clears it). */
int uart_take_break(struct uart *u);

#endif /* TG_UART_H */
