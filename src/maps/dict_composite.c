/* dict_composite - open, watch and close the members of a composite table
 * (unionmap, pipemap); the types themselves only add the lookup method.
 *
 * Members are opened with dict_open(), so a member may be a composite
 * again; a depth limit keeps a hostile or mistaken name from recursing
 * without end. */
#include <stdlib.h>
#include <string.h>
#include "argv.h"
#include "mymalloc.h"
#include "dict_composite.h"

#define DICT_COMPOSITE_MAX_DEPTH 16     /* composites inside composites */

static int dict_composite_depth;        /* composites being opened now */

/* dict_composite_split - the member specs of name, or NULL with *why */
static ARGV *
dict_composite_split(const DICT_TYPE *type, const char *name, BUF *why)
{
    char   *text = mystrdup(name);
    char   *cp = text;
    char   *spec;
    const char *err;
    ARGV   *specs = argv_alloc(4);

    while ((spec = mystrtok_braced(&cp, LIST_DELIM, &err)) != NULL
           && strchr(spec, ':') != NULL)
        argv_add(specs, spec);
    free(text);
    if (spec != NULL || err != NULL || specs->argc == 0) {
        buf_sprintf(why, "bad syntax: \"%s:{%s}\"; need \"%s:{type:name...}\"",
                    type->name, name, type->name);
        argv_free(specs);
        return NULL;
    }
    return specs;
}

/* dict_composite_open_members - open every spec in order; -1 with *why
 * naming the member that failed (the ones before it stay open) */
static int
dict_composite_open_members(DICT_COMPOSITE *dc, const ARGV *specs,
                            int open_flags, int dict_flags, BUF *why)
{
    BUF    *member_why;
    DICT   *member;

    if (dict_composite_depth >= DICT_COMPOSITE_MAX_DEPTH) {
        buf_sprintf(why, "tables nested more than %d deep",
                    DICT_COMPOSITE_MAX_DEPTH);
        return -1;
    }
    member_why = buf_alloc(100);
    dict_composite_depth++;
    for (int i = 0; i < specs->argc; i++) {
        if ((member = dict_open(specs->argv[i], open_flags, dict_flags,
                                member_why)) == NULL) {
            buf_sprintf(why, "%s: %s", specs->argv[i], buf_str(member_why));
            break;
        }
        dc->members[dc->count++] = member;
    }
    dict_composite_depth--;
    buf_free(member_why);
    return dc->count == specs->argc ? 0 : -1;
}

/* dict_composite_match_flags - PATTERN if any member is a pattern table,
 * FIXED if all are fixed-string tables, else neither */
static int
dict_composite_match_flags(const DICT_COMPOSITE *dc)
{
    int     all_fixed = DICT_FLAG_FIXED;

    for (int i = 0; i < dc->count; i++) {
        if (dc->members[i]->flags & DICT_FLAG_PATTERN)
            return DICT_FLAG_PATTERN;
        if (!(dc->members[i]->flags & DICT_FLAG_FIXED))
            all_fixed = 0;
    }
    return all_fixed;
}

/* dict_composite_changed - any member changed since it was opened */
static int
dict_composite_changed(DICT *dict)
{
    DICT_COMPOSITE *dc = (DICT_COMPOSITE *) dict;

    for (int i = 0; i < dc->count; i++)
        if (dict_changed(dc->members[i]))
            return 1;
    return 0;
}

/* dict_composite_close - close the members, then the composite */
static void
dict_composite_close(DICT *dict)
{
    DICT_COMPOSITE *dc = (DICT_COMPOSITE *) dict;

    for (int i = 0; i < dc->count; i++)
        dict_close(dc->members[i]);
    free(dc->members);
    if (dc->result)
        buf_free(dc->result);
    dict_free(dict);
}

/* dict_composite_open - a composite with every member open */
DICT   *
dict_composite_open(const DICT_TYPE *type, const char *name, int open_flags,
                    int dict_flags, DICT_COMPOSITE_LOOKUP lookup, BUF *why)
{
    DICT_COMPOSITE *dc;
    ARGV   *specs;
    int     status;

    if ((specs = dict_composite_split(type, name, why)) == NULL)
        return NULL;
    dict_flags &= ~(DICT_FLAG_FIXED | DICT_FLAG_PATTERN);
    dc = (DICT_COMPOSITE *) dict_alloc(type, name, sizeof(*dc), open_flags,
                                       dict_flags);
    dc->members = mycalloc(specs->argc, sizeof(*dc->members));
    dc->dict.lookup = lookup;
    dc->dict.changed = dict_composite_changed;
    dc->dict.close = dict_composite_close;
    status = dict_composite_open_members(dc, specs, open_flags, dict_flags,
                                         why);
    argv_free(specs);
    if (status < 0) {
        dict_composite_close(&dc->dict);
        return NULL;
    }
    dc->dict.flags |= dict_composite_match_flags(dc);
    return &dc->dict;
}
