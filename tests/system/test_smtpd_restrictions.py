"""smtpd's restrictions (src/smtpd/smtpd_check*.c), Postern against
Debian's Postfix 3.7 side by side.

One throwaway Postfix instance (postfix_peer.py: smtpd on a loopback port,
cleanup, trivial-rewrite, proxymap, anvil, postlogd; no qmgr, so queue
files stay in incoming/ and hold/) and one Postern instance with the same
parameters; the module starts each once and reloads it when a case needs
other parameters. Each case runs the same SMTP sessions against both and
compares every reply and every line smtpd logged for the session, after
replacing only the queue id. A case can also compare the queue files the
two wrote (records of the access map actions that reach cleanup: PREPEND,
FILTER, REDIRECT, BCC, HOLD, DISCARD).

A case that fails because of a known Postern difference is marked
xfail(strict=True), with the difference as its reason.

The policy service tests use a tiny policy server written here (exact
request attributes) and Debian's postgrey (greylisting: first attempt
450, retry after the delay accepted); they run against Postern only.
"""
import contextlib
import difflib
import os
import re
import shutil
import smtplib
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import IS_ROOT, Instance, free_port, wait_for
from postfix_peer import HAVE_POSTFIX, PostfixPeer
from queuefile import read_records
from test_master import POSTLOG
from test_smtpd import Client, Server

ME = "mx.example.test"

# Parameters both sides get.
SAME = {
    "myhostname": ME,
    "mydomain": "example.test",
    "mynetworks": "127.0.0.0/8",
    "alias_maps": "",
    "smtpd_error_sleep_time": "0",
    "enable_long_queue_ids": "no",
    # No postmaster notices of sessions with errors: Postern has none
    # (and Postfix's smtpd waits while it sends one).
    "notify_classes": "",
}
POSTERN_ONLY = {"mail_name": "Postfix"}

# Lookup tables given to both sides; "{tables}" in a case's parameters
# names their directory.
TABLES = {
    "client": "localhost DUNNO\n"
              "127.0.0.66 REJECT by address\n"
              "127.0.0 DEFER by prefix\n"
              "127.0.1 OK\n",
    "helo": "reject.example REJECT helo rejected\n"
            "dsn.example REJECT 5.1.1 recipient status for a helo\n"
            "code.example 550 5.1.2 with a code\n"
            "defer.example DEFER\n"
            "warn.example WARN looked at the helo\n"
            "info.example INFO noted the helo\n"
            "example.net REJECT parent domain\n"
            "numeric.example 12345\n"
            "class.example cls_helo\n"
            "table.example check_sender_access texthash:/nonexistent\n"
            "hangup.example 421 4.7.0 go away\n"
            "unknown.example no_such_restriction\n"
            "[1.2.3.4] REJECT literal\n",
    "sender": "rejected@example.org REJECT\n"
              "rejected@ REJECT by local part\n"
              "blocked.example REJECT by domain\n"
              "user@ext.example REJECT without extension\n"
              "<> 550 5.7.1 no bounces here\n"
              "dip@example.org DEFER_IF_PERMIT later please\n"
              "dir@example.org DEFER_IF_REJECT maybe later\n"
              "hold@example.org HOLD\n"
              "holdtext@example.org HOLD held for review\n"
              "filter@example.org FILTER smtp:[127.0.0.1]:10025\n"
              "badfilter@example.org FILTER nocolon\n"
              "discard@example.org DISCARD\n"
              "prepend@example.org PREPEND X-Sender-Seen: yes\n"
              "badprepend@example.org PREPEND not a header\n"
              "ok@example.org OK\n",
    "rcpt": "rejected@mx.example.test REJECT go away\n"
            "redirect@mx.example.test REDIRECT other@example.org\n"
            "badredirect@mx.example.test REDIRECT nowhere\n"
            "bcc@mx.example.test BCC copy@example.org\n"
            "prepend@mx.example.test PREPEND X-Rcpt-Seen: yes\n"
            "deferred@mx.example.test 450 4.2.0 mailbox busy\n"
            "sender@mx.example.test 550 5.1.7 sender code for a recipient\n"
            "class@mx.example.test cls_rcpt\n",
    "etrn": "etrn.example REJECT no flush for you\n",
    "aliases": "alias1 root\n",
    "vmailbox": "vu@virt.example x\n",
    "rrcpt": "ru@relay.example x\n",
    "valias": "va@valias.example root@mx.example.test\n",
}

POSTFIX_MASTER_CF = (
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n"
    "proxymap  unix  -       -       n       -       -       proxymap\n"
    "anvil     unix  -       -       n       -       1       anvil\n"
    "127.0.0.1:{port} inet n - n - - smtpd\n")
POSTERN_MASTER_CF = (
    POSTLOG + "rewrite unix - - n - - trivial-rewrite\n"
    "cleanup unix n - n - 0 cleanup\n"
    "127.0.0.1:{port} inet n - n - - smtpd\n")

