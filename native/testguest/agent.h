/*
 * agent.h: the guest side of kshim_agent_proto.h (native/proto, with this
 * guest's platform): READY at start, then one request at a time, with the
 * last response cached for replays.
 */
#ifndef TG_AGENT_H
#define TG_AGENT_H

#include <stdint.h>

#define TG_AGENT_VERSION	"kshim-testguest 1"
#define TG_OS_VERSION		"kshim-testguest 1"

/* Carve the frame and ioctl buffers once at boot; false when RAM is short. */
int agent_init(void);
/* (Re)start the agent: new boot id, empty replay cache, READY frame. */
void agent_start(void);
/* Serve whatever the agent line has; returns at once when it is idle. */
void agent_poll(void);
/* Corrupt the next n answers on the wire (FAULT GARBLE). */
void agent_garble(uint32_t n);
/* Wait ms after ACCEPTED of the next new request, before it runs (FAULT STALL). */
void agent_stall(uint32_t ms);
/* FAULT HANG_ACCEPTED: the n-th request from now hangs after its ACCEPTED. */
void agent_hang_after(uint32_t n);
uint64_t agent_boot_id(void);

#endif /* TG_AGENT_H */
