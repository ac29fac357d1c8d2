/* smtpd - the SMTP server, as Postfix's smtpd(8).
 *
 * Model: a SINGLE server (mail_server.h): master hands over one client
 * connection at a time ("127.0.0.1:2525 inet n - n - - smtpd"); with -S
 * it serves one client on stdin/stdout. main() only gathers settings;
 * the parts of the session live in the files listed in smtpd.h.
 *
 * Before the greeting the client restrictions may run (smtpd_delay_reject
 * = no; a refused client then gets "503 5.7.0 Error: access denied" for
 * every command but QUIT). The command loop reads a line, finds the
 * command, looks for improper pipelining (smtpd_check_pipe.c), counts it
 * for the "disconnect from" statistics and runs it. As in Postfix: a client
 * that made smtpd_hard_error_limit errors is told "421 4.7.0 ... Error:
 * too many errors" and dropped; more than smtpd_junk_command_limit
 * HELO/EHLO/RSET/NOOP/VRFY/ETRN commands each count as an error; a
 * client silent for smtpd_timeout hears "421 4.4.2 ... timeout
 * exceeded". Parameters: see docs/smtpd.md.
 *
 * Stand-alone mode (sendmail -bs runs "smtpd -S"): the client is stdin
 * and stdout. Unless the process runs as mail_owner, as in Postfix, no
 * restriction runs, anvil is not asked, ETRN is refused, and each
 * message goes to "postdrop -r" instead of cleanup (smtpd_queue.c). */
#include <string.h>
#include <unistd.h>

#include "cleanup_clnt.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "priv.h"
#include "smtp_pass.h"
#include "smtpd.h"
#include "smtpd_tls.h"

/* Postfix's smtpd request flags: FILTER, BCC_OK, MAP_OK, SMTP_REPLY. */
#define SMTPD_CLEANUP_FLAGS     (CLEANUP_FLAG_MASK_EXTERNAL \
                                 | CLEANUP_FLAG_SMTP_REPLY)

/* Command table entry. */
typedef struct SMTPD_CMD {
    const char *name;
    SMTPD_CMD_FN action;
    SMTPD_CMD_ID id;
    bool    junk;                       /* counts against the junk limit */
    bool    last;                       /* ends a pipelined group */
} SMTPD_CMD;

static const SMTPD_CMD smtpd_cmds[] = {
    {"HELO", smtpd_helo, SMTPD_CMD_HELO, true, true},
    {"EHLO", smtpd_ehlo, SMTPD_CMD_EHLO, true, true},
    {"XCLIENT", smtpd_xclient, SMTPD_CMD_XCLIENT, false, false},
    {"XFORWARD", smtpd_xforward, SMTPD_CMD_XFORWARD, false, false},
    {"STARTTLS", smtpd_starttls, SMTPD_CMD_STARTTLS, false, false},
    {"AUTH", smtpd_auth, SMTPD_CMD_AUTH, false, false},
    {"MAIL", smtpd_mail, SMTPD_CMD_MAIL, false, false},
    {"RCPT", smtpd_rcpt, SMTPD_CMD_RCPT, false, false},
    {"DATA", smtpd_data, SMTPD_CMD_DATA, false, true},
    {"BDAT", smtpd_bdat, SMTPD_CMD_BDAT, false, false},
    {"RSET", smtpd_rset, SMTPD_CMD_RSET, true, false},
    {"NOOP", smtpd_noop, SMTPD_CMD_NOOP, true, true},
    {"VRFY", smtpd_vrfy, SMTPD_CMD_VRFY, true, true},
    {"ETRN", smtpd_etrn, SMTPD_CMD_ETRN, true, false},
    {"QUIT", smtpd_quit, SMTPD_CMD_QUIT, false, false},
};

static SMTPD_SETTINGS smtpd_settings;

/* smtpd_find - the command named by the first word of line, or NULL */
static const SMTPD_CMD *
smtpd_find(const char *verb)
{
    for (size_t i = 0; i < sizeof(smtpd_cmds) / sizeof(smtpd_cmds[0]); i++)
        if (strcasecmp(smtpd_cmds[i].name, verb) == 0)
            return &smtpd_cmds[i];
    return NULL;
}

/* smtpd_split - split line into verb and arguments (trimmed) */
static char *
smtpd_split(BUF *line)
{
    char   *cp = buf_str(line);

    buf_trim_right(line);
    cp += strcspn(cp, " \t");
    if (*cp != 0)
        *cp++ = 0;
    return cp + strspn(cp, " \t");
}

