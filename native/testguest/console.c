/*
 * console.c: kprintf on the console UART.
 */
#include "console.h"
#include "fmt.h"
#include "uart.h"

void
kputc(char c)
{
	if (c == '\n')
		uart_putc(&uart_console, '\r');
	uart_putc(&uart_console, (uint8_t)c);
}

void
kputs(const char *s)
{
	while (*s != '\0')
		kputc(*s++);
}

static void
console_sink(void *ctx, char c)
{
	(void)ctx;
	kputc(c);
}

void
kvprintf(const char *fmt, va_list ap)
{
	fmt_vformat(console_sink, NULL, fmt, ap);
}

void
kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
