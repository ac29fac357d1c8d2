/* match_list - parse and search Postfix match lists (see match_list.h).
 *
 * A list is an array of patterns, each tagged with its type and with the
 * result it gives when it matches (1, or 0 when negated). /file patterns
 * are expanded in place at create time, so a search is one pass over the
 * array and never touches a file. Host name patterns compare suffixes in
 * place; address patterns are binary networks (cidr_match); each table is
 * a MAPS of its own, searched in Postfix's domain order by maps_addr.
 * Everything that can be wrong with a pattern is found at create time,
 * except table failures, which are answered per lookup. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "argv.h"
#include "cidr_match.h"
#include "mymalloc.h"
#include "msg.h"
#include "maps.h"
#include "maps_addr.h"
#include "match_list.h"

/* Pattern types. */
#define MATCH_PAT_STRING    1           /* whole string, any case */
#define MATCH_PAT_HOST      2           /* host or domain name */
#define MATCH_PAT_NET       3           /* address or network */
#define MATCH_PAT_TABLE     4           /* type:table */

/* Characters of address patterns: "192.0.2.0/24", "[2001:db8::]/32". */
#define MATCH_NET_CHARS     "0123456789abcdefABCDEF.:[]/"

typedef struct MATCH_PAT {
    int     type;                       /* MATCH_PAT_* */
    int     result;                     /* 1, or 0 when negated */
    char   *text;                       /* pattern, or "type:name" */
    CIDR_MATCH net;                     /* MATCH_PAT_NET */
    MAPS   *maps;                       /* MATCH_PAT_TABLE */
} MATCH_PAT;

struct MATCH_LIST {
    char   *title;                      /* parameter name */
    int     kind;                       /* MATCH_STRING ... */
    int     flags;                      /* MATCH_FLAG_* */
    int     has_hosts;                  /* any MATCH_PAT_HOST */
    MATCH_PAT *pats;
    int     count;
    int     cap;
};

/* Where the text being parsed comes from, for messages. */
typedef struct MATCH_SRC {
    const char *path;                   /* NULL: the parameter value */
    int     lineno;
    int     depth;                      /* files open around it */
} MATCH_SRC;

static int match_list_parse(MATCH_LIST *, const char *, int,
                            const MATCH_SRC *, BUF *);
static int match_list_fail(MATCH_LIST *, const MATCH_SRC *, BUF *,
                           const char *,...) MSG_PRINTF(4, 5);

/* match_list_where - "PATH:LINE: " for text from a file, else "" */
static const char *
match_list_where(const MATCH_SRC *src, BUF *buf)
{
    buf_reset(buf);
    if (src->path)
        buf_sprintf(buf, "%s:%d: ", src->path, src->lineno);
    return buf_str(buf);
}

/* match_list_fail - "title: [PATH:LINE: ]text" into *why; returns -1 */
static int
match_list_fail(MATCH_LIST *list, const MATCH_SRC *src, BUF *why,
                const char *fmt,...)
{
    BUF    *where = buf_alloc(100);
    va_list ap;

    buf_sprintf(why, "%s: %s", list->title, match_list_where(src, where));
    va_start(ap, fmt);
    buf_vsprintf_append(why, fmt, ap);
    va_end(ap);
    buf_free(where);
    return -1;
}

/* match_list_add - append a pattern of the given type */
static MATCH_PAT *
match_list_add(MATCH_LIST *list, int type, int result, const char *text)
{
    MATCH_PAT *pat;

    if (list->count == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 8;
        list->pats = myrealloc(list->pats, list->cap * sizeof(*pat));
    }
    pat = list->pats + list->count++;
    memset(pat, 0, sizeof(*pat));
    pat->type = type;
    pat->result = result;
    pat->text = mystrdup(text);
    if (type == MATCH_PAT_HOST)
        list->has_hosts = 1;
    return pat;
}

/* match_list_is_net - an address pattern, as opposed to a host name:
 * address characters only, and bracketed, with a '/', or an address */
