/* msg_output - the channels that msg_* text goes to.
 *
 * A channel receives the level and the formatted text (without the
 * "warning: " prefix; each channel adds what its format needs). */
#ifndef MSG_OUTPUT_H
#define MSG_OUTPUT_H

#include "msg.h"

typedef void (*MSG_OUTPUT_FN) (enum msg_level level, const char *text);

void msg_output_add(MSG_OUTPUT_FN fn);
void msg_output_remove(MSG_OUTPUT_FN fn);
void msg_output_reset(void);            /* remove every channel */
const char *msg_level_prefix(enum msg_level level); /* "", "warning: ", ... */

/* Standard channels. */
void msg_stderr_init(const char *progname);     /* "progname: warning: text" */
void msg_syslog_init(const char *tag, int facility); /* tag = syslog_name/service */

#endif
