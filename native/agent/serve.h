/*
 * serve.h: the request loop of the agent protocol.
 */
#ifndef KSHIM_AGENT_SERVE_H
#define KSHIM_AGENT_SERVE_H

#include "setup.h"

/* What READY and HELLO report. */
void	serve_init(const struct agent_versions *, int);

/* Send the unsolicited READY frame (request id 0) on the line. */
void	serve_ready(int);

/*
 * Serve requests on the line until read(2) fails; the
 * caller reopens it.  Returns the negative errno of the failure.
 */
int	serve_loop(int);

#endif /* KSHIM_AGENT_SERVE_H */