QUEUES = ("incoming", "hold")
QUEUE_ID = re.compile(r"\b[0-9A-F]{10,12}\b")

needs_postfix = pytest.mark.skipif(
    not (IS_ROOT and HAVE_POSTFIX),
    reason="comparing with Postfix needs root and Postfix in /usr/sbin")


# --- talking SMTP ----------------------------------------------------------
class Session(Client):
    """test_smtpd's raw client, which can leave the greeting unread (to
    talk before it)."""

    def __init__(self, port, source, greet=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20,
                                             source_address=(source, 0))
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply() if greet else None


def run_session(port, steps, source="127.0.0.1"):
    """Run steps against the server: a str is a command (one reply), a
    bytes is sent as it is, an int reads that many replies, a float
    sleeps. Returns the replies, greeting first."""
    client = Session(port, source)
    replies = [client.greeting]
    try:
        for step in steps:
            if isinstance(step, float):
                time.sleep(step)
            elif isinstance(step, bytes):
                client.send(step)
            elif isinstance(step, int):
                replies.extend(client.reply() for _ in range(step))
            else:
                replies.append(client.cmd(step))
            if replies[-1] == "":
                break
    except (ConnectionResetError, BrokenPipeError):
        # The server hung up (421) while a pipelined command was unread:
        # the kernel may answer with a reset instead of an end of file.
        replies.append("")
    finally:
        client.close()
    return replies


# --- the two instances -----------------------------------------------------
class Side:
    """What both sides share: a port, a log, queues."""

    name = ""
    port = 0
    queue_dir = None

    def log_size(self):
        try:
            return self.maillog.stat().st_size
        except OSError:
            return 0

    def log_since(self, mark):
        with open(self.maillog, "rb") as f:
            f.seek(mark)
            return f.read().decode(errors="replace")

    def smtpd_lines(self, mark):
        """smtpd's log lines since mark, without time, host and pid."""
        lines = []
        for line in self.log_since(mark).splitlines():
            m = re.search(r" postfix/smtpd\[\d+\]: (.*)$", line)
            if m:
                lines.append(QUEUE_ID.sub("QUEUEID", m.group(1)))
        return lines

    def queue_files(self):
        return sorted(p for q in QUEUES if (self.queue_dir / q).exists()
                      for p in (self.queue_dir / q).rglob("*") if p.is_file())

    def clear(self):
        for path in self.queue_files():
            path.unlink()


class PostfixSide(Side):
    name = "Postfix"

    def __init__(self, root):
        self.port = free_port()
        self.peer = PostfixPeer(root, POSTFIX_MASTER_CF.format(port=self.port))
        self.peer.base["smtpd_client_connection_count_limit"] = "0"
        self.queue_dir = self.peer.queue_dir
        self.maillog = self.peer.maillog

    def configure(self, params):
        if self.peer.write_config(**{**SAME, **params}) and self.peer.running():
            self.peer.reload()

    def start(self):
        self.peer.start()

    def stop(self):
        self.peer.stop()


class PosternSide(Side):
    name = "Postern"

    def __init__(self, root):
        root.mkdir()
        self.port = free_port()
        self.inst = Instance(root)
        self.base = dict(self.inst.main)
        self.queue_dir = self.inst.queue_dir
        self.maillog = self.inst.maillog
        self.params = None

    def configure(self, params):
        """main.cf with params; a restart when it changed."""
        if params == self.params:
            return
        running = self.params is not None
        self.params = params
        self.inst.main = {**self.base, **SAME, **POSTERN_ONLY, **params}
        self.inst.write_config(POSTERN_MASTER_CF.format(port=self.port))
        if running:
            self.inst.stop()
            self.inst.start()

    def start(self):
        self.inst.start()

    def stop(self):
        self.inst.stop()


def traversable(path):
    """Let daemons that dropped privileges reach path (pytest makes its
    base directories 0700)."""
    for parent in path.parents:
        if parent.name.startswith("pytest-"):
            parent.chmod(parent.stat().st_mode | 0o111)
    path.chmod(0o755)


def write_tables(root):
    tables = root / "tables"
    tables.mkdir(mode=0o755)
    for name, text in TABLES.items():
        (tables / name).write_text(text)
    return tables


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    """Both instances, started once for the module, and the tables."""
    if not (IS_ROOT and HAVE_POSTFIX):
        pytest.skip("comparing with Postfix needs root and Postfix")
    root = tmp_path_factory.mktemp("restrict")
    traversable(root)
    tables = write_tables(root)
    postfix = PostfixSide(root / "postfix")
    postern = PosternSide(root / "postern")
    with contextlib.ExitStack() as started:
        for side in (postfix, postern):
            side.configure({})
            side.start()
            started.callback(side.stop)
        yield postfix, postern, tables


def wait_disconnect(side, mark):
    """Wait until smtpd logged the end of the session."""
    wait_for(lambda: any(l.startswith("disconnect from")
                         for l in side.smtpd_lines(mark)), 20,
             what=f"{side.name}'s disconnect line")


