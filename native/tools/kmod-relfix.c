/*
 * kmod-relfix: make an x86_64 relocatable object loadable by NetBSD
 * kernels whose module loader predates R_X86_64_PLT32.
 *
 * Since binutils 2.31 and LLVM 7, `call foo` to a symbol outside the
 * object is emitted as R_X86_64_PLT32 even without -fpic.  NetBSD's
 * kobj_reloc() for amd64 learned that type only in 2018; older kernels
 * refuse the module ("kobj_reloc: unexpected relocation type 4").  In a
 * kernel module there is no PLT: the loader resolves every call directly,
 * so L (the PLT slot) is S (the symbol) and PLT32's L + A - P is exactly
 * PC32's S + A - P.  Rewriting the type in r_info is therefore exact.
 *
 * Usage: kmod-relfix [-c] [-q] [-o out] object
 *   default  rewrite PLT32 to PC32 in place (or into -o out)
 *   -c       check only: exit 1 if a PLT32 remains
 *   -q       quiet
 * Either way the object is scanned for relocation types kobj_reloc() on
 * amd64 does not know at all (anything but NONE, 64, PC32, 32, 32S,
 * GLOB_DAT, JUMP_SLOT, RELATIVE, and PLT32 before rewriting): they are
 * reported and the exit status is 1, because the module would not load.
 *
 * Host tool: plain C99 and stdio, no <elf.h>, so it builds anywhere.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EI_NIDENT	16
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_REL		1
#define EM_X86_64	62
#define SHT_RELA	4
#define SHT_REL		9

#define R_NONE		0
#define R_64		1
#define R_PC32		2
#define R_GOT32		3
#define R_PLT32		4
#define R_GLOB_DAT	6
#define R_JUMP_SLOT	7
#define R_RELATIVE	8
#define R_32		10
#define R_32S		11

static int quiet;

static uint16_t
get16(const unsigned char *p)
{

	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{

	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(unsigned char *p, uint32_t v)
{

	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static int
known_type(uint32_t t)
{

	switch (t) {
	case R_NONE: case R_64: case R_PC32: case R_PLT32: case R_GLOB_DAT:
	case R_JUMP_SLOT: case R_RELATIVE: case R_32: case R_32S:
		return 1;
	default:
		return 0;
	}
}

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				fclose(f);
				return NULL;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*lenp = len;
	return buf;
}

static int
spill(const char *path, const unsigned char *buf, size_t len)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.relfix%ld", path,
	    (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "wb");
	if (f == NULL)
		return -1;
	if (fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Walk the relocation sections; rewrite (fix) or count PLT32. */
static int
scan(const char *name, unsigned char *buf, size_t len, int fix,
    unsigned long *nplt, unsigned long *nbad)
{
	uint64_t shoff, off, size, entsize, i, j;
	uint32_t type, sht;
	uint16_t shentsize, shnum;
	unsigned char *sh, *r;

	if (len < 64 || memcmp(buf, "\177ELF", 4) != 0 ||
	    buf[4] != ELFCLASS64 || buf[5] != ELFDATA2LSB) {
		fprintf(stderr, "kmod-relfix: %s: not a little-endian ELF64 "
		    "file\n", name);
		return -1;
	}
	if (get16(buf + 16) != ET_REL || get16(buf + 18) != EM_X86_64) {
		fprintf(stderr, "kmod-relfix: %s: not an x86_64 relocatable "
		    "object\n", name);
		return -1;
	}
	shoff = get64(buf + 40);
	shentsize = get16(buf + 58);
	shnum = get16(buf + 60);
	if (shentsize < 64 || shoff > len ||
	    (uint64_t)shnum * shentsize > len - shoff) {
		fprintf(stderr, "kmod-relfix: %s: bad section headers\n", name);
		return -1;
	}
	for (i = 0; i < shnum; i++) {
		sh = buf + shoff + i * shentsize;
		sht = get32(sh + 4);
		if (sht != SHT_RELA && sht != SHT_REL)
			continue;
		off = get64(sh + 24);
		size = get64(sh + 32);
		entsize = get64(sh + 56);
		if (entsize == 0)
			entsize = sht == SHT_RELA ? 24 : 16;
		if (entsize < 16 || off > len || size > len - off) {
			fprintf(stderr, "kmod-relfix: %s: bad relocation "
			    "section %llu\n", name, (unsigned long long)i);
			return -1;
		}
		for (j = 0; j + entsize <= size; j += entsize) {
			r = buf + off + j;
			/* r_info: symbol in the high word, type in the low. */
			type = get32(r + 8);
			if (type == R_PLT32) {
				(*nplt)++;
				if (fix)
					put32(r + 8, R_PC32);
			} else if (!known_type(type)) {
				(*nbad)++;
				fprintf(stderr, "kmod-relfix: %s: relocation "
				    "type %u at section %llu offset 0x%llx is "
				    "not supported by kobj on amd64\n", name,
				    type, (unsigned long long)i,
				    (unsigned long long)get64(r));
			}
		}
	}
	return 0;
}

static void
usage(void)
{

	fprintf(stderr, "usage: kmod-relfix [-c] [-q] [-o out] object\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *in, *out = NULL;
	unsigned long nplt = 0, nbad = 0;
	unsigned char *buf;
	size_t len;
	int ch, check = 0;

	while ((ch = getopt(argc, argv, "cqo:")) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	in = argv[optind];
	if (out == NULL)
		out = in;

	buf = slurp(in, &len);
	if (buf == NULL) {
		fprintf(stderr, "kmod-relfix: %s: %s\n", in, strerror(errno));
		return 1;
	}
	if (scan(in, buf, len, !check, &nplt, &nbad) != 0)
		return 1;
	if (check) {
		if (!quiet)
			printf("kmod-relfix: %s: %lu R_X86_64_PLT32, %lu "
			    "unsupported\n", in, nplt, nbad);
		return nplt != 0 || nbad != 0;
	}
	if (spill(out, buf, len) != 0) {
		fprintf(stderr, "kmod-relfix: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (!quiet)
		printf("kmod-relfix: %s: rewrote %lu R_X86_64_PLT32 to "
		    "R_X86_64_PC32\n", out, nplt);
	free(buf);
	return nbad != 0;
}
