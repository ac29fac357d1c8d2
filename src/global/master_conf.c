/* master_conf - master.cf: the service table.
 *
 * Two passes per entry: physical lines are gathered into one logical line
 * (continuations start with white space; comment and blank lines are
 * skipped without ending the entry), remembering where each physical line
 * begins so that an error can name the line of the offending word. The
 * logical line is then split into words ("{ ... }" is one word), the seven
 * columns are checked and converted, and the command's leading options are
 * scanned for -o settings. Peers: master (runs the services), postconf -M,
 * -F, -P (prints them). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "conv.h"
#include "mail_conf.h"
#include "master_conf.h"
#include "msg.h"
#include "mymalloc.h"

const char *const master_field_names[MASTER_FIELD_COUNT] = {
    "service", "type", "private", "unprivileged", "chroot", "wakeup",
    "process_limit", "command",
};

typedef struct MASTER_WORD {
    char   *text;                       /* points into the logical line */
    int     line;
    bool    braced;                     /* was "{ ... }" */
} MASTER_WORD;

typedef struct MASTER_PARSE {
    const char *name;                   /* file name for messages */
    BUF    *text;                       /* the logical line */
    int    *starts;                     /* offset where each line begins */
    int    *lines;                      /* and its number */
    int     nseg;
    int     cap;
    BUF    *why;
} MASTER_PARSE;

/* master_conf_line_at - physical line of an offset in the logical line */
static int
master_conf_line_at(const MASTER_PARSE *mp, size_t offset)
{
    int     line = mp->lines[0];

    for (int i = 0; i < mp->nseg && (size_t) mp->starts[i] <= offset; i++)
        line = mp->lines[i];
    return line;
}

/* master_conf_error - "NAME:LINE: text" into why */
static int
master_conf_error(MASTER_PARSE *mp, int line, const char *fmt, ...)
    MSG_PRINTF(3, 4);

static int
master_conf_error(MASTER_PARSE *mp, int line, const char *fmt, ...)
{
    va_list ap;

    buf_sprintf(mp->why, "%s:%d: ", mp->name, line);
    va_start(ap, fmt);
    buf_vsprintf_append(mp->why, fmt, ap);
    va_end(ap);
    return -1;
}

/* master_conf_bad_field - the usual complaint about one column */
static int
master_conf_bad_field(MASTER_PARSE *mp, const MASTER_WORD *word, int field)
{
    return master_conf_error(mp, word->line, "field \"%s\": bad value: \"%s\"",
                             master_field_names[field], word->text);
}

/* master_conf_words - split the logical line into words */
static int
master_conf_words(MASTER_PARSE *mp, MASTER_WORD **words, int *count)
{
    char   *base = buf_str(mp->text);
    char   *cp = base;
    int     cap = 16;
    const char *err;

    *words = myreallocarray(NULL, cap, sizeof(**words));
    *count = 0;
    for (;;) {
        char   *start = cp + strspn(cp, " \t");
        char   *word;
        bool    braced = (*start == '{');
        int     line = master_conf_line_at(mp, (size_t) (start - base));

        if ((word = mystrtok_grouped(&cp, " \t", &err)) == NULL) {
            if (err)
                return master_conf_error(mp, line, "%s in \"%.40s\"",
                                         err, start);
            return 0;
        }
        if (*count == cap) {
            cap *= 2;
            *words = myreallocarray(*words, cap, sizeof(**words));
        }
        (*words)[*count].text = word;
        (*words)[*count].line = line;
        (*words)[*count].braced = braced;
        (*count)++;
    }
}

/* master_conf_yesno - y, n or - (the default) */
static int
master_conf_yesno(const char *text, bool def, bool *result)
{
    if (strcmp(text, "-") == 0)
        *result = def;
    else if (strcmp(text, "y") == 0)
        *result = true;
    else if (strcmp(text, "n") == 0)
        *result = false;
    else
        return -1;
    return 0;
}

/* master_conf_type - service type by name */
static int
master_conf_type(const char *text, MASTER_TYPE *type)
{
    static const struct {
        const char *name;
        MASTER_TYPE type;
    } types[] = {
        {"inet", MASTER_TYPE_INET}, {"unix", MASTER_TYPE_UNIX},
        {"unix-dgram", MASTER_TYPE_UNIX_DGRAM}, {"fifo", MASTER_TYPE_FIFO},
        {"pass", MASTER_TYPE_PASS},
    };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(text, types[i].name) == 0) {
            *type = types[i].type;
            return 0;
        }
    }
    return -1;
}

