/* smtpd_check_action - what an access map result (or a policy server's
 * action) means (access(5)).
 *
 * Model: Postfix 3.7's check_table_result(), as Debian's Postfix 3.7
 * replies and logs (docs/smtpd.md). The first word of the result, in any
 * case, is the action; the rest is its text:
 *   OK, RELAY, an all-digit result     permit
 *   DUNNO                              go on (the search stops)
 *   REJECT [D.S.N] [text]              access_map_reject_code (554)
 *   DEFER [D.S.N] [text]               access_map_defer_code (450)
 *   4NN/5NN [D.S.N] text               that code ("421"/"521" end the
 *                                      session after the reply)
 *   DEFER_IF_PERMIT, DEFER_IF_REJECT   as the restrictions, with the text
 *   WARN, INFO [text]                  log "warn:"/"info:"
 *   HOLD, DISCARD [text]               log, and tell cleanup; DISCARD also
 *                                      permits and ends all checks
 *   FILTER transport:dest, REDIRECT user@domain, BCC user@domain,
 *   PREPEND header: text               remembered for cleanup
 *   HANGUP [text]                      log "hangup:" and drop the client
 *                                      without a reply (Postfix's
 *                                      undocumented test action)
 *   anything else                      restrictions or class names
 * Refusals read "<NAME>: CLASS rejected: text", the text defaulting to
 * "Access denied"; a missing status code is X.7.1 and address codes are
 * adapted to what is refused (smtpd_dsn_fix). Actions that cleanup
 * carries out are skipped with a warning in ETRN restrictions, and
 * without a MAIL transaction (client and HELO restrictions with
 * smtpd_delay_reject = no). A result naming a table is a configuration
 * error, as is a result that recurses more than 100 levels. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup_user.h"
#include "is_header.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd_check.h"

/* One result being applied. */
typedef struct SMTPD_ACTION {
    SMTPD_CHECK *check;
    const char *table;                  /* where it came from */
    const char *datum;                  /* what was looked up */
    const char *word;                   /* the action word, in capitals */
    const char *text;                   /* what follows it */
} SMTPD_ACTION;

typedef int (*SMTPD_ACTION_FN) (const SMTPD_ACTION *act);

/* smtpd_action_refuse - "<NAME>: CLASS rejected: text" with code and a
 * status code (def when the text has none) */
static int
smtpd_action_refuse(const SMTPD_ACTION *act, int code, const char *def)
{
    SMTPD_CHECK *check = act->check;
    char    dsn[DSN_STATUS_SIZE];
    const char *text = dsn_split(dsn, def, act->text);

    return smtpd_check_reject(check, SMTPD_ERR_POLICY, code,
                              smtpd_dsn_fix(dsn, check->reply_class),
                              "<%s>: %s rejected: %s", check->reply_name,
                              check->reply_class,
                              *text ? text : "Access denied");
}

/* smtpd_action_in_mail - the action needs a mail transaction */
static bool
smtpd_action_in_mail(const SMTPD_ACTION *act)
{
    if (act->check->sender != NULL)
        return true;
    msg_warn("access table %s: with smtpd_delay_reject=no, action %s is "
             "always skipped in %s or %s restrictions", act->table,
             act->word, SMTPD_NAME_CLIENT, SMTPD_NAME_HELO);
    return false;
}

/* smtpd_action_cleanup - the action is for cleanup: not in ETRN */
static bool
smtpd_action_cleanup(const SMTPD_ACTION *act)
{
    if (strcmp(act->check->state->where, "ETRN") == 0) {
        msg_warn("access table %s: action %s is unavailable in %s",
                 act->table, act->word, "smtpd_etrn_restrictions");
        return false;
    }
    return smtpd_action_in_mail(act);
}

/* smtpd_action_trigger - log "<NAME>: CLASS triggers WORD TEXT" */
static void
smtpd_action_trigger(const SMTPD_ACTION *act, const char *what)
{
    SMTPD_CHECK *check = act->check;

    buf_sprintf(check->scratch, "<%s>: %s triggers %s %s", check->reply_name,
                check->reply_class, act->word, act->text);
    smtpd_check_log(check, what, buf_str(check->scratch));
}

