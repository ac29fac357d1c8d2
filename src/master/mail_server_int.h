/* mail_server_int - what the parts of the server skeleton share.
 *
 * mail_server.c does the common work (options, configuration, privileges,
 * the master protocol, max_use and max_idle) and hands over to one model:
 * mail_server_single.c, mail_server_multi.c or mail_server_trigger.c.
 * Daemons use mail_server.h only. */
#ifndef MAIL_SERVER_INT_H
#define MAIL_SERVER_INT_H

#include <stdbool.h>

#include "mail_server.h"
#include "master_conf.h"
#include "stream.h"

typedef struct MAIL_SERVER {
    const SERVER_SPEC *spec;
    const char *progname;               /* basename of argv[0] */
    char   *service;                    /* -n */
    char   *type_name;                  /* -t */
    MASTER_TYPE type;
    char  **argv;                       /* arguments after the options */
    int     listen_count;               /* -s */
    bool    standalone;                 /* -S */
    bool    no_master;                  /* -z */
    bool    debug;                      /* -d */
    bool    lone;                       /* -l: the service's only process */
    bool    from_master;                /* neither -S nor -z */
    unsigned gen;                       /* $GENERATION from master */
    int     use_count;                  /* clients or requests served */
    bool    busy;                       /* reported TAKEN */
    bool    master_gone;                /* EOF on the status socket */
    int     pass_tag;                   /* pass: the last client's tag */
} MAIL_SERVER;

extern MAIL_SERVER mail_server;

/* mail_server.c, for the models */
void    mail_server_taken(void);
void    mail_server_idle(void);
void    mail_server_used(void);
bool    mail_server_use_limit(void);
void    mail_server_exit(void) __attribute__((noreturn));
void    mail_server_watch(void (*fn) (int, void *));
void    mail_server_unwatch(void);
int     mail_server_accept(int listen_fd);
STREAM *mail_server_stdio(void);

/* The models; each runs its loop and never returns. */
void    mail_server_single_main(void) __attribute__((noreturn));
void    mail_server_multi_main(void) __attribute__((noreturn));
void    mail_server_trigger_main(void) __attribute__((noreturn));

#endif
