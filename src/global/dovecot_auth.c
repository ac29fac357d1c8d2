/* dovecot_auth - the client side of Dovecot's authentication protocol.
 *
 * Model: what Postfix's xsasl_dovecot_server sends and expects (see
 * dovecot_auth.h), read strictly: every line is bounded, split into
 * fields without losing empty ones, and unescaped; replies must name the
 * request in progress. One request at a time per connection; a request
 * left half-way (the client cancelled) is simply abandoned, as Postfix
 * does: the server answers only what it is sent. Peers: smtpd_sasl.c,
 * tests/unit/test_dovecot_auth.c. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "base64.h"
#include "dovecot_auth.h"
#include "mymalloc.h"
#include "sock.h"

struct DOVECOT_AUTH {
    STREAM *stream;
    DOVECOT_MECH mechs[DOVECOT_AUTH_MECH_MAX];
    int     mech_count;
    unsigned id;                        /* the request in progress */
    BUF    *line;
    ARGV   *fields;
};

/* The MECH flags by name. */
static const struct {
    const char *name;
    int     flag;
} dovecot_mech_flags[] = {
    {"anonymous", DOVECOT_MECH_ANONYMOUS},
    {"plaintext", DOVECOT_MECH_PLAINTEXT},
    {"dictionary", DOVECOT_MECH_DICTIONARY},
    {"active", DOVECOT_MECH_ACTIVE},
    {"forward-secrecy", DOVECOT_MECH_FWD_SECRECY},
    {"mutual-auth", DOVECOT_MECH_MUTUAL},
    {"private", DOVECOT_MECH_PRIVATE},
};

/* dovecot_unescape - undo Dovecot's tab-escaping in place; -1 for an
 * unknown escape or an escaped NUL */
static int
dovecot_unescape(char *text)
{
    char   *in = text, *out = text;

    while (*in) {
        if (*in != '\001') {
            *out++ = *in++;
            continue;
        }
        switch (in[1]) {
        case '1': *out++ = '\001'; break;
        case 't': *out++ = '\t'; break;
        case 'r': *out++ = '\r'; break;
        case 'n': *out++ = '\n'; break;
        default: return -1;
        }
        in += 2;
    }
    *out = 0;
    return 0;
}

/* dovecot_read - read one line into auth->fields (unescaped); 0, or -1
 * with why */
static int
dovecot_read(DOVECOT_AUTH *auth, BUF *why)
{
    char   *cp, *field;

    buf_reset(auth->line);
    if (stream_get_line(auth->stream, auth->line, DOVECOT_AUTH_LINE_MAX)
        != '\n') {
        buf_strcpy(why, stream_timedout(auth->stream) ?
                   "timeout reading from authentication server"
                   : buf_len(auth->line) >= DOVECOT_AUTH_LINE_MAX ?
                   "authentication server sent a line that is too long"
                   : "Connection lost to authentication server");
        return -1;
    }
    buf_truncate(auth->line, buf_len(auth->line) - 1);
    if (memchr(buf_str(auth->line), 0, buf_len(auth->line)) != NULL) {
        buf_strcpy(why, "authentication server sent a NUL byte");
        return -1;
    }
    argv_truncate(auth->fields, 0);
    for (cp = buf_str(auth->line); (field = strsep(&cp, "\t")) != NULL;) {
        if (dovecot_unescape(field) < 0) {
            buf_strcpy(why, "authentication server sent a bad escape");
            return -1;
        }
        argv_add(auth->fields, field);
    }
    return 0;
}

/* dovecot_write - send one line; 0, or -1 with why */
static int
dovecot_write(DOVECOT_AUTH *auth, const char *line, BUF *why)
{
    if (stream_puts(auth->stream, line) < 0
        || stream_flush(auth->stream) < 0) {
        buf_strcpy(why, "Connection lost to authentication server");
        return -1;
    }
    return 0;
}

/* dovecot_mech_add - a MECH line; 0, or -1 with why */
static int
dovecot_mech_add(DOVECOT_AUTH *auth, const ARGV *f, BUF *why)
{
    DOVECOT_MECH *mech;

    if (f->argc < 2 || *f->argv[1] == 0) {
        buf_strcpy(why, "authentication server sent a bad MECH line");
        return -1;
    }
    if (auth->mech_count >= DOVECOT_AUTH_MECH_MAX) {
        buf_strcpy(why, "authentication server sent too many mechanisms");
        return -1;
    }
    for (const char *cp = f->argv[1]; *cp; cp++) {
        if (!isalnum((unsigned char) *cp) && *cp != '-' && *cp != '_') {
            buf_strcpy(why, "authentication server sent a bad mechanism name");
            return -1;
        }
    }
    mech = &auth->mechs[auth->mech_count++];
    mech->name = mystrdup(f->argv[1]);
    mech->flags = 0;
    for (int i = 2; i < f->argc; i++)
        for (size_t j = 0; j < sizeof(dovecot_mech_flags)
             / sizeof(dovecot_mech_flags[0]); j++)
            if (strcmp(f->argv[i], dovecot_mech_flags[j].name) == 0)
                mech->flags |= dovecot_mech_flags[j].flag;
    return 0;
}

