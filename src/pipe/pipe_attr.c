/* pipe_attr - the command attributes at the end of a pipe(8) master.cf
 * entry.
 *
 * Model (man 8 pipe; the error words observed from Postfix 3.7's pipe,
 * each of which is fatal at start-up there and here):
 *   flags=BDFORXhqu.>   message copy and argument flags; another letter:
 *                       "unknown flag: Z (ignored)"
 *   user=name[:group]   required ("missing user= command-line
 *                       attribute"); "get_service_attr: unknown
 *                       username: NAME" / "unknown group: NAME"; never
 *                       root ("user= command-line attribute specifies
 *                       root privileges"), never mail_owner ("... specifies
 *                       mail system owner postfix"), never group 0
 *                       ("... specifies privileged group id 0")
 *   size=N              bytes; "get_service_attr: bad size= value: X"
 *   eol=TEXT            with \a \b \f \n \r \t \v \ddd \\ (default \n)
 *   null_sender=TEXT    may be empty (default MAILER-DAEMON)
 *   directory=PATH      the command's working directory
 *   chroot=PATH         its root directory
 *   argv=COMMAND ...    required, last; every following word is an
 *                       argument ("missing argv= command-line
 *                       attribute")
 *   anything else       "unknown attribute name: NAME"
 * master.cf has already made "{ a b }" one word without its braces.
 * Pure parsing, no logging: the caller makes problems fatal. Peers:
 * pipe.c. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mail_copy.h"
#include "mymalloc.h"
#include "pipe.h"
#include "priv.h"

#define PIPE_NULL_SENDER        "MAILER-DAEMON"

/* pipe_attr_flags - the letters of flags= */
static int
pipe_attr_flags(const char *text, PIPE_ATTR *attr, BUF *why)
{
    static const struct {
        char    letter;
        int     copy;
        int     opt;
    }       letters[] = {
        {'B', MAIL_COPY_BLANK, 0}, {'D', MAIL_COPY_DELIVERED, 0},
        {'F', MAIL_COPY_FROM, 0}, {'O', MAIL_COPY_ORIG_RCPT, 0},
        {'R', MAIL_COPY_RETURN, 0}, {'.', MAIL_COPY_DOT, 0},
        {'>', MAIL_COPY_QUOTE, 0}, {'X', 0, PIPE_OPT_FINAL},
        {'h', 0, PIPE_OPT_FOLD_HOST}, {'q', 0, PIPE_OPT_QUOTE},
        {'u', 0, PIPE_OPT_FOLD_USER},
    };
    size_t  i;

    for (const char *cp = text; *cp; cp++) {
        for (i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
            if (letters[i].letter == *cp)
                break;
        if (i == sizeof(letters) / sizeof(letters[0])) {
            buf_sprintf(why, "unknown flag: %c (ignored)", *cp);
            return -1;
        }
        attr->copy_flags |= letters[i].copy;
        attr->opts |= letters[i].opt;
    }
    return 0;
}

/* pipe_attr_user - user=name[:group], and who it must not be */
static int
pipe_attr_user(const char *text, uid_t owner_uid, const char *owner_name,
               PIPE_ATTR *attr, BUF *why)
{
    char   *name = mystrdup(text);
    char   *group = strchr(name, ':');
    int     status = -1;

    if (group)
        *group++ = 0;
    if (priv_lookup_user(name, &attr->uid, &attr->gid) < 0)
        buf_sprintf(why, "get_service_attr: unknown username: %s", name);
    else if (group && priv_lookup_group(group, &attr->gid) < 0)
        buf_sprintf(why, "get_service_attr: unknown group: %s", group);
    else if (attr->uid == 0)
        buf_strcpy(why, "user= command-line attribute specifies root "
                   "privileges");
    else if (attr->uid == owner_uid)
        buf_sprintf(why, "user= command-line attribute specifies mail "
                    "system owner %s", owner_name);
    else if (attr->gid == 0)
        buf_strcpy(why, "user= command-line attribute specifies "
                   "privileged group id 0");
    else
        status = 0;
    myfree(name);
    return status;
}

/* pipe_attr_size - size=N */
static int
pipe_attr_size(const char *text, PIPE_ATTR *attr, BUF *why)
{
    char   *end;

    attr->size_limit = strtol(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != 0 || attr->size_limit < 0) {
        buf_sprintf(why, "get_service_attr: bad size= value: %s", text);
        return -1;
    }
    return 0;
}

/* pipe_attr_unescape - eol=: C-style escapes to bytes */
static char *
pipe_attr_unescape(const char *text)
{
    static const char from[] = "abfnrtv\\";
    static const char to[] = "\a\b\f\n\r\t\v\\";
    BUF    *bp = buf_alloc(10);
    const char *hit;
    char   *result;
    int     value, n;

    for (const char *cp = text; *cp; cp++) {
        if (*cp != '\\' || cp[1] == 0) {
            buf_addch(bp, *cp);
        } else if ((hit = strchr(from, cp[1])) != NULL) {
            buf_addch(bp, to[hit - from]);
            cp++;
        } else if (cp[1] >= '0' && cp[1] <= '7') {
            for (value = 0, n = 0; n < 3 && cp[1] >= '0' && cp[1] <= '7'; n++)
                value = value * 8 + (*++cp - '0');
            buf_addch(bp, (char) value);
        } else {
            buf_addch(bp, *++cp);
        }
    }
    result = mystrdup(buf_str(bp));
    buf_free(bp);
    return result;
}

/* pipe_attr_text - replace a text attribute */
static void
pipe_attr_text(char **dst, const char *value)
{
    myfree(*dst);
    *dst = mystrdup(value);
}

/* pipe_attr_is - is the len bytes long name of arg this name */
static bool
pipe_attr_is(const char *arg, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(arg, name, len) == 0;
}

/* pipe_attr_one - one name=value attribute (not argv=) */
static int
pipe_attr_one(const char *arg, uid_t owner_uid, const char *owner_name,
              PIPE_ATTR *attr, bool *have_user, BUF *why)
{
    const char *eq = strchr(arg, '=');
    size_t  len = eq ? (size_t) (eq - arg) : strlen(arg);
    const char *value = eq ? eq + 1 : "";

    if (eq && pipe_attr_is(arg, len, "flags"))
        return pipe_attr_flags(value, attr, why);
    if (eq && pipe_attr_is(arg, len, "user")) {
        *have_user = true;
        return pipe_attr_user(value, owner_uid, owner_name, attr, why);
    }
    if (eq && pipe_attr_is(arg, len, "size"))
        return pipe_attr_size(value, attr, why);
    if (eq && pipe_attr_is(arg, len, "eol")) {
        myfree(attr->eol);
        attr->eol = pipe_attr_unescape(value);
    } else if (eq && pipe_attr_is(arg, len, "null_sender")) {
        pipe_attr_text(&attr->null_sender, value);
    } else if (eq && pipe_attr_is(arg, len, "directory")) {
        pipe_attr_text(&attr->directory, value);
    } else if (eq && pipe_attr_is(arg, len, "chroot")) {
        pipe_attr_text(&attr->chroot, value);
    } else {
        buf_sprintf(why, "unknown attribute name: %.*s", (int) len, arg);
        return -1;
    }
    return 0;
}

/* pipe_attr_parse - the command attributes */
int
pipe_attr_parse(char **args, uid_t owner_uid, const char *owner_name,
                PIPE_ATTR *attr, BUF *why)
{
    bool    have_user = false;
    int     i;

    memset(attr, 0, sizeof(*attr));
    attr->eol = mystrdup("\n");
    attr->null_sender = mystrdup(PIPE_NULL_SENDER);
    for (i = 0; args[i] && strncmp(args[i], "argv=", 5) != 0; i++)
        if (pipe_attr_one(args[i], owner_uid, owner_name, attr, &have_user,
                          why) < 0)
            return -1;
    if (!have_user) {
        buf_strcpy(why, "missing user= command-line attribute");
        return -1;
    }
    if (args[i] == NULL || args[i][5] == 0) {
        buf_strcpy(why, "missing argv= command-line attribute");
        return -1;
    }
    attr->argv = argv_alloc(8);
    argv_add(attr->argv, args[i] + 5);
    while (args[++i])
        argv_add(attr->argv, args[i]);
    return 0;
}

/* pipe_attr_free - forget the attributes */
void
pipe_attr_free(PIPE_ATTR *attr)
{
    myfree(attr->eol);
    myfree(attr->null_sender);
    myfree(attr->directory);
    myfree(attr->chroot);
    if (attr->argv)
        argv_free(attr->argv);
    memset(attr, 0, sizeof(*attr));
}
