/* mxlookup - print what mx_addr_lookup finds, for tests/system/test_dns.py.
 *
 * Usage: mxlookup -c CONFIG_DIR [-HP] [-r COUNT] NAME...
 * Reads CONFIG_DIR/main.cf (dns_servers, inet_interfaces, ...) and looks
 * up each NAME COUNT times (default 1): as a domain with MX lookup, or as
 * a host with -H or when NAME is "[host]". One line per lookup:
 *   ok PREF/HOST/ADDR PREF/HOST/ADDR ...
 *   error STATUS REASON
 * Warnings go to stderr. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dsn_buf.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "msg_output.h"
#include "mx_addr.h"

/* mxlookup_print - one lookup as one line */
static void
mxlookup_print(const char *name, int flags, DSN_BUF *why)
{
    MX_ADDR_LIST list;
    char    text[INET6_ADDRSTRLEN];

    if (mx_addr_lookup(name, flags, &list, why) < 0) {
        printf("error %s %s\n", buf_str(why->status), buf_str(why->reason));
        return;
    }
    printf("ok");
    for (size_t i = 0; i < list.count; i++)
        printf(" %u/%s/%s", list.addr[i].pref, list.addr[i].name,
               mx_addr_text(list.addr + i, text, sizeof(text)));
    printf("\n");
    mx_addr_list_free(&list);
}

/* main - parse the options, look up each name */
int
main(int argc, char **argv)
{
    DSN_BUF *why = dsb_create();
    int     flags = MX_ADDR_FLAG_MX | MX_ADDR_FLAG_LOOP;
    int     count = 1;
    int     ch;

    msg_stderr_init("mxlookup");
    while ((ch = getopt(argc, argv, "c:HPr:")) != -1) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'H':
            flags &= ~MX_ADDR_FLAG_MX;
            break;
        case 'P':
            flags &= ~MX_ADDR_FLAG_LOOP;
            break;
        case 'r':
            count = atoi(optarg);
            break;
        default:
            msg_fatal("usage: mxlookup -c DIR [-HP] [-r COUNT] NAME...");
        }
    }
    mail_conf_read();
    mail_params_init();
    for (int i = optind; i < argc; i++)
        for (int n = 0; n < count; n++)
            mxlookup_print(argv[i], flags, why);
    dsb_free(why);
    return 0;
}
