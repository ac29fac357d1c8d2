/* verify_cache - the verify service's address cache.
 *
 * The cache is the table $address_verify_map (Postern's default
 * lmdb:$data_directory/verify_cache; Postfix's is btree:), opened for
 * update, with Postfix's value format "STATUS:PROBED:UPDATED:TEXT" so
 * that the entries read the same. An indexed table (lmdb, hash, cdb)
 * is never changed in place (dict_index.h): the open writer holds the
 * entries and its lock, and each update publishes a new file (written,
 * synced, renamed) before the service answers, then opens the writer
 * again. That costs a rewrite of the file per update, which is fine for
 * the cache sizes of a site's recipients; the cache survives a restart
 * and a crash. An empty $address_verify_map keeps the cache in memory
 * (lost when the process ends, as with Postfix). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dict.h"
#include "dict_index.h"
#include "dict_mem.h"
#include "msg.h"
#include "mymalloc.h"
#include "verify.h"
#include "verify_clnt.h"

#define VERIFY_DICT_FLAGS   DICT_FLAG_DUP_REPLACE

static DICT *verify_map;
static char *verify_spec;
static BUF *verify_value;

/* The type of the in-memory cache. */
static const DICT_TYPE verify_mem_type = {.name = "internal"};

/* verify_cache_reopen - open the table (again); fatal on failure */
static void
verify_cache_reopen(void)
{
    BUF    *why = buf_alloc(100);
    mode_t  mask = umask(022);

    if (*verify_spec == 0)
        verify_map = dict_mem_create(&verify_mem_type, "verify",
                                     O_RDWR | O_CREAT, VERIFY_DICT_FLAGS);
    else if ((verify_map = dict_open(verify_spec, O_RDWR | O_CREAT,
                                     VERIFY_DICT_FLAGS, why)) == NULL)
        msg_fatal("open %s: %s", verify_spec, buf_str(why));
    else if (verify_map->update == NULL)
        msg_fatal("open %s: table does not support updates", verify_spec);
    (void) umask(mask);
    buf_free(why);
}

/* verify_cache_open - the table, once */
void
verify_cache_open(const char *spec)
{
    verify_spec = mystrdup(spec);
    verify_value = buf_alloc(100);
    verify_cache_reopen();
}

/* verify_cache_commit - make an update durable: publish an indexed
 * table and open it again; 0 or -1 after a warning */
static int
verify_cache_commit(void)
{
    BUF    *why;
    int     ret = 0;

    if (!dict_index_is_writer(verify_map))
        return 0;
    why = buf_alloc(100);
    if ((ret = dict_index_commit(verify_map, why)) < 0)
        msg_warn("update %s: %s", verify_spec, buf_str(why));
    buf_free(why);
    verify_cache_reopen();
    return ret;
}

/* verify_entry_parse - "STATUS:PROBED:UPDATED:TEXT" */
int
verify_entry_parse(const char *text, VERIFY_ENTRY *entry)
{
    const char *cp = text;
    long    field[3];
    char   *end;

    for (int i = 0; i < 3; i++) {
        if (*cp < '0' || *cp > '9')
            return -1;
        field[i] = strtol(cp, &end, 10);
        if (*end != ':' || field[i] < 0)
            return -1;
        cp = end + 1;
    }
    if (field[0] > VRFY_ADDR_TODO || (field[1] == 0 && field[2] == 0))
        return -1;
    *entry = (VERIFY_ENTRY) {(int) field[0], field[1], field[2], cp};
    return 0;
}

/* verify_cache_get - look up and parse */
int
verify_cache_get(const char *addr, VERIFY_ENTRY *entry)
{
    const char *value = dict_get(verify_map, addr);

    if (value == NULL)
        return verify_map->error ? -1 : 0;
    buf_strcpy(verify_value, value);
    if (verify_entry_parse(buf_str(verify_value), entry) < 0) {
        msg_warn("bad address verify table entry: %.100s", value);
        return 0;
    }
    return 1;
}

/* verify_cache_put - format, store, publish */
int
verify_cache_put(const char *addr, const VERIFY_ENTRY *entry)
{
    BUF    *value = buf_alloc(100);
    int     ret;

    buf_sprintf(value, "%d:%ld:%ld:%s", entry->status, entry->probed,
                entry->updated, entry->text);
    if ((ret = dict_put(verify_map, addr, buf_str(value))) != 0)
        msg_warn("update %s: cannot store \"%.100s\"", verify_spec, addr);
    buf_free(value);
    return ret == 0 ? verify_cache_commit() : -1;
}

/* verify_cache_del - delete and publish */
void
verify_cache_del(const char *addr)
{
    if (dict_del(verify_map, addr) == 0)
        (void) verify_cache_commit();
}
