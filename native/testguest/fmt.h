/*
 * fmt.h: a small printf engine, shared by the console (kprintf), ddb's
 * paged output (db_printf) and string formatting (ksnprintf).
 * Supports %d %i %u %x %X %p %s %c %%, flags '-' '0' '#', a width (or *),
 * a precision for %s, and the length modifiers l, ll, z.
 */
#ifndef TG_FMT_H
#define TG_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink_t)(void *ctx, char c);

void fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* TG_FMT_H */
