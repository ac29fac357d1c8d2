/* hbc - header and body checks: choose the table for a header or body
 * line, look the line up, parse the result into an action, and format
 * the log line that cleanup writes for it.
 *
 * Model: Postfix 3.7's cleanup as observed (docs/content-checks.md); the
 * peers are maps (the table search) and cleanup, which applies the
 * actions. Every action word has one entry in hbc_actions with what it
 * does with its text; the checks of required arguments are small
 * functions so that each warning keeps Postfix's wording. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsn.h"
#include "hbc.h"
#include "is_header.h"
#include "msg.h"
#include "mymalloc.h"

#define HBC_WHITE       " \t\r\n"
#define HBC_LOG_LINE_MAX 200            /* bytes of the line in the log */
#define HBC_REJECT_DSN  "5.7.1"
#define HBC_REJECT_TEXT "message content rejected"

/* How an action treats the text after its word. */
typedef enum HBC_ARG {
    HBC_ARG_NONE,                       /* ignored */
    HBC_ARG_OPTIONAL,                   /* logged when present */
    HBC_ARG_REQUIRED,                   /* checked by the entry's check */
} HBC_ARG;

/* check - 0, or -1 with Postfix's warning in why */
typedef int (*HBC_ARG_CHECK) (const char *name, const char *text,
                              const char *title, int what, BUF *why);

typedef struct HBC_ACTION_INFO {
    const char *name;                   /* the word in tables */
    HBC_CODE code;
    HBC_ARG arg;
    HBC_ARG_CHECK check;                /* HBC_ARG_REQUIRED only */
    const char *log_word;               /* NULL: not logged */
} HBC_ACTION_INFO;

/* hbc_need_text - the argument must be present */
static int
hbc_need_text(const char *name, const char *text, const char *title,
              BUF *why)
{
    if (*text != 0)
        return 0;
    buf_sprintf(why, "%s action without text in %s map", name, title);
    return -1;
}

/* hbc_check_line - PREPEND and REPLACE: text, a header before a header */
static int
hbc_check_line(const char *name, const char *text, const char *title,
               int what, BUF *why)
{
    if (hbc_need_text(name, text, title, why) < 0)
        return -1;
    if (what == HBC_WHAT_BODY || is_header(text))
        return 0;
    buf_sprintf(why, "bad %s header text \"%s\" in %s map -- need "
                "\"headername: headervalue\"", name, text, title);
    return -1;
}

/* hbc_check_address - REDIRECT and BCC: an address with '@' */
static int
hbc_check_address(const char *name, const char *text, const char *title,
                  int what, BUF *why)
{
    if (strchr(text, '@') != NULL)
        return 0;
    buf_sprintf(why, "bad %s %s \"%s\" in %s map -- need user@domain", name,
                strcmp(name, "BCC") == 0 ? "address" : "target", text, title);
    return -1;
}

/* hbc_check_filter - FILTER: transport:destination (either may be empty) */
static int
hbc_check_filter(const char *name, const char *text, const char *title,
                 int what, BUF *why)
{
    if (*text == 0) {
        buf_sprintf(why, "missing FILTER command argument in %s map", title);
        return -1;
    }
    if (strchr(text, ':') != NULL)
        return 0;
    buf_sprintf(why, "bad FILTER command %s in %s -- need "
                "transport:destination", text, title);
    return -1;
}

/* The actions of Postfix 3.7's cleanup. REJECT's text is handled apart. */
static const HBC_ACTION_INFO hbc_actions[] = {
    {"BCC", HBC_BCC, HBC_ARG_REQUIRED, hbc_check_address, "bcc"},
    {"DISCARD", HBC_DISCARD, HBC_ARG_OPTIONAL, NULL, "discard"},
    {"DUNNO", HBC_DUNNO, HBC_ARG_NONE, NULL, NULL},
    {"FILTER", HBC_FILTER, HBC_ARG_REQUIRED, hbc_check_filter, "filter"},
    {"HOLD", HBC_HOLD, HBC_ARG_OPTIONAL, NULL, "hold"},
    {"IGNORE", HBC_IGNORE, HBC_ARG_NONE, NULL, NULL},
    {"INFO", HBC_INFO, HBC_ARG_OPTIONAL, NULL, "info"},
    {"OK", HBC_DUNNO, HBC_ARG_NONE, NULL, NULL},
    {"PASS", HBC_PASS, HBC_ARG_OPTIONAL, NULL, "pass"},
    {"PREPEND", HBC_PREPEND, HBC_ARG_REQUIRED, hbc_check_line, "prepend"},
    {"REDIRECT", HBC_REDIRECT, HBC_ARG_REQUIRED, hbc_check_address,
    "redirect"},
    {"REJECT", HBC_REJECT, HBC_ARG_OPTIONAL, NULL, "reject"},
    {"REPLACE", HBC_REPLACE, HBC_ARG_REQUIRED, hbc_check_line, "replace"},
    {"STRIP", HBC_STRIP, HBC_ARG_OPTIONAL, NULL, "strip"},
    {"WARN", HBC_WARN, HBC_ARG_OPTIONAL, NULL, "warning"},
};

