"""System tests for bounce_template_file (src/bounce/bounce_template_file.c,
docs/bounce.md "Templates of one's own").

The set-up of test_bounce.py: a master with cleanup and the status
services and no qmgr; the notices stay in incoming/ to be read. The file
syntax, the header labels and the handling of broken templates are
Postfix 3.7's (man 5 bounce; Debian's postconf -t and bounce observed):
a template with a problem is ignored with a warning and the built-in one
is used; a line that is not "NAME = VALUE" is fatal.
"""
import socket

from conftest import wait_for
from test_bounce import Box, parts

FAILURE = """# Our own words.
failure_template = <<EOF
Charset: us-ascii
From: Postmaster of $myhostname <MAILER-DAEMON>
Subject: Your mail to our users bounced
Postmaster-Subject: Copy: bounced mail

Hello from $myhostname ($mail_name).
We keep mail for $maximal_queue_lifetime_days days.
EOF

verify_template = <<END
subject: Verification results

Here is what would happen.
END
"""


def start(instance, text, **params):
    path = instance.root / "bounce.cf"
    path.write_text(text)
    box = Box(instance)
    box.start(bounce_template_file=str(path), maximal_queue_lifetime="3d",
              **params)
    return box, path


def ndr(box):
    """An NDR for one bounced recipient; the parsed notice."""
    qid = box.queue(recipients=("nosuch@mx.example.test",))
    box.bounce_all(qid, reason='unknown user: "nosuch"')
    assert box.notify("bounce", 1, qid) == [("status", "0")]
    return box.notice(box.sent(qid))[1]


def test_custom_failure_template(instance):
    box, _ = start(instance, FAILURE)
    msg = ndr(box)
    assert msg["Subject"] == "Your mail to our users bounced"
    # Headers are not expanded (as in Postfix); cleanup qualifies them.
    assert msg["From"] == ("Postmaster of $myhostname "
                           "<MAILER-DAEMON@mx.example.test>")
    text = parts(msg)[0]
    assert text.get_content_charset() == "us-ascii"
    body = text.get_content()
    assert body.startswith("Hello from mx.example.test (Postern).\n"
                           "We keep mail for 3 days.\n")
    assert '<nosuch@mx.example.test>: unknown user: "nosuch"' in body
    assert "could not be delivered" not in body
    assert "bounce.cf" not in instance.log_text()


def test_verify_template_and_builtin_rest(instance):
    box, _ = start(instance, FAILURE)
    qid = box.queue(recipients=("a@x.test",))
    box.bounce_all(qid, service="trace", status="2.0.0",
                   action="deliverable", reason="delivers to mailbox",
                   flags=512)
    assert box.notify("trace", 5, qid, flags=512) == [("status", "0")]
    msg = box.notice(box.sent(qid, words="delivery status"))[1]
    assert msg["Subject"] == "Verification results"
    assert parts(msg)[0].get_content().startswith(
        "Here is what would happen.\n")
    # The kinds the file leaves out keep the built-in words.
    qid = box.queue(recipients=("b@x.test",))
    box.bounce_all(qid, service="trace", status="2.0.0",
                   action="delivered", reason="delivered to mailbox",
                   notify=2)
    assert box.notify("trace", 5, qid) == [("status", "0")]
    msg = box.notice(box.sent(qid, words="delivery status"))[1]
    assert msg["Subject"] == "Successful Mail Delivery Report"


# Broken templates, each with the first line of the template in the
# file made of all of them, and the warning after "FILE, line N: ".
BROKEN = [
    ("failure_template = <<EOF\nBogus: x\n\ntext\nEOF\n",
     'unknown "Bogus" header label in failure template -- '
     'ignoring this template'),
    ("\n# x\nfoo_template = <<EOF\nFrom: x\n\ntext\nEOF\n",
     "unknown template name: foo_template -- ignoring this template"),
    ("failure_template = <<EOF\nCharset: us-ascii\nSubject: x\n\n"
     "caf\u00e9\nEOF\n",
     "8-bit message text in failure template: please specify a "
     "charset value other than us-ascii -- ignoring this template"),
    ("failure_template = <<EOF\nSubject: x\n\ntext\n",
     'missing "EOF" end marker'),
]


def test_broken_templates_are_ignored_with_a_warning(instance):
    text = "".join(t for t, _ in BROKEN)
    box, path = start(instance, text)
    msg = ndr(box)
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    log = instance.log_text()
    lines = text.split("\n")
    starts = [i + 1 for i, line in enumerate(lines)
              if line.endswith("_template = <<EOF")]
    assert len(starts) == len(BROKEN)
    for number, (_, warning) in zip(starts, BROKEN):
        assert f"warning: {path}, line {number}: {warning}" in log, log


def test_syntax_error_is_fatal(instance):
    box, path = start(instance, "failure_template = <<EOF\nSubject: x\n\n"
                      "text\nEOF\njunk line\n")
    fatal = (f"fatal: {path}, line 6: missing '=' after attribute name: "
             f"\"junk line\"")
    # A client makes master start bounce, which stops at once.
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(box.q / "private" / "bounce"))
        wait_for(lambda: fatal in instance.log_text(),
                 what="the fatal error in the log")
