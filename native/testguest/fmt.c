/*
 * fmt.c: printf formatting without a C library.
 */
#include <stdint.h>

#include "fmt.h"
#include "libk.h"

static void
emit_padded(fmt_sink_t sink, void *ctx, const char *s, size_t len,
    int width, int left, char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		while (fill-- > 0)
			sink(ctx, pad);
	while (len-- > 0)
		sink(ctx, *s++);
	if (left)
		while (fill-- > 0)
			sink(ctx, ' ');
}

void
fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	char tmp[32];

	for (; *fmt != '\0'; fmt++) {
		int left = 0, alt = 0, width = 0, prec = -1, lng = 0;
		char pad = ' ';
		unsigned long long uv;
		const char *s;
		size_t n;

		if (*fmt != '%') {
			sink(ctx, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = *fmt == 'z' ? 1 : lng + 1;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			emit_padded(sink, ctx, tmp, 1, width, left, ' ');
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			emit_padded(sink, ctx, s, n, width, left, ' ');
			break;
		case 'd':
		case 'i': {
			long long v = lng >= 2 ? va_arg(ap, long long) :
			    lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			int neg = v < 0;

			uv = neg ? 0ULL - (unsigned long long)v :
			    (unsigned long long)v;
			n = sizeof(tmp);
			do {
				tmp[--n] = (char)('0' + uv % 10);
				uv /= 10;
			} while (uv != 0);
			if (neg && pad == '0' && width > 0) {
				/* sign goes before the zeros */
				sink(ctx, '-');
				width--;
			} else if (neg)
				tmp[--n] = '-';
			emit_padded(sink, ctx, tmp + n, sizeof(tmp) - n,
			    width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'p': {
			const char *digits = *fmt == 'X' ? "0123456789ABCDEF" :
			    "0123456789abcdef";
			unsigned base = *fmt == 'u' ? 10 : 16;
			size_t prefix;
			int zero;

			if (*fmt == 'p') {
				uv = (uintptr_t)va_arg(ap, void *);
				alt = 1;
			} else
				uv = lng >= 2 ? va_arg(ap, unsigned long long) :
				    lng == 1 ? va_arg(ap, unsigned long) :
				    va_arg(ap, unsigned int);
			zero = uv == 0;
			n = sizeof(tmp);
			do {
				tmp[--n] = digits[uv % base];
				uv /= base;
			} while (uv != 0);
			/* As in C and NetBSD's kprintf: no 0x on a zero. */
			prefix = alt && base == 16 && !zero ? 2 : 0;
			if (prefix != 0 && pad == '0') {
				/* "%#018lx": the 0x counts toward the width */
				sink(ctx, '0');
				sink(ctx, 'x');
				width -= 2;
			} else if (prefix != 0) {
				tmp[--n] = 'x';
				tmp[--n] = '0';
			}
			emit_padded(sink, ctx, tmp + n, sizeof(tmp) - n,
			    width, left, pad);
			break;
		}
		case '%':
			sink(ctx, '%');
			break;
		case '\0':
			return;
		default:
			sink(ctx, '%');
			sink(ctx, *fmt);
			break;
		}
	}
}

struct snbuf {
	char *p;
	size_t left;
	int n;
};

static void
sn_sink(void *ctx, char c)
{
	struct snbuf *b = ctx;

	if (b->left > 1) {
		*b->p++ = c;
		b->left--;
	}
	b->n++;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct snbuf b = { buf, size, 0 };
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(sn_sink, &b, fmt, ap);
	va_end(ap);
	if (size > 0)
		*b.p = '\0';
	return b.n;
}
