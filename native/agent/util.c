/*
 * util.c: a small formatter, console output, strerror.  The string and
 * memory functions are native/libk's, shared with the test guest.
 */
#include <sys/types.h>
#include <sys/errno.h>

#include "syscalls.h"
#include "util.h"

/*
 * The formatter.  Output is always NUL-terminated when size > 0; the
 * return value is the length that was written (not what would have been).
 */
struct fmtbuf {
	char *p;
	size_t left;		/* room, not counting the final NUL */
	int n;
};

static void
put(struct fmtbuf *fb, char c)
{
	if (fb->left > 0) {
		*fb->p++ = c;
		fb->left--;
		fb->n++;
	}
}

static void
put_num(struct fmtbuf *fb, unsigned long long v, unsigned int base,
    int neg, int width, char pad)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	if (neg)
		tmp[i++] = '-';
	while (width-- > i)
		put(fb, pad);
	while (i > 0)
		put(fb, tmp[--i]);
}

int
ks_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmtbuf fb = { buf, size > 0 ? size - 1 : 0, 0 };
	unsigned long long u;
	long long s;
	const char *str;
	int width, lng, alt;
	char pad;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			put(&fb, *fmt);
			continue;
		}
		fmt++;
		alt = 0;
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		pad = ' ';
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (lng = 0; *fmt == 'l'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
			/* long and long long are both 64 bits on amd64. */
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			put_num(&fb, u, 10, s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, unsigned long long) :
			    va_arg(ap, unsigned int);
			if (alt && *fmt == 'x') {
				/* As in C, the width includes the "0x". */
				put(&fb, '0');
				put(&fb, 'x');
				width -= 2;
			}
			put_num(&fb, u, *fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		case 'p':
			put(&fb, '0');
			put(&fb, 'x');
			put_num(&fb, (uintptr_t)va_arg(ap, void *), 16, 0,
			    width, pad);
			break;
		case 'c':
			put(&fb, (char)va_arg(ap, int));
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			for (s = (long long)strlen(str); width-- > s;)
				put(&fb, ' ');
			while (*str != '\0')
				put(&fb, *str++);
			break;
		case '%':
			put(&fb, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&fb, '%');
			put(&fb, *fmt);
			break;
		}
	}
	if (size > 0)
		*fb.p = '\0';
	return fb.n;
}

int
ks_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ks_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void
con_write(const char *s, size_t len)
{
	long n;

	while (len > 0) {
		n = ks_write(1, s, len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return;		/* no console: nowhere to complain */
		s += n;
		len -= (size_t)n;
	}
}

void
con_printf(const char *fmt, ...)
{
	static const char prefix[] = "kshim-agent: ";
	char line[512];
	va_list ap;
	size_t n;

	memcpy(line, prefix, sizeof(prefix) - 1);
	va_start(ap, fmt);
	n = sizeof(prefix) - 1 + (size_t)ks_vsnprintf(line + sizeof(prefix) - 1,
	    sizeof(line) - sizeof(prefix) - 1, fmt, ap);
	va_end(ap);
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	con_write(line, n);
}

const char *
ks_strerror(int e)
{
	static char other[24];

	switch (e) {
	case 0:		return "no error";
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case EINTR:	return "EINTR";
	case EIO:	return "EIO";
	case ENXIO:	return "ENXIO";
	case E2BIG:	return "E2BIG";
	case ENOEXEC:	return "ENOEXEC";
	case EBADF:	return "EBADF";
	case ENOMEM:	return "ENOMEM";
	case EACCES:	return "EACCES";
	case EFAULT:	return "EFAULT";
	case EBUSY:	return "EBUSY";
	case EEXIST:	return "EEXIST";
	case ENODEV:	return "ENODEV";
	case ENOTDIR:	return "ENOTDIR";
	case EINVAL:	return "EINVAL";
	case ENOTTY:	return "ENOTTY";
	case ENOSPC:	return "ENOSPC";
	case EROFS:	return "EROFS";
	case EDOM:	return "EDOM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT:	return "ETIMEDOUT";
	case EPROGMISMATCH: return "EPROGMISMATCH";
	case EFTYPE:	return "EFTYPE";
	case ENOTSUP:	return "ENOTSUP";
	default:
		ks_snprintf(other, sizeof(other), "errno %d", e);
		return other;
	}
}
