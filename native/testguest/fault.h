/*
 * fault.h: the FAULT frame's modes (kshim_agent_proto.h), each of which
 * makes the guest misbehave the way a broken NetBSD kernel would, so the
 * harness's verdicts can be tested.  README.md lists what each prints.
 */
#ifndef TG_FAULT_H
#define TG_FAULT_H

#include <stdint.h>

int fault_valid(uint32_t mode);
/* Called after the FAULT answer went out.  Only GARBLE, REBOOT and STALL return. */
void fault_inject(uint32_t mode, uint32_t count);

#endif /* TG_FAULT_H */
