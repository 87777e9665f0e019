/*
 * Text helpers shared by the reader and the command line: UTF-8 validity,
 * the normalised form of a header name, and the guess at the encoding of
 * text that is not UTF-8.
 */
#include <stdint.h>
#include <stddef.h>

#include "loyal/reader.h"
#include "transcode_p.h"

int loyal_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t loyal_normalize_name(char *buf, size_t size, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n = 0, total = 0;

	while (*p) {
		unsigned char c = *p;
		size_t seq = 1;
		if (c >= 0x80) {
			while ((p[seq] & 0xC0) == 0x80 && seq < 4)
				seq++;
			/* Fullwidth ASCII (U+FF01-U+FF5E, EF BC 81 - EF BD 9E), as
			 * Chinese input methods type it: the ASCII character. */
			if (seq == 3 && c == 0xEF && (p[1] == 0xBC || p[1] == 0xBD)) {
				unsigned cp = ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
				cp |= 0xF000;
				if (cp >= 0xFF01 && cp <= 0xFF5E) {
					c = (unsigned char)(cp - 0xFF01 + 0x21);
					p += seq;
					goto ascii;
				}
			}
			/* CJK punctuation and the ideographic space (U+3000-U+303F,
			 * E3 80 80 - E3 80 BF) are dropped as ASCII punctuation is;
			 * other characters (客户, Prénom) are kept as they are. */
			if (!(seq == 3 && c == 0xE3 && p[1] == 0x80)) {
				for (size_t k = 0; k < seq; k++) {
					if (size && n + 1 < size)
						buf[n++] = (char)p[k];
					total++;
				}
			}
			p += seq;
			continue;
		}
		p++;
ascii:
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			continue;
		if (size && n + 1 < size)
			buf[n++] = (char)c;
		total++;
	}
	if (size)
		buf[n] = '\0';
	return total;
}

/*
 * Whether every non-ASCII byte of s[0..len) is part of a two-byte character
 * in the GB2312 range (both bytes 0xA1-0xFE), where nearly all Chinese text
 * in GBK and GB18030 falls. GB18030's grammar alone accepts almost any
 * bytes (Latin-1 "w\xe9b" is a valid GB18030 string): this keeps the guess
 * for text that is plausibly Chinese.
 */
static int gb2312_pairs(const unsigned char *s, size_t len)
{
	size_t pairs = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		if (s[i] < 0xA1 || s[i] > 0xFE || i + 1 >= len || s[i + 1] < 0xA1 || s[i + 1] > 0xFE)
			return 0;
		i++;
		pairs++;
	}
	return pairs > 0;
}

const char *loyal_encoding_guess(const char *s, size_t len)
{
	if (loyal_utf8_valid(s, len))
		return "UTF-8";
	if (gb2312_pairs((const unsigned char *)s, len) &&
	    loyal__transcode_valid("GB18030", s, len))
		return "GB18030";
	if (loyal__transcode_valid("WINDOWS-1252", s, len))
		return "Windows-1252";
	return "Latin-1";
}