/* master_conf_inet_name - check [host:]port; host may be [ipv6] */
static int
master_conf_inet_name(const char *text)
{
    const char *port;

    if (*text == '[') {
        const char *close = strchr(text, ']');

        if (close == NULL || close == text + 1 || close[1] != ':')
            return -1;
        port = close + 2;
    } else if ((port = strrchr(text, ':')) != NULL) {
        if (port == text || memchr(text, ':', (size_t) (port - text)))
            return -1;                  /* empty host, or IPv6 without [] */
        port++;
    } else {
        port = text;
    }
    if (*port == 0 || strpbrk(port, "[]:/") != NULL)
        return -1;
    return 0;
}

/* master_conf_number - "-" (def), or a count; wakeup may end in "?" */
static int
master_conf_number(const char *text, int def, bool allow_query,
                   int *result, bool *query)
{
    char    digits[32];
    size_t  len = strlen(text);
    long    val;

    if (strcmp(text, "-") == 0) {
        *result = def;
        return 0;
    }
    if (allow_query && len > 1 && text[len - 1] == '?') {
        *query = true;
        len--;
    }
    if (len == 0 || len >= sizeof(digits))
        return -1;
    memcpy(digits, text, len);
    digits[len] = 0;
    if (!isdigit((unsigned char) digits[0]) || conv_long(digits, &val) < 0
        || val > INT_MAX)
        return -1;
    *result = (int) val;
    return 0;
}

/* master_conf_columns - check and convert the seven fixed columns */
static int
master_conf_columns(MASTER_PARSE *mp, MASTER_WORD *w, MASTER_ENT *ent)
{
    for (int i = 0; i < MASTER_FIELD_COMMAND; i++)
        if (w[i].braced)
            return master_conf_bad_field(mp, &w[i], i);
    if (master_conf_type(w[MASTER_FIELD_TYPE].text, &ent->type) < 0)
        return master_conf_error(mp, w[1].line,
                                 "field \"type\": unknown service type: \"%s\"",
                                 w[1].text);
    if (ent->type == MASTER_TYPE_INET
        ? master_conf_inet_name(w[0].text) < 0
        : strcmp(w[0].text, "-") == 0)
        return master_conf_bad_field(mp, &w[0], MASTER_FIELD_SERVICE);
    if (master_conf_yesno(w[2].text, true, &ent->private_) < 0)
        return master_conf_bad_field(mp, &w[2], MASTER_FIELD_PRIVATE);
    if (master_conf_yesno(w[3].text, true, &ent->unpriv) < 0)
        return master_conf_bad_field(mp, &w[3], MASTER_FIELD_UNPRIV);
    if (master_conf_yesno(w[4].text, false, &ent->chroot) < 0)
        return master_conf_bad_field(mp, &w[4], MASTER_FIELD_CHROOT);
    if (master_conf_number(w[5].text, 0, true, &ent->wakeup,
                           &ent->wakeup_if_used) < 0)
        return master_conf_bad_field(mp, &w[5], MASTER_FIELD_WAKEUP);
    if (master_conf_number(w[6].text, -1, false, &ent->maxproc, NULL) < 0)
        return master_conf_bad_field(mp, &w[6], MASTER_FIELD_MAXPROC);
    return 0;
}

/* master_conf_setting - add "name=value" from an -o word */
static int
master_conf_setting(MASTER_PARSE *mp, const MASTER_WORD *w, const char *text,
                    MASTER_ENT *ent)
{
    const char *eq = strchr(text, '=');
    const char *name_end, *value;

    while (isspace((unsigned char) *text))
        text++;
    if (eq == NULL)
        return master_conf_error(mp, w->line, "-o \"%s\": missing '='", text);
    name_end = eq;
    while (name_end > text && isspace((unsigned char) name_end[-1]))
        name_end--;
    if (name_end == text)
        return master_conf_error(mp, w->line,
                                 "-o \"%s\": missing parameter name", text);
    for (const char *cp = text; cp < name_end; cp++)
        if (isspace((unsigned char) *cp) || *cp == '{' || *cp == '}')
            return master_conf_error(mp, w->line,
                                     "-o \"%s\": bad parameter name", text);
    for (value = eq + 1; isspace((unsigned char) *value); value++)
         /* void */ ;
    {
        BUF    *setting = buf_alloc(64);

        buf_append(setting, text, (size_t) (name_end - text));
        buf_addch(setting, '=');
        buf_strcat(setting, value);
        buf_trim_right(setting);
        argv_add(ent->overrides, buf_str(setting));
        buf_free(setting);
    }
    return 0;
}

