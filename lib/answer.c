#include "answer_p.h"
#include "errors_p.h"
#include "text_p.h"
#include "loyal/number.h"

int loyal__parse_whole(int64_t *out, const char *s, size_t len)
{
	s = loyal__trim_blanks(s, &len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '.')
			continue;
		/* digits before the point, and only zeros (at least one) after it */
		if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9' || i + 1 == len)
			return loyal__error(LOYAL_EVALUE, "not a whole number");
		for (size_t k = i + 1; k < len; k++)
			if (s[k] != '0')
				return loyal__error(LOYAL_EVALUE, "not a whole number");
		len = i;
		break;
	}
	return loyal_parse_int64(out, s, len);
}
