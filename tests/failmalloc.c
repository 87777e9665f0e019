/*
 * Allocation-failure injection (SQLite's "malloc failure" tests, done from
 * outside the program): an LD_PRELOAD object that replaces malloc, calloc,
 * realloc, free, strdup and strndup for the whole process (loyal, libloyal,
 * libcsv and the C library's own allocations), counts every allocation
 * call, and makes the N-th fail with ENOMEM.
 *
 *   LOYAL_FAILMALLOC=N           fail the N-th allocation (0 or unset: none)
 *   LOYAL_FAILMALLOC_PERSIST=1   fail every allocation from the N-th on, as
 *                                when memory has really run out (SQLite's
 *                                "persistent" malloc failures)
 *   LOYAL_FAILMALLOC_REPORT=FILE at exit, write "calls=C injected=I live=L"
 *                                to FILE: C allocation calls counted, I = 1
 *                                when the N-th call happened (and failed),
 *                                L blocks still allocated (leaks)
 *
 *   LOYAL_KILL_AT_FSYNC=SIG      raise signal SIG (a number) in fsync(): after
 *                                an output file was written in full, before
 *                                it is renamed into place, the worst moment
 *                                for a run to be killed
 *
 * Counting starts when this object is initialised, before main(). glibc
 * supports replacing malloc this way; the replacement hands the real work
 * to glibc's __libc_* functions, so malloc_usable_size() stays valid.
 * Used by tests/cli_failmalloc.sh; not built with sanitizers, which bring
 * their own allocator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

static unsigned long long fail_at, calls;
static int armed, injected, persist;

/* Live blocks: an open-addressing set of pointers (static, so tracking
 * never allocates). */
#define SLOTS (1u << 20)
#define TOMB ((uintptr_t)1)
static uintptr_t slots[SLOTS];
static size_t live;
static int overflow;

static size_t slot_of(uintptr_t p)
{
	return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull >> 44) & (SLOTS - 1);
}

static void track_add(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;

	if (!p || overflow)
		return;
	if (live >= SLOTS / 2) {
		overflow = 1;
		return;
	}
	for (size_t i = slot_of(p);; i = (i + 1) & (SLOTS - 1)) {
		if (slots[i] == 0 || slots[i] == TOMB) {
			slots[i] = p;
			live++;
			return;
		}
	}
}

static void track_del(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;

	if (!p)
		return;
	for (size_t i = slot_of(p); slots[i]; i = (i + 1) & (SLOTS - 1)) {
		if (slots[i] == p) {
			slots[i] = TOMB;
			live--;
			return;
		}
	}
}

static int should_fail(void)
{
	if (!armed)
		return 0;
	if (++calls == fail_at || (persist && fail_at && calls > fail_at)) {
		injected = 1;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

__attribute__((constructor)) static void failmalloc_init(void)
{
	const char *n = getenv("LOYAL_FAILMALLOC");

	const char *p = getenv("LOYAL_FAILMALLOC_PERSIST");

	fail_at = n ? strtoull(n, NULL, 10) : 0;
	persist = p && *p == '1';
	armed = 1;
}

__attribute__((destructor)) static void failmalloc_fini(void)
{
	const char *path = getenv("LOYAL_FAILMALLOC_REPORT");
	char line[128];
	int fd, len;

	armed = 0;
	if (!path)
		return;
	len = snprintf(line, sizeof(line), "calls=%llu injected=%d live=%s%zu\n", calls,
		       injected, overflow ? "?" : "", live);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
		if (write(fd, line, (size_t)len) != len)
			_exit(99);
		close(fd);
	}
}

void *malloc(size_t n)
{
	void *p;

	if (should_fail())
		return NULL;
	p = __libc_malloc(n);
	track_add(p);
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (should_fail())
		return NULL;
	p = __libc_calloc(n, size);
	track_add(p);
	return p;
}

/* libloyal's arrays of a million customers (loyal__huge_malloc) */
void *aligned_alloc(size_t align, size_t n)
{
	void *p;

	if (should_fail())
		return NULL;
	p = __libc_memalign(align, n);
	track_add(p);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q;

	if (should_fail())
		return NULL; /* p stays valid, as after a real failure */
	q = __libc_realloc(p, n);
	if (q) {
		track_del(p);
		track_add(q);
	} else if (p && n == 0) {
		track_del(p); /* glibc frees p */
	}
	return q;
}

void free(void *p)
{
	track_del(p);
	__libc_free(p);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int fsync(int fd)
{
	const char *sig = getenv("LOYAL_KILL_AT_FSYNC");

	if (sig && atoi(sig) > 0)
		raise(atoi(sig));
	return (int)syscall(SYS_fsync, fd);
}