def normalise_replies(replies):
    return [QUEUE_ID.sub("QUEUEID", r) for r in replies]


def no_crash(text):
    """No smtpd died (an ASan/UBSan report ends it with a status)."""
    for line in text.splitlines():
        assert not ("smtpd" in line and ("killed by signal" in line
                                         or "exit status" in line)), line


def exchange(side, sessions):
    """Run the sessions one after the other; replies and log lines."""
    result = []
    for session in sessions:
        source, steps = session if isinstance(session, tuple) \
            else ("127.0.0.1", session)
        mark = side.log_size()
        replies = run_session(side.port, steps, source)
        wait_disconnect(side, mark)
        no_crash(side.log_since(mark))
        result.append(("replies", normalise_replies(replies)))
        result.append(("log", side.smtpd_lines(mark)))
    return result


def configured(sides, params):
    postfix, postern, tables = sides
    params = {k: v.replace("{tables}", str(tables))
              for k, v in params.items()}
    for side in (postfix, postern):
        side.configure(params)
    return postfix, postern


def show(result):
    out = []
    for kind, items in result:
        out.append(f"== {kind}")
        out.extend(items)
    return out


def difference(postfix, postern):
    """The two results as a unified diff, for the failure message."""
    return "\n".join(difflib.unified_diff(postfix, postern, "Postfix",
                                          "Postern", lineterm=""))


