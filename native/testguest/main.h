/*
 * main.h: boot and the main loop.
 */
#ifndef TG_MAIN_H
#define TG_MAIN_H

#include <stdint.h>

void kmain(uint32_t mb_magic, uint32_t mb_info) __attribute__((noreturn));

/* FAULT REBOOT: banner, fresh device, new boot id, READY. */
void guest_restart(void);

#endif /* TG_MAIN_H */
