/* SPDX-License-Identifier: GPL-2.0 */
/* What every libFuzzer target here shares: its entry points and the invariant check. */
#ifndef VMM_TESTS_FUZZ_H
#define VMM_TESTS_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash, which libFuzzer saves and reports like a sanitizer's. */
#define check(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

/*
 * libFuzzer's -close_fd_mask closes stdout and stderr; the descriptors a target opens next
 * would take their numbers and collect whatever vmm prints. /dev/null fills them first.
 */
static inline void fuzz_std_fds_fill(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	check(fd > STDERR_FILENO);
	close(fd);
}

#endif
