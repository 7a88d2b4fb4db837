/*
 * rtc.c: MC146818 registers through ports 0x70/0x71.  QEMU starts the RTC
 * at the host's time, so two boots a second apart read different values;
 * the exact calendar does not matter, only that it moves.
 */
#include "io.h"
#include "rtc.h"

static uint8_t
cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static uint64_t
bcd(uint8_t v, int binary)
{
	return binary ? v : (uint64_t)((v >> 4) * 10 + (v & 0xf));
}

uint64_t
rtc_seconds(void)
{
	int binary, spins = 0;
	uint64_t s, mi, h, d, mo, y;

	while ((cmos(0x0a) & 0x80) && ++spins < 100000)
		;	/* update in progress */
	binary = (cmos(0x0b) & 0x04) != 0;
	s = bcd(cmos(0x00), binary);
	mi = bcd(cmos(0x02), binary);
	h = bcd(cmos(0x04) & 0x7f, binary);
	d = bcd(cmos(0x07), binary);
	mo = bcd(cmos(0x08), binary);
	y = bcd(cmos(0x09), binary);
	return ((((y * 12 + mo) * 31 + d) * 24 + h) * 60 + mi) * 60 + s;
}
