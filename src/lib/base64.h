/* base64 - RFC 4648 base64 encoding with strict decoding.
 *
 * Used for binary attribute values on the daemon protocols (attr.c). */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

#include "buf.h"

/* base64_encode - append the padded encoding of len bytes to out */
void    base64_encode(BUF *out, const void *data, size_t len);

/* base64_decode - append the decoded bytes of len characters to out;
 * 0, or -1 for anything but canonical padded base64 (a wrong length, a
 * character outside the alphabet, misplaced '=', non-zero unused bits;
 * white space is not allowed). On -1, out is left as it was. */
int     base64_decode(BUF *out, const char *text, size_t len);

/* base64_encoded_len - characters needed to encode len bytes */
#define base64_encoded_len(len) (((len) + 2) / 3 * 4)

#endif
