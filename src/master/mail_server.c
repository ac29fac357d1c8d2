/* mail_server - the server skeleton: what every daemon does the same way.
 *
 * mail_server_main() parses the standard options (mail_server.h), reads
 * main.cf, applies the master.cf -o overrides, sets service_name, sets up
 * logging under the program's name, changes to the queue directory, runs
 * pre_init, chroots and drops privileges (only when run as root), runs
 * post_init and hands over to the model's loop (mail_server_single.c,
 * mail_server_multi.c, mail_server_trigger.c).
 *
 * This file also keeps the master protocol (master_proto.h): TAKEN when
 * the process becomes busy, AVAIL when idle; it exits when idle after
 * max_use clients, after max_idle seconds without one, or once master
 * closed the status socket, or when a lookup table it opened through
 * maps_create() changed on disk (checked when it becomes idle and every
 * second while idle; master then starts a fresh process that reads the
 * new table, as Postfix does). Peers: master_spawn.c sets up what we find. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "event.h"
#include "fd_pass.h"
#include "mail_conf.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_server_int.h"
#include "maillog.h"
#include "maps.h"
#include "master_proto.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "priv.h"
#include "self_pid.h"
#include "sock.h"

#define MAIL_SERVER_PASS_WAIT   10      /* seconds for a passed descriptor */
#define MAIL_SERVER_FD_PAUSE    1000    /* ms without accept() at EMFILE */
#define MAIL_SERVER_TABLE_CHECK 1000    /* ms between table checks when idle */

MAIL_SERVER mail_server;
static void (*mail_server_accept_fn) (int, void *);    /* listener event */

/* mail_server_exit - run the daemon's pre_exit hook and exit */
void
mail_server_exit(void)
{
    if (mail_server.spec->pre_exit)
        mail_server.spec->pre_exit();
    exit(0);
}

/* mail_server_idle_event - max_idle seconds without a client */
static void
mail_server_idle_event(int event, void *ctx)
{
    if (msg_verbose)
        msg_info("idle timeout -- exiting");
    mail_server_exit();
}

/* mail_server_idle_timer - (re)start the max_idle timer, if it applies */
static void
mail_server_idle_timer(void)
{
    if (mail_server.from_master && !mail_server.spec->unlimited)
        event_request_timer(mail_server_idle_event, NULL,
                            var_max_idle * 1000);
}

/* mail_server_notify - tell master; a failure means master is gone */
static void
mail_server_notify(int status)
{
    static bool taken_once;

    if (!mail_server.from_master)
        return;
    /* The only process of its service (-l): master needs one TAKEN (the
     * child started fine) and nothing else; a log line or a wakeup then
     * costs no status round trip. */
    if (mail_server.lone && (status != MASTER_STAT_TAKEN || taken_once))
        return;
    taken_once = true;
    if (master_notify(self_pid(), mail_server.gen, status) < 0) {
        if (msg_verbose)
            msg_info("master status: %m");
        mail_server.master_gone = true;
    }
}

/* mail_server_taken - this process became busy */
void
mail_server_taken(void)
{
    if (mail_server.busy)
        return;
    mail_server.busy = true;
    event_cancel_timer(mail_server_idle_event, NULL);
    mail_server_notify(MASTER_STAT_TAKEN);
}

/* mail_server_use_limit - has this process served max_use clients? */
bool
mail_server_use_limit(void)
{
    return mail_server.from_master && !mail_server.spec->unlimited
        && !mail_server.spec->no_use_limit
        && mail_server.use_count >= var_max_use;
}

/* mail_server_used - count one client or request */
void
mail_server_used(void)
{
    mail_server.use_count++;
    if (mail_server_use_limit())
        mail_server_unwatch();
}

/* mail_server_tables_changed - a table this process uses was rebuilt */
static bool
mail_server_tables_changed(void)
{
    const char *name = maps_changed();

    if (name != NULL)
        msg_info("table %s has changed -- restarting", name);
    return name != NULL;
}

/* mail_server_table_event - while idle, exit once a table changed, so the
 * next client is served by a process that reads the new table */
static void
mail_server_table_event(int event, void *ctx)
{
    if (!mail_server.busy && mail_server_tables_changed())
        mail_server_exit();
    event_request_timer(mail_server_table_event, NULL,
                        MAIL_SERVER_TABLE_CHECK);
}

/* mail_server_idle - this process became idle: exit, or tell master */
void
mail_server_idle(void)
{
    mail_server.busy = false;
    if (mail_server.standalone || mail_server.master_gone
        || mail_server_use_limit() || mail_server_tables_changed())
        mail_server_exit();
    mail_server_notify(MASTER_STAT_AVAIL);
    if (mail_server.master_gone)
        mail_server_exit();
    mail_server_idle_timer();
}

