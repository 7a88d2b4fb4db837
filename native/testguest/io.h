/*
 * io.h: the few privileged x86 instructions the test guest needs.
 * Port I/O only: QEMU's 16550s, PIT, ACPI PM and reset ports all live in
 * I/O space, so the guest never has to map MMIO.
 */
#ifndef TG_IO_H
#define TG_IO_H

#include <stdint.h>

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Spin-wait hint: keeps a polling loop polite to the host under TCG/KVM. */
static inline void
cpu_pause(void)
{
	__asm__ volatile("pause");
}

static inline void
cpu_cli(void)
{
	__asm__ volatile("cli");
}

static inline void __attribute__((noreturn))
cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif /* TG_IO_H */