/* smtpd_action_dunno - DUNNO */
static int
smtpd_action_dunno(const SMTPD_ACTION *act)
{
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_ok - OK, RELAY */
static int
smtpd_action_ok(const SMTPD_ACTION *act)
{
    return SMTPD_CHECK_OK;
}

/* smtpd_action_reject - REJECT */
static int
smtpd_action_reject(const SMTPD_ACTION *act)
{
    return smtpd_action_refuse(act, var_access_map_reject_code, "5.7.1");
}

/* smtpd_action_defer - DEFER */
static int
smtpd_action_defer(const SMTPD_ACTION *act)
{
    return smtpd_action_refuse(act, var_access_map_defer_code, "4.7.1");
}

/* smtpd_action_info - INFO */
static int
smtpd_action_info(const SMTPD_ACTION *act)
{
    smtpd_check_log(act->check, "info", act->text);
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_warn - WARN */
static int
smtpd_action_warn(const SMTPD_ACTION *act)
{
    smtpd_check_log(act->check, "warn", act->text);
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_filter - FILTER transport:destination */
static int
smtpd_action_filter(const SMTPD_ACTION *act)
{
    SMTPD_SAVED *saved = &act->check->state->saved;

    if (!smtpd_action_cleanup(act))
        return SMTPD_CHECK_DUNNO;
    if (*act->text == 0) {
        msg_warn("access table %s entry \"%s\" has FILTER entry without "
                 "value", act->table, act->datum);
    } else if (strchr(act->text, ':') == NULL) {
        msg_warn("access table %s entry \"%s\" requires "
                 "transport:destination", act->table, act->datum);
    } else {
        smtpd_action_trigger(act, "filter");
        myfree(saved->filter);
        saved->filter = mystrdup(act->text);
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_flag - HOLD or DISCARD: log "<NAME>: CLASS text" */
static void
smtpd_action_flag(const SMTPD_ACTION *act, const char *what, int flag)
{
    SMTPD_CHECK *check = act->check;

    buf_sprintf(check->scratch, "<%s>: %s ", check->reply_name,
                check->reply_class);
    if (*act->text)
        buf_strcat(check->scratch, act->text);
    else
        buf_sprintf_append(check->scratch, "triggers %s action", act->word);
    smtpd_check_log(check, what, buf_str(check->scratch));
    check->state->saved.flags |= flag;
}

/* smtpd_action_hold - HOLD [text] (logged once per message) */
static int
smtpd_action_hold(const SMTPD_ACTION *act)
{
    if (smtpd_action_cleanup(act)
        && !(act->check->state->saved.flags & CLEANUP_FLAG_HOLD))
        smtpd_action_flag(act, "hold", CLEANUP_FLAG_HOLD);
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_discard - DISCARD [text]: permit, check nothing more */
static int
smtpd_action_discard(const SMTPD_ACTION *act)
{
    if (!smtpd_action_cleanup(act))
        return SMTPD_CHECK_DUNNO;
    smtpd_action_flag(act, "discard", CLEANUP_FLAG_DISCARD);
    act->check->discard = true;
    return SMTPD_CHECK_OK;
}

/* smtpd_action_address - REDIRECT and BCC need user@domain */
static bool
smtpd_action_address(const SMTPD_ACTION *act)
{
    if (!smtpd_action_cleanup(act))
        return false;
    if (strchr(act->text, '@') != NULL)
        return true;
    msg_warn("access table %s entry \"%s\" requires user@domain target",
             act->table, act->datum);
    return false;
}

/* smtpd_action_redirect - REDIRECT user@domain */
static int
smtpd_action_redirect(const SMTPD_ACTION *act)
{
    SMTPD_SAVED *saved = &act->check->state->saved;

    if (smtpd_action_address(act)) {
        smtpd_action_trigger(act, "redirect");
        myfree(saved->redirect);
        saved->redirect = mystrdup(act->text);
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_bcc - BCC user@domain */
static int
smtpd_action_bcc(const SMTPD_ACTION *act)
{
    SMTPD_SAVED *saved = &act->check->state->saved;

    if (smtpd_action_address(act)) {
        smtpd_action_trigger(act, "bcc");
        if (saved->bcc == NULL)
            saved->bcc = argv_alloc(1);
        argv_add(saved->bcc, act->text);
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_dip - DEFER_IF_PERMIT [text] */
static int
smtpd_action_dip(const SMTPD_ACTION *act)
{
    SMTPD_CHECK *check = act->check;
    char    dsn[DSN_STATUS_SIZE];
    const char *text = dsn_split(dsn, "4.7.1", act->text);

    return smtpd_check_defer_if_permit(check, SMTPD_ERR_POLICY,
                                       var_access_map_defer_code,
                                    smtpd_dsn_fix(dsn, check->reply_class),
                                       "<%s>: %s rejected: %s",
                                       check->reply_name, check->reply_class,
                                       *text ? text : "Service unavailable");
}

/* smtpd_action_dir - DEFER_IF_REJECT [text] */
static int
smtpd_action_dir(const SMTPD_ACTION *act)
{
    SMTPD_CHECK *check = act->check;
    char    dsn[DSN_STATUS_SIZE];
    const char *text = dsn_split(dsn, "4.7.1", act->text);

    smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY,
                         var_access_map_defer_code,
                         smtpd_dsn_fix(dsn, check->reply_class),
                         "<%s>: %s rejected: %s", check->reply_name,
                         check->reply_class,
                         *text ? text : "Service unavailable");
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_prepend - PREPEND header: text */
static int
smtpd_action_prepend(const SMTPD_ACTION *act)
{
    SMTPD_SAVED *saved = &act->check->state->saved;

    if (!smtpd_action_in_mail(act))
        return SMTPD_CHECK_DUNNO;
    if (strcmp(act->check->state->where, "END-OF-MESSAGE") == 0) {
        msg_warn("access table %s: action PREPEND must be used before %s",
                 act->table, "smtpd_end_of_data_restrictions");
    } else if (!is_header(act->text)) {
        msg_warn("access table %s entry \"%s\" requires header: text",
                 act->table, act->datum);
    } else {
        if (saved->prepend == NULL)
            saved->prepend = argv_alloc(1);
        argv_add(saved->prepend, act->text);
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_action_hangup - HANGUP [text]: as Postfix 3.7, log "hangup:
 * ...: text;" and close the connection: the refusal that follows is
 * never seen, and the session ends */
static int
smtpd_action_hangup(const SMTPD_ACTION *act)
{
    SMTPD_CHECK *check = act->check;

    smtpd_check_log(check, "hangup", act->text);
    (void) shutdown(stream_fd(check->state->client), SHUT_RDWR);
    check->state->quit = true;
    buf_strcpy(check->reply, "421 4.7.0 Error: hangup");
    return SMTPD_CHECK_REJECT;
}

/* The action words. */
static const struct {
    const char *word;
    SMTPD_ACTION_FN fn;
}       smtpd_actions[] = {
    {"DUNNO", smtpd_action_dunno},
    {"REJECT", smtpd_action_reject},
    {"DEFER", smtpd_action_defer},
    {"INFO", smtpd_action_info},
    {"WARN", smtpd_action_warn},
    {"FILTER", smtpd_action_filter},
    {"HOLD", smtpd_action_hold},
    {"DISCARD", smtpd_action_discard},
    {"REDIRECT", smtpd_action_redirect},
    {"BCC", smtpd_action_bcc},
    {"DEFER_IF_PERMIT", smtpd_action_dip},
    {"DEFER_IF_REJECT", smtpd_action_dir},
    {"PREPEND", smtpd_action_prepend},
    {"HANGUP", smtpd_action_hangup},
    {"OK", smtpd_action_ok},
    {"RELAY", smtpd_action_ok},
};

/* smtpd_action_find - the function of the first word (len bytes of
 * value), or NULL; *word is set to the word in capitals */
static SMTPD_ACTION_FN
smtpd_action_find(const char *value, size_t len, const char **word)
{
    for (size_t i = 0; i < sizeof(smtpd_actions) / sizeof(smtpd_actions[0]);
         i++) {
        if (strlen(smtpd_actions[i].word) == len
            && strncasecmp(smtpd_actions[i].word, value, len) == 0) {
            *word = smtpd_actions[i].word;
            return smtpd_actions[i].fn;
        }
    }
    return NULL;
}

/* smtpd_action_code - "4NN text" or "5NN text": 1 with the code in
 * *code, else 0 */
static int
smtpd_action_code(const SMTPD_ACTION *act, const char *v, size_t len,
                  int *code)
{
    if (len != 3 || *act->text == 0 || (v[0] != '4' && v[0] != '5')
        || !isdigit((unsigned char) v[1]) || !isdigit((unsigned char) v[2]))
        return 0;
    *code = atoi(v);
    return 1;
}

/* smtpd_action_restrictions - a result that names restrictions */
static int
smtpd_action_restrictions(const SMTPD_ACTION *act, const char *value)
{
    SMTPD_CHECK *check = act->check;
    ARGV   *list;
    int     status;

    if (strchr(value, ':') != NULL) {
        msg_warn("access table %s has entry with lookup table: %s",
                 act->table, value);
        msg_warn("do not specify lookup tables inside SMTPD access maps");
        msg_warn("define a restriction class and specify its name instead.");
        return smtpd_check_server_error(check);
    }
    if (check->recursion > 100) {
        msg_warn("access table %s entry %s causes unreasonable recursion",
                 act->table, value);
        return smtpd_check_server_error(check);
    }
    list = smtpd_check_split(value);
    if (list->argc == 0) {
        msg_warn("access table %s entry %s has empty value", act->table,
                 value);
        status = SMTPD_CHECK_OK;
    } else {
        status = smtpd_check_list(check, list);
    }
    argv_free(list);
    return status;
}

/* smtpd_check_action - apply a table result; the verdict */
int
smtpd_check_action(SMTPD_CHECK *check, const char *table, const char *value,
                   const char *datum)
{
    size_t  len = strcspn(value, " \t");
    SMTPD_ACTION act = {check, table, datum, "",
    value + len + strspn(value + len, " \t\r\n")};
    SMTPD_ACTION_FN fn;
    char    dsn_def[DSN_STATUS_SIZE];
    int     code;

    if ((fn = smtpd_action_find(value, len, &act.word)) != NULL)
        return fn(&act);
    if (*value != 0 && strspn(value, "0123456789") == strlen(value))
        return SMTPD_CHECK_OK;
    if (smtpd_action_code(&act, value, len, &code)) {
        snprintf(dsn_def, sizeof(dsn_def), "%c.7.1", value[0]);
        return smtpd_action_refuse(&act, code, dsn_def);
    }
    return smtpd_action_restrictions(&act, value);
}