/* mail_server_master_event - status socket EOF: exit when idle */
static void
mail_server_master_event(int event, void *ctx)
{
    char    ch;
    ssize_t len = recv(MASTER_STATUS_FD, &ch, 1, MSG_DONTWAIT);

    if (len < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (msg_verbose)
        msg_info("master disconnect -- exiting when idle");
    mail_server.master_gone = true;
    event_disable_readwrite(MASTER_STATUS_FD);
    mail_server_unwatch();
    if (!mail_server.busy)
        mail_server_exit();
}

/* mail_server_listen - watch the listeners (also the timer event that
 * ends a pause of accept(), see mail_server_accept) */
static void
mail_server_listen(int event, void *ctx)
{
    for (int i = 0; i < mail_server.listen_count; i++)
        event_enable_read_exclusive(MASTER_LISTEN_FD + i,
                                    mail_server_accept_fn,
                                    (void *) (intptr_t) (MASTER_LISTEN_FD + i));
}

/* mail_server_watch - watch every listener with fn (ctx: the fd) */
void
mail_server_watch(void (*fn) (int, void *))
{
    mail_server_accept_fn = fn;
    for (int i = 0; i < mail_server.listen_count; i++)
        if (non_blocking(MASTER_LISTEN_FD + i, true) < 0)
            msg_fatal("listener fd %d: %m", MASTER_LISTEN_FD + i);
    mail_server_listen(0, NULL);
    if (mail_server.from_master) {
        event_enable_read(MASTER_STATUS_FD, mail_server_master_event, NULL);
        event_request_timer(mail_server_table_event, NULL,
                            MAIL_SERVER_TABLE_CHECK);
    }
    mail_server_idle_timer();
}

/* mail_server_unwatch - accept no more clients */
void
mail_server_unwatch(void)
{
    for (int i = 0; i < mail_server.listen_count; i++)
        event_disable_readwrite(MASTER_LISTEN_FD + i);
}

/* mail_server_pass_tag - the tag byte passed with the latest client */
int
mail_server_pass_tag(void)
{
    return mail_server.pass_tag;
}

/* mail_server_accept - a client descriptor, or -1 (none after all). Out
 * of descriptors, the listeners rest MAIL_SERVER_FD_PAUSE ms (a
 * level-triggered listener would otherwise spin, and log, until a
 * client leaves). */
int
mail_server_accept(int listen_fd)
{
    int     fd;
    int     passed;

    if ((fd = sock_accept(listen_fd)) < 0) {
        if (errno == EMFILE || errno == ENFILE) {
            msg_warn("accept: %m: no new clients for %d ms",
                     MAIL_SERVER_FD_PAUSE);
            mail_server_unwatch();
            event_request_timer(mail_server_listen, NULL,
                                MAIL_SERVER_FD_PAUSE);
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
                   && errno != ECONNABORTED) {
            msg_warn("accept: %m");
        }
        return -1;
    }
    if (mail_server.type != MASTER_TYPE_PASS)
        return fd;
    mail_server.pass_tag = 0;
    if ((passed = fd_pass_recv(fd, MAIL_SERVER_PASS_WAIT,
                               &mail_server.pass_tag)) < 0)
        msg_warn("%s: no descriptor received on pass connection",
                 mail_server.service);
    (void) close(fd);
    return passed;
}

/* mail_server_stdio_read - -S: read from stdin */
static ssize_t
mail_server_stdio_read(int fd, void *buf, size_t len, int timeout_ms,
                       void *ctx)
{
    struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
    int     n = poll(&pfd, 1, timeout_ms);

    if (n == 0)
        errno = ETIMEDOUT;
    return n <= 0 ? -1 : read(STDIN_FILENO, buf, len);
}

/* mail_server_stdio_write - -S: write to stdout */
static ssize_t
mail_server_stdio_write(int fd, const void *buf, size_t len, int timeout_ms,
                        void *ctx)
{
    struct pollfd pfd = {STDOUT_FILENO, POLLOUT, 0};
    int     n = poll(&pfd, 1, timeout_ms);

    if (n == 0)
        errno = ETIMEDOUT;
    return n <= 0 ? -1 : write(STDOUT_FILENO, buf, len);
}

/* mail_server_stdio - -S: the client is stdin/stdout */
STREAM *
mail_server_stdio(void)
{
    STREAM *sp = stream_fdopen(STDIN_FILENO);

    stream_set_io(sp, mail_server_stdio_read, mail_server_stdio_write, NULL);
    stream_set_timeout(sp, var_ipc_timeout);
    return sp;
}

/* mail_server_type - -t text to MASTER_TYPE */
static MASTER_TYPE
mail_server_type(const char *name)
{
    static const struct {
        const char *name;
        MASTER_TYPE type;
    }       types[] = {
        {"inet", MASTER_TYPE_INET},
        {"unix", MASTER_TYPE_UNIX},
        {"unix-dgram", MASTER_TYPE_UNIX_DGRAM},
        {"fifo", MASTER_TYPE_FIFO},
        {"pass", MASTER_TYPE_PASS},
    };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].name, name) == 0)
            return types[i].type;
    msg_fatal("unknown service type: %s", name);
}

