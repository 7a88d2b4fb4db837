/*
 * setup.h: what the agent does as init before it can serve requests.
 */
#ifndef KSHIM_AGENT_SETUP_H
#define KSHIM_AGENT_SETUP_H

#include <sys/types.h>

#define AGENT_LINE_PATH		"/dev/tty01"
#define AGENT_LINE_SPEED	115200

struct agent_versions {
	char osrelease[32];		/* kern.osrelease: "7.99.4" */
	char version_line[128];		/* first line of kern.version */
	char os_version[64];		/* "NetBSD 7.99.4 (KSHIM)" */
	uint64_t boot_id;
};

/* stdin/stdout/stderr on /dev/console, if the node exists already. */
void	setup_console_early(void);

/*
 * A writable /dev: tmpfs mounted over the root's /dev (the root stays
 * read-only), or, if that fails, the root remounted read-write.  Then the
 * device nodes the agent uses: console, tty00, tty01.  Reopens the
 * console from the new node when the early open failed.
 */
void	setup_devfs(void);

/* ddb.lines=0 and ddb.fromconsole=1. */
void	setup_ddb(void);
void	setup_resident(void);

/* kern.osrelease, kern.version and a boot id. */
void	setup_versions(struct agent_versions *);

/*
 * Open the agent line (com1) raw at 115200 with CLOCAL and a large input
 * queue.  Returns the fd, or -errno after printing why on the console.
 */
int	setup_agent_line(void);

#endif /* KSHIM_AGENT_SETUP_H */
