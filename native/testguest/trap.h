/*
 * trap.h: CPU exceptions inside the test guest itself (a bug in the guest
 * or in the model compiled into it).  Instead of a silent triple fault and
 * reset, the guest prints a NetBSD-style fatal trap and stops in ddb, so
 * the harness reports a panic with a console tail.
 */
#ifndef TG_TRAP_H
#define TG_TRAP_H

#include <stdint.h>

/* Exceptions 0..31, then the 8259s' IRQs 0..15 (irq.h). */
#define IDT_VECTORS	48

/* Saved by boot.S's trap_common; the CPU's part follows vector and err. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, err;
	uint64_t rip, cs, rflags, rsp, ss;
};

void trap_init(void);
void trap(struct trapframe *tf) __attribute__((noreturn));

#endif /* TG_TRAP_H */
