/* quote_822_local - internal and external forms of an address.
 *
 * Postfix keeps addresses in an internal form: the local part without
 * RFC 822 quoting ("foo bar@example.com"). On the wire, in headers and
 * in trivial-rewrite requests they are in the external form, where a
 * local part that is not a dot-atom is quoted ("\"foo bar\"@example.com").
 *
 * The local part is what lies between an optional source route (a
 * leading "@...:", kept as it is) and the last '@' (or the end). It is
 * quoted when it is empty, starts or ends with '.', holds "..", a space,
 * a control character or one of ( ) < > @ , ; : \ " [ ]; 8-bit bytes
 * need no quoting. Inside the quotes, " and \ get a backslash. The
 * domain is never touched.
 *
 * unquote_822_local() takes the same local part and drops every '"' and
 * the backslash of each backslash pair (a backslash at the end of the
 * local part is dropped), so unquote_822_local(quote_822_local(x)) is x
 * for every string x.
 *
 * Observed from Postfix 3.7: trivial-rewrite answers with the quoted
 * form of its result, cleanup's records hold the unquoted form. Peers:
 * tok822 (the tokenizer), rewrite_addr (which quotes its results). */
#ifndef QUOTE_822_LOCAL_H
#define QUOTE_822_LOCAL_H

#include "buf.h"

#define QUOTE_822_FLAG_NONE     0
#define QUOTE_822_FLAG_APPEND   (1 << 0)  /* append to dst, keep its text */
#define QUOTE_822_FLAG_BARE     (1 << 1)  /* the whole string is a local part */

/* quote_822_local - dst = the external form of an internal address */
void    quote_822_local(BUF *dst, const char *addr);

/* quote_822_local_flags - the same, with QUOTE_822_FLAG_* */
void    quote_822_local_flags(BUF *dst, const char *addr, int flags);

/* unquote_822_local - dst = the internal form of an external address */
void    unquote_822_local(BUF *dst, const char *addr);

/* unquote_822_local_flags - the same, with QUOTE_822_FLAG_* */
void    unquote_822_local_flags(BUF *dst, const char *addr, int flags);

/* quote_822_is_dot_string - does text[0..len-1] need no quotes */
int     quote_822_is_dot_string(const char *text, size_t len);

#endif
