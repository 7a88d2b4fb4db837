/*
 * ddb.c: the fake debugger's engine: reading a command line from the
 * console, NetBSD-style parsing (command words, "/modifiers", a hex
 * address), the --db_more-- pager, and the command table.
 *
 * Pager: as in NetBSD's db_output.c, after ddb.lines lines (default 24;
 * 0 disables) it prints "--db_more--" and waits for a key: space shows
 * another page, 'q' drops the rest of the command's output, anything else
 * one more line.  The prompt restarts the count.
 */
#include <stdarg.h>

#include "console.h"
#include "ddb_priv.h"
#include "fmt.h"
#include "io.h"
#include "libk.h"
#include "power.h"
#include "uart.h"

#define LINE_MAX	120

static int db_lines = 24;	/* NetBSD's default ddb.lines */
static int db_output_line;
static int db_quit_output;

void
ddb_set_lines(int lines)
{
	db_lines = lines;
}

/* A console key, waiting for it.  NULs (a BREAK's byte) are skipped. */
static int
db_getc(void)
{
	int c;

	for (;;) {
		c = uart_getc_nowait(&uart_console);
		if (c > 0)
			return c;
		/* A BREAK inside ddb does nothing, as in NetBSD. */
		(void)uart_take_break(&uart_console);
		cpu_pause();
	}
}

static void
db_more(void)
{
	const char *erase = "\b\b\b\b\b\b\b\b\b\b\b           \b\b\b\b\b\b\b\b\b\b\b";

	kputs("--db_more--");
	switch (db_getc()) {
	case ' ':
		db_output_line = 0;
		break;
	case 'q':
	case 0x03:	/* ^C */
		db_output_line = 0;
		db_quit_output = 1;
		break;
	default:
		db_output_line--;
		break;
	}
	kputs(erase);
}

static void
db_sink(void *ctx, char c)
{
	(void)ctx;
	if (db_quit_output)
		return;
	kputc(c);
	if (c == '\n' && db_lines > 0 && ++db_output_line >= db_lines - 1)
		db_more();
}

void
db_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(db_sink, NULL, fmt, ap);
	va_end(ap);
}

/* Read one line with echo and backspace; CR or LF ends it. */
static void
db_readline(char *buf, size_t size)
{
	size_t n = 0;
	static int last_cr;

	for (;;) {
		int c = db_getc();

		if (c == '\n' && last_cr) {
			last_cr = 0;	/* the LF of a CR LF pair */
			continue;
		}
		last_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			kputc('\n');
			buf[n] = '\0';
			return;
		}
		if (c == 0x08 || c == 0x7f) {
			if (n > 0) {
				n--;
				kputs("\b \b");
			}
			continue;
		}
		if (c == 0x15) {	/* ^U: kill the line */
			while (n > 0) {
				n--;
				kputs("\b \b");
			}
			continue;
		}
		if (c < 0x20 || c > 0x7e || n + 1 >= size)
			continue;
		buf[n++] = (char)c;
		kputc((char)c);
	}
}

/* The command line, tokenised the way the commands below need it. */
struct cmdline {
	char words[3][24];	/* e.g. "show" "all" "locks" */
	int nwords;
	char modif[8];		/* after '/' */
	int have_addr;
	uint64_t addr;
	int bad;		/* a character ddb's lexer would reject */
	int trailing;		/* unparsed junk after the address */
};

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
parse(const char *s, struct cmdline *cl)
{
	memset(cl, 0, sizeof(*cl));
	for (;;) {
		size_t n = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '/')
			break;
		if (cl->nwords > 0 && *s >= '0' && *s <= '9')
			break;		/* an address follows the command */
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) {
			cl->bad = 1;
			return;
		}
		if (cl->nwords == 3)
			break;
		while (is_ident(*s)) {
			if (n + 1 < sizeof(cl->words[0]))
				cl->words[cl->nwords][n++] = *s;
			s++;
		}
		cl->nwords++;
	}
	if (*s == '/') {
		size_t n = 0;

		s++;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
			if (n + 1 < sizeof(cl->modif))
				cl->modif[n++] = *s;
			s++;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0') {
		/* ddb's default radix is 16; "0x" is accepted too. */
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			s += 2;
		if (hexval(*s) < 0) {
			cl->bad = 1;
			return;
		}
		while (hexval(*s) >= 0)
			cl->addr = cl->addr * 16 + (uint64_t)hexval(*s++);
		cl->have_addr = 1;
		while (*s == ' ' || *s == '\t')
			s++;
		cl->trailing = *s != '\0';
	}
}

