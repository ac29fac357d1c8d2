/* test_maillog - unit tests for log line formatting, the syslog tag,
 * delivery to postlogd as datagrams, the direct-append fallback, and the
 * maillog_file prefix check and safe open. Hermetic: a temporary
 * directory stands in for the queue directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"

static char tmpdir[64];
static char queue_dir[128];
static char log_file[128];
static char sock_path[160];

#define LINE_RE(tag, text) \
    "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} " \
    "mx " tag "\\[[0-9]+\\]: " text "$"

/* matches - whether text matches an extended regular expression */
static int
matches(const char *text, const char *pattern)
{
    regex_t re;
    int     ok;

    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    ok = (regexec(&re, text, 0, NULL, 0) == 0);
    regfree(&re);
    if (!ok)
        print_message("no match: \"%s\" for /%s/\n", text, pattern);
    return ok;
}

/* setup - temporary queue directory and parameters */
static int
setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_maillog.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(queue_dir, sizeof(queue_dir), "%s/queue", tmpdir);
    snprintf(log_file, sizeof(log_file), "%s/maillog", tmpdir);
    snprintf(sock_path, sizeof(sock_path), "%s/public/postlog", queue_dir);
    if (mkdir(queue_dir, 0755) < 0)
        return -1;
    snprintf(sock_path, sizeof(sock_path), "%s/public", queue_dir);
    if (mkdir(sock_path, 0755) < 0)
        return -1;
    snprintf(sock_path, sizeof(sock_path), "%s/public/postlog", queue_dir);
    var_queue_directory = queue_dir;
    var_myhostname = "mx.example.test";
    var_syslog_name = "postfix";
    var_syslog_facility = "mail";
    var_postlog_service_name = "postlog";
    var_maillog_file = log_file;
    var_maillog_file_prefixes = tmpdir;
    return 0;
}

/* teardown - remove the temporary directory; back to stderr logging */
static int
teardown(void **state)
{
    char    cmd[128];

    msg_output_reset();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* read_file - the contents of a file (static buffer) */
static const char *
read_file(const char *path)
{
    static char text[8192];
    ssize_t n;
    int     fd;

    text[0] = 0;
    if ((fd = open(path, O_RDONLY)) < 0)
        return text;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = 0;
    return text;
}

/* dgram_listen - a datagram socket standing in for postlogd */
static int
dgram_listen(const char *path)
{
    struct sockaddr_un sun;
    int     fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    assert_true(strlen(path) < sizeof(sun.sun_path));
    memcpy(sun.sun_path, path, strlen(path) + 1);
    assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sun, sizeof(sun)), 0);
    return fd;
}

/* test_format - the line layout of Postfix's maillog_file */
static void
test_format(void **state)
{
    BUF    *line = buf_alloc(100);

    maillog_format(line, "postfix/smtpd", 1234, "connect from x[1.2.3.4]");
    assert_true(matches(buf_str(line),
                        LINE_RE("postfix/smtpd",
                                "connect from x\\[1\\.2\\.3\\.4\\]")));
    assert_non_null(strstr(buf_str(line), "[1234]: "));
    buf_free(line);
}

/* test_tag - "$syslog_name/NAME", with the process name, not the service */
static void
test_tag(void **state)
{
    var_maillog_file = "";
    maillog_init("smtpd", 0);
    assert_string_equal(maillog_tag(), "postfix/smtpd");
    maillog_init("/usr/libexec/postern/smtpd", 0);
    assert_string_equal(maillog_tag(), "postfix/smtpd");
    var_syslog_name = "postfix/submission";
    maillog_init("smtpd", 0);
    assert_string_equal(maillog_tag(), "postfix/submission/smtpd");
    var_syslog_name = "postfix";
    maillog_init("postfix/postlog", 0);
    assert_string_equal(maillog_tag(), "postfix/postlog");
    var_syslog_name = "postfix-out";
    maillog_init("qmgr", 0);
    assert_string_equal(maillog_tag(), "postfix-out/qmgr");
}

/* test_datagram - each message is one datagram holding one full line */
static void
test_datagram(void **state)
{
    char    data[9000];
    ssize_t n;
    int     fd = dgram_listen(sock_path);

    maillog_init("smtpd", 0);
    msg_info("hello %s", "world");
    msg_warn("look out");
    n = recv(fd, data, sizeof(data) - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    data[n] = 0;
    assert_true(matches(data, LINE_RE("postfix/smtpd", "hello world")));
    n = recv(fd, data, sizeof(data) - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    data[n] = 0;
    assert_true(matches(data, LINE_RE("postfix/smtpd", "warning: look out")));
    /* Nothing went to the file while postlogd was there. */
    assert_string_equal(read_file(log_file), "");
    close(fd);
}

/* test_fallback - without postlogd the line is appended to the file */
static void
test_fallback(void **state)
{
    const char *text;

    maillog_init("master", 0);
    msg_info("daemon started -- version 0.1.0");
    msg_error("second line");
    text = read_file(log_file);
    assert_true(matches(text, "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} "
                        "mx postfix/master\\[[0-9]+\\]: "
                        "daemon started -- version 0\\.1\\.0\n"
                        "[^\n]* postfix/master\\[[0-9]+\\]: error: "
                        "second line\n$"));
}

/* test_fallback_refused - outside maillog_file_prefixes: not written */
static void
test_fallback_refused(void **state)
{
    struct stat st;

    var_maillog_file_prefixes = "/var, /dev/stdout";
    maillog_init("master", 0);
    maillog_stderr_fallback(0);
    msg_info("should not be written");
    assert_int_equal(stat(log_file, &st), -1);
    assert_int_equal(errno, ENOENT);
}

/* test_allowed - the prefix check */
static void
test_allowed(void **state)
{
    BUF    *why = buf_alloc(100);

    assert_int_equal(maillog_file_allowed("/var/log/mail.log",
                                          "/var, /dev/stdout", why), 0);
    assert_int_equal(maillog_file_allowed("/dev/stdout",
                                          "/var, /dev/stdout", why), 0);
    assert_int_equal(maillog_file_allowed("/etc/passwd",
                                          "/var, /dev/stdout", why), -1);
    assert_non_null(strstr(buf_str(why), "maillog_file_prefixes"));
    assert_int_equal(maillog_file_allowed("/var/log/x", "", why), -1);
    assert_int_equal(maillog_file_allowed("/var/../etc/passwd", "/var",
                                          why), -1);
    assert_non_null(strstr(buf_str(why), ".."));
    buf_free(why);
}

/* test_open - created 0600, appended to, never through a symlink */
static void
test_open(void **state)
{
    BUF    *why = buf_alloc(100);
    char    link_path[160];
    struct stat st;
    int     fd;

    assert_true((fd = maillog_file_open(log_file, why)) >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    assert_true(fcntl(fd, F_GETFL) & O_APPEND);
    close(fd);
    snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
    assert_int_equal(symlink(log_file, link_path), 0);
    assert_int_equal(maillog_file_open(link_path, why), -1);
    assert_true((fd = maillog_file_open("/dev/stdout", why)) > 2);
    close(fd);
    buf_free(why);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datagram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
