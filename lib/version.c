/* The running library's version (the headers give the build's). */
#include "loyal/version.h"

const char *loyal_version(int *major, int *minor, int *patch)
{
	if (major)
		*major = LOYAL_VERSION_MAJOR;
	if (minor)
		*minor = LOYAL_VERSION_MINOR;
	if (patch)
		*patch = LOYAL_VERSION_PATCH;
	return LOYAL_VERSION;
}

unsigned loyal_version_num(void)
{
	return LOYAL_VERSION_NUM;
}
