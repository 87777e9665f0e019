/* sched_getaffinity() and CPU_COUNT() are GNU extensions. */
#define _GNU_SOURCE

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parallel.h"

/* Default threads: the cores this process may run on, at most this many
 * (more rarely pays: parsing is limited by memory bandwidth by then). */
#define DEFAULT_MAX_THREADS 8
#define MAX_THREADS 64
/* Smaller files are read on one thread: starting threads and merging
 * accumulators would cost more than they save. */
#define DEFAULT_PART_MIN ((size_t)4 * 1024 * 1024)

_Thread_local struct cli_msgs *cli_msg_sink;

int cli_msgs_append(struct cli_msgs *m, const char *line, size_t len)
{
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 1024;
		while (cap < m->len + len)
			cap *= 2;
		char *b = realloc(m->buf, cap);
		if (!b)
			return -1; /* cli_error() writes the message at once instead */
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, line, len);
	m->len += len;
	m->lines++;
	return 0;
}

void cli_msgs_flush(struct cli_msgs *m)
{
	if (m->len) {
		fflush(stdout);
		fwrite(m->buf, 1, m->len, stderr);
	}
	m->len = 0;
	m->lines = 0;
}

void cli_msgs_free(struct cli_msgs *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

static size_t default_threads(void)
{
	long n = 1;
#ifdef CPU_COUNT
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
#endif
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > DEFAULT_MAX_THREADS ? DEFAULT_MAX_THREADS : (size_t)n;
}

static int env_count(uint64_t *out, const char *name, const char *text, uint64_t max)
{
	int64_t v;

	if (loyal_parse_int64(&v, text, strlen(text)) < 0 || v < 1 || (uint64_t)v > max) {
		cli_error("%s needs a whole number from 1 to %llu, not '%s'", name,
			  (unsigned long long)max, text);
		return CLI_EXIT_USAGE;
	}
	*out = (uint64_t)v;
	return 0;
}

int cli_threads_finish(const struct cli_command_info *info, struct cli_common *c)
{
	const char *env = getenv("LOYAL_THREADS");
	uint64_t v;

	(void)info;
	c->nthreads = default_threads();
	if (c->threads) {
		if (cli_parse_count(&v, "--threads", c->threads, 1, MAX_THREADS))
			return CLI_EXIT_USAGE;
		c->nthreads = (size_t)v;
	} else if (env && *env) {
		if (env_count(&v, "LOYAL_THREADS", env, MAX_THREADS))
			return CLI_EXIT_USAGE;
		c->nthreads = (size_t)v;
	}
	c->part_min = DEFAULT_PART_MIN;
	if ((env = getenv("LOYAL_PART_MIN")) && *env) {
		if (env_count(&v, "LOYAL_PART_MIN", env, SIZE_MAX))
			return CLI_EXIT_USAGE;
		c->part_min = (size_t)v;
	}
	return CLI_CONTINUE;
}

int cli_split(struct cli_source *s, const struct cli_common *c, loyal_reader **parts,
	      size_t *nparts)
{
	int error;

	*nparts = 1;
	parts[0] = s->r;
	if (c->nthreads < 2)
		return 0;
	if ((error = loyal_reader_split(s->r, parts, c->nthreads, c->part_min, nparts)) < 0)
		return cli_lib_error(error);
	/* For tests (tests/cli_threads.sh): which files were cut, how far. */
	const char *log = getenv("LOYAL_SPLIT_LOG");
	FILE *fp;
	if (log && *log && (fp = fopen(log, "a"))) {
		fprintf(fp, "%zu %s\n", *nparts, loyal_reader_name(s->r));
		fclose(fp);
	}
	return 0;
}

struct run {
	void (*fn)(void *);
	void *arg;
};

static void *run_one(void *p)
{
	struct run *r = p;
	r->fn(r->arg);
	return NULL;
}

void cli_run_parts(size_t n, void (*fn)(void *), void **args)
{
	pthread_t tid[LOYAL_READER_MAX_PARTS];
	struct run runs[LOYAL_READER_MAX_PARTS];
	int started[LOYAL_READER_MAX_PARTS] = { 0 };

	for (size_t k = 1; k < n; k++) {
		runs[k] = (struct run){ fn, args[k] };
		started[k] = pthread_create(&tid[k], NULL, run_one, &runs[k]) == 0;
	}
	fn(args[0]);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			fn(args[k]);
	}
}
