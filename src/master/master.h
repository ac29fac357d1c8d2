/* master - internal interfaces between the modules of the master daemon.
 *
 * master keeps a list of services (MASTER_SERV, one per master.cf entry
 * that is not disabled) and a list of the child processes it started
 * (MASTER_PROC). The modules:
 *   master.c          main(): options, start-up, the event loop
 *   master_service.c  the service table built from master.cf
 *   master_listen.c   listening endpoints of a service
 *   master_avail.c    start children on demand; throttling
 *   master_spawn.c    fork/exec of children, reaping, killing
 *   master_status.c   the status socket that children report on
 *   master_wakeup.c   periodic wakeup triggers
 *   master_sig.c      signals through a self-pipe into the event loop
 *   master_lock.c     master.lock and master.pid
 *   master_reload.c   SIGHUP: re-read the configuration
 * The protocol with children is in master_proto.h. */
#ifndef MASTER_H
#define MASTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "argv.h"
#include "buf.h"
#include "master_conf.h"

/* Service flags. */
#define MASTER_FLAG_THROTTLE    (1<<0)  /* bad start-up: no new children */
#define MASTER_FLAG_LISTEN      (1<<1)  /* master watches the listeners */
#define MASTER_FLAG_USED        (1<<2)  /* a child has taken a client */
#define MASTER_FLAG_MARK        (1<<3)  /* reload: still in master.cf */

typedef struct MASTER_SERV {
    char   *name;                       /* master.cf service name */
    char   *type_name;                  /* "inet", "unix", ... */
    MASTER_TYPE type;
    bool    private_;
    bool    unpriv;
    bool    chroot;
    int     wakeup;                     /* seconds, 0 = never */
    bool    wakeup_if_used;             /* "?" suffix */
    int     max_proc;                   /* 0 = no limit */
    char   *path;                       /* command path */
    ARGV   *args;                       /* argv for execv() */
    char   *endpoint;                   /* unix/fifo/pass path, else NULL */
    ARGV   *addrs;                      /* inet: listen addresses */
    int    *listen_fd;                  /* open listeners */
    int     listen_fd_count;
    int     status_fd[2];               /* [0] master reads, [1] children */
    int     total_proc;                 /* current-generation children */
    int     avail_proc;                 /* ... of which idle */
    int     flags;                      /* MASTER_FLAG_* */
    struct MASTER_SERV *next;
} MASTER_SERV;

typedef struct MASTER_PROC {
    pid_t   pid;
    unsigned gen;                       /* matches MASTER_STATUS.gen */
    MASTER_SERV *serv;                  /* NULL after the service retired it */
    char   *path;                       /* for log messages */
    bool    avail;                      /* idle (counted in avail_proc) */
    int     use_count;                  /* TAKEN reports seen */
    struct MASTER_PROC *next;
} MASTER_PROC;

extern MASTER_SERV *master_head;        /* the services */
extern MASTER_PROC *master_procs;       /* the children */
extern int master_debug;                /* -d: foreground, stderr kept */
extern int master_stopping;             /* shutting down: spawn nothing */
extern MASTER_SERV *master_stop_keep;   /* ... except for this (postlog) */

/* master_service.c */
MASTER_CONF *master_service_read_conf(bool fatal);
MASTER_SERV *master_service_create(const MASTER_ENT *ent);
void    master_service_free(MASTER_SERV *serv);
bool    master_service_disabled(const MASTER_ENT *ent);
bool    master_service_same_listener(const MASTER_SERV *a,
                                     const MASTER_SERV *b);
int     master_service_start(MASTER_SERV *serv, BUF *why);
void    master_service_stop(MASTER_SERV *serv);
void    master_service_restart(MASTER_SERV *serv);
void    master_service_init(const MASTER_CONF *conf);

/* master_listen.c */
int     master_listen_open(MASTER_SERV *serv, BUF *why);
void    master_listen_close(MASTER_SERV *serv);

/* master_avail.c */
void    master_avail_listen(MASTER_SERV *serv);
void    master_avail_off(MASTER_SERV *serv);
void    master_avail_throttle(MASTER_SERV *serv);
void    master_avail_unthrottle(MASTER_SERV *serv);

/* master_spawn.c */
void    master_spawn_init(void);
void    master_spawn(MASTER_SERV *serv);
MASTER_PROC *master_spawn_find(pid_t pid);
void    master_spawn_reap(void);
void    master_spawn_detach(MASTER_SERV *serv);
void    master_spawn_kill(int sig, const MASTER_SERV *except);
int     master_spawn_count(const MASTER_SERV *except);

/* master_status.c */
int     master_status_init(MASTER_SERV *serv, BUF *why);
void    master_status_cleanup(MASTER_SERV *serv);

/* master_wakeup.c */
void    master_wakeup_init(MASTER_SERV *serv);
void    master_wakeup_cleanup(MASTER_SERV *serv);

/* master_sig.c */
void    master_sig_init(void);

/* master_lock.c */
int     master_lock_test(void);
void    master_lock_acquire(void);
void    master_lock_write_pid(void);
void    master_lock_remove_pid(void);

/* master_reload.c */
void    master_reload(void);

/* master_stop.c */
void    master_stop_terminate(int sig);
void    master_stop_abort(int sig) __attribute__((noreturn));

#endif