/* mail_server_options - the standard command-line options */
static void
mail_server_options(int argc, char **argv, ARGV *overrides, bool *chroot_me,
                    bool *unpriv)
{
    int     ch;

    opterr = 0;
    while ((ch = getopt(argc, argv, "+cdln:o:s:St:uvz")) != -1) {
        switch (ch) {
        case 'c':
            *chroot_me = true;
            break;
        case 'd':
            mail_server.debug = true;
            break;
        case 'l':
            mail_server.lone = true;
            break;
        case 'n':
            mail_server.service = optarg;
            break;
        case 'o':
            argv_add(overrides, optarg);
            break;
        case 's':
            if ((mail_server.listen_count = atoi(optarg)) <= 0)
                msg_fatal("invalid socket count: %s", optarg);
            break;
        case 'S':
            mail_server.standalone = true;
            break;
        case 't':
            mail_server.type_name = optarg;
            break;
        case 'u':
            *unpriv = true;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'z':
            mail_server.no_master = true;
            break;
        default:
            msg_fatal("invalid option: -%c", optopt);
        }
    }
    mail_server.argv = argv + optind;
}

/* mail_server_config - main.cf, -o overrides, run-time values, logging */
static void
mail_server_config(const ARGV *overrides)
{
    BUF    *why = buf_alloc(100);

    mail_conf_read();
    for (int i = 0; i < overrides->argc; i++)
        if (mail_conf_override(overrides->argv[i], why) < 0)
            msg_fatal("-o %s: %s", overrides->argv[i], buf_str(why));
    mail_conf_update("service_name", mail_server.service);
    mail_params_init();
    maillog_init(mail_server.progname, mail_server.debug);
    buf_free(why);
}

/* mail_server_privileges - chroot and drop privileges, when root */
static void
mail_server_privileges(bool chroot_me, bool unpriv)
{
    uid_t   uid;
    gid_t   gid;

    if (getuid() != 0 && geteuid() != 0)
        return;
    if (unpriv && priv_lookup_user(var_mail_owner, &uid, &gid) < 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    if (chroot_me)
        priv_chroot(var_queue_directory);
    if (unpriv)
        priv_drop(uid, gid);
}

/* mail_server_main - run the daemon; never returns */
void
mail_server_main(int argc, char **argv, const SERVER_SPEC *spec)
{
    ARGV   *overrides = argv_alloc(4);
    const char *slash = strrchr(argv[0], '/');
    const char *gen;
    bool    chroot_me = false;
    bool    unpriv = false;

    mail_server.spec = spec;
    mail_server.progname = slash ? slash + 1 : argv[0];
    mail_server.service = (char *) mail_server.progname;
    mail_server.type_name = "unix";
    mail_server.listen_count = 1;
    msg_stderr_init(mail_server.progname);
    mail_server_options(argc, argv, overrides, &chroot_me, &unpriv);
    mail_server.type = mail_server_type(mail_server.type_name);
    mail_server.from_master = !mail_server.standalone && !mail_server.no_master;
    if (!mail_server.from_master)
        mail_server.listen_count = 0;
    else if (fcntl(MASTER_STATUS_FD, F_GETFD) < 0)
        msg_fatal("no status descriptor from master (fd %d); "
                  "use -S or -z to run without master", MASTER_STATUS_FD);
    else
        mail_flow_init();
    if ((gen = getenv("GENERATION")) != NULL)
        mail_server.gen = (unsigned) strtoul(gen, NULL, 10);

    mail_server_config(overrides);
    argv_free(overrides);
    if (mail_server.from_master)
        msg_fatal_sleep(1);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    if (chdir(var_queue_directory) < 0) {
        if (mail_server.from_master)
            msg_fatal("chdir %s: %m", var_queue_directory);
        msg_warn("chdir %s: %m", var_queue_directory);
    }

    if (spec->pre_init)
        spec->pre_init(mail_server.service, mail_server.argv);
    mail_server_privileges(chroot_me, unpriv);
    if (spec->post_init)
        spec->post_init(mail_server.service, mail_server.argv);

    switch (spec->model) {
    case SERVER_SINGLE:
        mail_server_single_main();
    case SERVER_MULTI:
        mail_server_multi_main();
    case SERVER_TRIGGER:
        mail_server_trigger_main();
    }
    msg_panic("mail_server_main: unknown model %d", (int) spec->model);
}
