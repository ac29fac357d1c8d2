/* addr_map - look up one address in a table list and turn the result into
 * internal addresses (see addr_map.h for the rules, observed from Postfix
 * 3.7.11's cleanup).
 *
 * The lookup keeps its state in one ADDR_LOOKUP: the address split into
 * local part, extension and domain, and two buffers (the internal form
 * of a key and its quoted form). The name lists (classes, extension
 * propagation) share one parser. Peers: maps, maps_addr, quote_822_local,
 * hdr_rcpt, rewrite_addr. */
#include <string.h>
#include <strings.h>

#include "addr_map.h"
#include "hdr_rcpt.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"

/* One lookup in progress. */
typedef struct ADDR_LOOKUP {
    MAPS   *maps;
    const ADDR_MAP_SETTINGS *settings;
    const char *addr;                   /* internal form */
    const char *at;                     /* its last '@', or NULL */
    size_t  local_len;                  /* bytes before at */
    size_t  ext_pos;                    /* where the extension starts; 0 */
    size_t  matched_len;                /* local part bytes of the hit */
    BUF    *scratch;                    /* a key in internal form */
    BUF    *key;                        /* the same, quoted */
} ADDR_LOOKUP;

/* A name of a name list and its bit. */
typedef struct ADDR_MAP_NAME {
    const char *name;
    int     mask;
} ADDR_MAP_NAME;

static const ADDR_MAP_NAME addr_map_class_names[] = {
    {"envelope_sender", ADDR_CLASS_ENV_SENDER},
    {"envelope_recipient", ADDR_CLASS_ENV_RCPT},
    {"header_sender", ADDR_CLASS_HDR_SENDER},
    {"header_recipient", ADDR_CLASS_HDR_RCPT},
    {NULL, 0},
};

static const ADDR_MAP_NAME addr_map_ext_names[] = {
    {"canonical", ADDR_MAP_EXT_CANONICAL},
    {"virtual", ADDR_MAP_EXT_VIRTUAL},
    {"alias", ADDR_MAP_EXT_ALIAS},
    {"forward", ADDR_MAP_EXT_FORWARD},
    {"include", ADDR_MAP_EXT_INCLUDE},
    {"generic", ADDR_MAP_EXT_GENERIC},
    {NULL, 0},
};

/* find_full - the whole address, quoted, in every table */
static const char *
find_full(ADDR_LOOKUP *lk)
{
    quote_822_local(lk->key, lk->addr);
    lk->matched_len = lk->local_len;
    return maps_find(lk->maps, buf_str(lk->key), 0);
}

/* quote_local - key = the first len bytes of the local part, quoted */
static void
quote_local(ADDR_LOOKUP *lk, size_t len)
{
    buf_reset(lk->scratch);
    buf_append(lk->scratch, lk->addr, len);
    quote_822_local_flags(lk->key, buf_str(lk->scratch),
                          QUOTE_822_FLAG_BARE);
}

/* find_part - the first len bytes of the local part, quoted, with or
 * without "@domain", in the fixed-string tables only */
static const char *
find_part(ADDR_LOOKUP *lk, size_t len, bool with_domain)
{
    quote_local(lk, len);
    if (with_domain)
        buf_strcat(lk->key, lk->at);
    lk->matched_len = len;
    return maps_find(lk->maps, buf_str(lk->key), DICT_FLAG_FIXED);
}

/* find_domain - "@domain" in the fixed-string tables only */
static const char *
find_domain(ADDR_LOOKUP *lk)
{
    lk->matched_len = lk->local_len;
    return maps_find(lk->maps, lk->at, DICT_FLAG_FIXED);
}

/* is_local - the "user" forms apply: 1 yes, 0 no, -1 unknown */
static int
is_local(ADDR_LOOKUP *lk)
{
    const ADDR_MAP_SETTINGS *sp = lk->settings;
    const char *domain;

    if (lk->at == NULL)
        return 1;
    domain = lk->at + 1;
    if (sp->myorigin && strcasecmp(domain, sp->myorigin) == 0)
        return 1;
    return sp->is_local ? sp->is_local(sp->local_context, domain) : 0;
}

/* failed - stop the search: a table failed */
static bool
failed(const ADDR_LOOKUP *lk)
{
    return lk->maps->error != DICT_ERR_NONE;
}

/* find_value - the table value in Postfix's order, or NULL; -1 in
 * *local when the locality of the domain is unknown */
static const char *
find_value(ADDR_LOOKUP *lk, int *local)
{
    const char *value;

    *local = 0;
    if ((value = find_full(lk)) != NULL || failed(lk))
        return value;
    if (lk->ext_pos && lk->at
        && ((value = find_part(lk, lk->ext_pos, true)) != NULL
            || failed(lk)))
        return value;
    if ((*local = is_local(lk)) < 0)
        return NULL;
    if (*local) {
        if (lk->at && ((value = find_part(lk, lk->local_len, false)) != NULL
                       || failed(lk)))
            return value;
        if (lk->ext_pos && ((value = find_part(lk, lk->ext_pos, false))
                            != NULL || failed(lk)))
            return value;
    }
    return lk->at ? find_domain(lk) : NULL;
}

/* parse_value - the addresses of a table value; "<>" is the null
 * address, "@domain" gets the local part that matched */
