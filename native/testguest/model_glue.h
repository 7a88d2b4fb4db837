/*
 * model_glue.h: the seam between the device and the reference model
 * (native/model + native/core), so the rest of the guest compiles the same
 * with or without it.  Built with TG_WITH_MODEL=1 when the model sources
 * exist; otherwise model_glue_present() is false and the rest are stubs.
 */
#ifndef TG_MODEL_GLUE_H
#define TG_MODEL_GLUE_H

#include <stdint.h>

int model_glue_present(void);
int32_t model_glue_open(void);
void model_glue_close(void);
int32_t model_glue_ioctl(uint32_t cmd, void *arg);

#endif /* TG_MODEL_GLUE_H */
