/* dict_rules - ordered rules with nested "if"/"endif" blocks for the
 * pattern tables.
 *
 * Rules live in one array of fixed-size records (the type's rule struct),
 * so a lookup walks contiguous memory. An "if" record stores the index of
 * the first rule after its "endif"; a false condition jumps there. While
 * the file is read, a stack holds the indexes of the blocks still open.
 * Inline rules are joined into text lines and read through fmemopen(), so
 * they pass through the same line reader as a file. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "argv.h"
#include "readlline.h"
#include "dict_rules.h"

struct DICT_RULES {
    char   *path;                       /* for messages */
    char   *mem;                        /* count records of size bytes */
    size_t  size;
    size_t  count;
    size_t  cap;
    size_t *open;                       /* indexes of open "if" rules */
    size_t  depth;
    size_t  open_cap;
};

#define DICT_RULES_AT(r, i)  ((DICT_RULE_HEAD *) ((r)->mem + (i) * (r)->size))

/* dict_rules_alloc - an empty list */
DICT_RULES *
dict_rules_alloc(const char *path, size_t rule_size)
{
    DICT_RULES *rules = mymalloc(sizeof(*rules));

    if (rule_size < sizeof(DICT_RULE_HEAD))
        msg_panic("dict_rules_alloc: rule size %zu too small", rule_size);
    memset(rules, 0, sizeof(*rules));
    rules->path = mystrdup(path);
    rules->size = rule_size;
    return rules;
}

/* dict_rules_push - remember an open "if" */
static void
dict_rules_push(DICT_RULES *rules, size_t index)
{
    if (rules->depth == rules->open_cap) {
        rules->open_cap = rules->open_cap ? 2 * rules->open_cap : 8;
        rules->open = myreallocarray(rules->open, rules->open_cap,
                                     sizeof(*rules->open));
    }
    rules->open[rules->depth++] = index;
}

/* dict_rules_add - append a copy of the rule */
void
dict_rules_add(DICT_RULES *rules, const void *rule)
{
    DICT_RULE_HEAD *head;

    if (rules->count == rules->cap) {
        rules->cap = rules->cap ? 2 * rules->cap : 16;
        rules->mem = myreallocarray(rules->mem, rules->cap, rules->size);
    }
    head = DICT_RULES_AT(rules, rules->count);
    memcpy(head, rule, rules->size);
    if (head->is_if) {
        head->skip = rules->count + 1;
        dict_rules_push(rules, rules->count);
    }
    rules->count++;
}

/* dict_rules_endif - the block ends before the next rule */
int
dict_rules_endif(DICT_RULES *rules, int lineno)
{
    if (rules->depth == 0) {
        msg_warn("%s:%d: ignoring ENDIF without matching IF",
                 rules->path, lineno);
        return -1;
    }
    DICT_RULES_AT(rules, rules->open[--rules->depth])->skip = rules->count;
    return 0;
}

/* dict_rules_finish - close what the file left open, innermost first */
void
dict_rules_finish(DICT_RULES *rules)
{
    DICT_RULE_HEAD *head;

    while (rules->depth > 0) {
        head = DICT_RULES_AT(rules, rules->open[--rules->depth]);
        msg_warn("%s:%d: IF has no matching ENDIF", rules->path, head->lineno);
        head->skip = rules->count;
    }
}

/* dict_rules_match - walk the rules in order */
const void *
dict_rules_match(const DICT_RULES *rules, DICT_RULES_MATCH_FN match,
                 void *ctx)
{
    const DICT_RULE_HEAD *head;
    size_t  i = 0;
    int     hit;

    while (i < rules->count) {
        head = DICT_RULES_AT(rules, i);
        hit = match(head, ctx);
        if (hit >= 0)
            hit ^= head->negate;
        if (head->is_if)
            i = hit > 0 ? i + 1 : head->skip;
        else if (hit > 0)
            return head;
        else
            i++;
    }
    return NULL;
}

/* dict_rules_count - how many rules */
size_t
dict_rules_count(const DICT_RULES *rules)
{
    return rules->count;
}

/* dict_rules_each - every rule in order to fn */
void
dict_rules_each(const DICT_RULES *rules, DICT_RULES_EACH_FN fn, void *ctx)
{
    size_t  i;

    for (i = 0; i < rules->count; i++)
        fn(DICT_RULES_AT(rules, i), ctx);
}

/* dict_rules_free - release the list (the type frees what rules point to) */
void
dict_rules_free(DICT_RULES *rules)
{
    free(rules->path);
    free(rules->mem);
    free(rules->open);
    free(rules);
}

