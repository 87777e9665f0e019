#ifndef LOYAL_MEM_P_H
#define LOYAL_MEM_P_H

#include <stddef.h>

/*
 * Large arrays that grow (a hash table of a million customers, the
 * purchase records of ten million lines). From LOYAL__BIG bytes on they
 * live in their own memory mappings, which grow with mremap(): the pages
 * move, nothing is copied (realloc() copies heap blocks, and glibc keeps
 * blocks below 32 MB on the heap once large blocks were freed). They are
 * asked to be backed by transparent huge pages (madvise), so that a random
 * access into them rarely misses the TLB and memory is faulted in 2 MB at
 * a time. Elsewhere than on Linux they are plain malloc blocks.
 *
 * The caller keeps the size of each array in bytes and passes it back.
 */
#define LOYAL__BIG ((size_t)1 << 20)

/* Grow (or allocate, p NULL and old 0) an array from `old` to `size`
 * bytes, keeping its contents; NULL when out of memory (p is then
 * unchanged). Bytes past `old` are zero. */
void *loyal__big_realloc(void *p, size_t old, size_t size);

/* Give back the memory of bytes [from, to) of an array of `size` bytes
 * that will not be read again (whole pages only; a hint). */
void loyal__big_release(void *p, size_t size, size_t from, size_t to);

/* Free an array of `size` bytes from loyal__big_realloc(). Accepts NULL. */
void loyal__big_free(void *p, size_t size);

/* Ask for huge pages for [p, p + len) (a hint; nothing depends on it). */
void loyal__advise_huge(void *p, size_t len);

/* malloc(size) for an array written soon after: from 2 MB on, aligned to
 * 2 MB and advised into huge pages, so that a million customers' array
 * costs a few page faults, not one per 4 KB. Freed with free() (and may
 * be passed to realloc()); NULL when out of memory. */
void *loyal__huge_malloc(size_t size);

#endif
