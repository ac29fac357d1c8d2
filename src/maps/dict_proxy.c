/* dict_proxy - proxy:type:name, Postfix's access to a table through the
 * proxymap service.
 *
 * Postern has no proxymap yet, so the table is opened directly by the
 * process that asks for it; the answers are the same. Unlike Postfix,
 * the table need not be listed in proxy_read_maps, and a process that
 * cannot read the table (chroot, privileges) cannot use it. */
#include <string.h>

#include "dict_types.h"

/* dict_proxy_open - open the table behind "proxy:" */
static DICT *
dict_proxy_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    if (strncmp(name, "proxy:", 6) == 0) {
        buf_sprintf(why, "table proxy:%s: proxy inside proxy", name);
        return NULL;
    }
    return dict_open(name, open_flags, dict_flags, why);
}

const DICT_TYPE dict_type_proxy = {
    .name = "proxy",
    .open = dict_proxy_open,
};
