/* maillog - set up a program's logging the way Postfix does.
 *
 * Model: maillog_init() chooses the channels once the configuration is
 * known: syslog when maillog_file is empty, otherwise the maillog channel
 * below. The maillog channel formats a complete line and sends it as one
 * datagram to postlogd (public/$postlog_service_name); if that fails (no
 * postlogd yet, or its queue is full) it appends the line to maillog_file
 * itself when it may, else writes it to stderr. Apart from the first
 * open of that fallback file, nothing on the logging path allocates
 * memory, so logging works even when malloc fails.
 * Peers: msg/msg_output (the channel interface), postlogd (the writer,
 * which also uses the prefix check and safe open at the end). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"
#include "safe_open.h"
#include "self_pid.h"
#include "sock.h"

#define MAILLOG_STDOUT  "/dev/stdout"

static char maillog_tag_text[256];
static char maillog_host[256];
/* How long a line waits for a busy postlogd (its socket queue holds only
 * net.unix.max_dgram_qlen datagrams) before it goes elsewhere: long
 * enough that a loaded machine does not lose delivery log lines. */
#define MAILLOG_SEND_TRIES      5000    /* x 1 ms */

static char maillog_sock_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
static char maillog_chroot_path[sizeof(maillog_sock_path)];
static dev_t maillog_queue_dev;
static ino_t maillog_queue_ino;
static int maillog_queue_known;
static int maillog_own_fd = -1;         /* postlogd: write here */
static int maillog_direct_fd = -1;      /* fallback: the file itself */
static int maillog_direct_failed;
static int maillog_stderr_on = 1;

