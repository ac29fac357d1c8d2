/* bounce_template_file - bounce_template_file: templates of one's own.
 *
 * The file has Postfix's syntax (man 5 bounce): comments and empty lines,
 * and "NAME = <<TAG" followed by the template and a line TAG, where NAME
 * is failure_template, delay_template, success_template or
 * verify_template. A template starts with header lines, "Charset:",
 * "From:", "Subject:", "Postmaster-Subject:" (in any case), up to an
 * empty line or the first line that is not a header; the rest is the
 * text, in which $parameter expansions work as in the built-in texts
 * (bounce_template.c). A header that is left out keeps the built-in
 * value; a kind that is left out keeps the built-in template.
 *
 * Errors, observed with Debian's Postfix 3.7 (postconf -t and bounce)
 * and said in its words: a line that is not "NAME = VALUE" is fatal
 * ("FILE, line N: missing '=' after attribute name: "LINE""), as is a
 * file that cannot be read. A template with an unknown name, an unknown
 * header label, a missing end marker, or 8-bit text with the charset
 * us-ascii is not used: a warning says why and ends "-- ignoring this
 * template", and the built-in one stays. Postern puts "FILE, line N"
 * (the template's first line) in front of every warning; Postfix leaves
 * it out of some and counts lines differently.
 *
 * Read once before the service chroots (bounce.c); the templates live as
 * long as the process. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "msg.h"
#include "mymalloc.h"

#define BT_KINDS    (BOUNCE_NOTICE_VERIFY + 1)
#define BT_INCOMPLETE   (-2)            /* no end marker: not a kind */

/* The template names, by kind. */
static const char *const bt_names[BT_KINDS] = {
    [BOUNCE_NOTICE_FAILURE] = "failure",
    [BOUNCE_NOTICE_DELAY] = "delay",
    [BOUNCE_NOTICE_SUCCESS] = "success",
    [BOUNCE_NOTICE_VERIFY] = "verify",
};

static BOUNCE_TEMPLATE bt_loaded[BT_KINDS];
static bool bt_have[BT_KINDS];

/* The file being read. */
typedef struct BT_FILE {
    FILE   *fp;
    const char *path;
    int     lineno;
    char   *line;                       /* the last line, without '\n' */
    size_t  size;
} BT_FILE;

/* bt_getline - the next line; false at the end */
static bool
bt_getline(BT_FILE *bf)
{
    ssize_t len = getline(&bf->line, &bf->size, bf->fp);

    if (len < 0) {
        if (ferror(bf->fp))
            msg_fatal("read %s: %m", bf->path);
        return false;
    }
    bf->lineno++;
    if (len > 0 && bf->line[len - 1] == '\n')
        bf->line[--len] = 0;
    return true;
}

/* bt_kind - the kind of "KIND_template", or -1 */
static int
bt_kind(const char *name)
{
    const char *suffix = "_template";
    size_t  len = strlen(name);

    if (len <= strlen(suffix) || strcmp(name + len - strlen(suffix), suffix))
        return -1;
    for (int k = 0; k < BT_KINDS; k++)
        if (strlen(bt_names[k]) == len - strlen(suffix)
            && strncmp(name, bt_names[k], len - strlen(suffix)) == 0)
            return k;
    return -1;
}

/* bt_header - a "Label: value" line into t; 1 taken, 0 not a header
 * line, -1 an unknown label (why says so) */
static int
bt_header(BOUNCE_TEMPLATE *t, const char *kind, const char *line, BUF *why)
{
    static const struct {
        const char *label;
        size_t  offset;
    } labels[] = {
        {"Charset", offsetof(BOUNCE_TEMPLATE, charset)},
        {"From", offsetof(BOUNCE_TEMPLATE, from)},
        {"Subject", offsetof(BOUNCE_TEMPLATE, subject)},
        {"Postmaster-Subject", offsetof(BOUNCE_TEMPLATE, postmaster_subject)},
    };
    size_t  len = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "abcdefghijklmnopqrstuvwxyz-");
    const char *value = line + len + 1;

    if (len == 0 || line[len] != ':')
        return 0;
    while (*value == ' ' || *value == '\t')
        value++;
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strlen(labels[i].label) == len
            && strncasecmp(line, labels[i].label, len) == 0) {
            *(const char **) ((char *) t + labels[i].offset) =
                mystrdup(value);
            return 1;
        }
    }
    buf_sprintf(why, "unknown \"%.*s\" header label in %s template",
                (int) len, line, kind);
    return -1;
}

