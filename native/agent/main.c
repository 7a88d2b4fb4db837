/*
 * main.c: the KernelShim guest agent, running as /sbin/init (pid 1).
 *
 * Order matters: the console first (so everything after can complain),
 * then a writable /dev and its nodes, ddb knobs, the module, and last the
 * agent line, which is retried forever.  pid 1 must never exit (the
 * kernel would panic with "init died"): every failure is printed on the
 * console and the agent carries on with what works.
 */
#include <sys/types.h>
#include <sys/errno.h>

#include "kshim_agent_version.h"
#include "module.h"
#include "serve.h"
#include "setup.h"
#include "syscalls.h"
#include "util.h"

#define LINE_RETRY_MS	3000

void	kshim_main(long *) __attribute__((__noreturn__));

static struct agent_versions versions;

void
kshim_main(long *sp)
{
	int fd, modload_error, pid, ready_sent = 0;

	(void)sp;
	setup_console_early();
	pid = ks_getpid();
	con_printf("%s starting as pid %d", KSHIM_AGENT_VERSION, pid);
	if (pid != 1)
		con_printf("warning: not init; mounts and nodes may fail");
	setup_devfs();
	setup_ddb();
	setup_resident();
	setup_versions(&versions);
	con_printf("kernel: %s (osrelease %s)", versions.version_line,
	    versions.osrelease);

	/* ENOENT here just means the root carries no uvmshim module yet. */
	modload_error = module_load(KSHIM_DEFAULT_KMOD);
	serve_init(&versions, modload_error);

	for (;;) {
		fd = setup_agent_line();
		if (fd < 0) {
			con_printf("agent line unavailable, retrying in %d s",
			    LINE_RETRY_MS / 1000);
			ks_sleep_ms(LINE_RETRY_MS);
			continue;
		}
		/*
		 * READY once per boot: a READY means "the agent (re)started"
		 * to the harness; reopening the line after an error is not
		 * a restart.
		 */
		if (!ready_sent) {
			serve_ready(fd);
			ready_sent = 1;
		}
		(void)serve_loop(fd);
		(void)ks_close(fd);
		ks_sleep_ms(LINE_RETRY_MS);
	}
}
