/* rec_type - queue file record types, their names and where they may go.
 *
 * A queue file is a sequence of records: one type byte, the data length
 * as a varint, the data (rec_stream.h). The letters are Postfix's, learnt
 * by observing Debian's Postfix 3.7 (queue files written by cleanup and
 * postdrop, and the names postcat -v prints for every byte value); see
 * docs/queue-format.md. Postern adds no letters of its own: extensions go
 * into named attributes ('A', "name=value"), as Postfix's do. A new letter
 * must be one postcat calls unknown, and is listed here and in the doc.
 *
 * A file has three sections in this order: the envelope (first record
 * 'C', or 'T' in a maildrop file), the content after 'M', the extracted
 * information after 'X'; the end record 'E' closes the file. 'L' means
 * two things: a content filter in the envelope and extracted sections,
 * a piece of a longer line (continued by the next text record) in the
 * content section. */
#ifndef REC_TYPE_H
#define REC_TYPE_H

#include <stdbool.h>

/* Envelope. */
#define REC_TYPE_SIZE   'C'             /* size record, fixed width, first */
#define REC_TYPE_TIME   'T'             /* arrival time "sec usec" */
#define REC_TYPE_CTIME  'c'             /* create time (3.7: attribute) */
#define REC_TYPE_FULL   'F'             /* sender full name */
#define REC_TYPE_INSP   'I'             /* content inspector transport */
#define REC_TYPE_FILT   'L'             /* content filter transport */
#define REC_TYPE_FROM   'S'             /* envelope sender */
#define REC_TYPE_DONE   'D'             /* recipient done (was 'R') */
#define REC_TYPE_RCPT   'R'             /* recipient still to do */
#define REC_TYPE_ORCP   'O'             /* original recipient, before 'R' */
#define REC_TYPE_DRCP   '/'             /* canceled recipient (was 'R') */
#define REC_TYPE_WARN   'W'             /* delay warning time, fixed width */
#define REC_TYPE_ATTR   'A'             /* named attribute "name=value" */
#define REC_TYPE_KILL   'K'             /* killed record */
#define REC_TYPE_RDR    '>'             /* redirect target */
#define REC_TYPE_FLGS   'f'             /* cleanup processing flags */
#define REC_TYPE_VERP   'V'             /* VERP delimiters */
#define REC_TYPE_PRIO   'P'             /* priority */
#define REC_TYPE_DSN_RET    '<'         /* DSN RET= (3.7: attribute) */
#define REC_TYPE_DSN_ENVID  'i'         /* DSN ENVID= (3.7: attribute) */
#define REC_TYPE_DSN_ORCPT  'o'         /* DSN ORCPT= (3.7: attribute) */
#define REC_TYPE_DSN_NOTIFY 'n'         /* DSN NOTIFY= (3.7: attribute) */

/* Section markers and the end. */
#define REC_TYPE_MESG   'M'             /* content follows */
#define REC_TYPE_XTRA   'X'             /* extracted information follows */
#define REC_TYPE_END    'E'             /* end of file, required */

/* Content. */
#define REC_TYPE_NORM   'N'             /* a line (newline not stored) */
#define REC_TYPE_CONT   'L'             /* part of a line, more follows */

/* Extracted from headers. */
#define REC_TYPE_RRTO   'r'             /* Return-Receipt-To */
#define REC_TYPE_ERTO   'e'             /* Errors-To */

/* Anywhere: in-place editing. */
#define REC_TYPE_PTR    'p'             /* continue reading at an offset */
#define REC_TYPE_DTXT   'w'             /* padding, ignored */

/* Sections of a queue file. */
typedef enum {
    REC_SECT_ENVELOPE,
    REC_SECT_CONTENT,
    REC_SECT_EXTRACTED,
    REC_SECT_DONE,                      /* after the end record */
} REC_SECTION;

/* rec_type_name - the name postcat -v prints for a record type in a
 * section ("recipient", "regular_text"), or "unknown_record_type" */
const char *rec_type_name(int type, REC_SECTION section);

/* rec_type_allowed - whether a record type may appear in a section
 * (section markers and the end record included where they belong) */
bool    rec_type_allowed(int type, REC_SECTION section);

/* rec_type_next_section - the section a marker record starts ('M', 'X',
 * 'E'), or the same section for any other type */
REC_SECTION rec_type_next_section(int type, REC_SECTION section);

#endif
