#ifndef LOYAL_MEM_P_H
#define LOYAL_MEM_P_H

#include <stddef.h>

/*
 * Large arrays (a hash table of a million customers, the purchase records
 * of ten million lines) are asked to be backed by huge pages where the
 * system allows it (Linux transparent huge pages in "madvise" mode): a
 * random access into them then rarely misses the TLB, and the memory is
 * faulted in 2 MB at a time instead of 4 KB. Only a hint; nothing depends
 * on it. Call after each (re)allocation of the array.
 */
void loyal__advise_huge(void *p, size_t len);

#endif
