/*
 * clock.h: time from the TSC, calibrated once against the PIT.
 * Under TCG the TSC follows the host's, so the calibration is what turns
 * it into nanoseconds; it is good to a few percent, which is all the
 * console tick and the ioctl timings need.
 */
#ifndef TG_CLOCK_H
#define TG_CLOCK_H

#include <stdint.h>

void clock_init(void);
uint64_t clock_tsc_hz(void);
uint64_t clock_nsec(void);			/* since clock_init */
uint64_t clock_tsc_to_nsec(uint64_t ticks);
uint64_t clock_msec_to_tsc(uint64_t ms);
void clock_delay_ms(uint32_t ms);

#endif /* TG_CLOCK_H */
