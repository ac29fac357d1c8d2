/* virtual_lookup - where a virtual recipient's mailbox is, and whose.
 *
 * Model (man 8 virtual; observed from Postfix 3.7's virtual):
 *   - each table is searched with the recipient address, folded to lower
 *     case by the caller: user+ext@domain, then user@domain, then
 *     @domain (maps_find_addr(), no local-part-only keys); pattern tables
 *     see the whole address only;
 *   - no virtual_mailbox_maps entry: the user is unknown (the caller
 *     bounces, 5.1.1), and the other tables are not asked;
 *   - the mailbox is $virtual_mailbox_base/RESULT, joined as Postfix
 *     does ("base//abs" for an absolute result); a result ending in '/'
 *     is a Maildir;
 *   - virtual_uid_maps must give a number not below virtual_minimum_uid
 *     (at least 1, so never root) and virtual_gid_maps a number above 0;
 *     otherwise, or when a table fails, a warning in Postfix's words
 *     ("recipient ADDR: bad uid 50 in virtual_uid_maps", "recipient ADDR:
 *     not found in virtual_uid_maps", "table virtual_mailbox_maps: lookup
 *     ADDR: ...") and the caller defers the recipient, 4.3.5 "mail system
 *     configuration error".
 * Peers: maps_addr, virtual_deliver. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mail_params.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "virtual.h"

/* virtual_lookup_find - one table's value for the address, or NULL */
static const char *
virtual_lookup_find(MAPS *maps, const char *address)
{
    return maps ? maps_find_addr(maps, address, 0, NULL) : NULL;
}

/* virtual_lookup_id - a uid or gid from its table; -1 after a warning */
static long
virtual_lookup_id(MAPS *maps, const char *title, const char *kind,
                  long min, const char *address)
{
    const char *value = virtual_lookup_find(maps, address);
    char   *end;
    long    id;

    if (value == NULL) {
        msg_warn("recipient %s: not found in %s", address, title);
        return -1;
    }
    errno = 0;
    id = strtol(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != 0 || errno != 0
        || id < min || id >= INT_MAX) {
        msg_warn("recipient %s: bad %s %s in %s", address, kind, value,
                 title);
        return -1;
    }
    return id;
}

/* virtual_lookup_path - the mailbox path, or VIRTUAL_UNKNOWN/_ERROR */
static int
virtual_lookup_path(const char *address, VIRTUAL_USER *usr)
{
    MAPS   *maps = virtual_conf.mailbox_maps;
    const char *value = virtual_lookup_find(maps, address);
    BUF    *path;

    if (maps && maps->error != DICT_ERR_NONE) {
        msg_warn("table virtual_mailbox_maps: lookup %s: table lookup "
                 "failed", address);
        return VIRTUAL_ERROR;
    }
    if (value == NULL)
        return VIRTUAL_UNKNOWN;
    if (*value == 0) {
        msg_warn("recipient %s: empty result in virtual_mailbox_maps",
                 address);
        return VIRTUAL_ERROR;
    }
    path = buf_alloc(100);
    buf_sprintf(path, "%s/%s", var_virtual_mailbox_base, value);
    usr->path = mystrdup(buf_str(path));
    buf_free(path);
    return VIRTUAL_FOUND;
}

/* virtual_lookup - the mailbox, uid and gid of address (folded) */
int
virtual_lookup(const char *address, VIRTUAL_USER *usr)
{
    long    uid, gid;
    int     status;

    usr->path = NULL;
    if ((status = virtual_lookup_path(address, usr)) != VIRTUAL_FOUND)
        return status;
    if ((uid = virtual_lookup_id(virtual_conf.uid_maps, "virtual_uid_maps",
                                 "uid", var_virtual_minimum_uid,
                                 address)) < 0
        || (gid = virtual_lookup_id(virtual_conf.gid_maps,
                                    "virtual_gid_maps", "gid", 1,
                                    address)) < 0) {
        virtual_user_free(usr);
        return VIRTUAL_ERROR;
    }
    usr->uid = (uid_t) uid;
    usr->gid = (gid_t) gid;
    return VIRTUAL_FOUND;
}

/* virtual_user_free - forget what virtual_lookup() found */
void
virtual_user_free(VIRTUAL_USER *usr)
{
    myfree(usr->path);
    usr->path = NULL;
}
