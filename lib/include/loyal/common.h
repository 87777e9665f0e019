#ifndef LOYAL_COMMON_H
#define LOYAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Marks a function as part of libloyal's public ABI. The library is built
 * with hidden visibility, so only functions declared with this are exported. */
#if defined(LOYAL_BUILDING) && defined(__GNUC__)
# define LOYAL_EXTERN(type) __attribute__((visibility("default"))) type
#else
# define LOYAL_EXTERN(type) extern type
#endif

#endif
