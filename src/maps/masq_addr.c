/* masq_addr - address masquerading (see masq_addr.h for the rules,
 * observed from Postfix 3.7.11's cleanup).
 *
 * The domain list is kept lowercased in an ARGV, "!" prefixes included;
 * the exceptions are a match list of quoted local parts. Peers:
 * match_list, quote_822_local, addr_map (class names). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "addr_map.h"
#include "argv.h"
#include "masq_addr.h"
#include "match_list.h"
#include "mymalloc.h"
#include "quote_822_local.h"

struct MASQ_ADDR {
    ARGV   *domains;                    /* lowercased, "!" kept */
    MATCH_LIST *exceptions;             /* NULL: none */
    int     classes;
};

/* lowercase_words - the words of a list, lowercased */
static ARGV *
lowercase_words(const char *value)
{
    ARGV   *words = argv_split(value ? value : "", LIST_DELIM);
    char   *cp;
    int     i;

    for (i = 0; i < words->argc; i++)
        for (cp = words->argv[i]; *cp; cp++)
            *cp = (char) tolower((unsigned char) *cp);
    return words;
}

/* masq_addr_create - parse the classes, domains and exceptions */
MASQ_ADDR *
masq_addr_create(const MASQ_ADDR_SETTINGS *sp, BUF *why)
{
    MASQ_ADDR *masq = mycalloc(1, sizeof(*masq));
    const char *exceptions = sp->masquerade_exceptions;

    masq->domains = lowercase_words(sp->masquerade_domains);
    if (addr_map_classes("masquerade_classes", sp->masquerade_classes ?
                         sp->masquerade_classes : "", ADDR_CLASS_ALL,
                         &masq->classes, why) < 0)
        goto fail;
    if (exceptions && exceptions[strspn(exceptions, LIST_DELIM)] != 0
        && (masq->exceptions =
            match_list_create("masquerade_exceptions", MATCH_STRING,
                              exceptions, 0, why)) == NULL)
        goto fail;
    return masq;

  fail:
    masq_addr_free(masq);
    return NULL;
}

/* masq_addr_free - free the lists */
void
masq_addr_free(MASQ_ADDR *masq)
{
    argv_free(masq->domains);
    if (masq->exceptions)
        match_list_free(masq->exceptions);
    myfree(masq);
}

/* masq_excepted - the local part is an exception: 1 yes, 0 no, -1 unknown */
static int
masq_excepted(MASQ_ADDR *masq, const char *addr, size_t local_len,
              BUF *why)
{
    BUF    *local;
    BUF    *key;
    int     match;

    if (masq->exceptions == NULL)
        return 0;
    local = buf_alloc(local_len);
    key = buf_alloc(local_len + 2);
    buf_append(local, addr, local_len);
    quote_822_local_flags(key, buf_str(local), QUOTE_822_FLAG_BARE);
    match = match_list_match(masq->exceptions, buf_str(key), NULL, NULL);
    if (match < 0)
        buf_strcpy(why, "masquerade_exceptions map lookup problem");
    buf_free(local);
    buf_free(key);
    return match;
}

/* masq_domain - the list entry domain is masqueraded to, or NULL */
static const char *
masq_domain(MASQ_ADDR *masq, const char *domain)
{
    size_t  len = strlen(domain);
    const char *name;
    size_t  name_len;
    bool    negated;
    int     i;

    for (i = 0; i < masq->domains->argc; i++) {
        name = masq->domains->argv[i];
        if ((negated = (*name == '!')) != 0)
            name++;
        name_len = strlen(name);
        if (strcasecmp(domain, name) == 0)
            return NULL;
        if (len > name_len && domain[len - name_len - 1] == '.'
            && strcasecmp(domain + len - name_len, name) == 0)
            return negated ? NULL : name;
    }
    return NULL;
}

/* masq_addr - masquerade one address */
int
masq_addr(MASQ_ADDR *masq, int addr_class, const char *addr, BUF *result,
          BUF *why)
{
    const char *at = strrchr(addr, '@');
    const char *domain;
    int     excepted;

    buf_strcpy(result, addr);
    if ((masq->classes & addr_class) == 0 || masq->domains->argc == 0
        || at == NULL)
        return 0;
    if ((excepted = masq_excepted(masq, addr, at - addr, why)) != 0)
        return excepted < 0 ? -1 : 0;
    if ((domain = masq_domain(masq, at + 1)) == NULL)
        return 0;
    buf_truncate(result, at + 1 - addr);
    buf_strcat(result, domain);
    return 1;
}