/* maillog_copy - bounded string copy; 0, or -1 if src did not fit */
static int
maillog_copy(char *dst, size_t size, const char *src)
{
    size_t  len = strlen(src);

    if (len >= size) {
        dst[0] = 0;
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

/* maillog_make_tag - "$syslog_name/NAME", or NAME if it already has it */
static void
maillog_make_tag(const char *name)
{
    const char *syslog_name = var_syslog_name ? var_syslog_name : "postfix";
    size_t  len = strlen(syslog_name);
    const char *slash;

    if (strncmp(name, syslog_name, len) == 0
        && (name[len] == 0 || name[len] == '/')) {
        snprintf(maillog_tag_text, sizeof(maillog_tag_text), "%s", name);
        return;
    }
    if ((slash = strrchr(name, '/')) != NULL && slash[1])
        name = slash + 1;
    snprintf(maillog_tag_text, sizeof(maillog_tag_text), "%s/%s",
             syslog_name, name);
}

/* maillog_set_host - first label of $myhostname (as Postfix 3.7 logs it),
 * else the system host name */
static void
maillog_set_host(void)
{
    if (var_myhostname && *var_myhostname) {
        snprintf(maillog_host, sizeof(maillog_host), "%.*s",
                 (int) strcspn(var_myhostname, "."), var_myhostname);
    } else if (gethostname(maillog_host, sizeof(maillog_host) - 1) < 0
               || maillog_host[0] == 0) {
        snprintf(maillog_host, sizeof(maillog_host), "localhost");
    }
    maillog_host[sizeof(maillog_host) - 1] = 0;
}

/* maillog_facility - syslog facility code for a name, or -1 */
static int
maillog_facility(const char *name)
{
    static const struct {
        const char *name;
        int     code;
    } table[] = {
        {"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
        {"auth", LOG_AUTH}, {"authpriv", LOG_AUTHPRIV},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
        {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcasecmp(name, table[i].name) == 0)
            return table[i].code;
    return -1;
}

/* maillog_format_text - format a line into a fixed array; its length */
static size_t
maillog_format_text(char *line, size_t size, const char *tag, long pid,
                    const char *prefix, const char *text)
{
    struct tm tm;
    time_t  now = time(NULL);
    size_t  len;
    int     n;

    if (localtime_r(&now, &tm) == NULL
        || (len = strftime(line, size, "%b %d %H:%M:%S ", &tm)) == 0) {
        line[0] = 0;
        len = 0;
    }
    n = snprintf(line + len, size - len, "%s %s[%ld]: %s%s",
                 maillog_host[0] ? maillog_host : "localhost", tag, pid,
                 prefix, text);
    if (n < 0)
        return len;
    len += (size_t) n;
    return len < size ? len : size - 1;
}

/* maillog_format - the log line without the newline */
void
maillog_format(BUF *line, const char *tag, int pid, const char *text)
{
    char    tmp[MAILLOG_LINE_MAX];
    size_t  len;

    if (maillog_host[0] == 0)
        maillog_set_host();
    len = maillog_format_text(tmp, sizeof(tmp), tag, pid, "", text);
    buf_reset(line);
    buf_append(line, tmp, len);
}

/* maillog_tag - the tag chosen by maillog_init() */
const char *
maillog_tag(void)
{
    return maillog_tag_text;
}

/* maillog_write_all - one write() per line; 0 or -1 */
static int
maillog_write_all(int fd, const char *data, size_t len)
{
    ssize_t n;

    do {
        n = write(fd, data, len);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t) len ? 0 : -1;
}

/* The kept connection to postlogd's socket. It is made at start-up, so
 * a process that later switches to a user's ids (local) still logs. */
static int maillog_conn_fd = -1;
static char maillog_conn_path[sizeof(maillog_sock_path)];

/* maillog_connect - (re)connect to path; 0 or -1 */
static int
maillog_connect(const char *path)
{
    if (maillog_conn_fd >= 0) {
        close(maillog_conn_fd);
        maillog_conn_fd = -1;
    }
    if ((maillog_conn_fd = unix_dgram_connect(path)) < 0)
        return -1;
    (void) maillog_copy(maillog_conn_path, sizeof(maillog_conn_path), path);
    return 0;
}

/* maillog_send_once - one datagram over the kept connection to path,
 * connecting when needed, and once more when postlogd was restarted
 * (its old socket is gone) */
static int
maillog_send_once(const char *path, const char *data, size_t len)
{
    ssize_t n;

    for (int attempt = 0; attempt < 2; attempt++) {
        if ((maillog_conn_fd < 0 || strcmp(maillog_conn_path, path) != 0)
            && maillog_connect(path) < 0)
            return -1;
        do {
            n = send(maillog_conn_fd, data, len, MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        if (n >= 0)
            return 0;
        if (errno == EAGAIN)
            return -1;
        close(maillog_conn_fd);
        maillog_conn_fd = -1;
    }
    return -1;
}

/* maillog_send_to - one datagram to a socket path; when postlogd's queue
 * is full, wait for it (bounded) rather than lose the line */
static int
maillog_send_to(const char *path, const char *data, size_t len)
{
    static const struct timespec pause = {0, 1000000};   /* 1 ms */

    for (int tries = 0; /* void */ ; tries++) {
        if (maillog_send_once(path, data, len) == 0)
            return 0;
        if (errno != EAGAIN || tries >= MAILLOG_SEND_TRIES)
            return -1;
        nanosleep(&pause, NULL);
    }
}

/* maillog_chrooted - whether / is the queue directory (after chroot) */
static int
maillog_chrooted(void)
{
    struct stat st;

    return maillog_queue_known && stat("/", &st) == 0
        && st.st_dev == maillog_queue_dev && st.st_ino == maillog_queue_ino;
}

/* maillog_send - the line to postlogd; 0 or -1 */
static int
maillog_send(const char *data, size_t len)
{
    if (maillog_sock_path[0] == 0)
        return -1;
    if (maillog_send_to(maillog_sock_path, data, len) == 0)
        return 0;
    if (errno == ENOENT && maillog_chroot_path[0] && maillog_chrooted())
        return maillog_send_to(maillog_chroot_path, data, len);
    return -1;
}

/* maillog_direct - append the line (with newline) to maillog_file */
static int
maillog_direct(const char *data, size_t len)
{
    BUF    *why;

    if (maillog_direct_fd < 0 && !maillog_direct_failed) {
        maillog_direct_failed = 1;
        if (var_maillog_file == NULL || *var_maillog_file == 0)
            return -1;
        why = buf_alloc(100);
        if (maillog_file_allowed(var_maillog_file,
                                 var_maillog_file_prefixes, why) == 0)
            maillog_direct_fd = maillog_file_open(var_maillog_file, why);
        buf_free(why);
        if (maillog_direct_fd >= 0)
            maillog_direct_failed = 0;
    }
    if (maillog_direct_fd < 0)
        return -1;
    return maillog_write_all(maillog_direct_fd, data, len);
}

/* maillog_write - the msg output channel for maillog_file */
static void
maillog_write(enum msg_level level, const char *text)
{
    char    line[MAILLOG_LINE_MAX + 1];
    size_t  len;

    len = maillog_format_text(line, sizeof(line) - 1, maillog_tag_text,
                              (long) self_pid(), msg_level_prefix(level), text);
    if (maillog_own_fd >= 0) {
        line[len++] = '\n';
        (void) maillog_write_all(maillog_own_fd, line, len);
        return;
    }
    if (maillog_send(line, len) == 0) {
        if (maillog_direct_fd >= 0) {
            /* postlogd is up: let go of the file (log rotation). */
            close(maillog_direct_fd);
            maillog_direct_fd = -1;
        }
        return;
    }
    line[len++] = '\n';
    if (maillog_direct(line, len) == 0)
        return;
    if (maillog_stderr_on)
        (void) maillog_write_all(STDERR_FILENO, line, len);
}

/* maillog_setup_socket - remember where postlogd listens */
static void
maillog_setup_socket(void)
{
    char    path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/public/%s", var_queue_directory,
             var_postlog_service_name);
    (void) maillog_copy(maillog_sock_path, sizeof(maillog_sock_path), path);
    snprintf(path, sizeof(path), "/public/%s", var_postlog_service_name);
    (void) maillog_copy(maillog_chroot_path, sizeof(maillog_chroot_path),
                        path);
    maillog_queue_known = (stat(var_queue_directory, &st) == 0);
    if (maillog_queue_known) {
        maillog_queue_dev = st.st_dev;
        maillog_queue_ino = st.st_ino;
    }
    (void) maillog_connect(maillog_sock_path);
}

/* maillog_init - choose syslog or maillog_file; optionally stderr too */
void
maillog_init(const char *name, int also_stderr)
{
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    int     facility;

    msg_output_reset();
    tzset();                            /* before any chroot */
    maillog_make_tag(name);
    maillog_set_host();
    if (also_stderr)
        msg_stderr_init(*base ? base : name);
    if (var_maillog_file == NULL || *var_maillog_file == 0) {
        if ((facility = maillog_facility(var_syslog_facility ?
                                         var_syslog_facility : "mail")) < 0) {
            facility = LOG_MAIL;
            msg_syslog_init(maillog_tag_text, facility);
            msg_warn("unknown syslog_facility: %s; using mail",
                     var_syslog_facility);
            return;
        }
        msg_syslog_init(maillog_tag_text, facility);
        return;
    }
    maillog_setup_socket();
    if (maillog_direct_fd >= 0)
        close(maillog_direct_fd);
    maillog_direct_fd = -1;
    maillog_direct_failed = 0;
    maillog_stderr_on = !also_stderr;
    msg_output_add(maillog_write);
}

/* maillog_set_fd - postlogd: write own lines straight to the file */
void
maillog_set_fd(int fd)
{
    maillog_own_fd = fd;
}

/* maillog_stderr_fallback - allow or forbid the stderr fallback */
void
maillog_stderr_fallback(int on)
{
    maillog_stderr_on = on;
}

/* maillog_file_allowed - path must start with one of the prefixes */
int
maillog_file_allowed(const char *path, const char *prefixes, BUF *why)
{
    ARGV   *list = argv_split(prefixes ? prefixes : "", LIST_DELIM);
    int     ok = 0;

    for (int i = 0; i < list->argc && !ok; i++)
        ok = (strncmp(path, list->argv[i], strlen(list->argv[i])) == 0);
    argv_free(list);
    /* "/var/../etc/x" starts with "/var" but is not under it. */
    if (ok && (strstr(path, "/../") != NULL
               || (strlen(path) >= 3
                   && strcmp(path + strlen(path) - 3, "/..") == 0))) {
        buf_sprintf(why, "maillog_file (%s) must not contain \"..\"", path);
        return -1;
    }
    if (ok)
        return 0;
    buf_sprintf(why, "maillog_file (%s) does not match any prefix in "
                "maillog_file_prefixes (%s)", path, prefixes ? prefixes : "");
    return -1;
}

/* maillog_file_open - open the log file for appending */
int
maillog_file_open(const char *path, BUF *why)
{
    struct stat st;
    int     fd;

    if (strcmp(path, MAILLOG_STDOUT) == 0) {
        if ((fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
            buf_sprintf(why, "%s: %s", path, strerror(errno));
        return fd;
    }
    fd = safe_open(path, O_WRONLY | O_APPEND | O_CREAT, 0600, &st,
                   (uid_t) -1, (gid_t) -1, why);
    return fd;
}
