/* fuzz_smtpd - what the smtpd harnesses (fuzz_smtpd_*.c) share: smtpd
 * itself and a world for it to run in.
 *
 * The harness includes smtpd.c (its main renamed) and is linked with the
 * other smtpd objects (the Makefile's fuzz section), so that it reaches
 * the settings and the session of smtpd.c. fuzz_smtpd_setup() runs once:
 * it writes a main.cf into a scratch directory (restrictions that permit
 * every recipient, no error sleep, XCLIENT and XFORWARD for the client,
 * small limits so that they are reached), loads it as smtpd's post_init
 * does, and starts a stand-in cleanup service on a UNIX socket there (a
 * thread that greets, reads the records up to 'E' and answers "queued"),
 * so that DATA and BDAT run to the end. smtpd's log lines are dropped;
 * the scratch directory goes at exit. */
#ifndef FUZZ_SMTPD_H
#define FUZZ_SMTPD_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attr.h"
#include "mail_conf.h"
#include "msg_output.h"
#include "rec_stream.h"
#include "rec_type.h"

#define main smtpd_main
int     main(int argc, char **argv);
#include "../../src/smtpd/smtpd.c"
#undef main

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_smtpd_quiet - drop log lines */
static void
fuzz_smtpd_quiet(enum msg_level level, const char *text)
{
}

/* fuzz_smtpd_cleanup_one - one cleanup client: greet, read records to
 * 'E' (or the end of the connection), answer "queued" */
static void
fuzz_smtpd_cleanup_one(int fd)
{
    STREAM *sp = stream_fdopen(fd);
    BUF    *data = buf_alloc(100);
    int     flags = 0, type;
    size_t  len;

    stream_set_timeout(sp, 30);
    (void) attr_print(sp, ATTR_FLAG_NONE,
                      SEND_ATTR_STR(CLEANUP_ATTR_PROTOCOL, CLEANUP_PROTOCOL),
                      SEND_ATTR_STR(CLEANUP_ATTR_QUEUE_ID, "ABCDEF12345"),
                      ATTR_TYPE_END);
    if (attr_scan(sp, ATTR_FLAG_STRICT, RECV_ATTR_INT(CLEANUP_ATTR_FLAGS,
                                                      &flags),
                  ATTR_TYPE_END) == 1) {
        while ((type = rec_get(sp, data, 0, &len, NULL)) >= 0
               && type != REC_TYPE_END)
             /* void */ ;
        if (type == REC_TYPE_END)
            (void) attr_print(sp, ATTR_FLAG_NONE,
                              SEND_ATTR_INT(CLEANUP_ATTR_STATUS, 0),
                              SEND_ATTR_STR(CLEANUP_ATTR_REASON, ""),
                              ATTR_TYPE_END);
    }
    (void) stream_close(sp);
    buf_free(data);
}

/* fuzz_smtpd_cleanup - the stand-in cleanup service (a thread) */
static void *
fuzz_smtpd_cleanup(void *arg)
{
    int     listener = (int) (intptr_t) arg;
    int     fd;

    for (;;)
        if ((fd = accept(listener, NULL, NULL)) >= 0)
            fuzz_smtpd_cleanup_one(fd);
    return NULL;
}

/* fuzz_smtpd_listen - listen on path; the socket */
static int
fuzz_smtpd_listen(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int     fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
        abort();
    strcpy(sun.sun_path, path);
    (void) unlink(path);
    if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0
        || listen(fd, 10) < 0)
        abort();
    return fd;
}

/* fuzz_smtpd_config - main.cf in dir */
static void
fuzz_smtpd_config(const char *dir)
{
    char    path[200];
    FILE   *fp;

    snprintf(path, sizeof(path), "%s/main.cf", dir);
    if ((fp = fopen(path, "w")) == NULL)
        abort();
    fprintf(fp, "queue_directory = %s\n"
            "myhostname = mx.example.test\n"
            "mynetworks = 127.0.0.1/32\n"
            "smtpd_relay_restrictions = permit, reject\n"
            "smtpd_recipient_restrictions =\n"
            "local_recipient_maps =\n"
            "smtpd_reject_unlisted_recipient = no\n"
            "smtpd_reject_unlisted_sender = no\n"
            "smtpd_error_sleep_time = 0\n"
            "smtpd_timeout = 10s\n"
            "smtpd_hard_error_limit = 100\n"
            "smtpd_junk_command_limit = 20\n"
            "smtpd_recipient_limit = 20\n"
            "smtpd_client_connection_count_limit = 0\n"
            "smtpd_authorized_xclient_hosts = 127.0.0.1\n"
            "smtpd_authorized_xforward_hosts = 127.0.0.1\n"
            "message_size_limit = 100000\n"
            "line_length_limit = 200\n", dir);
    if (fclose(fp) != 0)
        abort();
}

/* The scratch directory. */
static char fuzz_smtpd_dir[100];

/* fuzz_smtpd_remove - remove the scratch directory (atexit) */
static void
fuzz_smtpd_remove(void)
{
    static const char *const names[] = {
        "main.cf", "public/cleanup", "public", "",
    };
    char    path[200];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", fuzz_smtpd_dir, names[i]);
        (void) remove(path);
    }
}

/* fuzz_smtpd_setup - once: configuration, settings, cleanup stand-in */
static void
fuzz_smtpd_setup(void)
{
    static bool done;
    char   *dir = fuzz_smtpd_dir;
    char    path[200];
    pthread_t thread;
    int     listener;

    if (done)
        return;
    done = true;
    signal(SIGPIPE, SIG_IGN);
    msg_output_reset();
    msg_output_add(fuzz_smtpd_quiet);
    snprintf(dir, sizeof(fuzz_smtpd_dir), "/tmp/fuzz_smtpd.%d",
             (int) getpid());
    snprintf(path, sizeof(path), "%s/public", dir);
    if ((mkdir(dir, 0700) < 0 && errno != EEXIST)
        || (mkdir(path, 0700) < 0 && errno != EEXIST))
        abort();
    atexit(fuzz_smtpd_remove);
    fuzz_smtpd_config(dir);
    mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    smtpd_post_init("smtp", NULL);
    snprintf(path, sizeof(path), "%s/public/cleanup", dir);
    myfree(smtpd_settings.cleanup_path);
    smtpd_settings.cleanup_path = mystrdup(path);
    listener = fuzz_smtpd_listen(path);
    if (pthread_create(&thread, NULL, fuzz_smtpd_cleanup,
                       (void *) (intptr_t) listener) != 0)
        abort();
    (void) pthread_detach(thread);
}

#endif
