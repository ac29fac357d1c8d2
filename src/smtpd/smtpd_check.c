/* smtpd_check - the restriction engine: which lists run at which stage of
 * the session, and the parsing of lists at start-up.
 *
 * Model: Postfix 3.7's smtpd_check.c as Debian's Postfix 3.7 behaves
 * (docs/smtpd.md, "Restrictions"):
 *  - smtpd_delay_reject = yes (the default): smtpd_client_restrictions,
 *    smtpd_helo_restrictions and smtpd_sender_restrictions run for each
 *    RCPT (and VRFY), before smtpd_relay_restrictions and
 *    smtpd_recipient_restrictions; with "no" each runs at its own
 *    command: the client at connect (its refusal replaces the greeting,
 *    and every command but QUIT then gets "503 5.7.0 Error: access denied
 *    for NAME[ADDR]"), HELO/EHLO, MAIL. ETRN runs the client and HELO
 *    lists (delayed) and smtpd_etrn_restrictions; DATA
 *    smtpd_data_restrictions; the end of the message
 *    smtpd_end_of_data_restrictions.
 *  - "postmaster" (without a domain) is always accepted as recipient.
 *  - defer_if_permit raised by an earlier stage turns the permit of a
 *    later one into the deferral; smtpd_reject_unlisted_recipient (and
 *    _sender) check the address after the lists unless a list did.
 *  - Each list's refusals name what is refused: "<NAME[ADDR]>: Client
 *    host", "<HELO>: Helo command", "<SENDER>: Sender address",
 *    "<RCPT>: Recipient address", "<DOMAIN>: Etrn command", "<DATA>:
 *    Data command", "<END-OF-MESSAGE>: End-of-data".
 *  - Stand-alone (sendmail -bs, not as mail_owner) no list runs, as in
 *    Postfix.
 *  - At start-up the lists and smtpd_restriction_classes are split and
 *    every table named in them is opened; a class without a definition,
 *    and relay and recipient lists without any restriction that refuses
 *    (reject_unauth_destination, defer_unauth_destination, reject, defer,
 *    defer_if_permit) are fatal, with Postfix's words. Unknown names are
 *    found when used.
 * Peers: smtpd_check_eval (a list), smtpd_check_rules (the names). */
#include <string.h>

#include "cleanup_user.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd_check.h"

#define SMTPD_CHECK_DELIM       ", \t\r\n"

/* smtpd_check_split - split a list; braced groups stay one word */
ARGV   *
smtpd_check_split(const char *value)
{
    char   *copy = mystrdup(value);
    char   *bp = copy, *word;
    const char *err = NULL;
    ARGV   *list = argv_alloc(4);

    while ((word = mystrtok_braced(&bp, SMTPD_CHECK_DELIM, &err)) != NULL)
        argv_add(list, word);
    if (err != NULL)
        msg_warn("%s in \"%s\"", err, value);
    myfree(copy);
    return list;
}

/* smtpd_check_open - open the tables and policy servers a list names */
static void
smtpd_check_open(SMTPD_ACL *acl, const ARGV *list)
{
    for (int i = 0; i < list->argc; i++) {
        const char *word = list->argv[i];

        if (i > 0 && strcasecmp(list->argv[i - 1], SMTPD_CHECK_POLICY) == 0) {
            if (htable_find(acl->policies, word) == NULL)
                htable_enter(acl->policies, word,
                             smtpd_check_policy_create(word));
        } else if (strchr(word, ':') != NULL
                   && htable_find(acl->maps, word) == NULL) {
            htable_enter(acl->maps, word,
                         maps_create(word, word, DICT_FLAG_DEFAULT));
        }
    }
}

/* smtpd_check_parse - split a list and open what it names */
static ARGV *
smtpd_check_parse(SMTPD_ACL *acl, const char *value)
{
    ARGV   *list = smtpd_check_split(value);

    smtpd_check_open(acl, list);
    return list;
}

/* smtpd_check_classes - smtpd_restriction_classes: each name is a
 * main.cf parameter holding a list */
