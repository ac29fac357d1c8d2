/* smtpd_addr - the argument of MAIL and RCPT: "FROM:<address> PARAM..."
 * or "TO:<address> PARAM...".
 *
 * As Postfix with smtpd_strict_rfc821_envelopes = no: the keyword is
 * case-insensitive, white space may follow the colon, and the angle
 * brackets may be missing (the address then ends at white space). A
 * source route ("<@a,@b:user@c>") is dropped. Inside brackets, quoted
 * strings and backslash escapes may hold '>' and white space. Control
 * characters are never accepted. The address is returned in internal
 * form (quotes of the local part removed). */
#include <ctype.h>
#include <string.h>

#include "quote_822_local.h"
#include "smtpd.h"

/* smtpd_addr_end - the '>' that closes a bracketed address, or NULL */
static char *
smtpd_addr_end(char *cp)
{
    bool    quoted = false;

    for (; *cp != 0; cp++) {
        if (*cp == '\\' && cp[1] != 0)
            cp++;
        else if (*cp == '"')
            quoted = !quoted;
        else if (*cp == '>' && !quoted)
            return cp;
    }
    return NULL;
}

/* smtpd_addr_clean - whether the address holds no control characters */
static bool
smtpd_addr_clean(const char *addr)
{
    for (const unsigned char *cp = (const unsigned char *) addr; *cp; cp++)
        if (*cp < 0x20 || *cp == 0x7f)
            return false;
    return true;
}

/* smtpd_addr_route - drop a source route "@a,@b:" */
static char *
smtpd_addr_route(char *addr)
{
    char   *colon;

    if (*addr == '@' && (colon = strchr(addr, ':')) != NULL)
        return colon + 1;
    return addr;
}

/* smtpd_addr_parse - split args after keyword ("FROM:"); the internal
 * form of the address goes to addr, the ESMTP parameters to params; 0,
 * or -1 for bad syntax (the caller replies) */
int
smtpd_addr_parse(char *args, const char *keyword, BUF *addr,
                 ARGV *params)
{
    size_t  klen = strlen(keyword);
    char   *cp, *end, *rest;

    if (strncasecmp(args, keyword, klen) != 0)
        return -1;
    for (cp = args + klen; *cp == ' ' || *cp == '\t'; cp++)
         /* void */ ;
    if (*cp == '<') {
        if ((end = smtpd_addr_end(++cp)) == NULL)
            return -1;
        rest = end + 1;
        if (*rest != 0 && *rest != ' ' && *rest != '\t')
            return -1;
    } else {
        end = cp + strcspn(cp, " \t");
        rest = end;
        if (end == cp)
            return -1;
    }
    if (*rest != 0)
        rest++;
    *end = 0;
    cp = smtpd_addr_route(cp);
    if (!smtpd_addr_clean(cp) || !smtpd_addr_clean(rest))
        return -1;
    unquote_822_local(addr, cp);
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t"))
        argv_add(params, tok);
    return 0;
}

/* smtpd_addr_xtext_ok - whether text is valid RFC 3461 xtext of at most
 * max bytes */
bool
smtpd_addr_xtext_ok(const char *text, size_t max)
{
    const char *cp;

    if (strlen(text) > max)
        return false;
    for (cp = text; *cp; cp++) {
        if (*cp < '!' || *cp > '~' || *cp == '=')
            return false;
        if (*cp == '+') {
            if (!isxdigit((unsigned char) cp[1])
                || !isxdigit((unsigned char) cp[2]))
                return false;
            cp += 2;
        }
    }
    return true;
}