static int
match_list_is_net(const char *item)
{
    unsigned char addr[CIDR_MATCH_ADDR_MAX];

    if (item[strspn(item, MATCH_NET_CHARS)] != 0)
        return 0;
    return *item == '[' || strchr(item, '/') != NULL
        || cidr_match_addr(item, addr) != 0;
}

/* match_list_net - add an address pattern; -1 with *why when it is bad */
static int
match_list_net(MATCH_LIST *list, const char *item, int result,
               const MATCH_SRC *src, BUF *why)
{
    CIDR_MATCH net;
    BUF    *err = buf_alloc(100);
    int     status = 0;

    if (cidr_match_parse(&net, item, err) < 0)
        status = match_list_fail(list, src, why, "%s", buf_str(err));
    else
        match_list_add(list, MATCH_PAT_NET, result, item)->net = net;
    buf_free(err);
    return status;
}

/* match_list_file - add the patterns of a file; -1 with *why */
static int
match_list_file(MATCH_LIST *list, const char *path, int result,
                const MATCH_SRC *src, BUF *why)
{
    MATCH_SRC inner = {.path = path, .depth = src->depth + 1};
    FILE   *fp;
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t len;
    int     status = 0;

    if (inner.depth > MATCH_LIST_MAX_DEPTH)
        return match_list_fail(list, src, why, "%s: /file/name patterns "
                               "nested more than %d deep", path,
                               MATCH_LIST_MAX_DEPTH);
    if ((fp = fopen(path, "re")) == NULL)
        return match_list_fail(list, src, why, "open %s: %s", path,
                               strerror(errno));
    while (status == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        inner.lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (line[0] != '#')
            status = match_list_parse(list, line, result, &inner, why);
    }
    if (status == 0 && ferror(fp))
        status = match_list_fail(list, src, why, "read %s: %s", path,
                                 strerror(errno));
    free(line);
    fclose(fp);
    return status;
}

/* match_list_item - add one pattern (its '!'s still in front) */
static int
match_list_item(MATCH_LIST *list, const char *token, int result,
                const MATCH_SRC *src, BUF *why)
{
    const char *item;

    for (item = token; *item == '!'; item++)
        result = !result;
    if (*item == 0)
        return match_list_fail(list, src, why, "no pattern after '!'");
    if (*item == '/')
        return match_list_file(list, item, result, src, why);
    if (*item != '[' && strchr(item, ':') != NULL) {
        match_list_add(list, MATCH_PAT_TABLE, result, item)->maps =
            maps_create(list->title, item, DICT_FLAG_DEFAULT);
        return 0;
    }
    switch (list->kind) {
    case MATCH_STRING:
        match_list_add(list, MATCH_PAT_STRING, result, item);
        return 0;
    case MATCH_NAMADR:
    case MATCH_ADDR:
        if (match_list_is_net(item))
            return match_list_net(list, item, result, src, why);
        /* FALLTHROUGH */
    default:
        match_list_add(list, MATCH_PAT_HOST, result, item);
        return 0;
    }
}

/* match_list_parse - add the patterns of one line of text, where a plain
 * pattern gives result (0 inside "!/file") */
static int
match_list_parse(MATCH_LIST *list, const char *text, int result,
                 const MATCH_SRC *src, BUF *why)
{
    char   *copy = mystrdup(text);
    char   *cp = copy;
    char   *token;
    const char *err = NULL;
    BUF    *where;
    int     status = 0;

    while (status == 0
           && (token = mystrtok_braced(&cp, LIST_DELIM, &err)) != NULL) {
        if (*token == '#') {
            where = buf_alloc(100);
            msg_warn("%s: %scomment at end of line is not supported: %s",
                     list->title, match_list_where(src, where),
                     text + (token - copy));
            buf_free(where);
            break;
        }
        status = match_list_item(list, token, result, src, why);
    }
    if (status == 0 && err != NULL)
        status = match_list_fail(list, src, why, "%s in \"%s\"", err, text);
    free(copy);
    return status;
}

