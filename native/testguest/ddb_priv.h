/*
 * ddb_priv.h: shared between the ddb engine (ddb.c: input, pager,
 * command parsing) and its content (ddb_scene.c: the fake kernel state
 * each command prints).
 */
#ifndef TG_DDB_PRIV_H
#define TG_DDB_PRIV_H

#include <stdint.h>

#include "ddb.h"

/* Paged console output; silently drops output after 'q' at the pager. */
void db_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Scene content, printed through db_printf. */
void scene_print_entry(enum ddb_scene scene);	/* trap + "Stopped in" lines */
void scene_bt(enum ddb_scene scene, int have_addr, uint64_t lwp_addr);
void scene_ps(enum ddb_scene scene);
void scene_show_all_locks(enum ddb_scene scene);
void scene_show_map(int full, int have_addr, uint64_t addr);
void scene_show_registers(enum ddb_scene scene);
void scene_show_uvmexp(void);

/* The frame-pointer walk of DDB_SCENE_TRAP (trap.c keeps the frame). */
void trap_print_backtrace(void);
void trap_print_registers(void);
void trap_print_entry(void);

#endif /* TG_DDB_PRIV_H */
