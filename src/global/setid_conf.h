/* setid_conf - configuration for commands installed set-gid.
 *
 * postqueue (and postlog, postdrop) run set-gid $setgid_group so that any
 * user reaches the public/ sockets. Such a program must not let its
 * caller choose what it trusts: the environment is replaced by a clean
 * one (PATH, LANG=C, and TZ kept so that dates stay local), and an
 * alternate configuration directory (-c, MAIL_CONFIG) is accepted from
 * a set-id process only when the real user is root or the default
 * main.cf lists it in alternate_config_directories, as Postfix does.
 * A process that is not set-id (run by root, or a build that was not
 * installed set-gid) may use any directory. Library code: nothing here
 * exits. */
#ifndef SETID_CONF_H
#define SETID_CONF_H

#include <stdbool.h>

#include "buf.h"

/* setid_conf_privileged - whether this process runs set-uid or set-gid */
bool    setid_conf_privileged(void);

/* setid_conf_env - replace the environment with a clean one; returns a
 * copy of MAIL_CONFIG (NULL when unset); 0 in *err, or -1 when the
 * environment could not be set */
char   *setid_conf_env(int *err);

/* setid_conf_check - whether dir (NULL or "": the default) may be used;
 * 0, or -1 with the reason in why. Reads the default main.cf for the
 * list, and leaves the configuration table empty. */
int     setid_conf_check(const char *dir, BUF *why);

/* setid_conf_load - setid_conf_check(), then read DIR/main.cf (the
 * default directory when dir is NULL or empty) and set the parameters;
 * 0, or -1 with the reason in why (errors in main.cf are fatal, as
 * mail_conf_read() makes them) */
int     setid_conf_load(const char *dir, BUF *why);

#endif
