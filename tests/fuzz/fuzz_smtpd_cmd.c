/* fuzz_smtpd_cmd - libFuzzer harness for smtpd's command argument
 * parsers.
 *
 * The input (up to a NUL) is the argument text of a command; each parser
 * gets its own copy: the MAIL and RCPT address parser with "FROM:" and
 * "TO:" (smtpd_addr.c), xtext, and the MAIL (SIZE=, BODY=, RET=, ENVID=,
 * SMTPUTF8), RCPT (NOTIFY=, ORCPT=, after a MAIL), XCLIENT, XFORWARD,
 * VRFY and ETRN commands of a session whose client is /dev/null, with
 * the settings of fuzz_smtpd.h. Crashes, leaks and sanitizer reports are
 * failures. Seeds: tests/fuzz/corpus/fuzz_smtpd_cmd/. */
#include <fcntl.h>

#include "fuzz_smtpd.h"

/* fuzz_cmd_addr - the address parser and xtext on text */
static void
fuzz_cmd_addr(const char *text, const char *keyword)
{
    char   *copy = mystrdup(text);
    BUF    *addr = buf_alloc(100);
    ARGV   *params = argv_alloc(4);

    if (smtpd_addr_parse(copy, keyword, addr, params) == 0)
        for (int i = 0; i < params->argc; i++)
            (void) smtpd_addr_xtext_ok(params->argv[i], 500);
    (void) smtpd_addr_xtext_ok(text, 100);
    argv_free(params);
    buf_free(addr);
    myfree(copy);
}

/* fuzz_cmd_run - one command handler on a copy of text */
static void
fuzz_cmd_run(SMTPD_STATE *state, SMTPD_CMD_FN fn, const char *text)
{
    char   *copy = mystrdup(text);

    (void) fn(state, copy);
    myfree(copy);
}

/* LLVMFuzzerTestOneInput - one argument text */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SMTPD_STATE state;
    char   *text = mystrndup((const char *) data, size);
    char    from[] = "FROM:<a@example.test>";
    int     fd;

    fuzz_smtpd_setup();
    fuzz_cmd_addr(text, "FROM:");
    fuzz_cmd_addr(text, "TO:");
    if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        abort();
    smtpd_state_init(&state, stream_fdopen(fd), &smtpd_settings);
    state.service = "smtp";
    smtpd_peer_init(&state);
    smtpd_check_session(&state);
    smtpd_xclient_session(&state);
    fuzz_cmd_run(&state, smtpd_mail, text);
    smtpd_state_reset(&state);
    (void) smtpd_mail(&state, from);
    fuzz_cmd_run(&state, smtpd_rcpt, text);
    fuzz_cmd_run(&state, smtpd_vrfy, text);
    smtpd_state_reset(&state);
    fuzz_cmd_run(&state, smtpd_etrn, text);
    fuzz_cmd_run(&state, smtpd_xforward, text);
    fuzz_cmd_run(&state, smtpd_xclient, text);
    smtpd_check_session_free(&state);
    (void) stream_close(state.client);
    smtpd_state_free(&state);
    myfree(text);
    return 0;
}