/* match_list_create - parse a list */
MATCH_LIST *
match_list_create(const char *title, int kind, const char *patterns,
                  int flags, BUF *why)
{
    MATCH_LIST *list = mymalloc(sizeof(*list));
    MATCH_SRC src = {0};

    if (kind < MATCH_STRING || kind > MATCH_ADDR)
        msg_panic("match_list_create: %s: bad list kind %d", title, kind);
    memset(list, 0, sizeof(*list));
    list->title = mystrdup(title);
    list->kind = kind;
    list->flags = flags;
    if (match_list_parse(list, patterns, 1, &src, why) < 0) {
        match_list_free(list);
        return NULL;
    }
    return list;
}

/* match_list_host - name equals pattern, or is a subdomain of it */
static int
match_list_host(const char *name, const char *pattern, int parent)
{
    size_t  nlen = strlen(name);
    size_t  plen = strlen(pattern);
    const char *suffix;

    if (strcasecmp(name, pattern) == 0)
        return 1;
    if (nlen <= plen)
        return 0;
    suffix = name + nlen - plen;
    if (strcasecmp(suffix, pattern) != 0)
        return 0;
    return parent ? suffix[-1] == '.' : *pattern == '.';
}

/* match_list_table - look the name, then the address, up in one table;
 * 1 found, 0 not found, -1 with *why when the table failed */
static int
match_list_table(MATCH_LIST *list, MATCH_PAT *pat, const char *name,
                 const char *addr, BUF *why)
{
    const char *feature =
        (list->flags & MATCH_FLAG_PARENT_STYLE) ? list->title : "";

    if (name != NULL) {
        if ((list->kind == MATCH_STRING ?
             maps_find(pat->maps, name, 0)
             : maps_find_domain(pat->maps, name, feature)) != NULL)
            return 1;
        if (pat->maps->error != DICT_ERR_NONE)
            goto failed;
    }
    if (addr != NULL) {
        if (maps_find(pat->maps, addr, 0) != NULL)
            return 1;
        if (pat->maps->error != DICT_ERR_NONE)
            goto failed;
    }
    return 0;

  failed:
    msg_warn("%s: %s: table lookup problem", list->title, pat->text);
    if (why != NULL)
        buf_sprintf(why, "%s: %s: table lookup problem", list->title,
                    pat->text);
    return -1;
}

/* match_list_match - the result of the first pattern that matches */
int
match_list_match(MATCH_LIST *list, const char *name, const char *addr,
                 BUF *why)
{
    unsigned char bin[CIDR_MATCH_ADDR_MAX];
    MATCH_PAT *pat;
    int     len = 0;
    int     parent = 0;
    int     hit = 0;
    int     i;

    if (list->kind == MATCH_ADDR || (name != NULL && *name == 0))
        name = NULL;
    if (list->kind == MATCH_STRING || list->kind == MATCH_DOMAIN
        || (addr != NULL && *addr == 0))
        addr = NULL;
    if (addr != NULL)
        len = cidr_match_addr(addr, bin);
    if (name != NULL && list->has_hosts
        && (list->flags & MATCH_FLAG_PARENT_STYLE))
        parent = parent_domain_matches(list->title);
    for (i = 0; i < list->count; i++) {
        pat = list->pats + i;
        switch (pat->type) {
        case MATCH_PAT_STRING:
            hit = name != NULL && strcasecmp(name, pat->text) == 0;
            break;
        case MATCH_PAT_HOST:
            hit = name != NULL && match_list_host(name, pat->text, parent);
            break;
        case MATCH_PAT_NET:
            hit = len != 0 && cidr_match_execute(&pat->net, bin, len) == 1;
            break;
        case MATCH_PAT_TABLE:
            if ((hit = match_list_table(list, pat, name, addr, why)) < 0)
                return -1;
            break;
        }
        if (hit)
            return pat->result;
    }
    return 0;
}

/* match_list_free - close the tables and free the list */
void
match_list_free(MATCH_LIST *list)
{
    int     i;

    for (i = 0; i < list->count; i++) {
        if (list->pats[i].maps != NULL)
            maps_free(list->pats[i].maps);
        free(list->pats[i].text);
    }
    free(list->pats);
    free(list->title);
    free(list);
}
