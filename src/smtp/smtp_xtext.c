/* smtp_xtext - RFC 3461 xtext, for ENVID= and ORCPT= values.
 *
 * Printable US-ASCII stays as it is except '+' and '='; those, the
 * space, control characters and 8-bit bytes become "+XX" (upper-case
 * hex). Unit tested by test_smtp_xtext.c. */
#include "smtp.h"

/* smtp_xtext - append the xtext form of text to bp */
void
smtp_xtext(BUF *bp, const char *text)
{
    const unsigned char *cp;

    for (cp = (const unsigned char *) text; *cp; cp++) {
        if (*cp > ' ' && *cp < 127 && *cp != '+' && *cp != '=')
            buf_addch(bp, *cp);
        else
            buf_sprintf_append(bp, "+%02X", *cp);
    }
}
