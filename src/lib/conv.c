/* conv - parse the value forms of configuration parameters.
 *
 * Pure functions over text: no allocation, no logging. Every parser takes
 * the whole string; white space, a sign where none is allowed, junk after
 * the number and overflow all make the value invalid. The caller (the
 * parameter loader, mail_params.c) turns -1 into a configuration error. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "conv.h"

/* conv_digits - unsigned decimal prefix of text; end points past it */
static int
conv_digits(const char *text, long *result, const char **end)
{
    long    val = 0;
    const char *cp;

    for (cp = text; isdigit((unsigned char) *cp); cp++) {
        int     digit = *cp - '0';

        if (val > (LONG_MAX - digit) / 10)
            return -1;
        val = val * 10 + digit;
    }
    if (cp == text)
        return -1;
    *result = val;
    *end = cp;
    return 0;
}

/* conv_scale - multiply with overflow check */
static int
conv_scale(long val, long factor, long *result)
{
    if (val > LONG_MAX / factor)
        return -1;
    *result = val * factor;
    return 0;
}

/* conv_long - decimal integer with optional sign */
int
conv_long(const char *text, long *result)
{
    char   *end;
    long    val;

    if (*text == 0 || isspace((unsigned char) *text))
        return -1;
    errno = 0;
    val = strtol(text, &end, 10);
    if (errno == ERANGE || *end != 0 || end == text)
        return -1;
    *result = val;
    return 0;
}

/* conv_time_unit - seconds per unit letter, or 0 */
static long
conv_time_unit(int unit)
{
    switch (unit) {
    case 's':
    case 'S':
        return 1;
    case 'm':
    case 'M':
        return 60;
    case 'h':
    case 'H':
        return 3600;
    case 'd':
    case 'D':
        return 86400;
    case 'w':
    case 'W':
        return 7 * 86400;
    default:
        return 0;
    }
}

/* conv_time - non-negative time with an optional unit letter */
int
conv_time(const char *text, int def_unit, long *result)
{
    const char *end;
    long    val;
    long    factor;

    if (conv_digits(text, &val, &end) < 0)
        return -1;
    if (*end == 0) {
        factor = conv_time_unit(def_unit);
    } else if (end[1] == 0) {
        factor = conv_time_unit(*end);
    } else {
        return -1;
    }
    if (factor == 0)
        return -1;
    return conv_scale(val, factor, result);
}

/* conv_size - non-negative byte count with an optional k, m or g */
int
conv_size(const char *text, long *result)
{
    const char *end;
    long    val;
    long    factor;

    if (conv_digits(text, &val, &end) < 0)
        return -1;
    switch (*end) {
    case 0:
        factor = 1;
        break;
    case 'k':
    case 'K':
        factor = 1024L;
        break;
    case 'm':
    case 'M':
        factor = 1024L * 1024;
        break;
    case 'g':
    case 'G':
        factor = 1024L * 1024 * 1024;
        break;
    default:
        return -1;
    }
    if (*end && end[1] != 0)
        return -1;
    return conv_scale(val, factor, result);
}

/* conv_bool - the usual spellings of yes and no, any case */
int
conv_bool(const char *text, bool *result)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *result = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *result = false;
            return 0;
        }
    }
    return -1;
}
