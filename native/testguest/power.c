/*
 * power.c: shutdown and reset through ports QEMU emulates.
 */
#include "power.h"
#include "clock.h"
#include "console.h"
#include "io.h"
#include "uart.h"

#define ACPI_PM1A_CNT	0x604
#define ACPI_SLP_S5	0x2000		/* SLP_EN, SLP_TYP 0 = S5 on QEMU */
#define DEBUG_EXIT_PORT	0xf4
#define RESET_CTRL	0xcf9		/* PIIX3/ICH9 reset control */
#define KBC_CMD		0x64

/* Let the last console bytes leave the FIFO before the machine goes. */
static void
drain(void)
{
	clock_delay_ms(20);
}

void
power_off(void)
{
	drain();
	outw(ACPI_PM1A_CNT, ACPI_SLP_S5);
	clock_delay_ms(100);
	outl(DEBUG_EXIT_PORT, 0);
	clock_delay_ms(100);
	kprintf("\nThe operating system has halted.\n");
	cpu_halt_forever();
}

void
power_reset(void)
{
	drain();
	outb(RESET_CTRL, 0x02);
	outb(RESET_CTRL, 0x06);		/* hard reset */
	clock_delay_ms(100);
	outb(KBC_CMD, 0xfe);		/* pulse the reset line */
	clock_delay_ms(100);
	/* Last resort: a triple fault (no valid IDT). */
	static const struct { uint16_t limit; uint64_t base; }
	    __attribute__((packed)) no_idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	cpu_halt_forever();
}
