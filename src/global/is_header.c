/* is_header - does text start with "name:" (see is_header.h).
 *
 * Model: Postfix 3.7's is_header(): "X-Seen: yes" and "X-Seen : yes" are
 * headers; "X Seen: yes", ": yes", "X-Seen" and names with control or
 * 8-bit bytes are not. */
#include <string.h>

#include "is_header.h"

/* is_header - a header name, optional blanks, a colon */
bool
is_header(const char *text)
{
    const unsigned char *cp = (const unsigned char *) text;

    while (*cp > ' ' && *cp < 0x7f && *cp != ':')
        cp++;
    if (cp == (const unsigned char *) text)
        return false;
    cp += strspn((const char *) cp, " \t");
    return *cp == ':';
}
