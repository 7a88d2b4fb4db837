/*
 * ddb.h: a fake of NetBSD's in-kernel debugger on the console UART, so
 * the harness's ddb capture (BREAK, prompt, commands, pager, continue)
 * can be tested without NetBSD.  What it prints is NetBSD-shaped and
 * consistent within a "scene" (what the guest pretends was happening),
 * but it is invented: never evidence about a real kernel.
 */
#ifndef TG_DDB_H
#define TG_DDB_H

#include <stdint.h>

enum ddb_scene {
	DDB_SCENE_IDLE,		/* BREAK while serving (or SILENT) */
	DDB_SCENE_HANG,		/* BREAK during FAULT HANG: a PR 24039-like deadlock */
	DDB_SCENE_BUSY,		/* BREAK during FAULT STALL: the agent runs a request */
	DDB_SCENE_PANIC,	/* after FAULT PANIC: diagnostic assertion */
	DDB_SCENE_LOCK,		/* after FAULT LOCK_AGAINST_MYSELF */
	DDB_SCENE_TRAP		/* after a real CPU exception in the guest */
};

struct trapframe;

/*
 * Enter ddb: print the trap/Stopped lines and serve commands.  Returns
 * after "c"/"continue" for the BREAK scenes (IDLE, HANG); for the others
 * "continue" goes on with the panic: "rebooting..." and a machine reset.
 */
void ddb_enter(enum ddb_scene scene);

/* The CPU exception that DDB_SCENE_TRAP describes (trap.c). */
void ddb_set_trapframe(const struct trapframe *tf, uint64_t cr2);

/* Lines per page for the --db_more-- pager; 0 disables it (sysctl ddb.lines). */
void ddb_set_lines(int lines);

/* Print the panic-time traceback for a scene (used by fault.c). */
void ddb_print_panic_trace(enum ddb_scene scene);

#endif /* TG_DDB_H */
