/* conv - parse the value forms of configuration parameters.
 *
 * Each returns 0, or -1 for text that is not a valid value of its kind
 * (an empty string, junk after the number, overflow). */
#ifndef CONV_H
#define CONV_H

#include <stdbool.h>

/* conv_long - decimal integer */
int     conv_long(const char *text, long *result);

/* conv_time - seconds; "30", "30s", "5m", "2h", "1d", "1w"; a bare number
 * is in def_unit ('s', 'm', 'h', 'd' or 'w') */
int     conv_time(const char *text, int def_unit, long *result);

/* conv_size - bytes; "1024", and as an extension "10k", "5m", "1g"
 * (powers of 1024) */
int     conv_size(const char *text, long *result);

/* conv_bool - "yes"/"no", also "true"/"false", "on"/"off", "1"/"0" */
int     conv_bool(const char *text, bool *result);

#endif
