#ifndef LOYAL_CLI_MEM_H
#define LOYAL_CLI_MEM_H

#include <stddef.h>

/*
 * Ask the kernel for transparent huge pages for the whole 2 MB pages of
 * [p, p + len), before they are first written. Arrays of a million
 * customers otherwise cost one page fault per 4 KB, each a trap into the
 * kernel (dear on a virtual machine), and a TLB miss per random access.
 * A hint: nothing depends on it, and it does nothing where the system has
 * no such pages or for blocks under 2 MB.
 */
void cli_advise_huge(void *p, size_t len);

/* malloc(size) for a large array written soon after: from 2 MB on,
 * aligned to 2 MB (so that every page of it can be huge) and advised.
 * Freed with free(); NULL when out of memory. */
void *cli_huge_malloc(size_t size);

#endif
