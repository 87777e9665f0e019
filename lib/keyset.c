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
	return loyal__strmap_intern(&ks->map, key, len, id, added);
}

int loyal_keyset_find(const loyal_keyset *ks, const char *key, size_t len, uint32_t *id)
{
	return loyal__strmap_find(&ks->map, key, len, id);
}

const char *loyal_keyset_key(const loyal_keyset *ks, uint32_t id, size_t *len)
{
	return loyal__strmap_key(&ks->map, id, len);
}

size_t loyal_keyset_count(const loyal_keyset *ks)
{
	return ks->map.count;
}
