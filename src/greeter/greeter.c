/* greeter - holds idle SMTP sessions in one process and hands each
 * client to smtpd when it speaks.
 *
 * A Postern daemon with no Postfix namesake (docs/greeter.md). In
 * master.cf it listens in smtpd's place and passes clients to the smtpd
 * "pass" service named by smtpd_service_name:
 *
 *   smtp      inet  n  -  n  -  1  greeter
 *   smtpd     pass  -  -  n  -  -  smtpd
 *
 * Model: MULTI (one event loop, no per-session process). On accept it
 * sends "220 $smtpd_banner" at once; the session costs a socket and a
 * few dozen bytes until the client sends anything (or hangs up). Then it
 * passes the connection (fd_pass.h) with a tag (smtp_pass.h) and forgets
 * it: smtpd does the peer lookup, the connect-time checks, logs "connect
 * from" and serves the session as if it had greeted the client itself.
 * greeter reads nothing from the client, so what it sent stays in the
 * socket for smtpd. A client silent for smtpd_timeout is passed as
 * SILENT: smtpd says "421 4.4.2 ... timeout exceeded" and logs it.
 *
 * One client address gets at most smtpd_client_connection_count_limit
 * idle sessions here (greeter_limit.h); more go to smtpd ungreeted.
 *
 * When no smtpd can take a client (the pass socket's queue is full)
 * greeter tries again every GREETER_RETRY_MS; a client still waiting at
 * its deadline gets "421 4.3.2 All server ports are busy", as Postfix's
 * postscreen says. Sessions wait in one list in the order of their
 * deadlines (smtpd_timeout after the connect), so one timer serves all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "fd_pass.h"
#include "greeter_limit.h"
#include "mail_params.h"
#include "mail_server.h"
#include "mono_time.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp_pass.h"
#include "sock.h"

#define GREETER_RETRY_MS        250     /* a busy smtpd service again */
#define GREETER_BUSY_REPLY      "421 4.3.2 All server ports are busy\r\n"

/* One held client. */
typedef struct GREETER_SESSION {
    STREAM *client;
    long long deadline;                 /* mono_ms() */
    int     tag;                        /* SMTP_PASS_GREETED or _EARLY */
    char   *counted_addr;               /* counted by greeter_limit */
    bool    spoke;                      /* waiting for an smtpd */
    struct GREETER_SESSION *prev, *next;        /* by deadline */
} GREETER_SESSION;

static GREETER_SESSION *greeter_head, *greeter_tail;
static GREETER_SESSION **greeter_by_fd;         /* indexed by descriptor */
static int greeter_by_fd_size;
static char *greeter_pass_path;                 /* private/$smtpd_service_name */
static BUF *greeter_banner;                     /* "220 ...\r\n" */

static void greeter_timer(int event, void *ctx);
static void greeter_retry(int event, void *ctx);

/* greeter_session_of - the session of a client descriptor */
static GREETER_SESSION *
greeter_session_of(int fd)
{
    return fd >= 0 && fd < greeter_by_fd_size ? greeter_by_fd[fd] : NULL;
}

/* greeter_unlink - take a session out of the deadline list */
static void
greeter_unlink(GREETER_SESSION *session)
{
    if (session->prev)
        session->prev->next = session->next;
    else
        greeter_head = session->next;
    if (session->next)
        session->next->prev = session->prev;
    else
        greeter_tail = session->prev;
}

/* greeter_end - forget a session and close greeter's copy of the client */
static void
greeter_end(GREETER_SESSION *session)
{
    greeter_unlink(session);
    greeter_by_fd[stream_fd(session->client)] = NULL;
    if (session->counted_addr) {
        greeter_limit_leave(session->counted_addr);
        myfree(session->counted_addr);
    }
    mail_server_disconnect(session->client);
    myfree(session);
}

