/*
 * rtc.h: the CMOS real-time clock, read once for entropy (boot ids).
 */
#ifndef TG_RTC_H
#define TG_RTC_H

#include <stdint.h>

/* Seconds since 2000-01-01 (approximate: months as 31 days), or 0. */
uint64_t rtc_seconds(void);

#endif /* TG_RTC_H */
