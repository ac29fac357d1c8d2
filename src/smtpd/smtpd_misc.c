/* smtpd_misc - the small commands: RSET, NOOP, QUIT, VRFY (ETRN is in
 * smtpd_etrn.c).
 *
 * VRFY runs the recipient restrictions (as RCPT does: unknown local users
 * are refused), then answers "252" with the argument as given, unless
 * disable_vrfy_command. */
#include <string.h>

#include "quote_822_local.h"
#include "smtpd.h"

/* smtpd_rset - RSET: forget the transaction */
int
smtpd_rset(SMTPD_STATE *state, char *args)
{
    if (*args != 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: RSET");
        return -1;
    }
    smtpd_state_reset(state);
    smtpd_reply(state, "250 2.0.0 Ok");
    return 0;
}

/* smtpd_noop - NOOP */
int
smtpd_noop(SMTPD_STATE *state, char *args)
{
    (void) args;
    smtpd_reply(state, "250 2.0.0 Ok");
    return 0;
}

/* smtpd_quit - QUIT */
int
smtpd_quit(SMTPD_STATE *state, char *args)
{
    (void) args;
    smtpd_reply(state, "221 2.0.0 Bye");
    state->quit = true;
    return 0;
}

/* smtpd_vrfy_addr - the address of a VRFY argument, in internal form:
 * the first word, without its angle brackets */
static void
smtpd_vrfy_addr(const char *args, BUF *addr)
{
    size_t  len = strcspn(args, " \t");
    BUF    *word = buf_alloc(len + 1);

    buf_append(word, args, len);
    if (len >= 2 && args[0] == '<' && args[len - 1] == '>') {
        buf_reset(word);
        buf_append(word, args + 1, len - 2);
    }
    unquote_822_local(addr, buf_str(word));
    buf_free(word);
}

/* smtpd_vrfy - VRFY address: the recipient restrictions, then 252 */
int
smtpd_vrfy(SMTPD_STATE *state, char *args)
{
    size_t  len = strlen(args);
    const char *err;
    BUF    *addr;

    if (state->settings->disable_vrfy) {
        smtpd_reply(state, "502 5.5.1 VRFY command is disabled");
        return -1;
    }
    if (len == 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: VRFY address [SMTPUTF8]");
        return -1;
    }
    addr = buf_alloc(len + 1);
    smtpd_vrfy_addr(args, addr);
    err = smtpd_check_rcpt(state, buf_str(addr));
    buf_free(addr);
    if (err != NULL) {
        smtpd_check_refusal(state, err);
        return -1;
    }
    smtpd_reply(state, "252 2.0.0 %s", args);
    return 0;
}
