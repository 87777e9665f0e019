#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "helpers.h"

const char *loyal_test_shared_data(void)
{
	const char *dir = getenv("LOYAL_SHARED_DATA");
	struct stat st;

	if (!dir)
		dir = LOYAL_SHARED_DATA_DIR;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}
