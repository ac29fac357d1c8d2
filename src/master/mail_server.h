/* mail_server - the one server skeleton that every daemon links.
 *
 * A daemon's main() fills a SERVER_SPEC and calls mail_server_main(). The
 * skeleton owns the rest: the standard options, reading main.cf and the
 * master.cf -o overrides, logging set-up, chroot and privilege drop, the
 * master protocol (master_proto.h), max_use and max_idle, signals.
 *
 * Models:
 *  SERVER_SINGLE   one client at a time: accept, call service(), close.
 *  SERVER_MULTI    many clients in one event loop: service() runs each
 *                  time a client has input and must not block for long;
 *                  a client ends with mail_server_disconnect().
 *  SERVER_TRIGGER  wake-up requests: trigger() gets the bytes read from a
 *                  fifo, a unix stream connection or a datagram.
 *
 * Standard options (set by master, usable by hand):
 *  -c          chroot to queue_directory (when run as root)
 *  -d          stay in the foreground, log to stderr too
 *  -l          the service's only process: report just the first TAKEN
 *  -n NAME     service name (master.cf first column)
 *  -o N=V      parameter override (repeatable)
 *  -s COUNT    number of listening sockets passed by master
 *  -S          stand-alone: serve one client on stdin/stdout, no master
 *  -t TYPE     service type (inet, unix, unix-dgram, fifo, pass)
 *  -u          drop privileges to mail_owner (when run as root)
 *  -v          verbose logging (repeatable)
 *  -z          run without master and without listeners (for tests) */
#ifndef MAIL_SERVER_H
#define MAIL_SERVER_H

#include <stddef.h>

#include "stream.h"

typedef enum {
    SERVER_SINGLE, SERVER_MULTI, SERVER_TRIGGER,
} SERVER_MODEL;

typedef struct SERVER_SPEC {
    SERVER_MODEL model;
    /* Before chroot and privilege drop: open private keys, files. */
    void    (*pre_init) (const char *service, char **argv);
    /* After privilege drop, before the first client. */
    void    (*post_init) (const char *service, char **argv);
    /* SINGLE and MULTI: serve a client (argv: the command arguments). */
    void    (*service) (STREAM *client, const char *service, char **argv);
    /* MULTI: a client was just accepted (send a protocol greeting); may
     * call mail_server_disconnect(). Optional. */
    void    (*post_accept) (STREAM *client, const char *service, char **argv);
    /* TRIGGER: handle a wake-up request. */
    void    (*trigger) (const char *buf, size_t len, const char *service, char **argv);
    /* Before exit (max_use, max_idle, master gone). */
    void    (*pre_exit) (void);
    int     unlimited;                  /* ignore max_idle and max_use */
    int     no_use_limit;               /* ignore max_use: clients stay
                                         * connected for their life, and
                                         * a lone process that stopped
                                         * accepting would shut out the
                                         * newer ones (anvil, scache) */
} SERVER_SPEC;

/* mail_server_main - run the daemon; never returns */
void    mail_server_main(int argc, char **argv, const SERVER_SPEC *spec)
            __attribute__((noreturn));

/* mail_server_disconnect - MULTI: close a client and stop watching it */
void    mail_server_disconnect(STREAM *client);

/* mail_server_pass_tag - pass services: the tag byte that the passing
 * process sent with the latest client (fd_pass.h); 0 otherwise */
int     mail_server_pass_tag(void);

#endif
