/* smtpd_rcpt - RCPT TO:<recipient> [NOTIFY=...] [ORCPT=type;xtext].
 *
 * Runs the restrictions (smtpd_check.c, which logs a refusal), opens the
 * cleanup connection at the first accepted recipient (the queue id exists
 * from then on, as in Postfix) and sends the recipient's envelope
 * records. */
#include <string.h>

#include "smtpd.h"

/* DSN NOTIFY= bits as cleanup's notify_flags attribute (Postfix's). */
#define SMTPD_NOTIFY_NEVER      (1<<0)
#define SMTPD_NOTIFY_SUCCESS    (1<<1)
#define SMTPD_NOTIFY_FAILURE    (1<<2)
#define SMTPD_NOTIFY_DELAY      (1<<3)

/* smtpd_rcpt_notify - the bits of a NOTIFY= value, or -1 */
static int
smtpd_rcpt_notify(char *value)
{
    static const struct {
        const char *name;
        int     bit;
    }       words[] = {
        {"NEVER", SMTPD_NOTIFY_NEVER}, {"SUCCESS", SMTPD_NOTIFY_SUCCESS},
        {"FAILURE", SMTPD_NOTIFY_FAILURE}, {"DELAY", SMTPD_NOTIFY_DELAY},
    };
    int     flags = 0, found;

    for (char *w = strtok(value, ","); w; w = strtok(NULL, ",")) {
        found = 0;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strcasecmp(w, words[i].name) == 0)
                found = words[i].bit;
        if (found == 0 || (flags & found))
            return -1;
        flags |= found;
    }
    if (flags == 0
        || ((flags & SMTPD_NOTIFY_NEVER) && flags != SMTPD_NOTIFY_NEVER))
        return -1;
    return flags;
}

/* smtpd_rcpt_orcpt - whether an ORCPT= value is "type;xtext" */
static bool
smtpd_rcpt_orcpt(const char *value)
{
    const char *semi = strchr(value, ';');

    return semi != NULL && semi > value && semi[1] != 0
        && smtpd_addr_xtext_ok(semi + 1, 500);
}

/* smtpd_rcpt_param - one parameter into notify or orcpt; 0 or -1 */
static int
smtpd_rcpt_param(SMTPD_STATE *state, char *param, int *notify,
                 const char **orcpt)
{
    if (strncasecmp(param, "NOTIFY=", 7) == 0 && *notify == 0) {
        if ((*notify = smtpd_rcpt_notify(param + 7)) > 0)
            return 0;
        smtpd_reply(state, "501 5.5.4 Error: Bad NOTIFY parameter syntax");
        return -1;
    }
    if (strncasecmp(param, "ORCPT=", 6) == 0 && *orcpt == NULL) {
        if (smtpd_rcpt_orcpt(param + 6)) {
            *orcpt = param + 6;
            return 0;
        }
        smtpd_reply(state, "501 5.5.4 Error: Bad ORCPT parameter syntax");
        return -1;
    }
    smtpd_reply(state, "555 5.5.4 Unsupported option: %s", param);
    return -1;
}

/* smtpd_rcpt_args - address and parameters; 0 or -1 after a reply */
static int
smtpd_rcpt_args(SMTPD_STATE *state, char *args, BUF *addr, ARGV *params,
                int *notify, const char **orcpt)
{
    if (smtpd_addr_parse(args, "TO:", addr, params) < 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: RCPT TO:<address>");
        return -1;
    }
    if (buf_len(addr) == 0) {
        smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
        return -1;
    }
    for (int i = 0; i < params->argc; i++)
        if (smtpd_rcpt_param(state, params->argv[i], notify, orcpt) < 0)
            return -1;
    return 0;
}

/* smtpd_rcpt_accept - restrictions, then the envelope; 0 or -1 */
static int
smtpd_rcpt_accept(SMTPD_STATE *state, const char *addr, const char *orcpt,
                  int notify)
{
    const char *err;

    if ((err = smtpd_check_rcpt(state, addr)) != NULL) {
        smtpd_check_refusal(state, err);
        return -1;
    }
    if ((state->queue_id == NULL && smtpd_queue_open(state) < 0)
        || smtpd_queue_rcpt(state, addr, orcpt, notify) < 0) {
        smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        return -1;
    }
    smtpd_reply(state, "250 2.1.5 Ok");
    return 0;
}

/* smtpd_rcpt - RCPT */
int
smtpd_rcpt(SMTPD_STATE *state, char *args)
{
    BUF    *addr;
    ARGV   *params;
    int     notify = 0, ret;
    const char *orcpt = NULL;

    if (state->sender == NULL) {
        smtpd_reply(state, "503 5.5.1 Error: need MAIL command");
        return -1;
    }
    if (state->rcpt_count >= state->settings->recipient_limit) {
        smtpd_reply(state, "452 4.5.3 Error: too many recipients");
        return -1;
    }
    addr = buf_alloc(100);
    params = argv_alloc(4);
    ret = smtpd_rcpt_args(state, args, addr, params, &notify, &orcpt);
    if (ret == 0)
        ret = smtpd_anvil_rcpt(state);
    if (ret == 0)
        ret = smtpd_rcpt_accept(state, buf_str(addr), orcpt, notify);
    buf_free(addr);
    argv_free(params);
    return ret;
}
