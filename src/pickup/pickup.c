/* pickup - the local mail pickup daemon, as Postfix's pickup(8).
 *
 * Model: a TRIGGER server (mail_server.h) on public/pickup, declared in
 * master.cf as "pickup unix n - n 60 1 pickup" (or "fifo"). postdrop
 * wakes it after each new maildrop file, and master every 60 seconds;
 * either way it scans $queue_directory/maildrop and hands each complete
 * file to the cleanup service (public/$cleanup_service_name) with the
 * flags Postfix's pickup sends (627: BOUNCE, FILTER, BCC_OK, MAP_OK,
 * MILT, AUTOUTF8, less what receive_override_options switches off).
 * A scan that moved files is followed by another, for files that arrived
 * meanwhile. The parts are listed in pickup.h.
 *
 * It runs as mail_owner and reads files that users wrote, so it trusts
 * none of them: see pickup_file.c and pickup_copy.c. Parameters:
 * queue_directory, cleanup_service_name, receive_override_options,
 * ipc_timeout, line_length_limit, myhostname, mail_name, hash_queue_names
 * (maildrop must not be listed: Postfix refuses that too), mail_owner
 * (whose files "postsuper -r" put back), and the skeleton's. */
#include "cleanup_clnt.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "pickup.h"
#include "priv.h"

/* postdrop accepts records up to max(line_length_limit, this). */
#define PICKUP_REC_MIN          4096

/* Incomplete files older than this are removed, as "postsuper -p" does. */
#define PICKUP_STALE_AGE        (7 * 86400)

/* smtputf8_autodetect_classes includes "sendmail" (Postfix's default). */
#define PICKUP_FLAGS            (CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_AUTOUTF8 \
                                 | CLEANUP_FLAG_MASK_EXTERNAL)

/* Rounds of one trigger: a busy maildrop is rescanned at most so often
 * before the process reports back to master. */
#define PICKUP_MAX_ROUNDS       100

static PICKUP pickup;

/* pickup_trigger - a wakeup: scan until a pass moves nothing */
static void
pickup_trigger(const char *buf, size_t len, const char *service,
               char **argv)
{
    for (int round = 0; round < PICKUP_MAX_ROUNDS; round++)
        if (pickup_scan(&pickup) == 0)
            break;
}

/* pickup_pre_init - who mail_owner is, while the user database can
 * still be read (before a chroot) */
static void
pickup_pre_init(const char *service, char **argv)
{
    if (priv_lookup_user(var_mail_owner, &pickup.owner_uid, NULL) < 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
}

/* pickup_post_init - the settings from main.cf */
static void
pickup_post_init(const char *service, char **argv)
{
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);

    mail_queue_conf_params(&pickup.queue);
    if (mail_queue_hashed(&pickup.queue, MAIL_QUEUE_MAILDROP))
        msg_fatal("maildrop queue must not be hashed");
    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    pickup.cleanup_path = buf_export(path);
    if ((pickup.cleanup_flags = cleanup_override(PICKUP_FLAGS,
                                                 var_receive_override_options,
                                                 why)) < 0)
        msg_fatal("%s", buf_str(why));
    pickup.timeout = var_ipc_timeout;
    pickup.rec_limit = var_line_length_limit > PICKUP_REC_MIN ?
        (size_t) var_line_length_limit : PICKUP_REC_MIN;
    pickup.hostname = var_myhostname;
    pickup.mail_name = var_mail_name;
    pickup.stale_age = PICKUP_STALE_AGE;
    buf_free(why);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_TRIGGER,
        .pre_init = pickup_pre_init,
        .post_init = pickup_post_init,
        .trigger = pickup_trigger,
    };

    mail_server_main(argc, argv, &spec);
}
