/*
 * kshim_check.h: the check macros of the C self tests (native/core/test,
 * native/model/test, native/proto/test).  Every check is counted and a
 * failure is reported with its file and line, and the test carries on, so
 * that one run shows every failure rather than the first.  Host-only: needs <stdio.h> and
 * <stdint.h>.
 */
#ifndef KSHIM_CHECK_H
#define KSHIM_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__,	\
		    #cond);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define EQ(a, b)	CHECK((uint64_t)(a) == (uint64_t)(b),		\
			    "%llu != %llu", (unsigned long long)(a),	\
			    (unsigned long long)(b))

#endif /* KSHIM_CHECK_H */
