/* smtpd_mail - MAIL FROM:<sender> [SIZE=n] [BODY=7BIT|8BITMIME]
 * [RET=FULL|HDRS] [ENVID=xtext] [AUTH=addr] [SMTPUTF8].
 *
 * Starts a mail transaction. The sender restrictions run here only with
 * smtpd_delay_reject = no (by default they run at RCPT time). Replies
 * and their codes are Postfix 3.7's. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mymalloc.h"
#include "smtpd.h"

/* DSN RET= values as cleanup's ret_flags attribute (Postfix's). */
#define SMTPD_RET_FULL  1
#define SMTPD_RET_HDRS  2

/* smtpd_mail_size - SIZE=value, remembered for the policy service; 0 or
 * -1 after a reply */
static int
smtpd_mail_size(SMTPD_STATE *state, const char *value)
{
    char   *end;
    long    size;

    errno = 0;
    size = strtol(value, &end, 10);
    if (!isdigit((unsigned char) *value) || *end != 0 || errno != 0) {
        smtpd_reply(state, "501 5.5.4 Bad message size syntax");
        return -1;
    }
    if (state->settings->message_size_limit > 0
        && size > state->settings->message_size_limit) {
        smtpd_reply(state, "552 5.3.4 Message size exceeds fixed limit");
        return -1;
    }
    state->msg_size = size;
    return 0;
}

/* smtpd_mail_body - BODY=value; 0 or -1 after a reply */
static int
smtpd_mail_body(SMTPD_STATE *state, const char *param, const char *value)
{
    if (strcasecmp(value, "8BITMIME") == 0)
        state->encoding = "8bit";
    else if (strcasecmp(value, "7BIT") == 0)
        state->encoding = "7bit";
    else {
        smtpd_reply(state, "555 5.5.4 Unsupported option: %s", param);
        return -1;
    }
    return 0;
}

/* smtpd_mail_dsn - RET= or ENVID=; 0 or -1 after a reply */
static int
smtpd_mail_dsn(SMTPD_STATE *state, const char *name, const char *value)
{
    if (strcasecmp(name, "RET") == 0) {
        if (state->ret_flags == 0 && strcasecmp(value, "FULL") == 0)
            state->ret_flags = SMTPD_RET_FULL;
        else if (state->ret_flags == 0 && strcasecmp(value, "HDRS") == 0)
            state->ret_flags = SMTPD_RET_HDRS;
        else {
            smtpd_reply(state, "501 5.5.4 Bad RET parameter syntax");
            return -1;
        }
        return 0;
    }
    if (state->envid != NULL || !smtpd_addr_xtext_ok(value, 100)) {
        smtpd_reply(state, "501 5.5.4 Bad ENVID parameter syntax");
        return -1;
    }
    state->envid = mystrdup(value);
    return 0;
}

/* smtpd_mail_param - one ESMTP parameter; 0 or -1 after a reply */
static int
smtpd_mail_param(SMTPD_STATE *state, char *param)
{
    char   *value = strchr(param, '=');
    size_t  nlen = value ? (size_t) (value - param) : strlen(param);

    if (value != NULL)
        value++;
    if (value == NULL && strcasecmp(param, "SMTPUTF8") == 0) {
        state->smtputf8 = true;
        return 0;
    }
    if (value != NULL && nlen == 4 && strncasecmp(param, "SIZE", 4) == 0)
        return smtpd_mail_size(state, value);
    if (value != NULL && nlen == 4 && strncasecmp(param, "BODY", 4) == 0)
        return smtpd_mail_body(state, param, value);
    if (value != NULL && nlen == 4 && strncasecmp(param, "AUTH", 4) == 0)
        return smtpd_sasl_mail_opt(state, value);
    if (value != NULL && ((nlen == 3 && strncasecmp(param, "RET", 3) == 0)
                          || (nlen == 5
                              && strncasecmp(param, "ENVID", 5) == 0))) {
        param[nlen] = 0;
        return smtpd_mail_dsn(state, param, value);
    }
    smtpd_reply(state, "555 5.5.4 Unsupported option: %s", param);
    return -1;
}

/* smtpd_mail_eight_bit - whether text has bytes above 127 */
static bool
smtpd_mail_eight_bit(const char *text)
{
    for (const unsigned char *cp = (const unsigned char *) text; *cp; cp++)
        if (*cp > 127)
            return true;
    return false;
}

/* smtpd_mail_args - the address and the parameters; 0 or -1 */
static int
smtpd_mail_args(SMTPD_STATE *state, char *args, BUF *addr)
{
    ARGV   *params = argv_alloc(4);
    int     ret = 0;

    if (smtpd_addr_parse(args, "FROM:", addr, params) < 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: MAIL FROM:<address>");
        ret = -1;
    }
    for (int i = 0; ret == 0 && i < params->argc; i++)
        ret = smtpd_mail_param(state, params->argv[i]);
    if (ret == 0 && !state->smtputf8 && smtpd_mail_eight_bit(buf_str(addr))) {
        smtpd_reply(state, "553 5.6.7 Must declare SMTPUTF8 to send "
                    "unicode address");
        ret = -1;
    }
    argv_free(params);
    return ret;
}

/* smtpd_mail_instance - the policy service's "instance" of this
 * transaction: pid, time (seconds, microseconds) and count, in hex */
static void
smtpd_mail_instance(SMTPD_STATE *state)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    state->arrival = tv.tv_sec;
    buf_sprintf(state->instance, "%x.%lx.%lx.%x", (unsigned) getpid(),
                (unsigned long) tv.tv_sec, (unsigned long) tv.tv_usec,
                (unsigned) state->instance_seq++);
}

/* smtpd_mail - MAIL */
int
smtpd_mail(SMTPD_STATE *state, char *args)
{
    BUF    *addr;
    const char *err = NULL;

    if (state->sender != NULL) {
        smtpd_reply(state, "503 5.5.1 Error: nested MAIL command");
        return -1;
    }
    addr = buf_alloc(100);
    if (smtpd_mail_args(state, args, addr) == 0
        && smtpd_anvil_mail(state) == 0) {
        smtpd_mail_instance(state);
        if ((err = smtpd_check_mail(state, buf_str(addr))) == NULL) {
            state->sender = buf_export(addr);
            smtpd_reply(state, "250 2.1.0 Ok");
            return 0;
        }
        smtpd_check_refusal(state, err);
    }
    smtpd_state_reset(state);
    buf_free(addr);
    return -1;
}
