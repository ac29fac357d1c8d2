/* mail_conf - main.cf: reading, overriding, expanding.
 *
 * One process-wide table maps a parameter name to its raw text and to
 * where it came from (file and line, or nothing for -o overrides and
 * run-time values). Lookups fall back to the defaults of mail_params.def;
 * expansion is lazy and goes through mac_expand with this table as the
 * lookup. The parser reads a whole file before it changes the table, so a
 * file with an error leaves the table as it was.
 * Peers: mail_params.c (the loader), postconf, master, the server skeleton. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "htable.h"
#include "mac_expand.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct CONF_VAL {
    char   *value;                      /* raw text */
    const char *path;                   /* file it came from, or NULL */
    int     line;                       /* line in that file, or 0 */
} CONF_VAL;

static HTABLE *conf_table;
static ARGV *conf_paths;                /* every file read, owns the text */
static char *conf_dir;
static BUF *conf_main_path;

/* mail_conf_table - the table, created on first use */
static HTABLE *
mail_conf_table(void)
{
    if (conf_table == NULL)
        conf_table = htable_create(100);
    return conf_table;
}

/* mail_conf_val_free - destroy one table value */
static void
mail_conf_val_free(void *ptr)
{
    CONF_VAL *val = ptr;

    myfree(val->value);
    myfree(val);
}

/* mail_conf_store - set name to value, remembering the source */
static void
mail_conf_store(const char *name, const char *value, const char *path,
                int line)
{
    HTABLE *table = mail_conf_table();
    CONF_VAL *val = htable_find(table, name);

    if (val == NULL) {
        val = mymalloc(sizeof(*val));
        val->value = NULL;
        htable_enter(table, name, val);
    }
    myfree(val->value);
    val->value = mystrdup(value);
    val->path = path;
    val->line = line;
}

/* mail_conf_set_dir - use this configuration directory (-c DIR) */
void
mail_conf_set_dir(const char *dir)
{
    char   *copy = dir ? mystrdup(dir) : NULL;  /* dir may be conf_dir */

    myfree(conf_dir);
    conf_dir = copy;
}

/* mail_conf_dir - -c DIR, else $MAIL_CONFIG, else the built-in default */
const char *
mail_conf_dir(void)
{
    const char *env;

    if (conf_dir)
        return conf_dir;
    if ((env = getenv("MAIL_CONFIG")) != NULL && *env)
        return env;
    return DEF_CONFIG_DIR;
}

/* mail_conf_main_path - DIR/main.cf */
const char *
mail_conf_main_path(void)
{
    if (conf_main_path == NULL)
        conf_main_path = buf_alloc(64);
    buf_sprintf(conf_main_path, "%s/%s", mail_conf_dir(), MAIN_CF);
    return buf_str(conf_main_path);
}

