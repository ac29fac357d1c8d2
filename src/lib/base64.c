/* base64 - RFC 4648 base64 encoding with strict decoding.
 *
 * Model: encode three bytes into four characters from a table; decode
 * with a 256-entry reverse table in which invalid characters are -1.
 * Decoding accepts only the canonical form, so every byte string has
 * exactly one accepted encoding. Peers: attr.c. */
#include <string.h>

#include "base64.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64_encode - append the encoding of data to out */
void
base64_encode(BUF *out, const void *data, size_t len)
{
    const unsigned char *in = data;
    char   *cp;
    size_t  i;

    buf_reserve(out, base64_encoded_len(len));
    cp = buf_str(out) + buf_len(out);
    for (i = 0; i + 2 < len; i += 3) {
        *cp++ = base64_alphabet[in[i] >> 2];
        *cp++ = base64_alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
        *cp++ = base64_alphabet[((in[i + 1] & 0x0f) << 2) | (in[i + 2] >> 6)];
        *cp++ = base64_alphabet[in[i + 2] & 0x3f];
    }
    if (i < len) {
        *cp++ = base64_alphabet[in[i] >> 2];
        if (i + 1 < len) {
            *cp++ = base64_alphabet[((in[i] & 0x03) << 4) | (in[i + 1] >> 4)];
            *cp++ = base64_alphabet[(in[i + 1] & 0x0f) << 2];
        } else {
            *cp++ = base64_alphabet[(in[i] & 0x03) << 4];
            *cp++ = '=';
        }
        *cp++ = '=';
    }
    out->len = cp - buf_str(out);
    *cp = 0;
}

/* base64_value - 6-bit value of a character, or -1 */
static int
base64_value(unsigned char ch)
{
    static signed char table[256];
    static int ready;

    if (!ready) {
        memset(table, -1, sizeof(table));
        for (int i = 0; i < 64; i++)
            table[(unsigned char) base64_alphabet[i]] = (signed char) i;
        ready = 1;
    }
    return table[ch];
}

/* base64_decode - append the decoding of text to out; 0 or -1 */
int
base64_decode(BUF *out, const char *text, size_t len)
{
    const unsigned char *in = (const unsigned char *) text;
    size_t  old_len = buf_len(out);
    size_t  pad = 0;
    char   *cp;
    int     v[4];

    if (len % 4 != 0)
        return -1;
    if (len > 0 && in[len - 1] == '=')
        pad = (in[len - 2] == '=') ? 2 : 1;
    buf_reserve(out, len / 4 * 3);
    cp = buf_str(out) + old_len;
    for (size_t i = 0; i < len; i += 4) {
        int     last = (i + 4 == len);

        for (int j = 0; j < 4; j++) {
            if (last && j >= 4 - (int) pad)
                v[j] = 0;
            else if ((v[j] = base64_value(in[i + j])) < 0)
                goto bad;
        }
        *cp++ = (char) ((v[0] << 2) | (v[1] >> 4));
        if (last && pad == 2) {
            if (v[1] & 0x0f)
                goto bad;               /* non-canonical unused bits */
            break;
        }
        *cp++ = (char) (((v[1] & 0x0f) << 4) | (v[2] >> 2));
        if (last && pad == 1) {
            if (v[2] & 0x03)
                goto bad;
            break;
        }
        *cp++ = (char) (((v[2] & 0x03) << 6) | v[3]);
    }
    out->len = cp - buf_str(out);
    *cp = 0;
    return 0;

bad:
    buf_truncate(out, old_len);
    out->data[old_len] = 0;
    return -1;
}
