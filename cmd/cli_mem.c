/* madvise() and MADV_HUGEPAGE are not POSIX. */
#define _GNU_SOURCE

#include <stdint.h>
#include <stdlib.h>

#include "cli_mem.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 * 1024 * 1024)

void cli_advise_huge(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	uintptr_t a = (uintptr_t)p, start = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = (a + len) & ~(HUGE_PAGE - 1);

	if (p && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

void *cli_huge_malloc(size_t size)
{
	void *p;

	if (size < HUGE_PAGE || size > SIZE_MAX - HUGE_PAGE)
		return malloc(size ? size : 1);
	if (!(p = aligned_alloc(HUGE_PAGE, (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1))))
		return NULL;
	cli_advise_huge(p, size);
	return p;
}
