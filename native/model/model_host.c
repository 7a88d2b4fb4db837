/*
 * model_host.c: libkshim_model.so, the only file of the model that uses
 * the C library.
 *
 * It supplies the platform (malloc, clock_gettime), hands out handles,
 * and plays sys_ioctl(): the argument is copied in (or zeroed for
 * read-only commands), the device works on the copy, and the copy goes
 * back to the caller only when the command succeeded and has IOC_OUT.
 * So a failed request never changes the caller's struct, on the model as
 * on a kernel.  Unknown commands are refused before the argument is read.
 *
 * Handles are (generation << 32 | slot + 1), checked on every call: a
 * stale, closed or made-up handle gets EINVAL instead of a crash.  The
 * handle table is protected by a mutex, so tests may open and close
 * devices from many threads; one device is still used by one thread at a
 * time (kshim_model.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#pragma GCC visibility push(default)
#include "kshim_model.h"
#pragma GCC visibility pop

#include "model_dev.h"
#include "kshim_script.h"

/* The largest argument of any command, with room to spare. */
#define ARG_MAX_BYTES	512

struct handle_slot {
	struct kshim_model_dev	*dev;
	uint32_t		 gen;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle_slot *table;
static uint32_t table_len;
static uint32_t next_gen = 1;

static void *
host_alloc(void *ctx, size_t size)
{

	(void)ctx;
	return malloc(size);
}

static void
host_free(void *ctx, void *p, size_t size)
{

	(void)ctx;
	(void)size;
	free(p);
}

static uint64_t
host_nsec(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const struct model_platform host_platform = {
	.mp_alloc = host_alloc,
	.mp_free = host_free,
	.mp_nsec = host_nsec,
	.mp_ctx = NULL,
};

/* The device behind a handle, or NULL; table_lock held. */
static struct handle_slot *
slot_of(uint64_t handle)
{
	uint32_t idx = (uint32_t)handle, gen = (uint32_t)(handle >> 32);

	if (idx == 0 || idx > table_len)
		return NULL;
	if (table[idx - 1].dev == NULL || table[idx - 1].gen != gen)
		return NULL;
	return &table[idx - 1];
}

int32_t
kshim_model_open(const struct kshim_model_config *config, uint64_t *handle)
{
	struct kshim_model_dev *md;
	struct handle_slot *grown;
	uint32_t i;
	int error;

	if (handle == NULL)
		return UVMSHIM_EFAULT;
	error = kshim_model_dev_create(config, &host_platform,
	    UVMSHIM_TARGET_MODEL, &md);
	if (error != 0)
		return error;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < table_len; i++)
		if (table[i].dev == NULL)
			break;
	if (i == table_len) {
		grown = realloc(table, (table_len + 16) * sizeof(*table));
		if (grown == NULL) {
			pthread_mutex_unlock(&table_lock);
			kshim_model_dev_destroy(md);
			return UVMSHIM_ENOMEM;
		}
		memset(grown + table_len, 0, 16 * sizeof(*table));
		table = grown;
		table_len += 16;
	}
	table[i].dev = md;
	table[i].gen = next_gen++;
	if (next_gen == 0)
		next_gen = 1;
	*handle = ((uint64_t)table[i].gen << 32) | (i + 1);
	pthread_mutex_unlock(&table_lock);
	return 0;
}

int32_t
kshim_model_close(uint64_t handle)
{
	struct handle_slot *s;
	struct kshim_model_dev *md = NULL;

	pthread_mutex_lock(&table_lock);
	s = slot_of(handle);
	if (s != NULL) {
		md = s->dev;
		s->dev = NULL;
	}
	pthread_mutex_unlock(&table_lock);
	if (md == NULL)
		return UVMSHIM_EINVAL;
	kshim_model_dev_destroy(md);
	return 0;
}

int32_t
kshim_model_ioctl(uint64_t handle, uint32_t cmd, void *arg)
{
	uint64_t buf[ARG_MAX_BYTES / sizeof(uint64_t)];
	size_t len = (cmd >> UVMSHIM_IOCPARM_SHIFT) & UVMSHIM_IOCPARM_MASK;
	struct handle_slot *s;
	struct kshim_model_dev *md;
	int error;

	pthread_mutex_lock(&table_lock);
	s = slot_of(handle);
	md = s != NULL ? s->dev : NULL;
	pthread_mutex_unlock(&table_lock);
	if (md == NULL)
		return UVMSHIM_EINVAL;

	if (!kshim_core_known_cmd(cmd) || len > sizeof(buf))
		return UVMSHIM_ENOTTY;
	if (arg == NULL)
		return UVMSHIM_EFAULT;
	if (cmd & UVMSHIM_IOC_IN)
		memcpy(buf, arg, len);
	else
		memset(buf, 0, len);
	error = kshim_model_dev_ioctl(md, cmd, buf);
	if (error == 0 && (cmd & UVMSHIM_IOC_OUT))
		memcpy(arg, buf, len);
	return error;
}

int32_t
kshim_model_script(uint64_t seed, uint64_t map_pages, uint32_t max_pages,
    uint32_t page_size, struct uvmshim_op *ops, uint32_t nops)
{
	uint32_t i;

	if (ops == NULL || max_pages == 0 || page_size == 0)
		return UVMSHIM_EINVAL;
	for (i = 0; i < nops; i++)
		kshim_script_next(&seed, map_pages, max_pages, page_size, &ops[i]);
	return 0;
}