/* smtpd_command - run one command line; false to end the session */
static bool
smtpd_command(SMTPD_STATE *state)
{
    const SMTPD_CMD *cmd = NULL;
    char   *args = NULL;

    if (memchr(buf_str(state->line), 0, buf_len(state->line)) == NULL) {
        args = smtpd_split(state->line);
        cmd = smtpd_find(buf_str(state->line));
    }
    if (cmd == NULL) {
        state->where = "UNKNOWN";
        state->cmd_total[SMTPD_CMD_UNKNOWN]++;
        if (buf_len(state->line) == 0)
            smtpd_reply(state, "500 5.5.2 Error: bad syntax");
        else
            smtpd_reply(state, "500 5.5.2 Error: command not recognized");
        state->error_count++;
        return true;
    }
    smtpd_check_pipelining(state, cmd->name, cmd->last);
    state->where = cmd->name;
    state->cmd_total[cmd->id]++;
    if (state->access_denied && cmd->id != SMTPD_CMD_QUIT) {
        smtpd_reply(state, "503 5.7.0 Error: access denied for %s",
                    state->namaddr);
        state->error_count++;
        return true;
    }
    if (cmd->junk && state->junk_cmds++ >= state->settings->junk_command_limit)
        state->error_count++;
    if (smtpd_tls_refuse(state, cmd->id))
        state->error_count++;
    else if (cmd->action(state, args) == 0)
        state->cmd_ok[cmd->id]++;
    else
        state->error_count++;
    return !state->quit && !smtpd_reply_broken(state);
}

/* smtpd_greet - the greeting, or the refusal of the client restrictions
 * when smtpd_delay_reject = no. A client that greeter(8) greeted already
 * gets neither; a refusal that does not hang up then shows as "503 5.7.0
 * Error: access denied" for its commands (a reply now would answer the
 * command it sent, and the next reply the one after). */
static void
smtpd_greet(SMTPD_STATE *state, int pass_tag)
{
    const char *err;

    if (pass_tag != SMTP_PASS_GREETED && pass_tag != SMTP_PASS_SILENT)
        smtpd_check_pipelining(state, "CONNECT", true);
    if (smtpd_anvil_connect(state) < 0)
        return;
    if ((err = smtpd_check_connect(state)) != NULL) {
        state->access_denied = mystrdup(err);
        if (pass_tag == 0 || smtpd_check_hangup(err))
            smtpd_check_refusal(state, err);
    } else if (pass_tag == 0) {
        smtpd_reply(state, "220 %s", state->settings->banner);
    }
}

/* smtpd_session - the command loop; pass_tag: see smtp_pass.h */
static void
smtpd_session(SMTPD_STATE *state, int pass_tag)
{
    int     status;

    smtpd_greet(state, pass_tag);
    if (pass_tag == SMTP_PASS_SILENT && !state->quit)
        smtpd_log_timeout(state);
    while (!state->quit) {
        if (state->error_count >= state->settings->hard_error_limit) {
            smtpd_reply(state, "421 4.7.0 %s Error: too many errors",
                        state->settings->myhostname);
            msg_info("too many errors after %s from %s", state->where,
                     state->namaddr);
            break;
        }
        if ((status = smtpd_reply_get(state, state->line)) == -2)
            break;
        if (status < 0 || !smtpd_command(state)) {
            if (smtpd_reply_broken(state) && !state->quit)
                smtpd_log_lost(state);
            break;
        }
        if (state->xclient_restart) {
            /* As in Postfix, where XCLIENT leaves through a longjmp, a
             * successful XCLIENT is not counted as ok. */
            state->xclient_restart = false;
            state->cmd_ok[SMTPD_CMD_XCLIENT]--;
            smtpd_greet(state, 0);
        }
    }
    smtpd_reply_flush(state);
}

/* smtpd_service - one client */
static void
smtpd_service(STREAM *client, const char *service, char **argv)
{
    SMTPD_STATE state;
    int     excluded;

    (void) argv;
    stream_set_timeout(client, smtpd_settings.timeout);
    smtpd_state_init(&state, client, &smtpd_settings);
    state.service = service;
    state.standalone = stream_fd(client) == STDIN_FILENO
        && getuid() != smtpd_settings.owner_uid;
    smtpd_peer_init(&state);
    smtpd_check_session(&state);
    excluded = match_list_match(smtpd_settings.bare_newline_exclusions,
                                state.name, state.addr, state.why);
    state.bare_lf_ok = excluded > 0;
    msg_info("connect from %s", state.namaddr);
    smtpd_xclient_session(&state);
    smtpd_sasl_session_start(&state);
    if (smtpd_tls_session_start(&state) == 0)
        smtpd_session(&state, mail_server_pass_tag());
    smtpd_sasl_session_end(&state);
    smtpd_tls_session_end(&state);
    smtpd_anvil_disconnect(&state);
    smtpd_log_disconnect(&state);
    smtpd_check_session_free(&state);
    smtpd_state_free(&state);
}

