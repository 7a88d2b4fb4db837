/*
 * power.h: leaving the machine.
 */
#ifndef TG_POWER_H
#define TG_POWER_H

/*
 * Power off.  Tries, in order: ACPI S5 through the PM1a control register
 * at 0x604 (where SeaBIOS puts PIIX4's and ICH9's PM block on QEMU's pc
 * and q35 machines: QEMU exits with status 0), then isa-debug-exit at
 * 0xf4 if the harness added one (QEMU exits with status 1), then halts.
 */
void power_off(void) __attribute__((noreturn));

/* Reset the machine (QEMU reboots, or exits under -no-reboot). */
void power_reset(void) __attribute__((noreturn));

#endif /* TG_POWER_H */