/* bt_eight_bit - whether text has a byte outside US-ASCII */
static bool
bt_eight_bit(const char *text)
{
    for (; *text; text++)
        if ((unsigned char) *text > 0x7f)
            return true;
    return false;
}

/* bt_parse - the template body into t (which holds the built-in values);
 * 0, or -1 with why */
static int
bt_parse(BOUNCE_TEMPLATE *t, const char *kind, char *body, BUF *why)
{
    char   *line = body;
    char   *next;
    int     status;

    while ((next = strchr(line, '\n')) != NULL) {
        *next = 0;
        status = bt_header(t, kind, line, why);
        *next = '\n';
        if (status < 0)
            return -1;
        if (status == 0) {
            if (line == next)
                line++;                 /* the empty line ends headers */
            break;
        }
        line = next + 1;
    }
    if (strcasecmp(t->charset, "us-ascii") == 0 && bt_eight_bit(body)) {
        buf_sprintf(why, "8-bit message text in %s template: please specify "
                    "a charset value other than us-ascii", kind);
        return -1;
    }
    t->text = mystrdup(line);
    return 0;
}

/* bt_body - the lines after "NAME = <<TAG" up to TAG, into body; false
 * when the file ends first */
static bool
bt_body(BT_FILE *bf, const char *tag, BUF *body)
{
    while (bt_getline(bf)) {
        if (strcmp(bf->line, tag) == 0)
            return true;
        buf_strcat(body, bf->line);
        buf_addch(body, '\n');
    }
    return false;
}

/* bt_value - the value of "NAME = VALUE" (the NAME part ends at name_end);
 * fatal when the line has no '=' */
static char *
bt_value(BT_FILE *bf, char *name_end)
{
    char   *cp = name_end + strspn(name_end, " \t");
    size_t  len;

    if (*cp != '=')
        msg_fatal("%s, line %d: missing '=' after attribute name: \"%s\"",
                  bf->path, bf->lineno, bf->line);
    *name_end = 0;
    cp += 1 + strspn(cp + 1, " \t");
    for (len = strlen(cp); len > 0 && isspace((unsigned char) cp[len - 1]);)
        cp[--len] = 0;
    return cp;
}

/* bt_use - a complete template of a known kind: parse it and use it,
 * or warn */
static void
bt_use(const BT_FILE *bf, int first, int kind, BUF *body)
{
    BUF    *why = buf_alloc(100);
    BOUNCE_TEMPLATE t = *bounce_template_builtin(kind);

    if (bt_parse(&t, bt_names[kind], buf_str(body), why) < 0) {
        msg_warn("%s, line %d: %s -- ignoring this template", bf->path,
                 first, buf_str(why));
    } else {
        bt_loaded[kind] = t;
        bt_have[kind] = true;
    }
    buf_free(why);
}

/* bt_template - one "NAME = VALUE" line and its template */
static void
bt_template(BT_FILE *bf, char *start)
{
    int     first = bf->lineno;
    char   *name = start;
    char   *value = bt_value(bf, name + strcspn(name, " \t="));
    char   *tag = NULL;
    BUF    *body = buf_alloc(500);
    int     kind = bt_kind(name);

    name = mystrdup(name);
    if (strncmp(value, "<<", 2) == 0) {
        tag = mystrdup(value + 2 + strspn(value + 2, " \t"));
        if (!bt_body(bf, tag, body))
            kind = BT_INCOMPLETE;
    } else {
        buf_sprintf(body, "%s\n", value);
    }
    if (kind == BT_INCOMPLETE)
        msg_warn("%s, line %d: missing \"%s\" end marker", bf->path,
                 first, tag);
    else if (kind < 0)
        msg_warn("%s, line %d: unknown template name: %s -- ignoring this "
                 "template", bf->path, first, name);
    else
        bt_use(bf, first, kind, body);
    myfree(name);
    myfree(tag);
    buf_free(body);
}

/* bounce_template_load - read the file */
void
bounce_template_load(const char *path)
{
    BT_FILE bf = {.path = path};
    char   *cp;

    if ((bf.fp = fopen(path, "r")) == NULL)
        msg_fatal("open %s: %m", path);
    while (bt_getline(&bf)) {
        cp = bf.line + strspn(bf.line, " \t");
        if (*cp != 0 && *cp != '#')
            bt_template(&bf, cp);
    }
    (void) fclose(bf.fp);
    free(bf.line);
}

/* bounce_template_loaded - the template of a kind from the file, or
 * NULL */
const BOUNCE_TEMPLATE *
bounce_template_loaded(BOUNCE_NOTICE_KIND kind)
{
    return bt_have[kind] ? &bt_loaded[kind] : NULL;
}
