/*
 * fault.h: the FAULT frame's modes (kshim_agent_proto.h), each of which
 * makes the guest misbehave the way a broken NetBSD kernel would, so the
 * harness's verdicts can be tested.  README.md lists what each prints.
 */
#ifndef TG_FAULT_H
#define TG_FAULT_H

#include <stdint.h>

int fault_valid(uint32_t mode);
/*
 * Called after the FAULT answer went out.  Only GARBLE, REBOOT, STALL and
 * HANG_ACCEPTED return.
 */
void fault_inject(uint32_t mode, uint32_t count);
/* FAULT HANG: interrupts off, nothing answered, only a BREAK reaches ddb. */
void fault_hang(void) __attribute__((noreturn));

#endif /* TG_FAULT_H */
