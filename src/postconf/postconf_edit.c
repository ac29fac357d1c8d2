/* postconf_edit - change main.cf in place (postconf -e, -X, -#).
 *
 * The file is rewritten line by line into a temporary file in the same
 * directory, which then replaces main.cf with rename(), so readers see
 * either the old or the new file. A setting is one logical line: the line
 * with the name and the continuation lines after it (comment and blank
 * lines in between stay). -e replaces the first setting of a name and
 * drops later ones, appending names that were not found; -X drops the
 * settings; -# puts "#" before each of their lines. Everything else,
 * comments included, is copied unchanged. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "htable.h"
#include "mail_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"

typedef struct PCF_EDIT {
    char   *value;                      /* -e: the new value */
    int     found;                      /* settings seen so far */
} PCF_EDIT;

static char *pcf_temp_path;             /* removed if we die */

/* pcf_edit_cleanup - remove the temporary file on a fatal error */
static void
pcf_edit_cleanup(void)
{
    if (pcf_temp_path)
        unlink(pcf_temp_path);
}

/* pcf_edit_free - destroy one request */
static void
pcf_edit_free(void *ptr)
{
    PCF_EDIT *edit = ptr;

    myfree(edit->value);
    myfree(edit);
}

/* pcf_edit_requests - table of name -> request, checked */
static HTABLE *
pcf_edit_requests(PCF_EDIT_MODE mode, char **args, ARGV *order)
{
    HTABLE *requests = htable_create(20);

    for (; *args; args++) {
        char   *copy = mystrdup(*args);
        char   *name = copy;
        char   *value = NULL;
        char   *cp;
        PCF_EDIT *edit;

        if (mode == PCF_EDIT_SET) {
            if ((cp = strchr(copy, '=')) == NULL)
                msg_fatal("missing '=' in \"%s\"", *args);
            *cp = 0;
            for (value = cp + 1; isspace((unsigned char) *value); value++)
                 /* void */ ;
            for (cp = value + strlen(value);
                 cp > value && isspace((unsigned char) cp[-1]);)
                *--cp = 0;
            if (strpbrk(value, "\r\n"))
                msg_fatal("value of \"%s\" contains a line break", *args);
        }
        while (isspace((unsigned char) *name))
            name++;
        for (cp = name + strlen(name);
             cp > name && isspace((unsigned char) cp[-1]);)
            *--cp = 0;
        if (*name == 0 || strpbrk(name, " \t\r\n=#"))
            msg_fatal("bad parameter name: \"%s\"", *args);
        if ((edit = htable_find(requests, name)) == NULL) {
            edit = mycalloc(1, sizeof(*edit));
            htable_enter(requests, name, edit);
            argv_add(order, name);
        }
        myfree(edit->value);
        edit->value = value ? mystrdup(value) : NULL;
        myfree(copy);
    }
    return requests;
}

/* pcf_line_name - the parameter name that starts a line, into name */
static void
pcf_line_name(const char *line, BUF *name)
{
    size_t  len = strcspn(line, " \t\r\n=");

    buf_reset(name);
    buf_append(name, line, len);
}

/* pcf_edit_lines - copy main.cf text to out with the edits made */
static void
pcf_edit_lines(PCF_EDIT_MODE mode, const char *text, HTABLE *requests,
               BUF *out)
{
    BUF    *name = buf_alloc(64);
    PCF_EDIT *current = NULL;           /* setting being edited */
    const char *cp = text;

    while (*cp) {
        const char *eol = strchr(cp, '\n');
        size_t  len = eol ? (size_t) (eol - cp + 1) : strlen(cp);
        const char *start = cp + strspn(cp, " \t\r");
        bool    blank = (*start == '\n' || *start == 0 || *start == '#');

        if (!blank && start == cp) {
            pcf_line_name(cp, name);
            current = htable_find(requests, buf_str(name));
            if (current && mode == PCF_EDIT_SET && current->found++ == 0)
                buf_sprintf_append(out, "%s = %s\n", buf_str(name),
                                   current->value);
        }
        if (blank || current == NULL) {
            buf_append(out, cp, len);
        } else if (mode == PCF_EDIT_COMMENT) {
            buf_addch(out, '#');
            buf_append(out, cp, len);
        }
        if (eol == NULL && len && buf_last(out) != '\n')
            buf_addch(out, '\n');
        cp += len;
    }
    buf_free(name);
}

/* pcf_read_file - whole file into a BUF; NULL when it does not exist */
static BUF *
pcf_read_file(const char *path, struct stat *st)
{
    BUF    *text;
    char    chunk[4096];
    ssize_t got;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            return NULL;
        msg_fatal("open %s: %m", path);
    }
    if (fstat(fd, st) < 0)
        msg_fatal("fstat %s: %m", path);
    text = buf_alloc((size_t) st->st_size + 1);
    while ((got = read(fd, chunk, sizeof(chunk))) > 0)
        buf_append(text, chunk, (size_t) got);
    if (got < 0)
        msg_fatal("read %s: %m", path);
    close(fd);
    return text;
}

/* pcf_write_file - replace path with text, atomically */
static void
pcf_write_file(const char *path, const BUF *text, mode_t mode)
{
    BUF    *temp = buf_alloc(100);
    int     fd;

    buf_sprintf(temp, "%s.XXXXXX", path);
    if ((fd = mkostemp(buf_str(temp), O_CLOEXEC)) < 0)
        msg_fatal("create temporary file for %s: %m", path);
    pcf_temp_path = buf_str(temp);
    msg_cleanup(pcf_edit_cleanup);
    if (fchmod(fd, mode & 07777) < 0)
        msg_fatal("fchmod %s: %m", buf_str(temp));
    for (size_t done = 0; done < buf_len(text);) {
        ssize_t got = write(fd, buf_str(text) + done, buf_len(text) - done);

        if (got < 0)
            msg_fatal("write %s: %m", buf_str(temp));
        done += (size_t) got;
    }
    if (fsync(fd) < 0 || close(fd) < 0)
        msg_fatal("write %s: %m", buf_str(temp));
    if (rename(buf_str(temp), path) < 0)
        msg_fatal("rename %s to %s: %m", buf_str(temp), path);
    pcf_temp_path = NULL;
    buf_free(temp);
}

/* pcf_edit_main - postconf -e, -X or -# */
void
pcf_edit_main(PCF_EDIT_MODE mode, char **args)
{
    const char *path = mail_conf_main_path();
    ARGV   *order = argv_alloc(4);
    HTABLE *requests;
    struct stat st;
    BUF    *text;
    BUF    *out;

    if (args == NULL || *args == NULL)
        msg_fatal("no parameters given to edit");
    requests = pcf_edit_requests(mode, args, order);
    if ((text = pcf_read_file(path, &st)) == NULL) {
        if (mode != PCF_EDIT_SET)
            msg_fatal("open %s: %s", path, strerror(ENOENT));
        text = buf_alloc(1);
        st.st_mode = 0644;
    }
    out = buf_alloc(buf_len(text) + 256);
    pcf_edit_lines(mode, buf_str(text), requests, out);
    for (int i = 0; mode == PCF_EDIT_SET && i < order->argc; i++) {
        PCF_EDIT *edit = htable_find(requests, order->argv[i]);

        if (edit->found == 0)
            buf_sprintf_append(out, "%s = %s\n", order->argv[i], edit->value);
    }
    pcf_write_file(path, out, st.st_mode);
    buf_free(text);
    buf_free(out);
    argv_free(order);
    htable_free(requests, pcf_edit_free);
}
