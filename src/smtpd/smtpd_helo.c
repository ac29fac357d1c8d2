/* smtpd_helo - HELO and EHLO.
 *
 * Either ends a mail transaction in progress and records the client's
 * host name (the first word of the argument) for the log, the Received:
 * header and the restrictions (with smtpd_delay_reject = no, the HELO
 * restrictions run here, and a refused name changes nothing). EHLO
 * lists the ESMTP extensions in Postfix 3.7's order, without those
 * named in smtpd_discard_ehlo_keywords. */
#include <stdio.h>
#include <string.h>

#include "mymalloc.h"
#include "smtpd.h"

/* smtpd_helo_name - check the argument and remember it; 0 or -1 */
static int
smtpd_helo_name(SMTPD_STATE *state, char *args, const char *verb)
{
    const char *err;

    if (*args == 0) {
        smtpd_reply(state, "501 Syntax: %s hostname", verb);
        return -1;
    }
    args[strcspn(args, " \t")] = 0;            /* Postfix: the first word */
    if ((err = smtpd_check_helo(state, args)) != NULL) {
        smtpd_check_refusal(state, err);
        return -1;
    }
    smtpd_state_reset(state);
    if (state->helo_name != NULL)
        myfree(state->helo_name);
    state->helo_name = mystrdup(args);
    return 0;
}

/* smtpd_helo - HELO hostname */
int
smtpd_helo(SMTPD_STATE *state, char *args)
{
    if (smtpd_helo_name(state, args, "HELO") < 0)
        return -1;
    state->protocol = "SMTP";
    smtpd_reply(state, "250 %s", state->settings->myhostname);
    return 0;
}

/* smtpd_helo_discarded - whether smtpd_discard_ehlo_keywords names kw */
static bool
smtpd_helo_discarded(const SMTPD_SETTINGS *settings, const char *kw)
{
    size_t  len = strcspn(kw, " ");

    for (int i = 0; i < settings->discard_ehlo->argc; i++)
        if (strlen(settings->discard_ehlo->argv[i]) == len
            && strncasecmp(settings->discard_ehlo->argv[i], kw, len) == 0)
            return true;
    return false;
}

/* smtpd_ehlo_keywords - the extensions to announce */
static ARGV *
smtpd_ehlo_keywords(const SMTPD_STATE *state)
{
    const SMTPD_SETTINGS *settings = state->settings;
    ARGV   *all = argv_alloc(12);
    ARGV   *kw = argv_alloc(12);
    char    size[40];

    argv_add(all, "PIPELINING");
    if (settings->message_size_limit > 0)
        snprintf(size, sizeof(size), "SIZE %ld", settings->message_size_limit);
    else
        snprintf(size, sizeof(size), "SIZE");
    argv_add(all, size);
    if (!settings->disable_vrfy)
        argv_add(all, "VRFY");
    argv_add(all, "ETRN");
    smtpd_tls_ehlo(state, all);
    smtpd_sasl_ehlo(state, all);
    smtpd_xclient_ehlo(state, all);
    argv_add(all, "ENHANCEDSTATUSCODES");
    argv_add(all, "8BITMIME");
    argv_add(all, "DSN");
    argv_add(all, "SMTPUTF8");
    argv_add(all, "CHUNKING");
    for (int i = 0; i < all->argc; i++)
        if (!smtpd_helo_discarded(settings, all->argv[i]))
            argv_add(kw, all->argv[i]);
    argv_free(all);
    return kw;
}

/* smtpd_ehlo - EHLO hostname */
int
smtpd_ehlo(SMTPD_STATE *state, char *args)
{
    ARGV   *kw;

    if (smtpd_helo_name(state, args, "EHLO") < 0)
        return -1;
    state->protocol = "ESMTP";
    kw = smtpd_ehlo_keywords(state);
    smtpd_reply(state, "250%c%s", kw->argc ? '-' : ' ',
                state->settings->myhostname);
    for (int i = 0; i < kw->argc; i++)
        smtpd_reply(state, "250%c%s", i < kw->argc - 1 ? '-' : ' ',
                    kw->argv[i]);
    argv_free(kw);
    return 0;
}
