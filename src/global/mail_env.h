/* mail_env - the environment that delivery agents give to commands.
 *
 * A command run for a delivery (local(8)'s |command and mailbox_command,
 * pipe(8)) gets a clean environment, never the daemon's own: PATH, then
 * the export_environment names (Postfix 3.7 default "TZ MAIL_CONFIG
 * LANG"), then what the agent adds about the recipient. The value of an
 * exported name is what import_environment sets it to ("LANG=C"), else
 * the inherited value when import_environment names it, else, for
 * MAIL_CONFIG, the configuration directory; a NAME=value word of
 * export_environment is passed as it is. Observed from Postfix 3.7's
 * local and pipe (docs/local.md, docs/pipe.md). Library code: nothing
 * here exits. */
#ifndef MAIL_ENV_H
#define MAIL_ENV_H

#include "argv.h"

#define MAIL_ENV_PATH   "PATH=/usr/bin:/bin"

/* mail_env_export - PATH and the exported NAME=value pairs, for the
 * caller to extend and argv_free() */
ARGV   *mail_env_export(void);

#endif
