/* dsn - enhanced status codes in text (see dsn.h).
 *
 * Model, observed on Postfix 3.7's error(8) and discard(8) (next-hop
 * texts such as "5.7.1 nope", "5.777.123 x", "5.7.1text", "  5.1.1 x"):
 * a code is a class digit 2, 4 or 5 and two dot-separated numbers of 1-3
 * digits, and must stand alone (end of text or white space after it);
 * white space before and after it is skipped, the rest is kept as it is,
 * trailing white space included. Anything else is all text. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dsn.h"

/* dsn_digits - the length of a run of 1-3 digits at text, 0 if none */
static size_t
dsn_digits(const char *text)
{
    size_t  n = 0;

    while (n < 4 && isdigit((unsigned char) text[n]))
        n++;
    return n >= 1 && n <= 3 ? n : 0;
}

/* dsn_valid - the length of a status code at the start of text */
size_t
dsn_valid(const char *text)
{
    size_t  len = 1;
    size_t  n;

    if (DSN_CLASS(text) == 0)
        return 0;
    for (int part = 0; part < 2; part++) {
        if (text[len] != '.' || (n = dsn_digits(text + len + 1)) == 0)
            return 0;
        len += 1 + n;
    }
    if (text[len] != 0 && !isspace((unsigned char) text[len]))
        return 0;
    return len;
}

/* dsn_skip_space - text after leading white space */
static const char *
dsn_skip_space(const char *text)
{
    while (isspace((unsigned char) *text))
        text++;
    return text;
}

/* dsn_split - the code (or def) into status, the text after it */
const char *
dsn_split(char status[DSN_STATUS_SIZE], const char *def, const char *text)
{
    size_t  len;

    text = dsn_skip_space(text);
    if ((len = dsn_valid(text)) == 0) {
        snprintf(status, DSN_STATUS_SIZE, "%s", def);
        return text;
    }
    memcpy(status, text, len);
    status[len] = 0;
    return dsn_skip_space(text + len);
}