/* mail_conf_read - read DIR/main.cf; errors are fatal */
void
mail_conf_read(void)
{
    BUF    *why = buf_alloc(100);

    if (mail_conf_read_file(mail_conf_main_path(), why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* mail_conf_split - split "name = value" in place; NULL or a problem */
static const char *
mail_conf_split(char *text, char **name, char **value)
{
    char   *cp = text;

    while (*cp && *cp != '=' && !isspace((unsigned char) *cp))
        cp++;
    if (cp == text)
        return "missing parameter name before '='";
    *name = text;
    while (isspace((unsigned char) *cp))
        *cp++ = 0;
    if (*cp != '=')
        return "missing '=' after parameter name";
    *cp++ = 0;
    while (isspace((unsigned char) *cp))
        cp++;
    *value = cp;
    for (cp += strlen(cp); cp > *value && isspace((unsigned char) cp[-1]);)
        *--cp = 0;
    return NULL;
}

/* mail_conf_parse - parse one logical line into the pending list */
static int
mail_conf_parse(BUF *entry, int line, const char *path, ARGV *pending,
                BUF *why)
{
    char   *name, *value;
    const char *problem;
    char    num[32];

    if ((problem = mail_conf_split(buf_str(entry), &name, &value)) != NULL) {
        buf_sprintf(why, "%s:%d: %s", path, line, problem);
        return -1;
    }
    snprintf(num, sizeof(num), "%d", line);
    argv_add(pending, name);
    argv_add(pending, value);
    argv_add(pending, num);
    return 0;
}

/* mail_conf_scan - turn the lines of fp into name, value, line triples */
static int
mail_conf_scan(FILE *fp, const char *path, ARGV *pending, BUF *why)
{
    BUF    *entry = buf_alloc(256);
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t len;
    int     lineno = 0;
    int     entry_line = 0;
    int     status = 0;

    while (status == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        char   *start = line;

        lineno++;
        while (len > 0 && isspace((unsigned char) line[len - 1]))
            line[--len] = 0;
        while (isspace((unsigned char) *start))
            start++;
        if (*start == 0 || *start == '#')
            continue;
        if (start != line) {
            if (entry_line == 0) {
                buf_sprintf(why, "%s:%d: logical line must not start with "
                            "white space", path, lineno);
                status = -1;
            }
            buf_addch(entry, ' ');
            buf_strcat(entry, start);
            continue;
        }
        if (entry_line)
            status = mail_conf_parse(entry, entry_line, path, pending, why);
        buf_strcpy(entry, start);
        entry_line = lineno;
    }
    if (status == 0 && ferror(fp)) {
        buf_sprintf(why, "read %s: %m", path);
        status = -1;
    }
    if (status == 0 && entry_line)
        status = mail_conf_parse(entry, entry_line, path, pending, why);
    free(line);
    buf_free(entry);
    return status;
}

/* mail_conf_read_file - read one file in main.cf syntax */
int
mail_conf_read_file(const char *path, BUF *why)
{
    FILE   *fp;
    ARGV   *pending;
    const char *saved_path;
    int     status;
    int     saved_errno;

    if ((fp = fopen(path, "re")) == NULL) {
        saved_errno = errno;
        buf_sprintf(why, "open %s: %m", path);
        errno = saved_errno;
        return -1;
    }
    pending = argv_alloc(30);
    status = mail_conf_scan(fp, path, pending, why);
    fclose(fp);
    if (status == 0) {
        if (conf_paths == NULL)
            conf_paths = argv_alloc(2);
        argv_add(conf_paths, path);
        saved_path = conf_paths->argv[conf_paths->argc - 1];
        for (int i = 0; i + 2 < pending->argc; i += 3)
            mail_conf_store(pending->argv[i], pending->argv[i + 1],
                            saved_path, atoi(pending->argv[i + 2]));
    }
    argv_free(pending);
    return status;
}

/* mail_conf_update - set a value (an -o override or a run-time value) */
void
mail_conf_update(const char *name, const char *value)
{
    mail_conf_store(name, value, NULL, 0);
}

/* mail_conf_override - apply "name=value" */
int
mail_conf_override(const char *assignment, BUF *why)
{
    char   *copy = mystrdup(assignment);
    char   *start = copy;
    char   *name, *value;
    const char *problem;

    while (isspace((unsigned char) *start))
        start++;
    if ((problem = mail_conf_split(start, &name, &value)) != NULL) {
        buf_sprintf(why, "%s: \"%s\"", problem, assignment);
        myfree(copy);
        return -1;
    }
    mail_conf_update(name, value);
    myfree(copy);
    return 0;
}

/* mail_conf_find - the table value of name, or NULL */
static CONF_VAL *
mail_conf_find(const char *name)
{
    return conf_table ? htable_find(conf_table, name) : NULL;
}

/* mail_conf_lookup - raw text: main.cf/override, else the default */
const char *
mail_conf_lookup(const char *name)
{
    const char *value = mail_conf_lookup_set(name);

    return value ? value : param_default(name);
}

/* mail_conf_lookup_set - raw text if set in a file or by override */
const char *
mail_conf_lookup_set(const char *name)
{
    CONF_VAL *val = mail_conf_find(name);
    const PARAM_INFO *info;

    if (val == NULL)
        return NULL;
    /* Read-only parameters take run-time values, never main.cf text. */
    if (val->path && (info = param_info(name)) && (info->flags & PF_READONLY))
        return NULL;
    return val->value;
}

/* mail_conf_line - line of name in its file (0 if not from a file) */
int
mail_conf_line(const char *name)
{
    CONF_VAL *val = mail_conf_find(name);

    return val ? val->line : 0;
}

/* mail_conf_path - the file name was set in, or NULL */
const char *
mail_conf_path(const char *name)
{
    CONF_VAL *val = mail_conf_find(name);

    return val ? val->path : NULL;
}

/* mail_conf_lookup_fn - mac_expand lookup over this table */
static const char *
mail_conf_lookup_fn(const char *name, void *ctx)
{
    return mail_conf_lookup(name);
}

/* mail_conf_expand - append the expansion of text to result */
int
mail_conf_expand(BUF *result, const char *text, BUF *why)
{
    return mac_expand(result, text, mail_conf_lookup_fn, NULL, NULL, why);
}

/* mail_conf_eval - expanded value of a parameter (static buffer) */
const char *
mail_conf_eval(const char *name)
{
    static BUF *result;
    const PARAM_INFO *info = param_info(name);
    const char *raw = mail_conf_lookup(name);
    BUF    *why;

    if (raw == NULL)
        return NULL;
    if (result == NULL)
        result = buf_alloc(256);
    buf_reset(result);
    if (info && info->type == PARAM_TYPE_RAW) {
        buf_strcpy(result, raw);
        return buf_str(result);
    }
    why = buf_alloc(64);
    if (mail_conf_expand(result, raw, why) < 0) {
        if (mail_conf_path(name))
            msg_fatal("%s:%d: %s = %s: %s", mail_conf_path(name),
                      mail_conf_line(name), name, raw, buf_str(why));
        msg_fatal("%s = %s: %s", name, raw, buf_str(why));
    }
    buf_free(why);
    return buf_str(result);
}

/* mail_conf_names - every name set in a file or by override, sorted */
const char **
mail_conf_names(void)
{
    HTABLE_INFO **list = htable_list(mail_conf_table());
    const char **names;
    size_t  count = 0;

    while (list[count])
        count++;
    names = myreallocarray(NULL, count + 1, sizeof(*names));
    for (size_t i = 0; i < count; i++)
        names[i] = list[i]->key;
    names[count] = NULL;
    myfree(list);
    return names;
}

/* mail_conf_refs - enter every $name a text refers to into refs */
static void
mail_conf_refs(HTABLE *refs, const char *text)
{
    const char *cp = text;

    while ((cp = strchr(cp, '$')) != NULL) {
        size_t  len;

        cp++;
        if (*cp == '$') {
            cp++;
            continue;
        }
        if (*cp == '{' || *cp == '(')
            cp++;
        for (len = 0; isalnum((unsigned char) cp[len]) || cp[len] == '_';)
            len++;
        if (len > 0) {
            char   *name = mystrndup(cp, len);

            if (htable_find(refs, name) == NULL)
                htable_enter(refs, name, refs);
            myfree(name);
        }
        cp += len;
    }
}

/* mail_conf_unused - names set in a file that nothing knows or uses */
ARGV   *
mail_conf_unused(const ARGV *more)
{
    HTABLE *refs = htable_create(50);
    HTABLE_INFO **list = htable_list(mail_conf_table());
    ARGV   *unused = argv_alloc(4);

    for (int i = 0; list[i]; i++)
        mail_conf_refs(refs, ((CONF_VAL *) list[i]->value)->value);
    for (int i = 0; more && i < more->argc; i++)
        mail_conf_refs(refs, more->argv[i]);
    for (int i = 0; list[i]; i++) {
        CONF_VAL *val = list[i]->value;

        if (val->path && param_info(list[i]->key) == NULL
            && htable_find(refs, list[i]->key) == NULL)
            argv_add(unused, list[i]->key);
    }
    myfree(list);
    htable_free(refs, NULL);
    return unused;
}

/* mail_conf_warn_unused - warn "PATH:LINE: unused parameter: name=value" */
int
mail_conf_warn_unused(const ARGV *more)
{
    ARGV   *unused = mail_conf_unused(more);
    int     count = unused->argc;

    for (int i = 0; i < unused->argc; i++) {
        CONF_VAL *val = mail_conf_find(unused->argv[i]);

        msg_warn("%s:%d: unused parameter: %s=%s", val->path, val->line,
                 unused->argv[i], val->value);
    }
    argv_free(unused);
    return count;
}

/* mail_conf_reset - forget everything */
void
mail_conf_reset(void)
{
    if (conf_table) {
        htable_free(conf_table, mail_conf_val_free);
        conf_table = NULL;
    }
    argv_free(conf_paths);
    conf_paths = NULL;
}
