/* sys_exits - what a command's exit status means for a delivery.
 *
 * Model: one table indexed by the code (EX__BASE 64 to EX__MAX 78).
 * Peers: pipe_command. */
#include <stddef.h>
#include <sysexits.h>

#include "sys_exits.h"

static const SYS_EXITS sys_exits_table[] = {
    {EX_USAGE, "5.3.0", "command line usage error"},
    {EX_DATAERR, "5.6.0", "data format error"},
    {EX_NOINPUT, "5.3.0", "cannot open input"},
    {EX_NOUSER, "5.1.1", "user unknown"},
    {EX_NOHOST, "5.1.2", "host name unknown"},
    {EX_UNAVAILABLE, "5.3.0", "service unavailable"},
    {EX_SOFTWARE, "5.3.0", "internal software error"},
    {EX_OSERR, "4.3.0", "system resource problem"},
    {EX_OSFILE, "5.3.0", "critical OS file missing"},
    {EX_CANTCREAT, "5.2.0", "can't create user output file"},
    {EX_IOERR, "5.3.0", "input/output error"},
    {EX_TEMPFAIL, "4.3.0", "temporary failure"},
    {EX_PROTOCOL, "5.5.0", "remote error in protocol"},
    {EX_NOPERM, "5.7.0", "permission denied"},
    {EX_CONFIG, "5.3.5", "local configuration error"},
};

/* sys_exits_info - the entry of a sysexits.h code, or NULL */
const SYS_EXITS *
sys_exits_info(int status)
{
    if (status < EX__BASE || status > EX__MAX)
        return NULL;
    return &sys_exits_table[status - EX__BASE];
}
