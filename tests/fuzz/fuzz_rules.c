/*
 * libFuzzer target: the two rule languages users write by hand, member tier
 * rules (loyal_tier_rules_parse) and RFM segment tables
 * (loyal_rfm_segments_parse, CSV through loyal_reader). Either parses, and
 * then every name is valid UTF-8 without control characters and matching
 * gives a tier or segment in range, or fails with its documented status and
 * a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

static void check_name(const char *name)
{
	CHECK(name && *name);
	CHECK(loyal_utf8_valid(name, strlen(name)));
	for (const char *p = name; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	loyal_tier_rules *r = NULL;
	loyal_rfm_segments *seg = NULL;
	const loyal_error_info *e;
	int error;

	error = loyal_tier_rules_parse(&r, s, size, "rules");
	if (error == 0) {
		size_t n = loyal_tier_rules_count(r);
		CHECK(n >= 1);
		for (size_t k = 0; k < n; k++)
			check_name(loyal_tier_rules_name(r, k));
		static const int64_t spends[] = { INT64_MIN, -1, 0, 1, 999999999, INT64_MAX };
		static const uint64_t counts[] = { 0, 1, 12, UINT64_MAX };
		for (size_t i = 0; i < 6; i++)
			for (size_t j = 0; j < 4; j++) {
				int t = loyal_tier_rules_match(r, spends[i], counts[j]);
				CHECK(t == LOYAL_TIER_NONE || (t >= 0 && (size_t)t < n));
				CHECK(t != LOYAL_TIER_NONE || loyal_tier_rules_can_miss(r));
			}
		loyal_tier_rules_free(r);
	} else {
		CHECK(error == LOYAL_EINVAL || error == LOYAL_ENOMEM);
		CHECK(r == NULL && (e = loyal_error_last()) && e->code == error && *e->reason);
	}

	error = loyal_rfm_segments_parse(&seg, s, size, "segments");
	if (error == 0) {
		size_t n = loyal_rfm_segments_count(seg);
		CHECK(n >= 1);
		for (size_t k = 0; k <= n; k++)
			check_name(loyal_rfm_segments_name(seg, k));
		for (unsigned v = 1; v <= 5; v++) {
			size_t k = loyal_rfm_segments_match(seg, v, 6 - v, v);
			CHECK(k <= n);
		}
		uint64_t cells, all = 0;
		for (size_t k = 0; k <= n; k++) {
			CHECK(loyal_rfm_segments_cells(&cells, seg, 3, k) == 0);
			all += cells;
		}
		CHECK(all == 27);
		loyal_rfm_segments_free(seg);
	} else {
		CHECK(error == LOYAL_EINVAL || error == LOYAL_ECSV || error == LOYAL_ECOLUMN ||
		      error == LOYAL_EVALUE || error == LOYAL_ETOOBIG || error == LOYAL_ENOMEM);
		CHECK(seg == NULL && (e = loyal_error_last()) && e->code == error && *e->reason);
	}
	return 0;
}