/* dict_rules_read - every logical line of fp to line_fn; 0, or the errno
 * of a read error */
static int
dict_rules_read(DICT_RULES *rules, FILE *fp, DICT_RULES_LINE_FN line_fn,
                void *ctx)
{
    LINE_READER *reader = line_reader_open(fp, rules->path);
    BUF    *line = buf_alloc(256);
    BUF    *scratch = buf_alloc(64);
    int     lineno;
    int     err;

    while (readlline(reader, line, &lineno))
        line_fn(ctx, lineno, buf_str(line), scratch);
    err = line_reader_error(reader) ? errno : 0;
    line_reader_free(reader);
    buf_free(line);
    buf_free(scratch);
    return err;
}

/* dict_rules_inline - "{" starts inline rules */
int
dict_rules_inline(const char *name)
{
    return *name == '{';
}

/* dict_rules_inline_text - "{ rule }, { rule }" as text, one rule a line;
 * -1 with *why */
static int
dict_rules_inline_text(const char *type, const char *name, BUF *text,
                       BUF *why)
{
    char   *copy = mystrdup(name);
    char   *cp = copy;
    char   *rule;
    const char *err = NULL;

    while (err == NULL && *(cp += strspn(cp, LIST_DELIM)) != 0) {
        if (*cp != '{')
            err = "expected \"{ rule }\"";
        else if ((rule = mystrtok_grouped(&cp, LIST_DELIM, &err)) != NULL) {
            buf_strcat(text, rule);
            buf_addch(text, '\n');
        }
    }
    if (err != NULL)
        buf_sprintf(why, "%s:{%s}: %s at \"%s\"", type, name, err, cp);
    free(copy);
    return err ? -1 : 0;
}

/* dict_rules_open - a stream over the file or the inline text (which is
 * kept in *text); NULL with *why */
static FILE *
dict_rules_open(const char *type, const char *name, BUF **text, BUF *why)
{
    FILE   *fp;

    *text = NULL;
    if (!dict_rules_inline(name)) {
        if ((fp = fopen(name, "re")) == NULL)
            buf_sprintf(why, "open %s: %m", name);
        return fp;
    }
    *text = buf_alloc(strlen(name) + 1);
    if (dict_rules_inline_text(type, name, *text, why) < 0)
        return NULL;
    /* Never empty: each rule adds at least a newline. */
    if ((fp = fmemopen(buf_str(*text), buf_len(*text), "r")) == NULL)
        buf_sprintf(why, "open %s:{%s}: %m", type, name);
    return fp;
}

/* dict_rules_load - read the rules from the file or the inline text */
int
dict_rules_load(DICT_RULES *rules, const char *type, const char *name,
                int open_flags, DICT_RULES_LINE_FN line_fn, void *ctx,
                BUF *why)
{
    BUF    *text;
    FILE   *fp;
    int     err = -1;

    if ((open_flags & O_ACCMODE) != O_RDONLY) {
        buf_sprintf(why, "%s:%s map requires O_RDONLY access mode",
                    type, name);
        return -1;
    }
    if ((fp = dict_rules_open(type, name, &text, why)) != NULL) {
        err = dict_rules_read(rules, fp, line_fn, ctx);
        fclose(fp);
        if (err != 0) {
            errno = err;
            buf_sprintf(why, "read %s: %m", name);
        }
        dict_rules_finish(rules);
    }
    if (text)
        buf_free(text);
    return err ? -1 : 0;
}

/* dict_rules_word - the keyword word at cp, or 0 */
static int
dict_rules_word(const char *cp, const char *word)
{
    size_t  len = strlen(word);

    return strncasecmp(cp, word, len) == 0
        && !isalnum((unsigned char) cp[len]) ? (int) len : 0;
}

/* dict_rules_keyword - "if" or "endif" at the start of a line */
int
dict_rules_keyword(char **cp)
{
    int     len;
    int     kw;

    if ((len = dict_rules_word(*cp, "if")) != 0)
        kw = DICT_RULES_KW_IF;
    else if ((len = dict_rules_word(*cp, "endif")) != 0)
        kw = DICT_RULES_KW_ENDIF;
    else
        return DICT_RULES_KW_NONE;
    for (*cp += len; isspace((unsigned char) **cp); (*cp)++)
         /* void */ ;
    return kw;
}

/* dict_rules_negation - count the "!" marks */
int
dict_rules_negation(char **cp)
{
    int     negate = 0;

    while (**cp == '!') {
        negate = !negate;
        for ((*cp)++; isspace((unsigned char) **cp); (*cp)++)
             /* void */ ;
    }
    return negate;
}
