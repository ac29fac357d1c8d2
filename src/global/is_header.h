/* is_header - whether text starts like a message header: a name of
 * printable ASCII without ':' (no white space inside it), optional
 * spaces or tabs, then ':' (RFC 5322, with the obsolete space before the
 * colon that Postfix allows). Used for PREPEND and REPLACE texts of
 * header_checks and of smtpd access maps. */
#ifndef IS_HEADER_H
#define IS_HEADER_H

#include <stdbool.h>

bool    is_header(const char *text);

#endif