static void
smtpd_check_classes(SMTPD_ACL *acl)
{
    ARGV   *names = argv_split(var_smtpd_restriction_classes,
                               SMTPD_CHECK_DELIM);
    const char *value;

    acl->classes = htable_create(10);
    for (int i = 0; i < names->argc; i++) {
        if ((value = mail_conf_eval(names->argv[i])) == NULL || *value == 0)
            msg_fatal("restriction class `%s' needs a definition",
                      names->argv[i]);
        htable_enter(acl->classes, names->argv[i],
                     smtpd_check_parse(acl, value));
    }
    argv_free(names);
    htable_enter(acl->classes, "reject_sender_login_mismatch",
                 smtpd_check_parse(acl, "reject_authenticated_sender_login_"
                                   "mismatch reject_unauthenticated_sender_"
                                   "login_mismatch"));
}

/* smtpd_check_has_required - whether a list (or a class it uses) has a
 * restriction that refuses; the one after warn_if_reject does not count */
static bool
smtpd_check_has_required(const SMTPD_ACL *acl, const ARGV *list, int depth)
{
    static const char *const required[] = {
        "reject_unauth_destination", "defer_unauth_destination", "reject",
        "defer", "defer_if_permit", "check_relay_domains",
    };
    const ARGV *class;

    for (int i = 0; i < list->argc && depth < 100; i++) {
        if (strcmp(list->argv[i], "warn_if_reject") == 0) {
            i++;
            continue;
        }
        for (size_t j = 0; j < sizeof(required) / sizeof(required[0]); j++)
            if (strcmp(list->argv[i], required[j]) == 0)
                return true;
        if ((class = htable_find(acl->classes, list->argv[i])) != NULL
            && smtpd_check_has_required(acl, class, depth + 1))
            return true;
    }
    return false;
}

/* smtpd_check_maps - the tables of a parameter, NULL when it is empty */
static MAPS *
smtpd_check_maps(const char *title, const char *value)
{
    return *value ? maps_create(title, value, DICT_FLAG_DEFAULT) : NULL;
}

/* smtpd_check_override - receive_override_options has the option */
static bool
smtpd_check_override(const char *option)
{
    ARGV   *opts = argv_split(var_receive_override_options, SMTPD_CHECK_DELIM);
    bool    found = false;

    for (int i = 0; i < opts->argc && !found; i++)
        found = strcasecmp(opts->argv[i], option) == 0;
    argv_free(opts);
    return found;
}

/* smtpd_check_rcpt_tables - the tables for unlisted addresses */
static void
smtpd_check_rcpt_tables(SMTPD_ACL *acl)
{
    acl->local_rcpt_maps = smtpd_check_maps("local_recipient_maps",
                                            var_local_recipient_maps);
    acl->rcpt_canon_maps = smtpd_check_maps("recipient_canonical_maps",
                                            var_recipient_canonical_maps);
    acl->send_canon_maps = smtpd_check_maps("sender_canonical_maps",
                                            var_sender_canonical_maps);
    acl->canonical_maps = smtpd_check_maps("canonical_maps",
                                           var_canonical_maps);
    acl->virt_alias_maps = smtpd_check_maps("virtual_alias_maps",
                                            var_virtual_alias_maps);
    acl->virt_mailbox_maps = smtpd_check_maps("virtual_mailbox_maps",
                                              var_virtual_mailbox_maps);
    acl->relay_rcpt_maps = smtpd_check_maps("relay_recipient_maps",
                                            var_relay_recipient_maps);
}

/* smtpd_check_init - parse everything; configuration errors are fatal */
void
smtpd_check_init(SMTPD_SETTINGS *settings)
{
    SMTPD_ACL *acl = mycalloc(1, sizeof(*acl));
    const char *values[SMTPD_LIST_COUNT] = {
        var_smtpd_client_restrictions, var_smtpd_helo_restrictions,
        var_smtpd_sender_restrictions, var_smtpd_relay_restrictions,
        var_smtpd_recipient_restrictions, var_smtpd_etrn_restrictions,
        var_smtpd_data_restrictions, var_smtpd_end_of_data_restrictions,
    };

    acl->maps = htable_create(10);
    acl->policies = htable_create(1);
    for (int i = 0; i < SMTPD_LIST_COUNT; i++)
        acl->lists[i] = smtpd_check_parse(acl, values[i]);
    smtpd_check_classes(acl);
    if (!smtpd_check_has_required(acl, acl->lists[SMTPD_LIST_RELAY], 0)
        && !smtpd_check_has_required(acl, acl->lists[SMTPD_LIST_RCPT], 0))
        msg_fatal("in parameter smtpd_relay_restrictions or "
                  "smtpd_recipient_restrictions, specify at least one "
                  "working instance of: reject_unauth_destination, "
                  "defer_unauth_destination, reject, defer, defer_if_permit "
                  "or check_relay_domains");
    smtpd_check_rcpt_tables(acl);
    acl->parent_style = parent_domain_matches("smtpd_access_maps");
    acl->no_unknown_rcpt = smtpd_check_override("no_unknown_recipient_checks");
    settings->acl = acl;
}