#define HBC_ACTION_COUNT (sizeof(hbc_actions) / sizeof(hbc_actions[0]))

/* hbc_find_action - the entry for the word of len bytes, or NULL */
static const HBC_ACTION_INFO *
hbc_find_action(const char *word, size_t len)
{
    for (size_t i = 0; i < HBC_ACTION_COUNT; i++)
        if (strlen(hbc_actions[i].name) == len
            && strncasecmp(hbc_actions[i].name, word, len) == 0)
            return hbc_actions + i;
    return NULL;
}

/* hbc_reject_reply - REJECT: "C.S.D text" from the optional text; 1 with
 * a warning in why when a class 2 code was turned into class 4 */
static int
hbc_reject_reply(const char *text, HBC_ACTION *act, BUF *why)
{
    size_t  len = dsn_valid(text);
    int     status = 0;

    if (*text == 0) {
        buf_strcpy(act->text, HBC_REJECT_DSN " " HBC_REJECT_TEXT);
    } else if (len == 0) {
        buf_sprintf(act->text, HBC_REJECT_DSN " %s", text);
    } else {
        buf_append(act->text, text, len);
        buf_addch(act->text, ' ');
        buf_strcat(act->text, text + len + strspn(text + len, HBC_WHITE));
        if (*text == '2') {
            buf_sprintf(why, "bad DSN action in %s -- need 4.x.x or 5.x.x",
                        text);
            act->text->data[0] = '4';
            status = 1;
        }
    }
    act->defer = buf_str(act->text)[0] == '4';
    return status;
}

/* hbc_action_reset - back to DUNNO without text */
static void
hbc_action_reset(HBC_ACTION *act)
{
    act->code = HBC_DUNNO;
    act->defer = false;
    buf_reset(act->text);
}

/* hbc_action_alloc - an empty action */
HBC_ACTION *
hbc_action_alloc(void)
{
    HBC_ACTION *act = mymalloc(sizeof(*act));

    act->text = buf_alloc(64);
    hbc_action_reset(act);
    return act;
}

/* hbc_action_free - release it */
void
hbc_action_free(HBC_ACTION *act)
{
    buf_free(act->text);
    free(act);
}

/* hbc_parse - a table result into an action */
int
hbc_parse(const char *value, const char *title, int what, HBC_ACTION *act,
          BUF *why)
{
    size_t  len = strcspn(value, HBC_WHITE);
    const char *text = value + len + strspn(value + len, HBC_WHITE);
    const HBC_ACTION_INFO *info = hbc_find_action(value, len);

    hbc_action_reset(act);
    if (info == NULL) {
        buf_sprintf(why, "unknown command in %s map: %s", title, value);
        return -1;
    }
    if (info->arg == HBC_ARG_REQUIRED
        && info->check(info->name, text, title, what, why) < 0)
        return -1;
    act->code = info->code;
    if (info->code == HBC_REJECT)
        return hbc_reject_reply(text, act, why);
    if (info->arg != HBC_ARG_NONE)
        buf_strcpy(act->text, text);
    return 0;
}

/* hbc_tables_open - one table list, NULL for an empty parameter */
static MAPS *
hbc_tables_open(const char *title, const char *names, int dict_flags)
{
    if (names == NULL || *names == 0)
        return NULL;
    return maps_create(title, names, dict_flags);
}

