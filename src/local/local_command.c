/* local_command - delivery to a |command (or mailbox_command).
 *
 * Model (Postfix 3.7's local, observed; man 8 local):
 *   - the command runs with the rights of the alias owner or user,
 *     default_privs instead of root, with the message on its standard
 *     input: the From line, Return-Path:, X-Original-To:, Delivered-To:
 *     (prepend_delivered_header "command"), no quoting, no empty line;
 *   - the environment is exactly: PATH=/usr/bin:/bin, the
 *     export_environment variables (TZ, MAIL_CONFIG, LANG=C), and SHELL,
 *     HOME (in a user's context), USER, LOGNAME, EXTENSION (when there
 *     is one), DOMAIN, LOCAL, RECIPIENT, ORIGINAL_RECIPIENT, SENDER and
 *     the CLIENT_... and SASL_... values that are set, each with the characters
 *     outside command_expansion_filter replaced by '_';
 *   - the working directory is the queue directory, or
 *     command_execution_directory (expanded like forward_path, with
 *     execution_directory_expansion_filter);
 *   - local_command_shell, command_time_limit and the exit status words
 *     are pipe_command()'s.
 * Results: "delivered to command: CMD", "delivers to command: CMD" when
 * verifying. Peers: pipe_command, local_copy. */
#include <string.h>

#include "local.h"
#include "mail_copy.h"
#include "mail_params.h"
#include "msg.h"
#include "pipe_command.h"

/* local_command_env_add - NAME=value, value filtered; skip empty */
static void
local_command_env_add(ARGV *env, const char *name, const char *value)
{
    BUF    *pair;

    if (value == NULL || *value == 0)
        return;
    pair = buf_alloc(100);
    buf_sprintf(pair, "%s=", name);
    for (const char *cp = value; *cp; cp++)
        buf_addch(pair, strchr(var_command_expansion_filter, *cp) ? *cp : '_');
    argv_add(env, buf_str(pair));
    buf_free(pair);
}

/* local_command_env - the command's whole environment */
static ARGV *
local_command_env(const LOCAL_STATE *state, const LOCAL_USER *usr)
{
    const DELIVER_REQUEST *req = state->lr->req;
    const RECIPIENT *top = state->lr->top;
    const char *const vars[][2] = {
        {"SHELL", usr->home ? usr->shell : NULL},
        {"HOME", usr->home},
        {"USER", state->user},
        {"LOGNAME", state->user},
        {"EXTENSION", state->extension},
        {"DOMAIN", state->domain},
        {"LOCAL", state->local},
        {"RECIPIENT", state->rcpt.address},
        {"ORIGINAL_RECIPIENT", top->orig_addr && *top->orig_addr ?
        top->orig_addr : top->address},
        {"SENDER", state->sender},
        {"CLIENT_ADDRESS", req->client_addr},
        {"CLIENT_HELO", req->client_helo},
        {"CLIENT_HOSTNAME", req->client_name},
        {"CLIENT_PROTOCOL", req->client_proto},
        {"SASL_METHOD", req->sasl_method},
        {"SASL_SENDER", req->sasl_sender},
        {"SASL_USERNAME", req->sasl_username},
    };
    ARGV   *env = argv_copy(local_conf.env);

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        local_command_env_add(env, vars[i][0], vars[i][1]);
    return env;
}

/* local_command_cwd - command_execution_directory, expanded; NULL for
 * the queue directory; -1 (why) when it cannot be expanded */
static int
local_command_cwd(const LOCAL_STATE *state, const LOCAL_USER *usr,
                  BUF *cwd, DSN_BUF *why)
{
    BUF    *err;

    if (*var_command_execution_directory == 0)
        return 0;
    err = buf_alloc(100);
    if (local_expand(cwd, var_command_execution_directory, state, usr,
                     var_execution_directory_expansion_filter, err) < 0) {
        msg_warn("command_execution_directory: %s", buf_str(err));
        dsb_simple(why, "4.3.5", "mail system configuration error");
        buf_free(err);
        return -1;
    }
    buf_free(err);
    return 0;
}

/* local_command_run - run it; PIPE_STAT_* */
static int
local_command_run(LOCAL_STATE *state, const LOCAL_USER *usr,
                  const char *command, DSN_BUF *why)
{
    PIPE_COMMAND cmd;
    LOCAL_COPY copy;
    BUF    *cwd = buf_alloc(100);
    ARGV   *env;
    int     status;

    if (local_command_cwd(state, usr, cwd, why) < 0) {
        buf_free(cwd);
        return PIPE_STAT_DEFER;
    }
    env = local_command_env(state, usr);
    copy.state = state;
    copy.flags = MAIL_COPY_FROM | MAIL_COPY_RETURN | MAIL_COPY_ORIG_RCPT;
    if (local_conf.hdr_mask & LOCAL_HDR_COMMAND)
        copy.flags |= MAIL_COPY_DELIVERED;
    memset(&cmd, 0, sizeof(cmd));
    cmd.command = command;
    cmd.shell = var_local_command_shell;
    cmd.env = env->argv;
    cmd.cwd = buf_len(cwd) ? buf_str(cwd) : NULL;
    cmd.uid = usr->uid;
    cmd.gid = usr->gid;
    local_unprivileged(&cmd.uid, &cmd.gid);
    cmd.time_limit = var_command_time_limit;
    cmd.write_fn = local_copy_fn;
    cmd.ctx = &copy;
    status = pipe_command(&cmd, why);
    argv_free(env);
    buf_free(cwd);
    return status;
}

/* local_command - deliver to a command */
int
local_command(LOCAL_STATE state, const LOCAL_USER *usr, const char *command)
{
    DSN_BUF *why = dsb_create();
    uid_t   uid = usr->uid;
    gid_t   gid = usr->gid;
    int     status;

    local_unprivileged(&uid, &gid);
    if (local_been_here(&state, "command %ld %s", (long) uid, command)) {
        status = 0;
    } else if (DEL_REQ_TRACE_ONLY(state.lr->req->flags)) {
        dsb_simple(why, "2.0.0", "delivers to command: %s", command);
        status = local_sent(state, why);
    } else {
        switch (local_command_run(&state, usr, command, why)) {
        case PIPE_STAT_OK:
            dsb_simple(why, "2.0.0", "delivered to command: %s", command);
            status = local_sent(state, why);
            break;
        case PIPE_STAT_BOUNCE:
            status = local_bounced(state, why);
            break;
        default:
            status = local_deferred(state, why);
            break;
        }
    }
    dsb_free(why);
    return status;
}
