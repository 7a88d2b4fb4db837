/*
 * console.h: human-readable output on COM1, the guest's "com0".
 * Newlines become CR LF, as a NetBSD console driver sends them.
 */
#ifndef TG_CONSOLE_H
#define TG_CONSOLE_H

#include <stdarg.h>

void kputc(char c);
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif /* TG_CONSOLE_H */
