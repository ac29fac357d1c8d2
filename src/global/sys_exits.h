/* sys_exits - what a command's exit status means for a delivery.
 *
 * Commands that receive mail (local's |command, pipe(8)) report with the
 * <sysexits.h> codes. Each code has an enhanced status and a text, the
 * ones Postfix 3.7's local logs (observed for every code, docs/local.md):
 * 75 (EX_TEMPFAIL) "4.3.0 temporary failure", 71 (EX_OSERR) "4.3.0 system
 * resource problem" are temporary, 67 (EX_NOUSER) "5.1.1 user unknown"
 * and the others permanent. Library code: nothing here exits. */
#ifndef SYS_EXITS_H
#define SYS_EXITS_H

typedef struct SYS_EXITS {
    int     status;                     /* the exit status */
    const char *dsn;                    /* "4.3.0" */
    const char *text;                   /* "temporary failure" */
} SYS_EXITS;

/* sys_exits_info - the entry of a sysexits.h code, or NULL */
const SYS_EXITS *sys_exits_info(int status);

#endif
