/*
 * clock.c: PIT channel 2 as a one-shot reference for TSC calibration.
 * Channel 2's gate and output are visible through port 0x61, so no
 * interrupt is needed: program a 20 ms count in mode 0 and spin until
 * OUT2 rises.
 */
#include "clock.h"
#include "io.h"

#define PIT_HZ		1193182U
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61
#define CAL_DIV		50U		/* 1/50 s = 20 ms */

static uint64_t tsc_hz = 1000000000ULL;	/* fallback: 1 GHz */
static uint64_t tsc_origin;

void
clock_init(void)
{
	uint16_t count = PIT_HZ / CAL_DIV;
	uint64_t t0, t1, spins = 0;

	/* Gate high (bit 0), speaker off (bit 1). */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);		/* ch2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++spins > 100000000ULL)
			break;		/* no PIT: keep the fallback */
	}
	t1 = rdtsc();
	if (spins <= 100000000ULL && t1 > t0)
		tsc_hz = (t1 - t0) * CAL_DIV;
	tsc_origin = rdtsc();
}

uint64_t
clock_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t
clock_tsc_to_nsec(uint64_t ticks)
{
	/* Split to avoid overflowing 64 bits for long intervals. */
	return ticks / tsc_hz * 1000000000ULL +
	    ticks % tsc_hz * 1000000000ULL / tsc_hz;
}

uint64_t
clock_nsec(void)
{
	return clock_tsc_to_nsec(rdtsc() - tsc_origin);
}

uint64_t
clock_msec_to_tsc(uint64_t ms)
{
	return tsc_hz / 1000 * ms;
}

void
clock_delay_ms(uint32_t ms)
{
	uint64_t end = rdtsc() + clock_msec_to_tsc(ms);

	while (rdtsc() < end)
		cpu_pause();
}
