/* msg_capture.h - a msg output channel for unit tests: every message
 * (with its "warning: " etc. prefix) is appended to the BUF logged, one
 * line each. The test allocates logged, adds the channel with
 * msg_output_add(capture), and looks at buf_str(logged). */
#ifndef MSG_CAPTURE_H
#define MSG_CAPTURE_H

#include "buf.h"
#include "msg_output.h"

static BUF *logged;

/* capture - keep the text of every message */
static void
capture(enum msg_level level, const char *text)
{
    buf_sprintf_append(logged, "%s%s\n", msg_level_prefix(level), text);
}

#endif