/* smtpd_check_session - the engine's state for a new session */
void
smtpd_check_session(SMTPD_STATE *state)
{
    SMTPD_CHECK *check = mycalloc(1, sizeof(*check));

    check->state = state;
    check->acl = state->settings->acl;
    check->reply = buf_alloc(100);
    check->scratch = buf_alloc(100);
    state->check = check;
    smtpd_check_resolve_init(check);
    smtpd_check_pipe_init(state);
}

/* smtpd_check_session_free - end of session */
void
smtpd_check_session_free(SMTPD_STATE *state)
{
    SMTPD_CHECK *check = state->check;

    buf_free(check->reply);
    buf_free(check->scratch);
    if (check->defer_if_permit.reason)
        buf_free(check->defer_if_permit.reason);
    if (check->defer_if_reject.reason)
        buf_free(check->defer_if_reject.reason);
    smtpd_check_resolve_free(check);
    myfree(check->pipe);
    myfree(check);
    state->check = NULL;
}

/* smtpd_check_reset - forget what belonged to the mail transaction */
void
smtpd_check_reset(SMTPD_STATE *state)
{
    SMTPD_SAVED *saved = &state->saved;

    saved->flags = 0;
    myfree(saved->filter);
    myfree(saved->redirect);
    saved->filter = saved->redirect = NULL;
    if (saved->bcc)
        argv_free(saved->bcc);
    if (saved->prepend)
        argv_free(saved->prepend);
    saved->bcc = saved->prepend = NULL;
    if (state->check) {
        state->check->discard = false;
        state->check->sender_rcptmap_checked = false;
    }
}

/* What each list refuses, and what a bare table in it stands for. */
static const struct {
    const char *class;
    const char *def_acl;
}       smtpd_check_names[SMTPD_LIST_COUNT] = {
    [SMTPD_LIST_CLIENT] = {SMTPD_NAME_CLIENT, SMTPD_ACL_CLIENT},
    [SMTPD_LIST_HELO] = {SMTPD_NAME_HELO, SMTPD_ACL_HELO},
    [SMTPD_LIST_SENDER] = {SMTPD_NAME_SENDER, SMTPD_ACL_SENDER},
    [SMTPD_LIST_RELAY] = {SMTPD_NAME_RECIPIENT, SMTPD_ACL_RECIPIENT},
    [SMTPD_LIST_RCPT] = {SMTPD_NAME_RECIPIENT, SMTPD_ACL_RECIPIENT},
    [SMTPD_LIST_ETRN] = {SMTPD_NAME_ETRN, SMTPD_ACL_ETRN},
    [SMTPD_LIST_DATA] = {SMTPD_NAME_DATA, NULL},
    [SMTPD_LIST_EOD] = {SMTPD_NAME_EOD, NULL},
};