# --- the cases ---------------------------------------------------------------
def case(id, params, sessions, xfail=None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(params, sessions, id=id, marks=marks)


def mail(helo, sender, *rcpts, data=None):
    """A session: EHLO, MAIL, RCPTs, then DATA when data is not None (and
    the content, ending with ".", when data is a text), QUIT."""
    steps = [f"EHLO {helo}", f"MAIL FROM:<{sender}>"]
    steps += [f"RCPT TO:<{r}>" for r in rcpts]
    if data is not None:
        steps.append("DATA")
    if isinstance(data, str):
        steps.append(data)
    return steps + ["QUIT"]


ACCESS = {
    "smtpd_helo_restrictions": "check_helo_access texthash:{tables}/helo",
    "smtpd_sender_restrictions": "check_sender_access texthash:{tables}/sender",
    "smtpd_recipient_restrictions":
        "check_recipient_access texthash:{tables}/rcpt",
    "smtpd_restriction_classes": "cls_helo, cls_rcpt",
    "cls_helo": "reject_non_fqdn_sender, permit",
    "cls_rcpt": "check_helo_access texthash:{tables}/helo, reject",
    "recipient_delimiter": "+",
    "local_recipient_maps": "",
}

U = "u@mx.example.test"
CASES = [
    case("helo-access-actions", ACCESS, [
        mail(h, "s@example.org", U) for h in (
            "reject.example", "dsn.example", "code.example",
            "defer.example", "warn.example", "info.example",
            "mail.example.net", "numeric.example", "class.example",
            "table.example", "unknown.example", "[1.2.3.4]")]),
    case("helo-access-hangup", ACCESS, [
        mail("hangup.example", "s@example.org", U, U)]),
    case("sender-access-lookup-order", ACCESS, [
        mail("c.example", s, U) for s in (
            "rejected@example.org", "rejected@other.example",
            "x@sub.blocked.example", "user+foo@ext.example", "",
            "ok@example.org", "nobody@example.org")]),
    case("defer-if-actions", ACCESS, [
        mail("c.example", "dip@example.org", U),
        mail("c.example", "dir@example.org", U, "rejected@mx.example.test"),
        mail("c.example", "dir@example.org", U)]),
    case("recipient-access", ACCESS, [
        mail("c.example", "s@example.org", "rejected@mx.example.test",
             "deferred@mx.example.test", "sender@mx.example.test",
             "class@mx.example.test", U),
        mail("reject.example", "s@example.org", "class@mx.example.test")]),
    case("warnings-for-bad-actions", ACCESS, [
        mail("c.example", "badfilter@example.org", U),
        mail("c.example", "badprepend@example.org", U),
        mail("c.example", "s@example.org", "badredirect@mx.example.test"),
        ]),
    case("cleanup-actions-logged", ACCESS, [
        mail("c.example", "hold@example.org", U, U),
        mail("c.example", "holdtext@example.org", U),
        mail("c.example", "filter@example.org", U, U),
        mail("c.example", "discard@example.org", U, U),
        mail("c.example", "s@example.org", "redirect@mx.example.test",
             "bcc@mx.example.test", "prepend@mx.example.test")]),
    case("client-access-name-and-address", {
        "smtpd_client_restrictions": "check_client_access "
                                     "texthash:{tables}/client",
        "local_recipient_maps": ""}, [
        ("127.0.0.1", mail("c.example", "s@example.org", U)),
        ("127.0.0.66", mail("c.example", "s@example.org", U)),
        ("127.0.0.88", mail("c.example", "s@example.org", U)),
        ("127.0.1.5", mail("c.example", "s@example.org", U))]),
    case("reverse-client-access", {
        "smtpd_client_restrictions":
            "check_reverse_client_hostname_access texthash:{tables}/client",
        "local_recipient_maps": ""}, [
        ("127.0.0.1", mail("c.example", "s@example.org", U)),
        ("127.0.0.66", mail("c.example", "s@example.org", U)),
        ("127.0.1.5", mail("c.example", "s@example.org", U))]),
    case("unknown-client-hostname", {
        "smtpd_client_restrictions":
            "reject_unknown_reverse_client_hostname, "
            "reject_unknown_client_hostname",
        "local_recipient_maps": ""}, [
        ("127.0.0.66", mail("c.example", "s@example.org", U)),
        ("127.0.0.1", mail("c.example", "s@example.org", U))]),
    case("delay-reject-no", {
        "smtpd_delay_reject": "no",
        "smtpd_client_restrictions": "check_client_access "
                                     "texthash:{tables}/client",
        "smtpd_helo_restrictions": "check_helo_access texthash:{tables}/helo",
        "smtpd_sender_restrictions":
            "check_sender_access texthash:{tables}/sender",
        "local_recipient_maps": ""}, [
        ("127.0.0.66", ["EHLO c.example", "MAIL FROM:<s@example.org>",
                        "RCPT TO:<u@mx.example.test>", "NOOP", "RSET",
                        "VRFY u", "ETRN x.example", "QUIT"]),
        ("127.0.0.1", ["HELO reject.example", "MAIL FROM:<s@example.org>",
                       "RCPT TO:<u@mx.example.test>", "EHLO code.example",
                       "EHLO c.example", "MAIL FROM:<rejected@example.org>",
                       "RCPT TO:<u@mx.example.test>",
                       "MAIL FROM:<>", "MAIL FROM:<hold@example.org>",
                       "RCPT TO:<u@mx.example.test>", "QUIT"]),
        ("127.0.0.88", ["EHLO c.example", "QUIT"])]),
    case("delay-reject-no-client-hold", {
        "smtpd_delay_reject": "no",
        "smtpd_client_restrictions":
            "check_client_access inline:{127.0.0.1=HOLD}",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U)]),
    case("generic-restrictions", {
        "smtpd_client_restrictions": "warn_if_reject reject",
        "smtpd_helo_restrictions": "warn_if_reject, defer_if_permit",
        "smtpd_sender_restrictions": "permit reject",
        "smtpd_recipient_restrictions": "defer_if_reject, reject",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U, "postmaster"),
        ["EHLO c.example", "VRFY root", "QUIT"]]),
    case("defer-if-permit-across-lists", {
        "smtpd_client_restrictions": "defer_if_permit",
        "smtpd_recipient_restrictions": "check_recipient_access "
                                        "texthash:{tables}/rcpt",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U, "rejected@mx.example.test")]),
    case("defer-and-reject-all", {
        "smtpd_sender_restrictions": "defer",
        "smtpd_recipient_restrictions": "reject",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U)]),
    case("configuration-errors", {
        "smtpd_client_restrictions": "no_such_restriction",
        "smtpd_helo_restrictions": "check_helo_access",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U)]),
    case("configuration-errors-arguments", {
        "smtpd_sender_restrictions": "check_policy_service",
        "smtpd_recipient_restrictions": "sleep x",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U),
        mail("c.example", "", U)]),
    case("names-and-addresses", {
        "smtpd_helo_restrictions": "reject_invalid_helo_hostname, "
                                   "reject_non_fqdn_helo_hostname",
        "smtpd_sender_restrictions": "reject_non_fqdn_sender",
        "smtpd_recipient_restrictions": "reject_non_fqdn_recipient",
        "local_recipient_maps": ""}, [
        mail(h, "s@example.org", U) for h in (
            "bad_name!", "nodots", "[1.2.3.4]", "[1.2.3.999]", "a.example.",
            "1.2.3.4", "-a.example", "a_b.example", "a..b")] + [
        mail("c.example", s, U, "u", "u@bad_x.example", "u@[1.2.3.4]",
             "postmaster", "u@a.example.", '"c d"@nodot')
        for s in ("s@nodot", "s", "", '"a b"@nodot')]),
    case("unlisted-recipients", {
        "local_recipient_maps": "proxy:unix:passwd.byname "
                                "texthash:{tables}/aliases",
        "virtual_mailbox_domains": "virt.example",
        "virtual_mailbox_maps": "texthash:{tables}/vmailbox",
        "relay_domains": "relay.example",
        "relay_recipient_maps": "texthash:{tables}/rrcpt",
        "virtual_alias_domains": "valias.example",
        "virtual_alias_maps": "texthash:{tables}/valias",
        "recipient_delimiter": "+"}, [
        mail("c.example", "s@example.org", "root@mx.example.test",
             "alias1@mx.example.test", "nobody1@mx.example.test",
             "Root@MX.example.test", "root+ext@mx.example.test",
             "vu@virt.example", "vx@virt.example", "ru@relay.example",
             "rx@relay.example", "va@valias.example", "vb@valias.example",
             "postmaster@mx.example.test", "MAILER-DAEMON@mx.example.test",
             "double-bounce@mx.example.test", "nobody1", "postmaster"),
        ["EHLO c.example", "VRFY nobody1@mx.example.test",
         "VRFY <root@mx.example.test>", "QUIT"]]),
    case("unlisted-sender", {
        "smtpd_sender_restrictions": "reject_unlisted_sender",
        "local_recipient_maps": "proxy:unix:passwd.byname",
        "virtual_mailbox_domains": "virt.example",
        "virtual_mailbox_maps": "texthash:{tables}/vmailbox"}, [
        mail("c.example", s, "root@mx.example.test")
        for s in ("nobody1@mx.example.test", "vx@virt.example",
                  "root@mx.example.test", "")]),
    case("unlisted-codes", {
        "local_recipient_maps": "proxy:unix:passwd.byname",
        "show_user_unknown_table_name": "no",
        "unknown_local_recipient_reject_code": "450"}, [
        mail("c.example", "s@example.org", "nobody1@mx.example.test")]),
    case("data-restrictions", {
        "smtpd_data_restrictions": "check_client_access "
                                   "texthash:{tables}/client, reject",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U, data=True),
        mail("c.example", "s@example.org", U, "v@mx.example.test", data=True),
        mail("c.example", "s@example.org", "nobody@x.example", U,
             data=True),
        ("127.0.0.66", mail("c.example", "s@example.org", U, data=True))]),
    case("data-restrictions-bdat", {
        "smtpd_data_restrictions": "reject",
        "local_recipient_maps": ""}, [
        ["EHLO c.example", "MAIL FROM:<s@example.org>", f"RCPT TO:<{U}>",
         b"BDAT 7\r\nhello\r\n", 1, b"BDAT 2\r\nx\n", 1,
         b"BDAT 3 LAST\r\nx\r\n", 1, f"RCPT TO:<{U}>", "QUIT"]]),
    case("data-bare-table", {
        "smtpd_data_restrictions": "texthash:{tables}/client",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U, data=True)]),
    case("end-of-data-restrictions", {
        "smtpd_end_of_data_restrictions": "reject",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", U, data="Subject: x\r\n\r\nhi\r\n.")]),
    case("etrn-restrictions", {
        "smtpd_etrn_restrictions": "check_etrn_access "
                                   "texthash:{tables}/etrn, permit",
        "local_recipient_maps": ""}, [
        ["EHLO c.example", "ETRN etrn.example", "ETRN other.example",
         "QUIT"]]),
    case("relay-refused", {
        "mynetworks": "192.0.2.0/24",
        "local_recipient_maps": ""}, [
        mail("c.example", "s@example.org", "x@foreign.example",
             '"a b"@foreign.example', U)]),
    case("pipelining", {
        "smtpd_recipient_restrictions": "reject_unauth_pipelining",
        "smtpd_data_restrictions": "reject_unauth_pipelining",
        "local_recipient_maps": ""}, [
        [0.3, b"EHLO a.example\r\nMAIL FROM:<s@example.org>\r\n", 2, 0.3,
         "RCPT TO:<u@mx.example.test>", "QUIT"],
        [0.3, b"HELO a.example\r\n", 1, 0.3,
         b"MAIL FROM:<s@example.org>\r\nRCPT TO:<u@mx.example.test>\r\n",
         2, "QUIT"],
        [0.3, b"EHLO a.example\r\nNOOP \tx\\y\x01\xc3\xa4\r\n", 2, "QUIT"],
        [0.3, "EHLO a.example",
         b"MAIL FROM:<s@example.org>\r\nRCPT TO:<u@mx.example.test>\r\n"
         b"DATA\r\nNOOP\r\n", 4, "QUIT"]]),
]


@needs_postfix
@pytest.mark.parametrize("params,sessions", CASES)
def test_same_replies_and_log_as_postfix(sides, params, sessions):
    postfix, postern = configured(sides, params)
    expected = exchange(postfix, sessions)
    got = exchange(postern, sessions)
    assert show(got) == show(expected), difference(show(expected), show(got))


# --- what reaches cleanup ------------------------------------------------------
def message_case(id, sender, rcpts):
    return pytest.param(sender, rcpts, id=id)


MESSAGES = [
    message_case("prepend", "prepend@example.org",
                 ["prepend@mx.example.test", U]),
    message_case("filter", "filter@example.org", [U]),
    message_case("redirect-and-bcc", "s@example.org",
                 ["redirect@mx.example.test", "bcc@mx.example.test"]),
    message_case("hold", "hold@example.org", [U]),
    message_case("discard", "discard@example.org", [U]),
]


def queue_result(side):
    """Every queue file, normalised as the intake parity test does, and
    the client's and server's port numbers too."""
    from test_postfix_parity import normalise
    lines = []
    for path in side.queue_files():
        lines.append(f"== {path.parent.name}")
        lines.extend(re.sub(r"_port=\d+$", "_port=PORT", line)
                     for line in normalise(path))
    return lines


@needs_postfix
@pytest.mark.parametrize("sender,rcpts", MESSAGES)
def test_actions_reach_cleanup_as_with_postfix(sides, sender, rcpts):
    postfix, postern = configured(sides, ACCESS)
    session = mail("c.example", sender, *rcpts,
                   data="Subject: actions\r\n\r\nbody\r\n.")
    results = {}
    for side in (postfix, postern):
        side.clear()
        replies = exchange(side, [session])
        time.sleep(0.5)
        results[side.name] = show(replies) + queue_result(side)
    assert results["Postern"] == results["Postfix"], \
        difference(results["Postfix"], results["Postern"])


# --- check_policy_service ------------------------------------------------------
class PolicyServer:
    """A policy server on a free loopback port: it records each request
    (a dict, and the attribute names in order) and answers
    "action=<answer(request)>"; an answer of None closes the connection
    without a reply, "SLEEP" never answers."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(10)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,),
                             daemon=True).start()

    def serve(self, conn):
        with conn, conn.makefile("rb") as f:
            while True:
                names, request = [], {}
                for line in iter(f.readline, b"\n"):
                    if not line:
                        return
                    name, _, value = line.decode().rstrip("\n").partition("=")
                    names.append(name)
                    request[name] = value
                self.requests.append((names, request))
                answer = self.answer(request)
                if answer is None:
                    return
                if answer != "SLEEP":
                    conn.sendall(answer.encode())

    def close(self):
        self.sock.close()


def scripted(request):
    """Answers by recipient (RCPT) or protocol state."""
    rcpt = request.get("recipient", "")
    state = request.get("protocol_state")
    if state == "RCPT":
        return {"reject@mx.example.test": "action=REJECT policy says no\n\n",
                "dip@mx.example.test":
                    "action=DEFER_IF_PERMIT greylisted\n\n",
                "prepend@mx.example.test":
                    "action=PREPEND X-Policy: seen\nextra=ignored\n\n",
                "noaction@mx.example.test": "result=nothing\n\n",
                "hangup@mx.example.test": None,
                "slow@mx.example.test": "SLEEP",
                }.get(rcpt, "action=DUNNO\n\n")
    return "action=dunno\n\n"


def normalise_request(names, request):
    """A request as comparable text: values that must differ replaced."""
    out = []
    for name in names:
        value = request[name]
        if name in ("client_port", "server_port", "instance") and value:
            value = name.upper()
        elif name == "queue_id" and value:
            value = "QUEUEID"
        out.append(f"{name}={value}")
    return " ".join(out)


@pytest.fixture
def policy():
    server = PolicyServer(scripted)
    yield server
    server.close()


POLICY_SESSION = mail("c.example", "s@example.org", "reject@mx.example.test",
                      "dip@mx.example.test", "prepend@mx.example.test", U,
                      data="Subject: policy\r\n\r\nbody\r\n.")


@needs_postfix
@pytest.mark.parametrize("sessions", [
    [POLICY_SESSION],
    [mail("c.example", "s@example.org", "noaction@mx.example.test")],
    [mail("c.example", "s@example.org", "hangup@mx.example.test", U)],
], ids=["actions", "reply-without-action", "server-hangs-up"])
def test_policy_service_as_with_postfix(sides, policy, sessions):
    server = f"inet:127.0.0.1:{policy.port}"
    postfix, postern = configured(sides, {
        "smtpd_recipient_restrictions": f"check_policy_service {server}",
        "smtpd_data_restrictions": f"check_policy_service {server}",
        "smtpd_end_of_data_restrictions": f"check_policy_service {server}",
        "local_recipient_maps": ""})
    results = {}
    for side in (postfix, postern):
        policy.requests.clear()
        result = show(exchange(side, sessions))
        results[side.name] = result + [normalise_request(*r)
                                       for r in policy.requests]
    assert results["Postern"] == results["Postfix"], \
        difference(results["Postfix"], results["Postern"])


@needs_postfix
def test_policy_service_down_as_with_postfix(sides):
    server = f"inet:127.0.0.1:{free_port()}"
    postfix, postern = configured(sides, {
        "smtpd_recipient_restrictions": f"check_policy_service {server}",
        "local_recipient_maps": ""})
    session = [mail("c.example", "s@example.org", U)]
    expected, got = exchange(postfix, session), exchange(postern, session)
    assert show(got) == show(expected), difference(show(expected), show(got))


@needs_postfix
def test_policy_service_timeout_as_with_postfix(sides, policy):
    server = f"inet:127.0.0.1:{policy.port}"
    postfix, postern = configured(sides, {
        "smtpd_recipient_restrictions":
            f"check_policy_service {{ {server}, timeout=1s, "
            f"default_action=DUNNO }}",
        "local_recipient_maps": ""})
    session = [mail("c.example", "s@example.org", "slow@mx.example.test")]
    expected, got = exchange(postfix, session), exchange(postern, session)
    assert show(got) == show(expected), difference(show(expected), show(got))


# --- Postern alone: the policy protocol in detail, postgrey ---------------
REQUEST_NAMES = [
    "request", "protocol_state", "protocol_name", "client_address",
    "client_name", "client_port", "reverse_client_name", "server_address",
    "server_port", "helo_name", "sender", "recipient", "recipient_count",
    "queue_id", "instance", "size", "etrn_domain", "stress", "sasl_method",
    "sasl_username", "sasl_sender", "ccert_subject", "ccert_issuer",
    "ccert_fingerprint", "ccert_pubkey_fingerprint", "encryption_protocol",
    "encryption_cipher", "encryption_keysize", "policy_context"]


@pytest.fixture(autouse=True)
def postern_alive(request):
    """After a test of Postern alone: no smtpd died."""
    inst = request.getfixturevalue("instance") \
        if "instance" in request.fixturenames else None
    yield
    if inst is not None:
        no_crash(inst.log_text())


def postern_server(instance, **params):
    return Server(instance, local_recipient_maps="", **params)


def test_policy_request_attributes(instance, policy):
    """Exactly Postfix 3.7's attributes, in its order; the values of each
    stage; one connection per configured server, kept between requests."""
    server = f"inet:127.0.0.1:{policy.port}"
    srv = postern_server(
        instance, smtpd_recipient_restrictions=f"check_policy_service "
        f"{{ {server}, policy_context=ctx }}",
        smtpd_end_of_data_restrictions=f"check_policy_service {server}")
    replies = run_session(srv.port, [
        "EHLO client.example", "MAIL FROM:<s@example.org> SIZE=1234",
        "RCPT TO:<u@mx.example.test>", "RCPT TO:<prepend@mx.example.test>",
        "DATA", "Subject: p\r\n\r\nbody\r\n.", "QUIT"])
    assert replies[-2].startswith("250 2.0.0 Ok: queued as ")
    assert [names for names, _ in policy.requests] == [REQUEST_NAMES] * 3
    first, second, eod = (r for _, r in policy.requests)
    assert first["protocol_state"] == "RCPT" and first["queue_id"] == ""
    assert first["recipient"] == "u@mx.example.test"
    assert first["sender"] == "s@example.org"
    assert first["helo_name"] == "client.example"
    assert first["size"] == "1234" and first["recipient_count"] == "0"
    assert first["policy_context"] == "ctx" and eod["policy_context"] == ""
    assert re.fullmatch(r"[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+\.0",
                        first["instance"])
    assert second["instance"] == first["instance"] == eod["instance"]
    assert second["queue_id"] == replies[-2].split()[-1]
    assert eod["protocol_state"] == "END-OF-MESSAGE"
    assert eod["recipient_count"] == "2" and eod["recipient"] == ""
    assert eod["size"] == str(len(b"Subject: p\r\n\r\nbody\r\n"))
    assert policy.connections == 2
    [path] = wait_for(srv.incoming, what="queue file")
    assert (b"N", b"X-Policy: seen") in [
        (t.encode(), d) for t, d in read_records(path)]


def test_class_loop_is_a_configuration_error(instance):
    """A class that names itself: Postfix recurses until it crashes;
    Postern refuses after 100 levels."""
    srv = postern_server(instance, smtpd_restriction_classes="loop",
                         loop="loop", smtpd_client_restrictions="loop")
    replies = run_session(srv.port, mail("c.example", "s@example.org", U))
    assert replies[3] == "451 4.3.5 Server configuration error"
    log = instance.wait_log("disconnect from")
    assert "warning: restriction class loop causes unreasonable recursion" \
        in log


def test_pipelining_before_the_greeting(instance):
    """Input before the greeting is improper pipelining "after CONNECT".
    (Not compared with Postfix: whether the input is there when smtpd
    looks depends on timing. Here the only smtpd process is busy with
    another client until the input is surely there.)"""
    port = free_port()
    instance.write_config(
        POSTLOG + f"127.0.0.1:{port} inet n - n - 1 smtpd\n",
        smtpd_recipient_restrictions="reject_unauth_pipelining")
    instance.start()
    busy = Session(port, "127.0.0.1")
    early = Session(port, "127.0.0.1", greet=False)
    early.send(b"EHLO a.example\r\nMAIL FROM:<s@example.org>\r\n")
    time.sleep(0.3)
    busy.cmd("QUIT")
    busy.close()
    replies = [early.reply() for _ in range(3)]
    early.close()
    assert replies[0].startswith("220 ") and replies[2] == "250 2.1.0 Ok"
    log = instance.wait_log("improper command pipelining")
    assert ("improper command pipelining after CONNECT from "
            "localhost[127.0.0.1]: EHLO a.example\\r\\nMAIL FROM:"
            "<s@example.org>\\r\\n") in log


def test_policy_unix_socket(instance, tmp_path):
    """unix:path; the reply's other attributes are ignored."""
    path = tmp_path / "policy.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    os.chmod(path, 0o666)
    sock.listen(1)

    def serve():
        conn, _ = sock.accept()
        with conn, conn.makefile("rb") as f:
            while f.readline() not in (b"\n", b""):
                pass
            conn.sendall(b"other=1\naction=550 5.7.1 from the socket\n\n")
    threading.Thread(target=serve, daemon=True).start()
    srv = postern_server(instance, smtpd_recipient_restrictions=
                         f"check_policy_service unix:{path}")
    replies = run_session(srv.port, mail("c.example", "s@example.org", U))
    assert replies[3] == ("550 5.7.1 <u@mx.example.test>: Recipient address "
                          "rejected: from the socket")
    sock.close()


POSTGREY = "/usr/sbin/postgrey"


@pytest.mark.skipif(not os.path.exists(POSTGREY), reason="no postgrey")
@pytest.mark.skipif(not IS_ROOT, reason="postgrey runs as its own user")
def test_postgrey_greylists_then_accepts(instance, tmp_path):
    """Debian's postgrey on loopback: the first attempt is deferred
    (DEFER_IF_PERMIT), a retry after the delay is accepted and gets
    postgrey's X-Greylist header (PREPEND)."""
    dbdir = tmp_path / "postgrey"
    dbdir.mkdir()
    shutil.chown(dbdir, "postgrey", "postgrey")
    port = free_port()
    proc = subprocess.Popen(
        [POSTGREY, f"--inet=127.0.0.1:{port}", f"--dbdir={dbdir}",
         "--delay=1", "--auto-whitelist-clients=0",
         "--whitelist-clients=/dev/null", "--whitelist-recipients=/dev/null",
         "--hostname=mx.example.test"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0,
                 20, what="postgrey")
        srv = postern_server(instance, smtpd_recipient_restrictions=
                             f"check_policy_service inet:127.0.0.1:{port}")
        session = mail("c.example", "s@example.org", U,
                       data="Subject: grey\r\n\r\nbody\r\n.")
        first = run_session(srv.port, session)
        assert first[3].startswith("450 4.2.0 <u@mx.example.test>: "
                                   "Recipient address rejected: Greylisted")
        assert first[4] == "503 5.5.1 Error: need RCPT command"
        time.sleep(2.5)
        second = run_session(srv.port, session)
        assert second[3] == "250 2.1.5 Ok"
        assert second[-2].startswith("250 2.0.0 Ok: queued as ")
        [path] = wait_for(srv.incoming, what="queue file")
        headers = [d for t, d in read_records(path) if t == "N"]
        assert any(h.startswith(b"X-Greylist: delayed ") for h in headers)
        log = instance.wait_log("disconnect from")
        assert ("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 450 4.2.0 "
                "<u@mx.example.test>: Recipient address rejected: "
                "Greylisted") in log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- real clients ------------------------------------------------------------
def test_smtplib_gets_the_refusals(instance):
    """smtplib: the refused recipient with its reply, the rest queued."""
    srv = postern_server(
        instance, smtpd_recipient_restrictions="check_recipient_access "
        "inline:{ {rejected@mx.example.test=REJECT go away} }")
    with smtplib.SMTP("127.0.0.1", srv.port, local_hostname="c.example",
                      timeout=20) as s:
        refused = s.sendmail("s@example.org", ["rejected@mx.example.test", U],
                             b"Subject: x\r\n\r\nbody\r\n")
    assert refused == {"rejected@mx.example.test": (
        554, b"5.7.1 <rejected@mx.example.test>: Recipient address "
             b"rejected: go away")}
    wait_for(srv.incoming, what="queue file")


@pytest.mark.skipif(not shutil.which("swaks"), reason="no swaks")
def test_swaks_unknown_local_user(instance):
    """swaks against the default unlisted recipient check: system users
    (local_recipient_maps = proxy:unix:passwd.byname) only."""
    srv = Server(instance, alias_maps="",
                 local_recipient_maps="proxy:unix:passwd.byname $alias_maps")

    def swaks(rcpt):
        return subprocess.run(["swaks", "--server", f"127.0.0.1:{srv.port}",
                               "--to", rcpt, "--from", "me@example.org",
                               "--helo", "client.example"],
                              capture_output=True, text=True, timeout=60)
    res = swaks("nobody1@mx.example.test")
    assert res.returncode != 0
    assert ("550 5.1.1 <nobody1@mx.example.test>: Recipient address "
            "rejected: User unknown in local recipient table") in res.stdout
    res = swaks("root@mx.example.test")
    assert res.returncode == 0, res.stdout
    assert "250 2.0.0 Ok: queued as" in res.stdout
