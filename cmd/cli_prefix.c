#include <stdio.h>
#include <string.h>

#include "cli_prefix.h"

void cli_opt_table_init(struct cli_opt_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void put(struct cli_opt_table *t, struct cli_opt o)
{
	if (t->n >= CLI_PREFIX_MAX_OPTS) {
		t->overflow = 1;
		return;
	}
	t->opts[t->n++] = o;
}

void cli_opt_table_add(struct cli_opt_table *t, const struct cli_opt *src)
{
	for (; src->kind != CLI_OPT_END_K; src++)
		put(t, *src);
}

void cli_opt_table_add_prefixed(struct cli_opt_table *t, const struct cli_opt *src,
				const char *prefix, const char *heading)
{
	if (t->nheadings < sizeof(t->headings) / sizeof(t->headings[0])) {
		char *h = t->headings[t->nheadings++];
		snprintf(h, sizeof(t->headings[0]), "%s", heading);
		put(t, (struct cli_opt)CLI_OPT_GROUP(h));
	} else {
		t->overflow = 1;
	}
	for (; src->kind != CLI_OPT_END_K; src++) {
		if (src->kind == CLI_OPT_GROUP_K)
			continue;
		if (t->n >= CLI_PREFIX_MAX_OPTS) {
			t->overflow = 1;
			return;
		}
		char *name = t->names[t->n];
		if ((size_t)snprintf(name, CLI_PREFIX_NAME_MAX, "%s%s", prefix, src->long_name) >=
		    CLI_PREFIX_NAME_MAX)
			t->overflow = 1;
		struct cli_opt o = *src;
		o.short_name = 0;
		o.long_name = name;
		put(t, o);
	}
}

const struct cli_opt *cli_opt_table_done(struct cli_opt_table *t)
{
	if (t->overflow) {
		cli_error("internal error: option table too large");
		return NULL;
	}
	t->opts[t->n] = (struct cli_opt)CLI_OPT_END;
	return t->opts;
}