/* smtpd_check_run - one list, refusing "<name>: CLASS"; the verdict */
static int
smtpd_check_run(SMTPD_CHECK *check, SMTPD_LIST_ID id, const char *name)
{
    const ARGV *list = check->acl->lists[id];

    check->recursion = 0;
    check->warn_if_reject = 0;
    check->defer_if_reject.active = false;
    check->reply_name = name;
    check->reply_class = smtpd_check_names[id].class;
    check->def_acl = smtpd_check_names[id].def_acl;
    return list->argc ? smtpd_check_list(check, list) : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_stage - a list that starts with the defer_if_permit of
 * the earlier stages (dip) and leaves its own in *dip_out */
static int
smtpd_check_stage(SMTPD_CHECK *check, SMTPD_LIST_ID id, const char *name,
                  bool dip, bool *dip_out)
{
    int     status;

    check->defer_if_permit.active = dip;
    status = smtpd_check_run(check, id, name);
    *dip_out = check->defer_if_permit.active;
    return status;
}

/* smtpd_check_result - the reply for a verdict, NULL to go on */
static const char *
smtpd_check_result(SMTPD_CHECK *check, int status)
{
    return status == SMTPD_CHECK_REJECT ? buf_str(check->reply) : NULL;
}

/* smtpd_check_final - a pending defer_if_permit turns a permit into its
 * deferral */
static int
smtpd_check_final(SMTPD_CHECK *check, int status)
{
    SMTPD_DEFER *dip = &check->defer_if_permit;

    if (status == SMTPD_CHECK_REJECT || !dip->active)
        return status;
    return smtpd_check_reject(check, dip->class, dip->code, dip->dsn, "%s",
                              buf_str(dip->reason));
}

/* smtpd_check_view - what the stages look at: the session's own (the
 * recipient is the first one accepted, as in Postfix) */
static SMTPD_CHECK *
smtpd_check_view(SMTPD_STATE *state)
{
    SMTPD_CHECK *check = state->check;

    check->helo = state->helo_name;
    check->sender = state->sender;
    check->recipient = state->first_rcpt;
    check->etrn = NULL;
    return check;
}

/* smtpd_check_client_stage - smtpd_client_restrictions */
static const char *
smtpd_check_client_stage(SMTPD_CHECK *check)
{
    return smtpd_check_result(check,
                         smtpd_check_stage(check, SMTPD_LIST_CLIENT,
                                           check->state->namaddr, false,
                                           &check->defer_if_permit_client));
}

/* smtpd_check_helo_stage - smtpd_helo_restrictions for helo */
static const char *
smtpd_check_helo_stage(SMTPD_CHECK *check, const char *helo)
{
    const char *saved = check->helo;
    int     status;

    if (helo == NULL)
        return NULL;
    check->helo = helo;
    status = smtpd_check_stage(check, SMTPD_LIST_HELO, helo,
                               check->defer_if_permit_client,
                               &check->defer_if_permit_helo);
    check->helo = saved;
    return smtpd_check_result(check, status);
}

/* smtpd_check_mail_stage - smtpd_sender_restrictions for sender, then
 * smtpd_reject_unlisted_sender */
static const char *
smtpd_check_mail_stage(SMTPD_CHECK *check, const char *sender)
{
    const char *saved = check->sender;
    int     status;

    if (sender == NULL)
        return NULL;
    check->sender = sender;
    check->sender_rcptmap_checked = false;
    status = smtpd_check_stage(check, SMTPD_LIST_SENDER, sender,
                               check->defer_if_permit_client
                               | check->defer_if_permit_helo,
                               &check->defer_if_permit_sender);
    if (var_smtpd_reject_unlisted_sender && status != SMTPD_CHECK_REJECT
        && !check->discard)
        status = smtpd_check_unlisted_sender(check, NULL);
    check->sender = saved;
    return smtpd_check_result(check, status);
}

/* smtpd_check_connect - the client list at connect (no delay) */
const char *
smtpd_check_connect(SMTPD_STATE *state)
{
    if (var_smtpd_delay_reject || state->standalone)
        return NULL;
    return smtpd_check_client_stage(smtpd_check_view(state));
}

/* smtpd_check_helo - the HELO list at HELO/EHLO (no delay) */
const char *
smtpd_check_helo(SMTPD_STATE *state, const char *helo)
{
    if (var_smtpd_delay_reject || state->standalone)
        return NULL;
    return smtpd_check_helo_stage(smtpd_check_view(state), helo);
}

/* smtpd_check_mail - the sender list at MAIL (no delay) */
const char *
smtpd_check_mail(SMTPD_STATE *state, const char *sender)
{
    if (var_smtpd_delay_reject || state->standalone)
        return NULL;
    return smtpd_check_mail_stage(smtpd_check_view(state), sender);
}

/* smtpd_check_delayed - the client, HELO and sender lists at RCPT (and
 * ETRN, without the sender) when smtpd_delay_reject = yes */
static const char *
smtpd_check_delayed(SMTPD_CHECK *check, bool sender)
{
    const char *err;

    if (!var_smtpd_delay_reject)
        return NULL;
    if ((err = smtpd_check_client_stage(check)) == NULL
        && (err = smtpd_check_helo_stage(check, check->helo)) == NULL
        && sender)
        err = smtpd_check_mail_stage(check, check->sender);
    return err;
}

/* smtpd_check_rcpt_lists - relay, then recipient restrictions, then the
 * pending deferral and the unlisted recipient check */
static int
smtpd_check_rcpt_lists(SMTPD_CHECK *check)
{
    const char *rcpt = check->recipient;
    int     status = SMTPD_CHECK_DUNNO;

    check->defer_if_permit.active = check->defer_if_permit_sender;
    for (int id = SMTPD_LIST_RELAY; id <= SMTPD_LIST_RCPT; id++)
        if ((status = smtpd_check_run(check, (SMTPD_LIST_ID) id, rcpt))
            == SMTPD_CHECK_REJECT)
            break;
    status = smtpd_check_final(check, status);
    if (var_smtpd_reject_unlisted_recipient && status != SMTPD_CHECK_REJECT
        && !check->discard)
        status = smtpd_check_unlisted_rcpt(check, NULL);
    return status;
}

/* smtpd_check_rcpt - RCPT TO (and VRFY) */
const char *
smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt)
{
    SMTPD_CHECK *check = smtpd_check_view(state);
    const char *err;

    if (state->standalone || strcasecmp(rcpt, "postmaster") == 0)
        return NULL;
    check->recipient = rcpt;
    check->recipient_rcptmap_checked = false;
    if ((err = smtpd_check_delayed(check, true)) == NULL)
        err = smtpd_check_result(check, smtpd_check_rcpt_lists(check));
    return err;
}

