/* dict_inline - inline:{ key=value, { key = value with spaces }, ... }, a
 * small table written in the configuration itself.
 *
 * dict.c hands over the name without the outer braces. Entries are
 * separated by commas or white space; an entry in braces may hold both
 * around the key and in the value. A later entry for the same key replaces
 * an earlier one, as in Postfix. Errors read like Postfix's:
 * WHAT: "inline:{...}"; need "inline:{name=value...}". The entries go into
 * an in-memory table (dict_mem.c), which folds keys under FOLD_FIX.
 * Read-only. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "argv.h"
#include "mymalloc.h"
#include "dict_mem.h"
#include "dict_types.h"

/* dict_inline_need - finish the message in *why with the table syntax */
static int
dict_inline_need(BUF *why, const char *name)
{
    buf_sprintf_append(why, ": \"inline:{%s}\"; "
                       "need \"inline:{name=value...}\"", name);
    return -1;
}

/* dict_inline_trim - strip white space at both ends, in place */
static char *
dict_inline_trim(char *start)
{
    char   *end;

    while (isspace((unsigned char) *start))
        start++;
    end = start + strlen(start);
    while (end > start && isspace((unsigned char) end[-1]))
        end--;
    *end = 0;
    return start;
}

/* dict_inline_unbrace - the text inside "{...}" that starts token (the
 * braces balance), trimmed; NULL if text follows the closing brace */
static char *
dict_inline_unbrace(char *token)
{
    char   *cp;
    int     depth = 0;

    for (cp = token; *cp; cp++) {
        if (*cp == '{')
            depth++;
        else if (*cp == '}' && --depth == 0)
            break;
    }
    if (cp[0] != '}' || cp[1] != 0)
        return NULL;
    *cp = 0;
    return dict_inline_trim(token + 1);
}

/* dict_inline_entry - add one "key=value" or "{ key = value }" entry */
static int
dict_inline_entry(DICT *dict, char *token, BUF *why)
{
    char   *text = token;
    char   *eq;

    if (*token == '{') {
        if ((text = dict_inline_unbrace(token)) == NULL) {
            buf_sprintf(why, "syntax error after '}' in \"%s\"", token);
            return dict_inline_need(why, dict->name);
        }
        if (*text == 0) {
            buf_strcpy(why, "no key found; expected format: key = value");
            return dict_inline_need(why, dict->name);
        }
    }
    if ((eq = strchr(text, '=')) == NULL) {
        buf_strcpy(why, "missing '=' after attribute name");
        return dict_inline_need(why, dict->name);
    }
    *eq = 0;
    dict_mem_enter(dict, dict_inline_trim(text), dict_inline_trim(eq + 1),
                   NULL, 0);
    return 0;
}

/* dict_inline_parse - add every entry of the text; 0, or -1 with *why */
static int
dict_inline_parse(DICT *dict, char *text, BUF *why)
{
    char   *token;
    const char *err;
    int     count = 0;

    while ((token = mystrtok_braced(&text, LIST_DELIM, &err)) != NULL) {
        if (dict_inline_entry(dict, token, why) < 0)
            return -1;
        count++;
    }
    if (err != NULL) {
        buf_strcpy(why, "bad syntax");
        return dict_inline_need(why, dict->name);
    }
    if (count == 0) {
        buf_strcpy(why, "empty table");
        return dict_inline_need(why, dict->name);
    }
    return 0;
}

/* dict_inline_open - parse the entries into a new in-memory table */
static DICT *
dict_inline_open(const char *name, int open_flags, int dict_flags,
                 BUF *why)
{
    DICT   *dict;
    char   *text;
    int     status;

    if (dict_mem_need_rdonly(&dict_type_inline, name, open_flags, why) < 0)
        return NULL;
    dict = dict_mem_create(&dict_type_inline, name, open_flags,
                           (dict_flags & ~DICT_FLAG_DUP_MASK)
                           | DICT_FLAG_DUP_REPLACE);
    text = mystrdup(name);
    status = dict_inline_parse(dict, text, why);
    free(text);
    if (status < 0) {
        dict_close(dict);
        return NULL;
    }
    return dict;
}

const DICT_TYPE dict_type_inline = {
    .name = "inline",
    .open = dict_inline_open,
};
