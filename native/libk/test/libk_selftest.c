/*
 * libk_selftest.c: native/libk against the host's libc, on the host.
 *
 * libk defines memcpy and friends under their libc names, so the Makefile
 * links a copy whose symbols carry a libk_ prefix (objcopy
 * --prefix-symbols) and each function here is compared with the host's
 * on seeded random buffers and strings: results, and every byte around
 * the destination (a write one past the end would show).  Comparisons
 * are compared by sign, as the C standard promises no more.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kshim_check.h"

#define LIBK_NAME(f)	libk_##f
#include "libk.h"

#define N	64

static uint64_t rng = 24039;

static uint32_t
rnd(uint32_t n)
{

	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33) % n;
}

static int
sign(int v)
{

	return (v > 0) - (v < 0);
}

/* A short string over a small alphabet, so that prefixes often match. */
static void
rstr(char *s, size_t cap)
{
	size_t i, n = rnd((uint32_t)cap);

	for (i = 0; i < n; i++)
		s[i] = "ab\xe9"[rnd(3)];
	s[n] = '\0';
}

/* The host's strlcpy/strlcat, which glibc before 2.38 lacks. */
static size_t
ref_strlcpy(char *d, const char *s, size_t size)
{
	size_t len = strlen(s);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(d, s, n);
		d[n] = '\0';
	}
	return len;
}

static size_t
ref_strlcat(char *d, const char *s, size_t size)
{
	size_t have = strnlen(d, size);

	if (have == size)
		return size + strlen(s);
	return have + ref_strlcpy(d + have, s, size - have);
}

static void
test_mem(void)
{
	unsigned char a[3 * N], b[3 * N];
	size_t off, src, n;
	int i;

	for (i = 0; i < 20000; i++) {
		for (off = 0; off < sizeof(a); off++)
			a[off] = b[off] = (unsigned char)rnd(256);
		off = rnd(2 * N);
		src = rnd(2 * N);
		n = rnd(N + 1);
		switch (rnd(3)) {
		case 0:		/* overlapping either way, or not */
			EQ(libk_memmove(a + off, a + src, n) == a + off, 1);
			memmove(b + off, b + src, n);
			break;
		case 1:
			if (off + n > src && src + n > off)
				continue;	/* memcpy: no overlap */
			EQ(libk_memcpy(a + off, a + src, n) == a + off, 1);
			memcpy(b + off, b + src, n);
			break;
		default:
			EQ(libk_memset(a + off, (int)src, n) == a + off, 1);
			memset(b + off, (int)src, n);
			break;
		}
		CHECK(memcmp(a, b, sizeof(a)) == 0, "op %d, off %zu, src %zu, "
		    "n %zu", i, off, src, n);
		a[off + rnd(N)] ^= (unsigned char)rnd(2);
		EQ(sign(libk_memcmp(a + off, b + off, n)),
		    sign(memcmp(a + off, b + off, n)));
	}
}

static void
test_str(void)
{
	char s[16], t[16], d1[24], d2[24];
	size_t n, size;
	int i, c;

	for (i = 0; i < 20000; i++) {
		rstr(s, sizeof(s));
		rstr(t, sizeof(t));
		n = rnd(18);
		EQ(libk_strlen(s), strlen(s));
		EQ(libk_strnlen(s, n), strnlen(s, n));
		EQ(sign(libk_strcmp(s, t)), sign(strcmp(s, t)));
		EQ(sign(libk_strncmp(s, t, n)), sign(strncmp(s, t, n)));
		c = "ab\xe9"[rnd(3)];
		EQ(libk_strchr(s, c) == strchr(s, c), 1);
		EQ(libk_strchr(s, '\0') == strchr(s, '\0'), 1);

		memset(d1, 'x', sizeof(d1));
		memset(d2, 'x', sizeof(d2));
		EQ(libk_strncpy(d1, s, n) == d1, 1);
		strncpy(d2, s, n);
		CHECK(memcmp(d1, d2, sizeof(d1)) == 0, "strncpy %zu", n);

		size = rnd(20);
		memset(d1, 'x', sizeof(d1));
		memset(d2, 'x', sizeof(d2));
		EQ(libk_strlcpy(d1, s, size), ref_strlcpy(d2, s, size));
		CHECK(memcmp(d1, d2, sizeof(d1)) == 0, "strlcpy %zu", size);
		/* strlcat onto the copy, or onto unterminated bytes. */
		if (rnd(4) == 0)
			memset(d1, 'y', size), memset(d2, 'y', size);
		EQ(libk_strlcat(d1, t, size), ref_strlcat(d2, t, size));
		CHECK(memcmp(d1, d2, sizeof(d1)) == 0, "strlcat %zu", size);
	}
}

int
main(void)
{

	test_mem();
	test_str();
	printf("libk_selftest: %d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