/* greeter_say - a one-line reply that must not block greeter */
static void
greeter_say(int fd, const char *text)
{
    (void) send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* greeter_pass - hand a client to smtpd: 0, or -1 with errno (EAGAIN:
 * every smtpd is busy and the pass queue is full) */
static int
greeter_pass(int fd, int tag)
{
    int     sock;
    int     status;
    int     saved;

    if ((sock = unix_connect_nowait(greeter_pass_path)) < 0)
        return -1;
    status = fd_pass_send(sock, fd, tag);
    saved = errno;
    (void) close(sock);
    errno = saved;
    return status;
}

/* greeter_unreachable - the pass service failed (errno): warn, and tell
 * the client, whose session ends */
static void
greeter_unreachable(int fd)
{
    msg_warn("cannot connect to service %s: %m", greeter_pass_path);
    greeter_say(fd, GREETER_BUSY_REPLY);
}

/* greeter_hand_over - pass a session on, or keep it for a retry; a
 * failure other than a busy service ends it with a 421 */
static void
greeter_hand_over(GREETER_SESSION *session, int tag)
{
    int     fd = stream_fd(session->client);

    if (greeter_pass(fd, tag) == 0) {
        greeter_end(session);
    } else if (errno == EAGAIN && tag != SMTP_PASS_SILENT) {
        if (!session->spoke) {
            session->spoke = true;
            event_disable_readwrite(fd);
        }
        event_request_timer(greeter_retry, NULL, GREETER_RETRY_MS);
    } else {
        greeter_unreachable(fd);
        greeter_end(session);
    }
}

/* greeter_retry - try again the sessions whose client spoke */
static void
greeter_retry(int event, void *ctx)
{
    GREETER_SESSION *session = greeter_head;
    GREETER_SESSION *next;

    (void) event;
    (void) ctx;
    for (; session != NULL; session = next) {
        next = session->next;
        if (session->spoke)
            greeter_hand_over(session, session->tag);
    }
}

/* greeter_timer - sessions at their deadline: smtpd says timeout to the
 * silent ones, the busy ones hear 421 */
static void
greeter_timer(int event, void *ctx)
{
    long long now = mono_ms();
    GREETER_SESSION *session;

    (void) event;
    (void) ctx;
    while ((session = greeter_head) != NULL && session->deadline <= now) {
        if (session->spoke) {
            msg_warn("service %s stayed busy for %ds; a client was refused",
                     greeter_pass_path, var_smtpd_timeout);
            greeter_say(stream_fd(session->client), GREETER_BUSY_REPLY);
            greeter_end(session);
        } else {
            greeter_hand_over(session, SMTP_PASS_SILENT);
        }
    }
    if (greeter_head)
        event_request_timer(greeter_timer, NULL,
                            (int) (greeter_head->deadline - now) + 1);
}

/* greeter_over_limit - a client with its limit of idle sessions goes to
 * smtpd ungreeted, where anvil's limit applies */
static void
greeter_over_limit(STREAM *client)
{
    if (greeter_pass(stream_fd(client), 0) < 0)
        greeter_unreachable(stream_fd(client));
    mail_server_disconnect(client);
}

/* greeter_accept - greet a new client and hold it */
static void
greeter_accept(STREAM *client, const char *service, char **argv)
{
    int     fd = stream_fd(client);
    GREETER_SESSION *session;
    char   *counted_addr;
    char    byte;

    if (greeter_limit_enter(fd, &counted_addr) < 0) {
        greeter_over_limit(client);
        return;
    }

    if (fd >= greeter_by_fd_size) {
        int     size = fd + 1024;

        greeter_by_fd = myrealloc(greeter_by_fd, size * sizeof(*greeter_by_fd));
        memset(greeter_by_fd + greeter_by_fd_size, 0,
               (size - greeter_by_fd_size) * sizeof(*greeter_by_fd));
        greeter_by_fd_size = size;
    }
    session = mymalloc(sizeof(*session));
    session->client = client;
    session->deadline = mono_ms() + var_smtpd_timeout * 1000LL;
    session->spoke = false;
    session->counted_addr = counted_addr;
    /* A client that talks before the greeting: smtpd logs it as improper
     * pipelining after CONNECT when reject_unauth_pipelining is on. */
    session->tag = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0 ?
        SMTP_PASS_EARLY : SMTP_PASS_GREETED;
    session->next = NULL;
    session->prev = greeter_tail;
    if (greeter_tail)
        greeter_tail->next = session;
    else
        greeter_head = session;
    greeter_tail = session;
    greeter_by_fd[fd] = session;
    greeter_say(fd, buf_str(greeter_banner));
    if (session == greeter_head)
        event_request_timer(greeter_timer, NULL, var_smtpd_timeout * 1000);
}

/* greeter_service - the client sent something or hung up: to smtpd */
static void
greeter_service(STREAM *client, const char *service, char **argv)
{
    GREETER_SESSION *session = greeter_session_of(stream_fd(client));

    if (session == NULL)
        msg_panic("greeter: client without a session");
    greeter_hand_over(session, session->tag);
}

/* greeter_post_init - settings; room for as many clients as allowed */
static void
greeter_post_init(const char *service, char **argv)
{
    struct rlimit rl;
    BUF    *path;

    if (var_smtpd_tls_wrappermode)
        msg_fatal("service %s: greeter cannot serve smtpd_tls_wrappermode "
                  "(TLS comes before the greeting): run smtpd there",
                  service);
    path = buf_alloc(100);
    buf_sprintf(path, "private/%s", var_smtpd_service_name);
    greeter_pass_path = buf_export(path);
    greeter_banner = buf_alloc(100);
    buf_sprintf(greeter_banner, "220 %s\r\n", var_smtpd_banner);
    greeter_limit_init();
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            msg_warn("setrlimit RLIMIT_NOFILE: %m");
    }
}

int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .post_init = greeter_post_init,
        .service = greeter_service,
        .post_accept = greeter_accept,
        .unlimited = 1,
    };

    mail_server_main(argc, argv, &spec);
}
