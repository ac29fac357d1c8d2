/* dict_regsub - parse result text with $n references once, expand it per
 * match.
 *
 * The parsed form is the literal text (with "$$" already turned into "$")
 * plus a list of parts: "copy the next len literal bytes" or "copy group n".
 * Expansion walks both lists and allocates nothing beyond the output
 * buffer's growth. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "dict_regsub.h"

/* Group numbers above this are out of range for any engine we use. */
#define DICT_REGSUB_GROUP_LIMIT 65535

typedef struct DICT_REGSUB_PART {
    size_t  len;                        /* literal bytes (group == 0) */
    int     group;                      /* group number, or 0 */
} DICT_REGSUB_PART;

struct DICT_REGSUB {
    BUF    *text;                       /* the literal pieces, in order */
    DICT_REGSUB_PART *parts;
    size_t  nparts;
    size_t  cap;
    size_t  lit_start;                  /* parse: literal not yet in a part */
    int     max;                        /* highest group referenced */
};

/* dict_regsub_part - append one part */
static void
dict_regsub_part(DICT_REGSUB *rs, size_t len, int group)
{
    if (rs->nparts == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 4;
        rs->parts = myreallocarray(rs->parts, rs->cap, sizeof(*rs->parts));
    }
    rs->parts[rs->nparts].len = len;
    rs->parts[rs->nparts].group = group;
    rs->nparts++;
}

/* dict_regsub_group - record a reference to group n after the literal
 * text seen so far */
static void
dict_regsub_group(DICT_REGSUB *rs, int n)
{
    if (buf_len(rs->text) > rs->lit_start)
        dict_regsub_part(rs, buf_len(rs->text) - rs->lit_start, 0);
    rs->lit_start = buf_len(rs->text);
    dict_regsub_part(rs, 0, n);
    if (n > rs->max)
        rs->max = n;
}

/* dict_regsub_name - find the reference name after "$"; returns where the
 * text continues, or NULL with *why */
static const char *
dict_regsub_name(const char *cp, const char **name, size_t *len, BUF *why)
{
    const char *end;
    int     close;

    if (*cp == '{' || *cp == '(') {
        close = *cp == '{' ? '}' : ')';
        if ((end = strchr(cp + 1, close)) == NULL) {
            buf_sprintf(why, "missing '%c' in replacement text \"$%s\"",
                        close, cp);
            return NULL;
        }
        *name = cp + 1;
        *len = end - *name;
        return end + 1;
    }
    for (end = cp; isalnum((unsigned char) *end) || *end == '_'; end++)
         /* void */ ;
    *name = cp;
    *len = end - cp;
    return end;
}

/* dict_regsub_number - the group number a reference name stands for, or
 * -1 with *why */
static int
dict_regsub_number(const char *name, size_t len, BUF *why)
{
    long    n = 0;
    size_t  i;

    if (len == 0) {
        buf_sprintf(why, "\"$\" without a group number"
                    " (write \"$$\" for a literal \"$\")");
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char) name[i])) {
            buf_sprintf(why, "non-numeric replacement index \"%.*s\"",
                        (int) len, name);
            return -1;
        }
        if (n <= DICT_REGSUB_GROUP_LIMIT)
            n = 10 * n + (name[i] - '0');
    }
    if (n == 0 || n > DICT_REGSUB_GROUP_LIMIT) {
        buf_sprintf(why, "out of range replacement index \"%.*s\"",
                    (int) len, name);
        return -1;
    }
    return (int) n;
}

/* dict_regsub_parse - split text into literal pieces and references */
DICT_REGSUB *
dict_regsub_parse(const char *text, BUF *why)
{
    DICT_REGSUB *rs = mymalloc(sizeof(*rs));
    const char *cp = text;
    const char *name;
    size_t  len;
    int     n;

    memset(rs, 0, sizeof(*rs));
    rs->text = buf_alloc(strlen(text) + 1);
    while (*cp) {
        if (*cp != '$') {
            len = strcspn(cp, "$");
            buf_append(rs->text, cp, len);
            cp += len;
        } else if (cp[1] == '$') {
            buf_addch(rs->text, '$');
            cp += 2;
        } else if ((cp = dict_regsub_name(cp + 1, &name, &len, why)) == NULL
                   || (n = dict_regsub_number(name, len, why)) < 0) {
            dict_regsub_free(rs);
            return NULL;
        } else {
            dict_regsub_group(rs, n);
        }
    }
    if (rs->nparts > 0 && buf_len(rs->text) > rs->lit_start)
        dict_regsub_part(rs, buf_len(rs->text) - rs->lit_start, 0);
    return rs;
}

/* dict_regsub_max - highest group referenced */
int
dict_regsub_max(const DICT_REGSUB *rs)
{
    return rs->max;
}

/* dict_regsub_literal - the whole result when nothing is substituted */
const char *
dict_regsub_literal(const DICT_REGSUB *rs)
{
    return rs->nparts == 0 ? buf_str(rs->text) : NULL;
}

/* dict_regsub_expand - literal pieces and matched groups, in order */
void
dict_regsub_expand(const DICT_REGSUB *rs, BUF *out,
                   DICT_REGSUB_GROUP_FN group, void *ctx)
{
    const char *lit = buf_str(rs->text);
    const char *text;
    size_t  len;
    size_t  i;

    if (rs->nparts == 0) {
        buf_strcpy(out, lit);
        return;
    }
    buf_reset(out);
    for (i = 0; i < rs->nparts; i++) {
        if (rs->parts[i].group == 0) {
            buf_append(out, lit, rs->parts[i].len);
            lit += rs->parts[i].len;
        } else if ((text = group(ctx, rs->parts[i].group, &len)) != NULL) {
            buf_append(out, text, len);
        }
    }
}

/* dict_regsub_free - release the parsed text */
void
dict_regsub_free(DICT_REGSUB *rs)
{
    buf_free(rs->text);
    free(rs->parts);
    free(rs);
}