/* hbc_tables_create - the tables of the non-empty parameters */
HBC_TABLES *
hbc_tables_create(const HBC_SETTINGS *settings)
{
    HBC_TABLES *tables = mymalloc(sizeof(*tables));
    int     flags = settings->dict_flags;

    tables->header_checks =
        hbc_tables_open("header_checks", settings->header_checks, flags);
    tables->mime_header_checks =
        hbc_tables_open("mime_header_checks", settings->mime_header_checks,
                        flags);
    tables->nested_header_checks =
        hbc_tables_open("nested_header_checks",
                        settings->nested_header_checks, flags);
    tables->body_checks =
        hbc_tables_open("body_checks", settings->body_checks, flags);
    return tables;
}

/* hbc_tables_free - close the tables */
void
hbc_tables_free(HBC_TABLES *tables)
{
    MAPS   *all[] = {
        tables->header_checks, tables->mime_header_checks,
        tables->nested_header_checks, tables->body_checks,
    };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i] != NULL)
            maps_free(all[i]);
    free(tables);
}

/* hbc_lookup - look key up in maps and parse what it says */
static int
hbc_lookup(MAPS *maps, int what, const char *key, HBC_ACTION *act,
           BUF *why)
{
    const char *value;

    hbc_action_reset(act);
    if (maps == NULL)
        return 0;
    if ((value = maps_find(maps, key, 0)) == NULL) {
        if (maps->error == DICT_ERR_NONE)
            return 0;
        buf_sprintf(why, "%s map lookup problem -- message not accepted, "
                    "try again later", maps->title);
        return -1;
    }
    if (hbc_parse(value, maps->title, what, act, why) != 0) {
        msg_warn("%s", buf_str(why));
        buf_reset(why);
    }
    return 0;
}

/* hbc_check_header - one logical header in the table of its class */
int
hbc_check_header(const HBC_TABLES *tables, int header_class, bool is_mime,
                 const char *header, HBC_ACTION *act, BUF *why)
{
    MAPS   *maps;

    switch (header_class) {
    case HBC_CLASS_PRIMARY:
        maps = is_mime ? tables->mime_header_checks : tables->header_checks;
        break;
    case HBC_CLASS_MULTIPART:
        maps = tables->mime_header_checks;
        break;
    case HBC_CLASS_NESTED:
        maps = is_mime ? tables->mime_header_checks
            : tables->nested_header_checks;
        break;
    default:
        buf_sprintf(why, "hbc_check_header: bad header class %d",
                    header_class);
        return -1;
    }
    return hbc_lookup(maps, HBC_WHAT_HEADER, header, act, why);
}

/* hbc_check_body - one body line in body_checks */
int
hbc_check_body(const HBC_TABLES *tables, const char *line, HBC_ACTION *act,
               BUF *why)
{
    return hbc_lookup(tables->body_checks, HBC_WHAT_BODY, line, act, why);
}

/* hbc_log - Postfix's log line for an action */
void
hbc_log(BUF *out, const char *queue_id, const char *action_word, int what,
        const char *line, const HBC_LOG_CTX *ctx, const char *text)
{
    buf_sprintf(out, "%s: %s: %s %.*s from %s;", queue_id, action_word,
                what == HBC_WHAT_BODY ? "body" : "header", HBC_LOG_LINE_MAX,
                line, ctx->client ? ctx->client : "local");
    if (ctx->sender)
        buf_sprintf_append(out, " from=<%s>", ctx->sender);
    if (ctx->recipient)
        buf_sprintf_append(out, " to=<%s>", ctx->recipient);
    if (ctx->proto)
        buf_sprintf_append(out, " proto=%s", ctx->proto);
    if (ctx->helo)
        buf_sprintf_append(out, " helo=<%s>", ctx->helo);
    if (text && *text)
        buf_sprintf_append(out, ": %s", text);
    msg_printable(buf_str(out), buf_len(out));
}

/* hbc_log_word - how an action is logged */
const char *
hbc_log_word(HBC_CODE code)
{
    for (size_t i = 0; i < HBC_ACTION_COUNT; i++)
        if (hbc_actions[i].code == code)
            return hbc_actions[i].log_word;
    return NULL;
}

/* hbc_log_action - log an action as cleanup does */
void
hbc_log_action(const char *queue_id, const HBC_ACTION *act, int what,
               const char *line, const HBC_LOG_CTX *ctx)
{
    const char *word = hbc_log_word(act->code);
    BUF    *out;

    if (word == NULL)
        return;
    out = buf_alloc(256);
    hbc_log(out, queue_id, word, what, line, ctx, buf_str(act->text));
    msg_info("%s", buf_str(out));
    buf_free(out);
}
