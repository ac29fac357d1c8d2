/* maps_addr - address and domain lookup order over a MAPS list.
 *
 * Keys are built in one BUF per call; maps_find does the table walk and
 * sets maps->error, which ends the search at once. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "argv.h"
#include "mymalloc.h"
#include "mail_params.h"
#include "maps_addr.h"

/* split_addr_ext - where the extension starts in a local part, or 0 */
size_t
split_addr_ext(const char *localpart, size_t len, const char *delimiters)
{
    size_t  pos;

    if (delimiters == NULL || *delimiters == 0)
        return 0;
    if (strchr(delimiters, '-') != NULL
        && ((len >= 6 && strncasecmp(localpart, "owner-", 6) == 0)
            || (len >= 8 && strncasecmp(localpart + len - 8,
                                        "-request", 8) == 0)))
        return 0;
    for (pos = 1; pos < len; pos++)
        if (strchr(delimiters, localpart[pos]) != NULL)
            return pos;
    return 0;
}

/* maps_try - one partial-key lookup; stops (returns 1) on a hit or error */
static int
maps_try(MAPS *maps, BUF *key, const char **value)
{
    *value = maps_find(maps, buf_str(key), DICT_FLAG_FIXED);
    return *value != NULL || maps->error != DICT_ERR_NONE;
}

/* maps_find_addr - user+ext@domain, user@domain, user+ext, user, @domain */
const char *
maps_find_addr(MAPS *maps, const char *address, int local, char **extp)
{
    const char *at = strrchr(address, '@');
    size_t  local_len = at ? (size_t) (at - address) : strlen(address);
    size_t  ext_pos = split_addr_ext(address, local_len,
                                     var_recipient_delimiter);
    const char *value;
    BUF    *key = buf_alloc(100);
    int     stripped = 0;

    if (extp)
        *extp = NULL;
    if ((value = maps_find(maps, address, 0)) != NULL
        || maps->error != DICT_ERR_NONE)
        goto done;
    if (ext_pos && at) {                    /* user@domain */
        buf_reset(key);
        buf_append(key, address, ext_pos);
        buf_strcat(key, at);
        if ((stripped = maps_try(maps, key, &value)) != 0)
            goto done;
    }
    if (local || at == NULL) {
        if (at) {                               /* user+ext */
            buf_reset(key);
            buf_append(key, address, local_len);
            if (maps_try(maps, key, &value))
                goto done;
        }
        if (ext_pos) {                          /* user */
            buf_reset(key);
            buf_append(key, address, ext_pos);
            if ((stripped = maps_try(maps, key, &value)) != 0)
                goto done;
        }
    }
    if (at) {
        buf_strcpy(key, at);
        maps_try(maps, key, &value);
    }
  done:
    if (extp && stripped && value)
        *extp = mystrndup(address + ext_pos, local_len - ext_pos);
    buf_free(key);
    return value;
}

/* maps_find_domain - the name, then its parent domains */
const char *
maps_find_domain(MAPS *maps, const char *domain, const char *feature)
{
    int     bare = parent_domain_matches(feature);
    const char *name;
    const char *value;
    BUF    *key;

    if ((value = maps_find(maps, domain, 0)) != NULL
        || maps->error != DICT_ERR_NONE || *domain == '[')
        return value;
    key = buf_alloc(100);
    for (name = strchr(domain + 1, '.'); name; name = strchr(name + 1, '.')) {
        buf_strcpy(key, bare ? name + 1 : name);
        if (maps_try(maps, key, &value) || name[1] == 0)
            break;
    }
    buf_free(key);
    return value;
}

/* parent_domain_matches - feature is in parent_domain_matches_subdomains */
int
parent_domain_matches(const char *feature)
{
    ARGV   *names = argv_split(var_parent_domain_matches_subdomains,
                               LIST_DELIM);
    int     found = 0;
    int     i;

    for (i = 0; i < names->argc && !found; i++)
        found = strcasecmp(names->argv[i], feature) == 0;
    argv_free(names);
    return found;
}
