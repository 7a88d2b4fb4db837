/*
 * start.S: the process entry point.  The kernel starts the agent with the
 * stack pointer at argc (argv, envp and the aux vector follow); nothing of
 * that is needed, but the ABI wants a 16-byte aligned stack at a call and
 * a zero frame pointer to end backtraces.  kshim_main never returns: as
 * pid 1 an exit would panic the kernel ("init died"), so the fallback
 * below just waits forever.
 */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	kshim_main
1:	pause
	jmp	1b
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
