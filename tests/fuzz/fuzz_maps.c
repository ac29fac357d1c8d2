/* fuzz_maps - libFuzzer harness for the lookup table parsers.
 *
 * The first input byte picks the parser: 'r' regexp, 'p' pcre, 'c' cidr,
 * 't' texthash (the postmap source format), 'a' the aliases(5) source
 * reader; anything else inline:{...} from the bytes. The rest is written
 * to a table file, the table is opened and a few keys are looked up.
 * Warnings are expected; crashes, leaks and sanitizer reports are not.
 * Seeds: tests/fuzz/corpus/fuzz_maps/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dict.h"
#include "dict_alias_src.h"
#include "msg_output.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
    "user@example.com", "User+Ext@Example.COM", "192.0.2.1",
    "2001:db8::1", "", "a", NULL,
};

/* quiet - drop warnings; the parsers are expected to produce many */
static void
quiet(enum msg_level level, const char *text)
{
}

/* table_path - a per-process scratch file */
static const char *
table_path(void)
{
    static char path[64];

    if (path[0] == 0)
        snprintf(path, sizeof(path), "/tmp/fuzz_maps.%d", (int) getpid());
    return path;
}

/* fuzz_table - open type:path, look up every key, close */
static void
fuzz_table(const char *spec)
{
    BUF    *why = buf_alloc(100);
    DICT   *dict;
    const char *const *kp;

    if ((dict = dict_open(spec, O_RDONLY, DICT_FLAG_DEFAULT, why)) != NULL) {
        for (kp = keys; *kp; kp++)
            (void) dict_get(dict, *kp);
        dict_close(dict);
    }
    buf_free(why);
}

/* fuzz_aliases - read every alias of the file */
static void
fuzz_aliases(const char *path)
{
    BUF    *why = buf_alloc(100);
    DICT_ALIAS_SRC *src;
    const char *name;
    const char *value;
    int     lineno;

    if ((src = dict_alias_src_open(path, why)) != NULL) {
        while (dict_alias_src_next(src, &name, &value, &lineno) > 0)
             /* void */ ;
        dict_alias_src_close(src);
    }
    buf_free(why);
}

/* LLVMFuzzerTestOneInput - one input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"regexp", "pcre", "cidr", "texthash"};
    static const char kinds[] = "rpct";
    const char *path = table_path();
    const char *kind;
    BUF    *spec;
    FILE   *fp;

    if (size < 1)
        return 0;
    msg_output_reset();
    msg_output_add(quiet);
    spec = buf_alloc(100);
    if ((fp = fopen(path, "w")) == NULL)
        abort();
    fwrite(data + 1, 1, size - 1, fp);
    fclose(fp);
    if ((kind = strchr(kinds, data[0])) != NULL && data[0] != 0) {
        buf_sprintf(spec, "%s:%s", types[kind - kinds], path);
        fuzz_table(buf_str(spec));
    } else if (data[0] == 'a') {
        fuzz_aliases(path);
    } else {
        buf_strcpy(spec, "inline:{");
        buf_append(spec, data + 1, strnlen((const char *) data + 1, size - 1));
        buf_strcat(spec, "}");
        fuzz_table(buf_str(spec));
    }
    buf_free(spec);
    unlink(path);
    return 0;
}
