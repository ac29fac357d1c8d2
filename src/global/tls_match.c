/* tls_match - peer certificate names against the names a client expects.
 *
 * Model: Postfix's match_servername() (tls_client.c) for
 * smtp_tls_verify_cert_match and smtp_tls_secure_cert_match. A pattern
 * ".domain" matches any name below domain; other patterns match a
 * certificate name exactly (case-insensitive), or a wildcard certificate
 * name "*.domain" when the pattern is one label below domain (or, with
 * tls_wildcard_matches_multiple_labels, any number of labels). */
#include <string.h>
#include <strings.h>

#include "tls.h"

/* tls_match_names - expand hostname, nexthop and dot-nexthop */
ARGV   *
tls_match_names(const char *patterns, const char *nexthop,
                const char *hostname)
{
    ARGV   *words = argv_split(patterns, " \t\r\n,:");
    ARGV   *out = argv_alloc(words->argc + 1);
    BUF    *dot = buf_alloc(64);

    for (int i = 0; i < words->argc; i++) {
        const char *w = words->argv[i];

        if (strcasecmp(w, "hostname") == 0) {
            if (hostname && *hostname)
                argv_add(out, hostname);
        } else if (strcasecmp(w, "nexthop") == 0) {
            if (nexthop && *nexthop)
                argv_add(out, nexthop);
        } else if (strcasecmp(w, "dot-nexthop") == 0) {
            if (nexthop && *nexthop) {
                buf_sprintf(dot, ".%s", nexthop);
                argv_add(out, buf_str(dot));
            }
        } else {
            argv_add(out, w);
        }
    }
    buf_free(dot);
    argv_free(words);
    return out;
}

/* tls_name_match - one certificate name against one expanded pattern */
bool
tls_name_match(const char *certname, const char *pattern, bool multi_label)
{
    size_t  idlen = strlen(certname);
    size_t  patlen = strlen(pattern);
    const char *parent;
    size_t  domlen;

    if (idlen == 0 || patlen == 0)
        return false;
    if (pattern[0] == '.' && pattern[1] != 0)
        return idlen > patlen
            && strcasecmp(certname + idlen - patlen, pattern) == 0;
    if (strcasecmp(certname, pattern) == 0)
        return true;
    if (certname[0] != '*' || certname[1] != '.' || certname[2] == 0
        || (parent = strchr(pattern, '.')) == NULL)
        return false;
    idlen -= 1;                         /* ".domain" */
    domlen = strlen(parent);
    if (idlen > domlen)
        return false;
    return strcasecmp(multi_label ? parent + domlen - idlen : parent,
                      certname + 1) == 0;
}

/* tls_cert_match - any certificate name against any pattern */
bool
tls_cert_match(TLS_SESS *sess, const ARGV *patterns, bool multi_label)
{
    for (int i = 0; i < sess->peer_names->argc; i++)
        for (int j = 0; j < patterns->argc; j++)
            if (tls_name_match(sess->peer_names->argv[i], patterns->argv[j],
                               multi_label)) {
                sess->peer_status |= TLS_CERT_MATCHED;
                return true;
            }
    return false;
}
