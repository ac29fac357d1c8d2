/* local_token - one destination list: an alias value, a line of a
 * .forward or :include: file.
 *
 * Model (man 5 aliases; Postfix 3.7 observed): the text is parsed as an
 * RFC 822 address list (tok822.h), so "|cmd arg" and "/my file" must be
 * quoted; each address, in internal form, is
 *   /path          a file (local_file.c)
 *   ~/path         a file in the home directory (user context only)
 *   |command       a command, if allow_mail_to_commands names the
 *                  expansion type, else 5.7.1 "mail to command is
 *                  restricted"
 *   :include:path  more destinations (local_include.c)
 *   anything else  an address (local_resolve.c)
 * A destination that is deferred ends the list: the whole recipient is
 * tried again later anyway. Files are read in chunks of at most
 * line_length_limit bytes; lines starting with '#' are comments.
 * Peers: local_alias, local_dotforward, local_include. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "local.h"
#include "mail_params.h"
#include "tok822.h"

#define LOCAL_INCLUDE_PREFIX    ":include:"

/* local_token_home - ~/path, relative to the user's home */
static int
local_token_home(LOCAL_STATE state, const LOCAL_USER *usr, const char *addr)
{
    BUF    *path;
    int     status;

    if (addr[1] == '/' && usr->home != NULL) {
        path = buf_alloc(100);
        buf_strcpy(path, strcmp(usr->home, "/") == 0 ? "" : usr->home);
        buf_strcat(path, addr + 1);
        status = local_file(state, usr, local_save(&state, buf_str(path)));
        buf_free(path);
        return status;
    }
    if (addr[1] != '/')
        return local_status(state, "5.3.5",
                            "bad home directory syntax for: %s", addr);
    return local_status(state, "5.3.5", "unknown home directory for: %s",
                        addr);
}

/* local_token_command - |command, if this expansion type may */
static int
local_token_command(LOCAL_STATE state, const LOCAL_USER *usr,
                    const char *command)
{
    if (local_conf.cmd_mask & state.exp_type)
        return local_command(state, usr, command);
    return local_status(state, "5.7.1", "mail to command is restricted");
}

/* local_token - one destination */
static int
local_token(LOCAL_STATE state, const LOCAL_USER *usr, const char *addr)
{
    if (*addr == '/')
        return local_file(state, usr, addr);
    if (*addr == '~')
        return local_token_home(state, usr, addr);
    if (*addr == '|')
        return local_token_command(state, usr, addr + 1);
    if (strncasecmp(addr, LOCAL_INCLUDE_PREFIX,
                    sizeof(LOCAL_INCLUDE_PREFIX) - 1) == 0)
        return local_include(state, usr,
                             addr + sizeof(LOCAL_INCLUDE_PREFIX) - 1);
    return local_resolve(state, usr, addr);
}

/* local_token_string - deliver to each destination of a list; *count
 * (if not NULL) counts them */
int
local_token_string(LOCAL_STATE state, const LOCAL_USER *usr,
                   const char *text, int *count)
{
    TOK822_LIST *list = tok822_parse(text, strlen(text),
                                     (size_t) var_header_address_token_limit);
    BUF    *addr = buf_alloc(100);
    int     status = 0;

    for (size_t i = 0; i < list->count && status == 0; i++) {
        if (list->tok[i].type != TOK822_ADDR)
            continue;
        buf_reset(addr);
        tok822_internalize(addr, list->tok[i].addr, TOK822_STR_NONE);
        if (buf_len(addr) == 0)
            continue;
        if (count)
            (*count)++;
        status = local_token(state, usr, local_save(&state, buf_str(addr)));
    }
    buf_free(addr);
    tok822_free(list);
    return status;
}

/* local_token_stream - deliver to the destinations of a file */
int
local_token_stream(LOCAL_STATE state, const LOCAL_USER *usr, int fd,
                   int *count)
{
    STREAM *sp = stream_fdopen(fd);
    BUF    *line = buf_alloc(100);
    int     status = 0;

    while (status == 0 && stream_get_line(sp, line,
                                          (size_t) var_line_length_limit)
           != EOF) {
        if (buf_last(line) == '\n')
            buf_truncate(line, buf_len(line) - 1);
        if (*buf_str(line) != '#')
            status = local_token_string(state, usr, buf_str(line), count);
        buf_reset(line);
    }
    stream_free(sp);
    buf_free(line);
    return status;
}
