/* tls_proto - Postfix's syntax for TLS protocols and cipher grades.
 *
 * *_tls_protocols: "!SSLv2, !SSLv3" (exclusions), "TLSv1.2 TLSv1.3"
 * (only these), ">=TLSv1.2" / "<=TLSv1.3" (bounds, Postfix 3.6+), mixed
 * freely; separators are blanks, commas and colons. Unknown names are an
 * error except after '!' (Postfix ignores those). *_tls_ciphers is a
 * grade whose OpenSSL list is the tls_<grade>_cipherlist parameter. */
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "mail_params.h"
#include "tls.h"

static const struct {
    const char *name;
    int     mask;
} tls_proto_names[] = {
    {"SSLv2", TLS_PROTO_SSLv2},
    {"SSLv3", TLS_PROTO_SSLv3},
    {"TLSv1", TLS_PROTO_TLSv1},
    {"TLSv1.1", TLS_PROTO_TLSv1_1},
    {"TLSv1.2", TLS_PROTO_TLSv1_2},
    {"TLSv1.3", TLS_PROTO_TLSv1_3},
};

#define TLS_PROTO_COUNT (sizeof(tls_proto_names) / sizeof(tls_proto_names[0]))

/* tls_proto_code - the mask bit of a protocol name; 0: unknown */
static int
tls_proto_code(const char *name)
{
    for (size_t i = 0; i < TLS_PROTO_COUNT; i++)
        if (strcasecmp(name, tls_proto_names[i].name) == 0)
            return tls_proto_names[i].mask;
    return 0;
}

/* tls_proto_bound - the protocols outside ">=NAME" or "<=NAME" */
static int
tls_proto_bound(int code, bool lower)
{
    int     outside = 0;

    for (int bit = 1; bit <= TLS_PROTO_ALL; bit <<= 1)
        if (lower ? bit < code : bit > code)
            outside |= bit;
    return outside;
}

/* tls_protocol_mask - the excluded protocols of a *_tls_protocols value */
int
tls_protocol_mask(const char *spec, BUF *why)
{
    ARGV   *toks = argv_split(spec, " \t\r\n,:");
    int     exclude = 0;
    int     include = 0;
    int     code;

    for (int i = 0; i < toks->argc; i++) {
        const char *tok = toks->argv[i];
        bool    bound = (tok[0] == '>' || tok[0] == '<') && tok[1] == '=';
        const char *name = tok + (bound ? 2 : *tok == '!' ? 1 : 0);

        if ((code = tls_proto_code(name)) == 0 && *tok == '!')
            continue;
        if (code == 0) {
            buf_sprintf(why, "invalid TLS protocol name: \"%s\"", tok);
            argv_free(toks);
            return -1;
        }
        if (bound)
            exclude |= tls_proto_bound(code, *tok == '>');
        else if (*tok == '!')
            exclude |= code;
        else
            include |= code;
    }
    argv_free(toks);
    if (include)
        exclude |= TLS_PROTO_ALL & ~include;
    return exclude;
}

/* tls_grade_list - the cipher list parameter of a grade, or NULL */
static const char *
tls_grade_list(const char *grade)
{
    if (strcasecmp(grade, "high") == 0)
        return var_tls_high_cipherlist;
    if (strcasecmp(grade, "medium") == 0)
        return var_tls_medium_cipherlist;
    if (strcasecmp(grade, "low") == 0)
        return var_tls_low_cipherlist;
    if (strcasecmp(grade, "export") == 0)
        return var_tls_export_cipherlist;
    if (strcasecmp(grade, "null") == 0)
        return var_tls_null_cipherlist;
    return NULL;
}

/* tls_cipher_list - the OpenSSL cipher string of a grade and exclusions */
int
tls_cipher_list(const char *grade, const char *exclude, BUF *out, BUF *why)
{
    const char *list = tls_grade_list(grade);
    ARGV   *toks;

    if (list == NULL) {
        buf_sprintf(why, "invalid cipher grade: \"%s\"", grade);
        return -1;
    }
    buf_strcpy(out, list);
    toks = argv_split(exclude ? exclude : "", " \t\r\n,:");
    for (int i = 0; i < toks->argc; i++)
        buf_sprintf_append(out, ":!%s", toks->argv[i]);
    argv_free(toks);
    return 0;
}
