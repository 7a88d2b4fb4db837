/*
 * model_glue.c: without the model compiled in.  The device then answers
 * UVMSHIM_IOC_VERSION by itself and ENOTTY to everything else.
 */
#include "model_glue.h"

int
model_glue_present(void)
{
	return 0;
}

int32_t
model_glue_open(void)
{
	return 0;
}

void
model_glue_close(void)
{
}

int32_t
model_glue_ioctl(uint32_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	return 25;	/* ENOTTY */
}