static int
has_modif(const struct cmdline *cl, char m)
{
	for (const char *p = cl->modif; *p != '\0'; p++)
		if (*p == m)
			return 1;
	return 0;
}

static int
word_is(const struct cmdline *cl, int i, const char *w)
{
	return i < cl->nwords && strcmp(cl->words[i], w) == 0;
}

static void
help(void)
{
	db_printf("%-16s%-16s%-16s%-16s%-16s\n",
	    "bt", "c", "continue", "help", "ps");
	db_printf("%-16s%-16s%-16s\n", "reboot", "show", "trace");
}

static void
show_help(void)
{
	db_printf("%-16s%-16s%-16s%-16s\n",
	    "all", "map", "registers", "uvmexp");
}

/* Returns 1 when the command leaves ddb. */
static int
run(enum ddb_scene scene, const struct cmdline *cl)
{
	if (cl->bad) {
		db_printf("Bad character\n");
		return 0;
	}
	if (cl->nwords == 0)
		return 0;
	if (word_is(cl, 0, "c") || word_is(cl, 0, "cont") ||
	    word_is(cl, 0, "continue"))
		return 1;
	if (word_is(cl, 0, "bt") || word_is(cl, 0, "trace")) {
		scene_bt(scene, cl->have_addr && has_modif(cl, 'a'), cl->addr);
		return 0;
	}
	if (word_is(cl, 0, "ps")) {
		scene_ps(scene);
		return 0;
	}
	if (word_is(cl, 0, "help")) {
		help();
		return 0;
	}
	if (word_is(cl, 0, "reboot")) {
		kprintf("rebooting...\n");
		power_reset();
	}
	if (word_is(cl, 0, "show")) {
		if (cl->nwords == 1) {
			show_help();
		} else if (word_is(cl, 1, "all") && word_is(cl, 2, "locks")) {
			scene_show_all_locks(scene);
		} else if (word_is(cl, 1, "all") && cl->nwords == 2) {
			db_printf("%-16s\n", "locks");
		} else if (word_is(cl, 1, "map") && cl->nwords == 2) {
			scene_show_map(has_modif(cl, 'f'), cl->have_addr,
			    cl->addr);
		} else if ((word_is(cl, 1, "registers") ||
		    word_is(cl, 1, "reg")) && cl->nwords == 2) {
			scene_show_registers(scene);
		} else if (word_is(cl, 1, "uvmexp") && cl->nwords == 2) {
			scene_show_uvmexp();
		} else
			db_printf("No such command\n");
		return 0;
	}
	db_printf("No such command\n");
	return 0;
}

void
ddb_enter(enum ddb_scene scene)
{
	char line[LINE_MAX];
	struct cmdline cl;

	db_output_line = 0;
	db_quit_output = 0;
	scene_print_entry(scene);
	for (;;) {
		db_output_line = 0;
		db_quit_output = 0;
		kputs("db{0}> ");
		db_readline(line, sizeof(line));
		parse(line, &cl);
		if (!run(scene, &cl))
			continue;
		if (scene == DDB_SCENE_IDLE || scene == DDB_SCENE_HANG ||
		    scene == DDB_SCENE_BUSY)
			return;
		/* Continuing a panic finishes it, as vpanic() would. */
		kprintf("\ndump to dev 0,1 not possible\nrebooting...\n");
		power_reset();
	}
}