/* dovecot_handshake - VERSION and CPID out; VERSION, MECH... DONE in */
static int
dovecot_handshake(DOVECOT_AUTH *auth, BUF *why)
{
    bool    version = false;
    const ARGV *f = auth->fields;

    buf_sprintf(auth->line, "VERSION\t1\t2\nCPID\t%ld\n", (long) getpid());
    if (dovecot_write(auth, buf_str(auth->line), why) < 0)
        return -1;
    for (int n = 0; n < DOVECOT_AUTH_MECH_MAX + 16; n++) {
        if (dovecot_read(auth, why) < 0)
            return -1;
        if (strcmp(f->argv[0], "VERSION") == 0) {
            if (f->argc < 3 || strcmp(f->argv[1], "1") != 0) {
                buf_strcpy(why, "authentication server speaks an "
                           "incompatible protocol version");
                return -1;
            }
            version = true;
        } else if (!version) {
            buf_strcpy(why, "authentication server did not send VERSION");
            return -1;
        } else if (strcmp(f->argv[0], "MECH") == 0) {
            if (dovecot_mech_add(auth, f, why) < 0)
                return -1;
        } else if (strcmp(f->argv[0], "DONE") == 0) {
            return 0;
        }
    }
    buf_strcpy(why, "authentication server handshake is too long");
    return -1;
}

/* dovecot_auth_open - the handshake over a connected stream */
DOVECOT_AUTH *
dovecot_auth_open(STREAM *stream, int timeout, BUF *why)
{
    DOVECOT_AUTH *auth = mymalloc(sizeof(*auth));

    auth->stream = stream;
    auth->mech_count = 0;
    auth->id = 0;
    auth->line = buf_alloc(200);
    auth->fields = argv_alloc(8);
    stream_set_timeout(stream, timeout);
    if (dovecot_handshake(auth, why) < 0) {
        dovecot_auth_close(auth);
        return NULL;
    }
    return auth;
}

/* dovecot_auth_connect - connect and do the handshake */
DOVECOT_AUTH *
dovecot_auth_connect(const char *path, int timeout, BUF *why)
{
    int     fd, err;

    if (strncmp(path, "inet:", 5) == 0)
        fd = inet_connect(path + 5, timeout, why);
    else
        fd = unix_connect(strncmp(path, "unix:", 5) == 0 ? path + 5 : path,
                          timeout, why);
    if (fd < 0) {
        err = errno;
        buf_sprintf(why, "Connect to Dovecot auth socket '%s' failed: %s",
                    path, strerror(err));
        return NULL;
    }
    return dovecot_auth_open(stream_fdopen(fd), timeout, why);
}

/* dovecot_auth_close - disconnect */
void
dovecot_auth_close(DOVECOT_AUTH *auth)
{
    for (int i = 0; i < auth->mech_count; i++)
        myfree(auth->mechs[i].name);
    (void) stream_close(auth->stream);
    buf_free(auth->line);
    argv_free(auth->fields);
    myfree(auth);
}

/* dovecot_auth_mech_count - how many mechanisms */
int
dovecot_auth_mech_count(const DOVECOT_AUTH *auth)
{
    return auth->mech_count;
}

/* dovecot_auth_mech - one mechanism */
const DOVECOT_MECH *
dovecot_auth_mech(const DOVECOT_AUTH *auth, int index)
{
    return &auth->mechs[index];
}

/* dovecot_clean - whether a value has no control characters (fit for a
 * request line, a log line, a header) */
static bool
dovecot_clean(const char *value)
{
    for (const char *cp = value; *cp; cp++)
        if (iscntrl((unsigned char) *cp))
            return false;
    return true;
}

/* dovecot_param - the value of "name=..." among fields from the third */
static void
dovecot_param(const ARGV *f, const char *name, BUF *value)
{
    size_t  len = strlen(name);

    buf_reset(value);
    for (int i = 2; i < f->argc; i++)
        if (strncmp(f->argv[i], name, len) == 0 && f->argv[i][len] == '=')
            buf_strcpy(value, f->argv[i] + len + 1);
}