static void
parse_value(ADDR_LOOKUP *lk, const char *value, ARGV *out)
{
    if (strcmp(value, "<>") == 0) {
        argv_add(out, "");
        return;
    }
    if (*value == '@') {
        quote_local(lk, lk->matched_len);
        buf_strcat(lk->key, value);
        value = buf_str(lk->key);
    }
    hdr_rcpt_parse(value, strlen(value), out);
}

/* with_extension - out = addr with ext put back before its last '@' */
static void
with_extension(BUF *out, const char *addr, const char *ext, size_t ext_len)
{
    const char *at = strrchr(addr, '@');
    size_t  pos = at ? (size_t) (at - addr) : strlen(addr);

    buf_reset(out);
    buf_append(out, addr, pos);
    buf_append(out, ext, ext_len);
    buf_strcat(out, addr + pos);
}

/* finish_results - rewrite each address, then propagate the extension */
static void
finish_results(ADDR_LOOKUP *lk, ARGV *results, bool propagate)
{
    const REWRITE_ADDR_SETTINGS *rewrite = lk->settings->rewrite;
    const char *ext = lk->addr + lk->matched_len;
    size_t  ext_len = propagate ? lk->local_len - lk->matched_len : 0;
    const char *addr;
    char   *copy;
    int     i;

    if (rewrite == NULL && ext_len == 0)
        return;
    for (i = 0; i < results->argc; i++) {
        addr = results->argv[i];
        if (rewrite) {
            rewrite_addr_internal(rewrite, REWRITE_ADDR_LOCAL, addr,
                                  lk->scratch);
            addr = buf_str(lk->scratch);
        }
        if (ext_len) {
            with_extension(lk->key, addr, ext, ext_len);
            addr = buf_str(lk->key);
        }
        copy = mystrdup(addr);
        myfree(results->argv[i]);
        results->argv[i] = copy;
    }
}

/* addr_map_lookup_init - split the address for the lookups */
static void
addr_map_lookup_init(ADDR_LOOKUP *lk, MAPS *maps,
                     const ADDR_MAP_SETTINGS *settings, const char *addr)
{
    lk->maps = maps;
    lk->settings = settings;
    lk->addr = addr;
    lk->at = strrchr(addr, '@');
    lk->local_len = lk->at ? (size_t) (lk->at - addr) : strlen(addr);
    lk->ext_pos = split_addr_ext(addr, lk->local_len,
                                 settings->recipient_delimiter);
    lk->matched_len = lk->local_len;
    lk->scratch = buf_alloc(100);
    lk->key = buf_alloc(100);
}

/* addr_map - look up addr, then the result addresses */
ARGV   *
addr_map(MAPS *maps, const ADDR_MAP_SETTINGS *settings, const char *addr,
         bool propagate, int *status)
{
    ADDR_LOOKUP lk;
    const char *value;
    ARGV   *results = NULL;
    int     local;

    addr_map_lookup_init(&lk, maps, settings, addr);
    value = find_value(&lk, &local);
    if (value == NULL) {
        *status = (failed(&lk) || local < 0) ?
            ADDR_MAP_RETRY : ADDR_MAP_NOTFOUND;
    } else {
        results = argv_alloc(2);
        parse_value(&lk, value, results);
        if (results->argc == 0) {
            msg_warn("%s lookup of %s returns non-address result \"%s\"",
                     maps->title, addr, value);
            argv_free(results);
            results = NULL;
            *status = ADDR_MAP_RETRY;
        } else {
            finish_results(&lk, results, propagate);
            *status = ADDR_MAP_FOUND;
        }
    }
    buf_free(lk.scratch);
    buf_free(lk.key);
    return results;
}

/* addr_map_open - the tables of a parameter, NULL when it names none */
MAPS   *
addr_map_open(const char *title, const char *value)
{
    if (value == NULL || value[strspn(value, LIST_DELIM)] == 0)
        return NULL;
    return maps_create(title, value, DICT_FLAG_DEFAULT);
}

/* name_mask - the bits of the names in value; -1 with *why */
static int
name_mask(const char *title, const ADDR_MAP_NAME *names, int allowed,
          const char *value, int *mask, BUF *why)
{
    char   *copy = mystrdup(value);
    char   *cp = copy;
    char   *word;
    const ADDR_MAP_NAME *np;
    int     ret = 0;

    *mask = 0;
    while (ret == 0 && (word = mystrtok(&cp, LIST_DELIM)) != NULL) {
        for (np = names; np->name; np++)
            if ((np->mask & allowed) && strcmp(np->name, word) == 0)
                break;
        if (np->name) {
            *mask |= np->mask;
        } else {
            buf_sprintf(why, "unknown %s value \"%s\" in \"%s\"",
                        title, word, value);
            ret = -1;
        }
    }
    myfree(copy);
    return ret;
}

/* addr_map_classes - parse an address class list */
int
addr_map_classes(const char *title, const char *value, int allowed,
                 int *classes, BUF *why)
{
    return name_mask(title, addr_map_class_names, allowed, value, classes,
                     why);
}

/* addr_map_propagate - parse propagate_unmatched_extensions */
int
addr_map_propagate(const char *value, int *mask, BUF *why)
{
    return name_mask("propagate_unmatched_extensions", addr_map_ext_names,
                     ~0, value, mask, why);
}
