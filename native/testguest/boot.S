/*
 * boot.S: multiboot (v1) entry, the switch to long mode, the exception
 * vectors and the 8259's sixteen IRQ vectors.
 *
 * QEMU's `-kernel` loads a multiboot image but refuses 64-bit ELF files;
 * with the "a.out kludge" (flag bit 16) it instead loads the file bytes at
 * the addresses this header names, whatever the ELF class.  So the image is
 * a 64-bit ELF (the core/model code is then compiled exactly as on the
 * host, LP64), whose first bytes of .text are 32-bit code that builds
 * identity page tables for the low 4 GiB, enables long mode and jumps to
 * 64-bit C.  The linker script keeps text, data and bss contiguous so the
 * file image equals the memory image.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 1) | (1 << 16))	/* memory info, a.out kludge */

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define SEL_CODE64	0x08
#define SEL_DATA	0x10

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header		/* header_addr */
	.long	__image_start		/* load_addr */
	.long	__load_end		/* load_end_addr */
	.long	__bss_end		/* bss_end_addr */
	.long	_start32		/* entry_addr */

	.section .text.boot, "ax"
	.code32
	.globl	_start32
_start32:
	cli
	cld
	/* Keep the multiboot magic and info pointer out of the way. */
	mov	%eax, %ebp
	mov	%ebx, %esi

	/*
	 * Zero the bss ourselves: QEMU does, but a loader that does not would
	 * leave garbage in the page tables and the stack.
	 */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	mov	%ebp, boot_mb_magic
	mov	%esi, boot_mb_info

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; each PD: 512 2 MiB pages. */
	mov	$boot_pdpt, %eax
	or	$0x3, %eax
	mov	%eax, boot_pml4

	mov	$boot_pd, %eax
	or	$0x3, %eax
	mov	$boot_pdpt, %edi
	mov	$4, %ecx
1:	mov	%eax, (%edi)
	add	$4096, %eax
	add	$8, %edi
	loop	1b

	mov	$boot_pd, %edi
	xor	%eax, %eax
	xor	%edx, %edx		/* high half of the physical address */
	mov	$2048, %ecx
2:	mov	%eax, %ebx
	or	$0x83, %ebx		/* present, writable, 2 MiB page */
	mov	%ebx, (%edi)
	mov	%edx, 4(%edi)
	add	$0x200000, %eax
	adc	$0, %edx
	add	$8, %edi
	loop	2b

	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$SEL_CODE64, $start64

	.code64
start64:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	mov	boot_mb_magic(%rip), %edi
	mov	boot_mb_info(%rip), %esi
	call	kmain
3:	cli
	hlt
	jmp	3b

/*
 * Exception vectors 0..31.  Each pushes a dummy error code where the CPU
 * does not, then its vector number, and joins trap_common, which saves the
 * general registers into a struct trapframe (trap.h) and calls trap().
 */
.macro VEC num, has_err
	.globl	vec\num
vec\num:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\num
	jmp	trap_common
.endm

	VEC 0, 0
	VEC 1, 0
	VEC 2, 0
	VEC 3, 0
	VEC 4, 0
	VEC 5, 0
	VEC 6, 0
	VEC 7, 0
	VEC 8, 1
	VEC 9, 0
	VEC 10, 1
	VEC 11, 1
	VEC 12, 1
	VEC 13, 1
	VEC 14, 1
	VEC 15, 0
	VEC 16, 0
	VEC 17, 1
	VEC 18, 0
	VEC 19, 0
	VEC 20, 0
	VEC 21, 1
	VEC 22, 0
	VEC 23, 0
	VEC 24, 0
	VEC 25, 0
	VEC 26, 0
	VEC 27, 0
	VEC 28, 0
	VEC 29, 1
	VEC 30, 1
	VEC 31, 0

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, %rdi
	and	$~0xf, %rsp		/* ABI stack alignment for C */
	call	trap			/* never returns */
4:	cli
	hlt
	jmp	4b

/*
 * IRQ vectors 32..47 (the 8259s, remapped by irq.c).  Interrupts are only
 * ever enabled around the idle loop's hlt, but the handler must still
 * return to whatever it interrupted untouched: save the registers the C
 * ABI lets irq_dispatch() clobber, align the stack, and iretq.
 */
.macro IRQ num
	.globl	irq\num
irq\num:
	pushq	$(32 + \num)
	jmp	irq_common
.endm

	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	IRQ \n
	.endr

irq_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbp
	mov	80(%rsp), %rdi		/* the vector pushed by the stub */
	mov	%rsp, %rbp
	and	$~0xf, %rsp		/* ABI stack alignment for C */
	call	irq_dispatch
	mov	%rbp, %rsp
	popq	%rbp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	add	$8, %rsp		/* the vector */
	iretq

	.section .rodata
	.balign 8
	.globl	trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	vec\n
	.endr
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.quad	irq\n
	.endr

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .bss
	.balign 4096
boot_pml4:
	.space	4096
boot_pdpt:
	.space	4096
boot_pd:
	.space	4 * 4096
	.balign 16
boot_stack:
	.space	256 * 1024
	.globl	boot_stack_top
boot_stack_top:
	.balign 8
	.globl	boot_mb_magic
boot_mb_magic:
	.long	0
	.globl	boot_mb_info
boot_mb_info:
	.long	0