/* master_conf_command - command name, -o settings and other arguments */
static int
master_conf_command(MASTER_PARSE *mp, MASTER_WORD *w, int count,
                    MASTER_ENT *ent)
{
    BUF    *text = buf_alloc(64);
    bool    options = true;
    int     status = 0;

    for (int i = MASTER_FIELD_COMMAND; i < count; i++) {
        if (buf_len(text))
            buf_addch(text, ' ');
        if (w[i].braced)
            buf_sprintf_append(text, "{ %s }", w[i].text);
        else
            buf_strcat(text, w[i].text);
    }
    ent->field[MASTER_FIELD_COMMAND] = mystrdup(buf_str(text));
    buf_free(text);
    argv_add(ent->args, w[MASTER_FIELD_COMMAND].text);
    for (int i = MASTER_FIELD_COMMAND + 1; status == 0 && i < count; i++) {
        if (options && !w[i].braced && strcmp(w[i].text, "-o") == 0) {
            if (i + 1 >= count
                || (!w[i + 1].braced && w[i + 1].text[0] == '-'))
                return master_conf_error(mp, w[i].line,
                                         "-o without parameter setting");
            i++;
            status = master_conf_setting(mp, &w[i], w[i].text, ent);
        } else if (options && !w[i].braced
                   && strncmp(w[i].text, "-o", 2) == 0) {
            status = master_conf_setting(mp, &w[i], w[i].text + 2, ent);
        } else {
            /* Daemon options come first; the first other word ends them. */
            if (w[i].braced || w[i].text[0] != '-'
                || strcmp(w[i].text, "--") == 0)
                options = false;
            argv_add(ent->args, w[i].text);
        }
    }
    return status;
}

/* master_ent_free - destroy one entry */
static void
master_ent_free(MASTER_ENT *ent)
{
    for (int i = 0; i < MASTER_FIELD_COUNT; i++)
        myfree(ent->field[i]);
    argv_free(ent->args);
    argv_free(ent->overrides);
    myfree(ent);
}

/* master_conf_entry - parse the gathered logical line, add it to conf */
static int
master_conf_entry(MASTER_PARSE *mp, MASTER_CONF *conf)
{
    MASTER_WORD *w;
    MASTER_ENT *ent;
    MASTER_ENT *dup;
    int     count;

    if (master_conf_words(mp, &w, &count) < 0) {
        myfree(w);
        return -1;
    }
    if (count <= MASTER_FIELD_COMMAND) {
        myfree(w);
        return master_conf_error(mp, mp->lines[0], "too few fields: "
                                 "expected at least 8, found %d", count);
    }
    ent = mycalloc(1, sizeof(*ent));
    ent->line = mp->lines[0];
    ent->args = argv_alloc(4);
    ent->overrides = argv_alloc(2);
    for (int i = 0; i < MASTER_FIELD_COMMAND; i++)
        ent->field[i] = mystrdup(w[i].text);
    ent->name = ent->field[MASTER_FIELD_SERVICE];
    if (master_conf_columns(mp, w, ent) < 0
        || master_conf_command(mp, w, count, ent) < 0) {
        myfree(w);
        master_ent_free(ent);
        return -1;
    }
    myfree(w);
    if ((dup = master_conf_find(conf, ent->name,
                                ent->field[MASTER_FIELD_TYPE])) != NULL) {
        master_conf_error(mp, ent->line, "duplicate service: \"%s/%s\" "
                          "(first defined at line %d)", ent->name,
                          ent->field[MASTER_FIELD_TYPE], dup->line);
        master_ent_free(ent);
        return -1;
    }
    conf->ents = myreallocarray(conf->ents, conf->count + 1,
                                sizeof(*conf->ents));
    conf->ents[conf->count++] = ent;
    return 0;
}

