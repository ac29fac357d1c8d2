/* argv - growable, NULL-terminated string arrays and string splitting. */
#include <ctype.h>
#include <string.h>

#include "argv.h"
#include "msg.h"
#include "mymalloc.h"

/* argv_alloc - create an empty array */
ARGV *
argv_alloc(int initial)
{
    ARGV   *ap = mymalloc(sizeof(*ap));

    ap->cap = initial > 0 ? initial : 4;
    ap->argv = myreallocarray(NULL, ap->cap + 1, sizeof(char *));
    ap->argc = 0;
    ap->argv[0] = NULL;
    return ap;
}

/* argv_free - destroy the array and its strings */
void
argv_free(ARGV *ap)
{
    if (ap == NULL)
        return;
    for (int i = 0; i < ap->argc; i++)
        myfree(ap->argv[i]);
    myfree(ap->argv);
    myfree(ap);
}

/* argv_grow - make room for one more element */
static void
argv_grow(ARGV *ap)
{
    if (ap->argc < ap->cap)
        return;
    ap->cap *= 2;
    ap->argv = myreallocarray(ap->argv, ap->cap + 1, sizeof(char *));
}

/* argv_add - append a copy of a string */
void
argv_add(ARGV *ap, const char *str)
{
    argv_insert(ap, ap->argc, str);
}

/* argv_addn - append a copy of len bytes */
void
argv_addn(ARGV *ap, const char *str, size_t len)
{
    argv_grow(ap);
    ap->argv[ap->argc++] = mystrndup(str, len);
    ap->argv[ap->argc] = NULL;
}

/* argv_insert - insert a copy of a string before position where */
void
argv_insert(ARGV *ap, int where, const char *str)
{
    if (where < 0 || where > ap->argc)
        msg_panic("argv_insert: bad position %d", where);
    argv_grow(ap);
    memmove(ap->argv + where + 1, ap->argv + where,
            (ap->argc - where + 1) * sizeof(char *));
    ap->argv[where] = mystrdup(str);
    ap->argc++;
}

/* argv_delete - remove count elements starting at first */
void
argv_delete(ARGV *ap, int first, int count)
{
    if (first < 0 || count < 0 || first + count > ap->argc)
        msg_panic("argv_delete: bad range %d+%d", first, count);
    for (int i = first; i < first + count; i++)
        myfree(ap->argv[i]);
    memmove(ap->argv + first, ap->argv + first + count,
            (ap->argc - first - count + 1) * sizeof(char *));
    ap->argc -= count;
}

/* argv_truncate - keep the first argc elements */
void
argv_truncate(ARGV *ap, int argc)
{
    if (argc < ap->argc)
        argv_delete(ap, argc, ap->argc - argc);
}

/* argv_copy - deep copy */
ARGV *
argv_copy(const ARGV *ap)
{
    ARGV   *copy = argv_alloc(ap->argc);

    for (int i = 0; i < ap->argc; i++)
        argv_add(copy, ap->argv[i]);
    return copy;
}

/* argv_split - split on delimiter bytes, dropping empty fields */
ARGV *
argv_split(const char *str, const char *delim)
{
    ARGV   *ap = argv_alloc(4);
    size_t  len;

    for (;;) {
        str += strspn(str, delim);
        if (*str == 0)
            break;
        len = strcspn(str, delim);
        argv_addn(ap, str, len);
        str += len;
    }
    return ap;
}

/* mystrtok - next token separated by delimiter bytes */
char *
mystrtok(char **bufp, const char *delim)
{
    char   *start = *bufp + strspn(*bufp, delim);
    char   *end;

    if (*start == 0) {
        *bufp = start;
        return NULL;
    }
    end = start + strcspn(start, delim);
    if (*end)
        *end++ = 0;
    *bufp = end;
    return start;
}

/* trim - strip white space at both ends, in place */
static char *
trim(char *start, char *end)
{
    while (start < end && isspace((unsigned char) *start))
        start++;
    while (end > start && isspace((unsigned char) end[-1]))
        end--;
    *end = 0;
    return start;
}

/* mystrtok_grouped - next token; "{ ... }" groups text with delimiters */
char *
mystrtok_grouped(char **bufp, const char *delim, const char **err)
{
    char   *start = *bufp + strspn(*bufp, delim);
    char   *cp;
    int     depth = 0;

    *err = NULL;
    if (*start != '{')
        return mystrtok(bufp, delim);
    for (cp = start; *cp; cp++) {
        if (*cp == '{')
            depth++;
        else if (*cp == '}' && --depth == 0)
            break;
    }
    if (*cp != '}') {
        *err = "missing '}'";
        *bufp = cp;
        return NULL;
    }
    *bufp = cp + 1;
    if (**bufp && strchr(delim, **bufp) == NULL) {
        *err = "text after '}'";
        return NULL;
    }
    if (**bufp)
        (*bufp)++;
    return trim(start + 1, cp);
}

/* mystrtok_braced - next token; delimiters inside "{ }" do not count */
char *
mystrtok_braced(char **bufp, const char *delim, const char **err)
{
    char   *start = *bufp + strspn(*bufp, delim);
    char   *cp;
    int     depth = 0;

    *err = NULL;
    if (*start == 0) {
        *bufp = start;
        return NULL;
    }
    for (cp = start; *cp; cp++) {
        if (*cp == '{')
            depth++;
        else if (*cp == '}' && --depth < 0)
            break;
        else if (depth == 0 && strchr(delim, *cp))
            break;
    }
    if (depth != 0) {
        *err = depth > 0 ? "missing '}'" : "extra '}'";
        *bufp = cp + strlen(cp);
        return NULL;
    }
    if (*cp)
        *cp++ = 0;
    *bufp = cp;
    return start;
}
