#include <stdlib.h>

#include "errors_p.h"
#include "loyal/keyset.h"
#include "strmap_p.h"

struct loyal_keyset {
	loyal__strmap map;
};

int loyal_keyset_new(loyal_keyset **out)
{
	loyal_keyset *ks = malloc(sizeof(*ks));
	if (!ks)
		return loyal__error_oom();
	loyal__strmap_init(&ks->map);
	*out = ks;
	return 0;
}

void loyal_keyset_free(loyal_keyset *ks)
{
	if (!ks)
		return;
	loyal__strmap_dispose(&ks->map);
	free(ks);
}

int loyal_keyset_add(loyal_keyset *ks, const char *key, size_t len, uint32_t *id, int *added)
{
	if (!ks || !id || (!key && len))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_keyset_add");
	return loyal__strmap_intern(&ks->map, key ? key : "", len, id, added);
}

int loyal_keyset_find(const loyal_keyset *ks, const char *key, size_t len, uint32_t *id)
{
	if (!ks || !id || (!key && len))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_keyset_find");
	return loyal__strmap_find(&ks->map, key ? key : "", len, id);
}

const char *loyal_keyset_key(const loyal_keyset *ks, uint32_t id, size_t *len)
{
	if (!ks || id >= ks->map.count) {
		if (len)
			*len = 0;
		return NULL;
	}
	return loyal__strmap_key(&ks->map, id, len);
}

size_t loyal_keyset_count(const loyal_keyset *ks)
{
	return ks->map.count;
}

int loyal_keyset_merge(loyal_keyset *dst, const loyal_keyset *src, uint32_t *map)
{
	int error;

	if (!dst || !src || dst == src || (src->map.count && !map))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_keyset_merge");
	if ((error = loyal__strmap_reserve(&dst->map, dst->map.count + src->map.count)) < 0)
		return error;
	for (uint32_t i = 0; i < src->map.count; i++) {
		size_t len;
		const char *key = loyal__strmap_key(&src->map, i, &len);
		if ((error = loyal__strmap_intern(&dst->map, key, len, &map[i], NULL)) < 0)
			return error;
	}
	return 0;
}
