/* mremap(), madvise() and MADV_HUGEPAGE are not POSIX. */
#define _GNU_SOURCE

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem_p.h"

#if defined(__linux__)
#include <sys/mman.h>
#define HAVE_MREMAP 1
#endif

#define HUGE_PAGE ((uintptr_t)2 * 1024 * 1024)

void loyal__advise_huge(void *p, size_t len)
{
#if defined(HAVE_MREMAP) && defined(MADV_HUGEPAGE)
	uintptr_t a = (uintptr_t)p, start = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = (a + len) & ~(HUGE_PAGE - 1);

	if (p && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

void *loyal__huge_malloc(size_t size)
{
	void *p;

	if (size < HUGE_PAGE || size > SIZE_MAX - HUGE_PAGE)
		return malloc(size ? size : 1);
	/* aligned_alloc() wants a multiple of the alignment */
	if (!(p = aligned_alloc(HUGE_PAGE, (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1))))
		return NULL;
	loyal__advise_huge(p, size);
	return p;
}

#if defined(HAVE_MREMAP)

static int is_big(size_t size)
{
	return size >= LOYAL__BIG;
}

void *loyal__big_realloc(void *p, size_t old, size_t size)
{
	void *n;

	if (!is_big(size)) {
		/* small: the heap (zeroing what is new) */
		if (!(n = realloc(p, size ? size : 1)))
			return NULL;
		if (size > old)
			memset((char *)n + old, 0, size - old);
		return n;
	}
	if (p && is_big(old)) {
		n = mremap(p, old, size, MREMAP_MAYMOVE);
		if (n == MAP_FAILED)
			return NULL;
	} else {
		n = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (n == MAP_FAILED)
			return NULL;
		if (p) {
			memcpy(n, p, old < size ? old : size);
			free(p);
		}
	}
	/* the whole mapping, or madvise would split it in several, and
	 * mremap() moves only one */
#if defined(MADV_HUGEPAGE)
	(void)madvise(n, size, MADV_HUGEPAGE);
#endif
	return n;
}

void loyal__big_release(void *p, size_t size, size_t from, size_t to)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a, b;

	if (!p || !is_big(size) || page <= 0)
		return;
	a = ((uintptr_t)p + from + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	b = ((uintptr_t)p + to) & ~((uintptr_t)page - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

void loyal__big_free(void *p, size_t size)
{
	if (!p)
		return;
	if (is_big(size))
		munmap(p, size);
	else
		free(p);
}

#else

void *loyal__big_realloc(void *p, size_t old, size_t size)
{
	void *n = realloc(p, size ? size : 1);
	if (n && size > old)
		memset((char *)n + old, 0, size - old);
	return n;
}

void loyal__big_release(void *p, size_t size, size_t from, size_t to)
{
	(void)p;
	(void)size;
	(void)from;
	(void)to;
}

void loyal__big_free(void *p, size_t size)
{
	(void)size;
	free(p);
}

#endif