/* smtpd_check_etrn - ETRN domain */
const char *
smtpd_check_etrn(SMTPD_STATE *state, const char *domain)
{
    SMTPD_CHECK *check = smtpd_check_view(state);
    const char *err;
    bool    dip;
    int     status;

    if (state->standalone)
        return NULL;
    check->etrn = domain;
    if ((err = smtpd_check_delayed(check, false)) == NULL) {
        status = smtpd_check_stage(check, SMTPD_LIST_ETRN, domain,
                                   check->defer_if_permit_client
                                   | check->defer_if_permit_helo, &dip);
        err = smtpd_check_result(check, smtpd_check_final(check, status));
    }
    return err;
}

/* smtpd_check_message - DATA and END-OF-DATA: the recipient only when
 * there is one */
static const char *
smtpd_check_message(SMTPD_STATE *state, SMTPD_LIST_ID id, const char *name)
{
    SMTPD_CHECK *check = smtpd_check_view(state);
    bool    dip;

    if (state->standalone)
        return NULL;
    check->recipient = state->rcpt_count == 1 ? state->first_rcpt : NULL;
    return smtpd_check_result(check, smtpd_check_final(check,
                      smtpd_check_stage(check, id, name, false, &dip)));
}

/* smtpd_check_data - DATA (and the first BDAT) */
const char *
smtpd_check_data(SMTPD_STATE *state)
{
    return smtpd_check_message(state, SMTPD_LIST_DATA, "DATA");
}

/* smtpd_check_eod - the end of the message */
const char *
smtpd_check_eod(SMTPD_STATE *state)
{
    return smtpd_check_message(state, SMTPD_LIST_EOD, "END-OF-MESSAGE");
}

/* smtpd_check_hangup - whether a refusal ends the session */
bool
smtpd_check_hangup(const char *reply)
{
    return strncmp(reply, "421", 3) == 0 || strncmp(reply, "521", 3) == 0;
}

/* smtpd_check_refusal - send a stage's reply; 421 and 521 hang up */
void
smtpd_check_refusal(SMTPD_STATE *state, const char *reply)
{
    smtpd_reply(state, "%s", reply);
    if (smtpd_check_hangup(reply))
        state->quit = true;
}