/* master_conf_segment - note where a physical line starts */
static void
master_conf_segment(MASTER_PARSE *mp, int line)
{
    if (mp->nseg == mp->cap) {
        mp->cap = mp->cap ? mp->cap * 2 : 8;
        mp->starts = myreallocarray(mp->starts, mp->cap, sizeof(int));
        mp->lines = myreallocarray(mp->lines, mp->cap, sizeof(int));
    }
    mp->starts[mp->nseg] = (int) buf_len(mp->text);
    mp->lines[mp->nseg] = line;
    mp->nseg++;
}

/* master_conf_parse - parse master.cf text */
MASTER_CONF *
master_conf_parse(const char *text, const char *name, BUF *why)
{
    MASTER_PARSE mp = {name, buf_alloc(256), NULL, NULL, 0, 0, why};
    MASTER_CONF *conf = mycalloc(1, sizeof(*conf));
    const char *cp = text;
    int     lineno = 0;
    int     status = 0;

    while (status == 0 && *cp) {
        const char *eol = strchr(cp, '\n');
        size_t  len = eol ? (size_t) (eol - cp) : strlen(cp);
        const char *start = cp + strspn(cp, " \t\r");
        size_t  next = len + (eol != NULL);

        lineno++;
        if (len > 0 && cp[len - 1] == '\r')
            len--;
        if (start >= cp + len || *start == '#') {
            /* Blank and comment lines do not end an entry. */
        } else if (start != cp) {
            if (mp.nseg == 0) {
                status = master_conf_error(&mp, lineno, "continuation line "
                                           "without a preceding entry");
                break;
            }
            buf_addch(mp.text, ' ');
            master_conf_segment(&mp, lineno);
            buf_append(mp.text, start, len - (size_t) (start - cp));
        } else {
            if (mp.nseg)
                status = master_conf_entry(&mp, conf);
            buf_reset(mp.text);
            mp.nseg = 0;
            master_conf_segment(&mp, lineno);
            buf_append(mp.text, cp, len);
        }
        cp += next;
    }
    if (status == 0 && mp.nseg)
        status = master_conf_entry(&mp, conf);
    buf_free(mp.text);
    myfree(mp.starts);
    myfree(mp.lines);
    if (status < 0) {
        master_conf_free(conf);
        return NULL;
    }
    return conf;
}

/* master_conf_read - parse a master.cf file */
MASTER_CONF *
master_conf_read(const char *path, BUF *why)
{
    BUF    *text = buf_alloc(4096);
    MASTER_CONF *conf = NULL;
    char    chunk[4096];
    ssize_t got;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        buf_sprintf(why, "open %s: %m", path);
    } else {
        while ((got = read(fd, chunk, sizeof(chunk))) > 0)
            buf_append(text, chunk, (size_t) got);
        if (got < 0)
            buf_sprintf(why, "read %s: %m", path);
        else if (memchr(buf_str(text), 0, buf_len(text)) != NULL)
            buf_sprintf(why, "%s: file contains a NUL byte", path);
        else
            conf = master_conf_parse(buf_str(text), path, why);
        close(fd);
    }
    buf_free(text);
    return conf;
}

/* master_conf_free - destroy a parsed table */
void
master_conf_free(MASTER_CONF *conf)
{
    if (conf == NULL)
        return;
    for (int i = 0; i < conf->count; i++)
        master_ent_free(conf->ents[i]);
    myfree(conf->ents);
    myfree(conf);
}

/* master_conf_find - entry by service name and type text */
MASTER_ENT *
master_conf_find(const MASTER_CONF *conf, const char *name, const char *type)
{
    for (int i = 0; i < conf->count; i++) {
        MASTER_ENT *ent = conf->ents[i];

        if (strcmp(ent->name, name) == 0
            && strcmp(ent->field[MASTER_FIELD_TYPE], type) == 0)
            return ent;
    }
    return NULL;
}

/* master_conf_load - read the master.cf of the configuration directory */
MASTER_CONF *
master_conf_load(BUF *why)
{
    BUF    *path = buf_alloc(100);
    MASTER_CONF *conf;

    buf_sprintf(path, "%s/%s", mail_conf_dir(), MASTER_CF);
    conf = master_conf_read(buf_str(path), why);
    buf_free(path);
    return conf;
}
