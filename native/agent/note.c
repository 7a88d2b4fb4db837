/*
 * note.c: the ELF note that makes the kernel accept the agent as a NetBSD
 * binary.  exec_elf.c (netbsd_elf_signature) walks the section headers
 * for SHT_NOTE sections; without a NetBSD tag note the binary is not
 * recognised as native and exec fails.  The desc is the __NetBSD_Version__
 * of the sys tree the agent is built against, as crt0 records it for
 * ordinary programs.  The compiler gives any section named ".note*" the
 * type SHT_NOTE.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/exec_elf.h>

struct netbsd_ident_note {
	uint32_t namesz;
	uint32_t descsz;
	uint32_t type;
	char name[8];			/* "NetBSD\0", padded to 4 bytes */
	int32_t desc;
};

__attribute__((__section__(".note.netbsd.ident"), __used__, __aligned__(4)))
static const struct netbsd_ident_note netbsd_ident = {
	ELF_NOTE_NETBSD_NAMESZ,
	ELF_NOTE_NETBSD_DESCSZ,
	ELF_NOTE_TYPE_NETBSD_TAG,
	ELF_NOTE_NETBSD_NAME,
	__NetBSD_Version__
};
