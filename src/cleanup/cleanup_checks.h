/* cleanup_checks - header_checks, mime_header_checks,
 * nested_header_checks and body_checks applied to one message: the
 * tables are searched by hbc (src/maps/hbc.h); the actions change the
 * line or the message here. See docs/content-checks.md. */
#ifndef CLEANUP_CHECKS_H
#define CLEANUP_CHECKS_H

#include <stdbool.h>

#include "cleanup.h"
#include "header_opts.h"

/* cleanup_checks_init - open the tables (once per process) */
void    cleanup_checks_init(void);

/* cleanup_checks_header - check one header (it may be replaced in
 * place, or a header put before it); false when it must not be written */
bool    cleanup_checks_header(CLEANUP_STATE *state, int header_class,
                              const HEADER_OPTS *opts, BUF *header);

/* cleanup_checks_body - check one body record; false when it must not
 * be written */
bool    cleanup_checks_body(CLEANUP_STATE *state, int rec_type,
                            const char *text, size_t len);

#endif