/* smtpd_list - a match list parameter, or a fatal error */
static MATCH_LIST *
smtpd_list(const char *name, int kind, const char *value, BUF *why)
{
    MATCH_LIST *list = match_list_create(name, kind, value,
                                         MATCH_FLAG_PARENT_STYLE, why);

    if (list == NULL)
        msg_fatal("%s", buf_str(why));
    return list;
}

/* smtpd_bare_newline - smtpd_forbid_bare_newline */
static int
smtpd_bare_newline(const char *value)
{
    if (strcasecmp(value, "reject") == 0)
        return SMTPD_BARE_LF_REJECT;
    if (strcasecmp(value, "normalize") == 0 || strcasecmp(value, "no") == 0)
        return SMTPD_BARE_LF_NORMALIZE;
    msg_fatal("invalid smtpd_forbid_bare_newline value: \"%s\"", value);
}

/* smtpd_owner_uid - the uid of mail_owner (none: one nobody has) */
static uid_t
smtpd_owner_uid(void)
{
    uid_t   uid;
    gid_t   gid;

    if (priv_lookup_user(var_mail_owner, &uid, &gid) < 0)
        return (uid_t) -1;
    return uid;
}

/* smtpd_post_init - the settings from main.cf */
static void
smtpd_post_init(const char *service, char **argv)
{
    SMTPD_SETTINGS *s = &smtpd_settings;
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);

    (void) service;
    (void) argv;
    s->myhostname = var_myhostname;
    s->mail_name = var_mail_name;
    s->banner = var_smtpd_banner;
    s->mynetworks = smtpd_list("mynetworks", MATCH_NAMADR, var_mynetworks,
                               why);
    s->bare_newline_exclusions =
        smtpd_list("smtpd_forbid_bare_newline_exclusions", MATCH_ADDR,
                   var_smtpd_forbid_bare_newline_exclusions, why);
    s->discard_ehlo = argv_split(var_smtpd_discard_ehlo_keywords, ", \t");
    s->bare_newline = smtpd_bare_newline(var_smtpd_forbid_bare_newline);
    s->disable_vrfy = var_disable_vrfy_command;
    s->timeout = var_smtpd_timeout;
    s->error_sleep = var_smtpd_error_sleep_time;
    s->soft_error_limit = var_smtpd_soft_error_limit;
    s->hard_error_limit = var_smtpd_hard_error_limit;
    s->junk_command_limit = var_smtpd_junk_command_limit;
    s->recipient_limit = var_smtpd_recipient_limit;
    s->message_size_limit = var_message_size_limit;
    s->line_length_limit = (size_t) var_line_length_limit;
    s->ipc_timeout = var_ipc_timeout;
    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    s->cleanup_path = mystrdup(buf_str(path));
    if ((s->cleanup_flags = cleanup_override(SMTPD_CLEANUP_FLAGS,
                                             var_receive_override_options,
                                             why)) < 0)
        msg_fatal("%s", buf_str(why));
    buf_sprintf(path, "%s/postdrop", var_command_directory);
    s->postdrop_path = mystrdup(buf_str(path));
    s->owner_uid = smtpd_owner_uid();
    buf_sprintf(path, "private/%s", var_rewrite_service_name);
    s->resolve = resolve_clnt_create(buf_str(path), var_ipc_timeout);
    s->rewrite = rewrite_clnt_create(buf_str(path), var_ipc_timeout);
    smtpd_check_init(s);
    smtpd_xclient_init();
    smtpd_anvil_init();
    smtpd_tls_post_init();
    smtpd_sasl_post_init();
    buf_free(path);
    buf_free(why);
}

/* smtpd_pre_init - before the privilege drop: TLS keys */
static void
smtpd_pre_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    smtpd_tls_pre_init();
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .pre_init = smtpd_pre_init,
        .post_init = smtpd_post_init,
        .service = smtpd_service,
    };

    mail_server_main(argc, argv, &spec);
}