/* dovecot_flag - whether a bare flag is among fields from the third */
static bool
dovecot_flag(const ARGV *f, const char *name)
{
    for (int i = 2; i < f->argc; i++)
        if (strcmp(f->argv[i], name) == 0)
            return true;
    return false;
}

/* dovecot_bad - a protocol error */
static int
dovecot_bad(BUF *why, const char *what)
{
    buf_sprintf(why, "authentication server sent %s", what);
    return DOVECOT_AUTH_ERROR;
}

/* dovecot_answer - read the answer to the request in progress */
static int
dovecot_answer(DOVECOT_AUTH *auth, DOVECOT_AUTH_REPLY *reply, BUF *why)
{
    const ARGV *f = auth->fields;
    char   *end;

    buf_reset(reply->data);
    buf_reset(reply->user);
    buf_reset(reply->reason);
    if (dovecot_read(auth, why) < 0)
        return DOVECOT_AUTH_ERROR;
    if (f->argc < 2 || strtoul(f->argv[1], &end, 10) != auth->id
        || *end != 0 || !isdigit((unsigned char) *f->argv[1]))
        return dovecot_bad(why, "a reply for an unknown request");
    dovecot_param(f, "user", reply->user);
    if (!dovecot_clean(buf_str(reply->user)))
        return dovecot_bad(why, "a bad user name");
    if (strcmp(f->argv[0], "OK") == 0) {
        if (buf_len(reply->user) == 0)
            return dovecot_bad(why, "OK without a user name");
        return DOVECOT_AUTH_OK;
    }
    if (strcmp(f->argv[0], "CONT") == 0) {
        if (f->argc != 3 || base64_decode(reply->reason, f->argv[2],
                                          strlen(f->argv[2])) < 0)
            return dovecot_bad(why, "a bad challenge");
        buf_reset(reply->reason);
        buf_strcpy(reply->data, f->argv[2]);
        return DOVECOT_AUTH_CONT;
    }
    if (strcmp(f->argv[0], "FAIL") == 0) {
        dovecot_param(f, "reason", reply->reason);
        if (!dovecot_clean(buf_str(reply->reason)))
            return dovecot_bad(why, "a bad reason");
        return dovecot_flag(f, "temp") ? DOVECOT_AUTH_TEMP : DOVECOT_AUTH_FAIL;
    }
    return dovecot_bad(why, "an unknown reply");
}

/* dovecot_auth_start - send AUTH and read the answer */
int
dovecot_auth_start(DOVECOT_AUTH *auth, const DOVECOT_AUTH_REQ *req,
                   DOVECOT_AUTH_REPLY *reply, BUF *why)
{
    BUF    *line = auth->line;

    if (!dovecot_clean(req->mech)
        || !dovecot_clean(req->service)
        || (req->resp && !dovecot_clean(req->resp))) {
        buf_strcpy(why, "bad request");
        return DOVECOT_AUTH_ERROR;
    }
    buf_sprintf(line, "AUTH\t%u\t%s\tservice=%s\tnologin", ++auth->id,
                req->mech, req->service);
    if (req->local_ip)
        buf_sprintf_append(line, "\tlip=%s", req->local_ip);
    if (req->remote_ip)
        buf_sprintf_append(line, "\trip=%s", req->remote_ip);
    if (req->secured)
        buf_strcat(line, "\tsecured");
    if (req->resp)
        buf_sprintf_append(line, "\tresp=%s", req->resp);
    buf_strcat(line, "\n");
    if (dovecot_write(auth, buf_str(line), why) < 0)
        return DOVECOT_AUTH_ERROR;
    return dovecot_answer(auth, reply, why);
}

/* dovecot_auth_continue - the client's response to a challenge */
int
dovecot_auth_continue(DOVECOT_AUTH *auth, const char *resp,
                      DOVECOT_AUTH_REPLY *reply, BUF *why)
{
    if (!dovecot_clean(resp)) {
        buf_strcpy(why, "bad response");
        return DOVECOT_AUTH_ERROR;
    }
    buf_sprintf(auth->line, "CONT\t%u\t%s\n", auth->id, resp);
    if (dovecot_write(auth, buf_str(auth->line), why) < 0)
        return DOVECOT_AUTH_ERROR;
    return dovecot_answer(auth, reply, why);
}

/* dovecot_auth_reply_init - empty buffers */
void
dovecot_auth_reply_init(DOVECOT_AUTH_REPLY *reply)
{
    reply->data = buf_alloc(100);
    reply->user = buf_alloc(50);
    reply->reason = buf_alloc(50);
}

/* dovecot_auth_reply_free - release them */
void
dovecot_auth_reply_free(DOVECOT_AUTH_REPLY *reply)
{
    buf_free(reply->data);
    buf_free(reply->user);
    buf_free(reply->reason);
}
