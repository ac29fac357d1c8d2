"""Mail intake, Postern against Debian's Postfix 3.7, side by side.

One throwaway Postfix instance (postfix_peer.py: pickup, cleanup,
trivial-rewrite and postlogd, no qmgr, so that queue files stay in
incoming/) and one Postern instance (conftest.py Instance, the same
services) run with the same parameters: the module starts each once and
reloads it when a case needs other parameters. Each case submits one
message through each side's own sendmail (Postfix: /usr/sbin/sendmail -C
DIR; Postern: build/bin/sendmail -C DIR) and compares the queue files
that arrive in incoming/ (or hold/) record by record, after normalising
only what must differ between two runs:

- the queue id (the file name, the Received: header, the Message-Id);
- times: the arrival time T, A create_time=, the delay warning time W,
  the dates cleanup and pickup write (Date:, the Received: date) and the
  Message-Id time stamp;
- the content size and data offset in the size record C, which follow
  from the lengths of those: each is checked against the file it
  describes (the data offset is where the content after M starts; the
  content size is the bytes from there to X) and is then shown as a
  name, so a wrong value is still a difference.

Everything else must be equal: record types and order, sender, O and R
recipients, dsn_orig_rcpt, notify flags, the headers added, removed and
rewritten, the body, which queue a file lands in and its mode, and what
sendmail says. Both sendmails run as root ("from userid 0"); Postern's
mail_name is Postfix so that pickup's Received: header is the same.

A case that fails because of a known Postern difference is marked
xfail(strict=True) with the difference as its reason, so that it stays
visible and turns into a failure once Postern is fixed.

Needs root and Postfix in /usr/sbin (CI has both: scripts/install-deps).
"""
import difflib
import os
import re
import signal
import subprocess

import pytest

from conftest import (BIN, IS_ROOT, Instance, children_of, pid_alive,
                      queue_file_complete, wait_for)
from postfix_peer import HAVE_POSTFIX, PostfixPeer, wait_exit
from queuefile import read_records, record
from test_intake import MASTER_CF as POSTERN_MASTER_CF

if not IS_ROOT:
    pytest.skip("comparing with Postfix needs root", allow_module_level=True)
if not HAVE_POSTFIX:
    pytest.skip("Postfix is not installed", allow_module_level=True)

POSTFIX_MASTER_CF = (
    "pickup    unix  n       -       n       60      1       pickup\n"
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n")

# Parameters that both sides get in every case.
SAME = {
    "myhostname": "mx.example.test",
    "mydomain": "example.test",
    "myorigin": "$myhostname",
    "enable_long_queue_ids": "no",      # Postfix's default; Postern's is yes
}
POSTERN_ONLY = {"mail_name": "Postfix"}

QUEUES = ("incoming", "hold", "maildrop")

# Lookup tables given to both sides; "{tables}" in a case's parameters
# names their directory.
TABLES = {
    "canonical": "root admin@sub.example.test\n"
                 "carol@mx.example.test caroline@sub.example.test\n",
    "virtual": "team@example.org a@example.org, b@example.org\n"
               "b@example.org b@example.org, c@example.org\n"
               "bob@mx.example.test robert@example.org\n",
    "header_checks": "/^X-Drop:/ IGNORE\n"
                     "/^X-Old: (.*)/ REPLACE X-New: $1\n"
                     "/^Subject:/ PREPEND X-Seen: yes\n"
                     "/^X-Hold:/ HOLD\n",
    "header_checks_more": "/^X-Redirect:/ REDIRECT redir@example.org\n"
                          "/^X-Filter:/ FILTER smtp:[127.0.0.1]:10025\n"
                          "/^X-Warn:/ WARN looked at it\n"
                          "/^X-Info:/ INFO noted\n"
                          "/^X-Dunno:/ DUNNO\n"
                          "/^X-Bcc:/ BCC copy@example.org\n"
                          "/^X-Old: (.*)/ REPLACE X-New: $1\n",
    "body_checks": "/^secret/ REPLACE [redacted]\n",
    "sender_bcc": "root@mx.example.test sent@example.org\n",
    "recipient_bcc": "bob@mx.example.test got@example.org\n",
}


# --- normalising queue files ---
# A date as cleanup and pickup write it: "Sun,  6 Dec 2026 01:36:55 +0000
# (UTC)". Dates in the input have no reason to match both sides' clocks
# and are left alone unless they have exactly this form.
DATE = re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [ \d]\d "
                  rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                  rb"\d{4} \d\d:\d\d:\d\d [+-]\d{4} \([A-Za-z]+\)")
MSGID_STAMP = re.compile(rb"<\d{14}\.QUEUEID@")


def size_record(records):
    """The size record with the fields that follow from lengths replaced
    by their names, each after checking it against the file."""
    offsets, pos = [], 0
    for rtype, data in records:
        offsets.append(pos)
        pos += len(record(rtype, data))
    types = [rtype for rtype, _ in records]
    data_offset = offsets[types.index("M") + 1]
    content_size = offsets[types.index("X")] - data_offset
    derived = {0: ("CONTENT_SIZE", content_size),
               1: ("DATA_OFFSET", data_offset),
               4: ("CONTENT_SIZE", content_size)}
    data = records[0][1]
    shown = []
    for index, field in enumerate(data.decode().split()):
        name, value = derived.get(index, (None, None))
        shown.append(name if field == str(value) else field)
    return f"{len(data)} bytes: " + " ".join(shown)


def normalise_data(rtype, data):
    """One record's data (queue id already replaced) as comparable text."""
    if rtype == "T":
        data = re.sub(rb"^\d+ \d+$", b"SEC USEC", data)
    elif rtype == "W":
        data = re.sub(rb"\d+", b"TIME", data)
    elif rtype == "A":
        data = re.sub(rb"^create_time=\d+$", b"create_time=TIME", data)
    elif rtype in "NL":
        data = MSGID_STAMP.sub(b"<STAMP.QUEUEID@", DATE.sub(b"DATE", data))
    return data.decode("utf-8", "backslashreplace")


def normalise(path):
    """One queue file as a list of comparable lines, one per record."""
    records = read_records(path)
    qid = path.name.encode()
    lines = []
    for index, (rtype, data) in enumerate(records):
        if index == 0 and rtype == "C":
            text = size_record(records)
        else:
            text = normalise_data(rtype, data.replace(qid, b"QUEUEID"))
        lines.append(f"{rtype} {text}")
    return lines


# --- the two instances ---
class Side:
    """What the two instances have in common: their queues."""

    name = ""
    queue_dir = None

    def queue_files(self, queue):
        root = self.queue_dir / queue
        return sorted(p for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []

    def clear(self):
        for queue in QUEUES:
            for path in self.queue_files(queue):
                path.unlink()

    def arrived(self, count):
        """count complete files in incoming/ and hold/, maildrop empty."""
        files = self.queue_files("incoming") + self.queue_files("hold")
        return (not self.queue_files("maildrop") and len(files) == count
                and all(queue_file_complete(p) for p in files))

    def result(self):
        """Every queue file, normalised, after a line with its queue and
        mode."""
        lines = []
        for queue in QUEUES:
            for path in self.queue_files(queue):
                mode = path.stat().st_mode & 0o777
                lines.append(f"== {queue} mode {mode:o}")
                lines.extend(normalise(path))
        return lines


class PostfixSide(Side):
    name = "Postfix"

    def __init__(self, root):
        self.peer = PostfixPeer(root, POSTFIX_MASTER_CF)
        self.queue_dir = self.peer.queue_dir

    def configure(self, params):
        """main.cf with params; a reload when it changed."""
        if self.peer.write_config(**{**SAME, **params}) \
                and self.peer.running():
            self.peer.reload()

    def start(self):
        self.peer.start()

    def stop(self):
        self.peer.stop()

    def sendmail(self, args, message):
        return self.peer.sendmail(*args, input=message)

    def log_text(self):
        return self.peer.log_text()


class PosternSide(Side):
    name = "Postern"

    def __init__(self, root):
        root.mkdir()
        self.inst = Instance(root)
        self.base = dict(self.inst.main)
        self.queue_dir = self.inst.queue_dir
        self.params = None

    def configure(self, params):
        """main.cf with params; when it changed, a reload (SIGHUP) and a
        wait until the daemons of the old configuration have exited."""
        if params == self.params:
            return
        self.params = params
        self.inst.main = {**self.base, **SAME, **POSTERN_ONLY, **params}
        self.inst.write_config(POSTERN_MASTER_CF)
        pid = self.inst.master_pid()
        if pid is None or not pid_alive(pid):
            return
        old = children_of(pid)
        os.kill(pid, signal.SIGHUP)
        wait_exit(old, "Postern's daemons of the old configuration to exit")

    def start(self):
        self.inst.start()

    def stop(self):
        self.inst.stop()

    def sendmail(self, args, message):
        return subprocess.run([str(BIN / "sendmail"), "-C",
                               str(self.inst.config_dir), *args],
                              input=message, capture_output=True, timeout=60)

    def log_text(self):
        return self.inst.log_text()


def traversable(path):
    """Let the daemons that dropped privileges reach path, its tables and
    sockets: pytest makes its base directories 0700."""
    for parent in path.parents:
        if parent.name.startswith("pytest-"):
            parent.chmod(parent.stat().st_mode | 0o111)
    path.chmod(0o755)


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    """Both instances, started once for the module; and the directory of
    the lookup tables."""
    root = tmp_path_factory.mktemp("parity")
    traversable(root)
    tables = root / "tables"
    tables.mkdir(mode=0o755)
    for name, text in TABLES.items():
        (tables / name).write_text(text)
    postfix = PostfixSide(root / "postfix")
    postern = PosternSide(root / "postern")
    try:
        for side in (postfix, postern):
            side.configure({})
            side.start()
        yield postfix, postern, tables
    finally:
        try:
            postern.stop()
        finally:
            postfix.stop()


# --- the cases ---
def case(id, args, message, params=None, xfail=None):
    """A case: sendmail arguments, the message, the parameters for both
    sides; xfail names a known difference."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(args, message, params or {}, id=id, marks=marks)


MIME = (b"From: Sender <root>\n"
        b"To: bob\n"
        b"Subject: with an attached message\n"
        b"MIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=\"outer-b\"\n"
        b"\n"
        b"This is a MIME message.\n"
        b"--outer-b\n"
        b"Content-Type: text/plain; charset=us-ascii\n"
        b"\n"
        b"the text part\n"
        b"--outer-b\n"
        b"Content-Type: message/rfc822\n"
        b"Content-Disposition: attachment\n"
        b"\n"
        b"From: inner\n"
        b"To: other, third@example.org\n"
        b"Subject: the attached message\n"
        b"Bcc: hidden-inner\n"
        b"\n"
        b"inner body\n"
        b"--outer-b--\n"
        b"epilogue\n")

# Known differences (xfail until Postern is fixed); each reason says what
# Postfix writes and what Postern writes instead.
SMTPUTF8 = ("Postfix autodetects SMTPUTF8 for local submissions "
            "(smtputf8_autodetect_classes = sendmail, verify) and writes "
            "the size record's last field: 1|2 for a non-ASCII header, 1|4 "
            "for a non-ASCII sender, 1 for a non-ASCII recipient; Postern "
            "writes 0")

CASES = [
    # --- what the issue lists -------------------------------------------
    case("plain", ["bob"], b"Subject: plain\n\nbody line\n"),
    case("fullname-specials", ["-F", 'Joe (x) "Q" User, Jr.', "bob"],
         b"Subject: name\n\nbody\n"),
    case("null-sender", ["-f", "<>", "bob"], b"Subject: bounce\n\nbody\n"),
    case("t-to-cc-bcc", ["-t"],
         b"To: a@example.org, Bob <bob>\nCc: c@example.org, carol\n"
         b"Bcc: hidden@example.org\nSubject: t\n\nbody\n"),
    case("resent-t", ["-t"],
         b"From: orig@example.org\nTo: first@example.org\n"
         b"Date: Mon, 1 Jun 2026 10:00:00 +0000\n"
         b"Message-Id: <orig@example.org>\n"
         b"Resent-To: fwd@example.org, local\n"
         b"Resent-Bcc: hidden@example.org\nSubject: forwarded\n\nbody\n"),
    case("resent-with-from", ["bob"],
         b"From: orig@example.org\nResent-From: root\n"
         b"Resent-To: fwd@example.org\nSubject: forwarded\n\nbody\n"),
    case("address-headers", ["bob"],
         b"From: root\nTo: a,\n  b@x (comment), \"Q Q\" <c>\n"
         b"Cc: group: d, e@y;\nReply-To: me\nSender: root (the admin)\n"
         b"Subject: rewrite\n\nbody\n"),
    case("name-space-colon", ["bob"],
         b"Subject : spaced\nTo : carol\nX-Tab\t: tab\n\nbody\n"),
    case("no-blank-line", ["bob"],
         b"Subject: no separator\nthis line is body\nso is this\n"),
    case("headers-only", ["bob"], b"Subject: no body\nTo: bob\n"),
    case("empty", ["bob"], b""),
    case("long-body-line", ["bob"],
         b"Subject: long\n\nstart\n" + b"0123456789" * 500 + b"\nend\n"),
    case("canonical-masquerade", ["bob", "carol"],
         b"From: root\nTo: bob, carol\nCc: dave@host.example.test\n"
         b"Subject: canonical\n\nbody\n",
         {"canonical_maps": "texthash:{tables}/canonical",
          "masquerade_domains": "example.test"}),
    case("virtual-alias", ["team@example.org", "bob"],
         b"To: team@example.org\nSubject: virtual\n\nbody\n",
         {"virtual_alias_maps": "texthash:{tables}/virtual"}),
    case("always-bcc", ["bob"], b"Subject: bcc\n\nbody\n",
         {"always_bcc": "archive@example.org"}),
    case("header-checks", ["bob"],
         b"X-Drop: 1\nX-Old: value\nSubject: checked\nX-Keep: 1\n\nbody\n",
         {"header_checks": "regexp:{tables}/header_checks"}),
    case("header-checks-hold", ["bob"],
         b"X-Drop: 1\nX-Old: value\nSubject: held\nX-Hold: yes\n\nbody\n",
         {"header_checks": "regexp:{tables}/header_checks"}),
    case("mime-attached-message", ["bob"], MIME),
    case("mime-header-checks", ["bob"], MIME,
         {"header_checks": "regexp:{tables}/header_checks"}),

    # --- more of the same ground ----------------------------------------
    case("long-header", ["bob"],
         b"Subject: long\nX-Long: " + b"w" * 3000 + b"\n\nbody\n"),
    case("huge-header", ["bob"],
         b"Subject: huge\nX-Huge: " + b"y" * 120000 + b"\n\nbody\n"),
    case("many-headers", ["bob"],
         b"".join(b"X-H%d: v\n" % i for i in range(1200)) + b"\nbody\n"),
    case("folded-and-empty-headers", ["bob"],
         b"Subject: folded\n  over two lines\nX-Empty:\nX-Tabbed:\tv\n"
         b"Keywords: a,\n\tb\nHeader-No-Space:x\n\nbody\n"),
    case("whitespace-line-in-headers", ["bob"],
         b"Subject: x\n \t\nbody\n"),
    case("blank-first-line", ["bob"], b"\nbody only\n"),
    case("lowercase-headers", ["bob"],
         b"TO: a\ncc: b\nsubject: x\nFROM: c\nreply-to: d\n\nbody\n"),
    case("dropped-headers", ["bob"],
         b"Return-Path: <x@example.org>\nContent-Length: 5\n"
         b"Resent-Bcc: r@example.org\nBcc: b@example.org\n"
         b"Subject: drops\n\nbody\n"),
    case("own-message-id-date-from", ["bob"],
         b"Message-ID: <own@example.org>\n"
         b"Date: Mon, 1 Jun 2026 10:00:00 +0000\n"
         b"From: Someone <s@example.org>\nSender: me\nSubject: own\n\nbody\n"),
    case("odd-addresses", ["bob"],
         b"To: \"a b\"@example.org, <@route.example:c@example.org>, "
         b"d@[127.0.0.1]\nCc: undisclosed:;, e@, <>, (only a comment), "
         b",,x,,\nFrom: root@localhost, y@\nSubject: odd\n\nbody\n"),
    case("stray-cr-and-nul", ["bob"],
         b"Subject: a\rb\n\na\x00b\rc\r\rd\n"),
    case("8bit-body", ["bob"], b"Subject: ascii\n\nna\xc3\xafve body\n"),
    case("8bit-fullname", ["-F", "J\u00f6e \u00dcser", "bob"],
         b"Subject: x\n\nbody\n"),
    case("crlf-and-dot", ["bob"],
         b"Subject: crlf\r\n\r\nline one\r\n.\r\nafter the dot\r\n"),
    case("dot-with-i", ["-i", "bob"],
         b"Subject: dot\n\nbefore\n.\nafter\n"),
    case("notify-never", ["-N", "never", "bob", "carol"],
         b"Subject: dsn\n\nbody\n"),
    case("notify-success-delay", ["-N", "success,delay", "bob"],
         b"Subject: dsn\n\nbody\n"),
    case("envid-ret", ["-V", "env-42", "-R", "hdrs", "bob"],
         b"Subject: envid\n\nbody\n"),
    case("remote-context", ["-G", "-f", "a@example.org", "bob@example.org"],
         b"To: bob\nSubject: remote\n\nbody\n"),
    case("verp", ["-XV", "-f", "list@example.org", "bob"],
         b"Subject: verp\n\nbody\n"),
    case("t-plus-arguments", ["-t", "extra@example.org"],
         b"To: a@example.org\nSubject: t\n\nbody\n"),
    case("recipient-with-name", ["-f", "Sender Name <s@example.org>",
                                 "Bob Person <bob>, c@example.org"],
         b"Subject: names\n\nbody\n"),
    case("header-checks-other-actions", ["bob", "carol"],
         b"X-Warn: 1\nX-Info: 1\nX-Dunno: 1\nX-Filter: 1\nX-Redirect: 1\n"
         b"Subject: actions\n\nbody\n",
         {"header_checks": "regexp:{tables}/header_checks_more"}),
    case("address-extension", ["bob+tag", "team+x@example.org"],
         b"To: bob+tag\nSubject: ext\n\nbody\n",
         {"recipient_delimiter": "+",
          "virtual_alias_maps": "texthash:{tables}/virtual"}),
    case("bang-and-percent", ["a!b", "c%d@mx.example.test", "e%f"],
         b"To: a!b, c%d@mx.example.test\nSubject: routes\n\nbody\n"),
    case("masquerade-exceptions", ["bob"],
         b"From: root\nTo: x@sub.example.test, root@a.example.test\n"
         b"Subject: masq\n\nbody\n",
         {"masquerade_domains": "example.test",
          "masquerade_exceptions": "root",
          "masquerade_classes": "envelope_sender, envelope_recipient, "
                                "header_sender, header_recipient"}),
    case("always-add-missing-headers",
         ["-G", "-f", "a@example.org", "bob@example.org"],
         b"Subject: remote\n\nbody\n",
         {"always_add_missing_headers": "yes"}),
    case("undisclosed-recipients-header", ["bob"], b"Subject: u\n\nbody\n",
         {"undisclosed_recipients_header": "To: undisclosed-recipients:;"}),
    case("body-checks-replace", ["bob"],
         b"Subject: body\n\nsecret stuff\nplain\n",
         {"body_checks": "regexp:{tables}/body_checks"}),

    # --- known differences ------------------------------------------------
    case("long-queue-ids", ["bob"], b"Subject: long ids\n\nbody\n",
         {"enable_long_queue_ids": "yes"}),
    case("header-checks-bcc", ["bob"], b"X-Bcc: 1\nSubject: g\n\nbody\n",
         {"header_checks": "regexp:{tables}/header_checks_more"}),
    case("bcc-maps", ["bob"], b"Subject: bcc maps\n\nbody\n",
         {"sender_bcc_maps": "texthash:{tables}/sender_bcc",
          "recipient_bcc_maps": "texthash:{tables}/recipient_bcc"}),
    case("long-address-header", ["bob"],
         b"To: " + b", ".join(b"user%d" % i for i in range(20)) + b"\n"
         b"Subject: fold\n\nbody\n"),
    case("address-requoting", ["bob"],
         b"To: \"g\"@example.org, e.@example.org, @f, h\n"
         b"Cc: \"g\"@example.org\nSubject: quoting\n\nbody\n"),
    case("dsn-orig-rcpt-quoting", ['"a b"@example.org', "e.@example.org",
                                   "@f"],
         b"Subject: orcpt\n\nbody\n"),
    case("encoding-8bitmime", ["-B", "8BITMIME", "bob"],
         b"Subject: ascii\n\nascii body\n"),
    case("content-transfer-encoding-8bit", ["bob"],
         b"Subject: m\nMIME-Version: 1.0\n"
         b"Content-Type: text/plain; charset=utf-8\n"
         b"Content-Transfer-Encoding: 8bit\n\nna\xc3\xafve\n"),
    case("utf8-header", ["bob"], b"Subject: caf\xc3\xa9\n\nbody\n",
         xfail=SMTPUTF8),
    case("utf8-sender", ["-f", b"jos\xc3\xa9@example.org", "bob"],
         b"Subject: s\n\nbody\n", xfail=SMTPUTF8),
    case("utf8-recipient", [b"b\xc3\xb6b@example.org"],
         b"Subject: r\n\nbody\n",
         xfail=SMTPUTF8 + "; and Postfix's dsn_orig_rcpt for a non-ASCII "
               "recipient is utf-8;ADDR, Postern's rfc822;ADDR"),
    case("leading-whitespace-line", ["bob"],
         b"  leading white space\nSubject: x\n\nbody\n"),
    case("no-final-newline", ["bob"], b"Subject: x\n\nno newline at end"),
    case("content-filter", ["bob"], b"Subject: cf\n\nbody\n",
         {"content_filter": "lmtp:[127.0.0.1]:10026"}),
    case("redirect-stops-checks", ["bob"],
         b"X-Redirect: 1\nX-Filter: 1\nX-Old: v\nSubject: rf\n\nsecret\n",
         {"header_checks": "regexp:{tables}/header_checks_more",
          "body_checks": "regexp:{tables}/body_checks"}),
    case("extracted-order", ["-t"],
         b"To: a@example.org\nX-Filter: 1\nX-Redirect: 1\nSubject: e\n\nb\n",
         {"header_checks": "regexp:{tables}/header_checks_more"}),
    case("delay-warning-time", ["bob"], b"Subject: w\n\nbody\n",
         {"delay_warning_time": "4h"}),
    case("original-recipient-off",
         ["bob", "bob@mx.example.test", "team@example.org", "a@example.org"],
         b"Subject: o\n\nbody\n",
         {"enable_original_recipient": "no",
          "virtual_alias_maps": "texthash:{tables}/virtual"}),
    case("remote-header-rewrite-domain", ["-G", "-f", "a", "bob"],
         b"To: x, y@z\nSubject: g\n\nbody\n",
         {"remote_header_rewrite_domain": "domain.invalid"}),
    case("mbox-from-line", ["bob"],
         b"From someone@example.org Mon Jun  1 10:00:00 2026\n"
         b">From quoted\nSubject: mbox\n\nbody\n"),
    case("trailing-crs", ["bob"],
         b"Subject: x\r\r\nX-Y: c\r\r\r\n\nbody\r\r\n"),
]


def difference(postfix, postern):
    """The two results as a unified diff, for the failure message."""
    return "\n".join(difflib.unified_diff(postfix, postern, "Postfix",
                                          "Postern", lineterm=""))


def wait_arrival(side):
    try:
        wait_for(lambda: side.arrived(1), 30, what=f"{side.name}'s queue file")
    except AssertionError as err:
        raise AssertionError(f"{err}; {side.name}'s log ends:\n"
                             f"{side.log_text()[-3000:]}") from None


@pytest.mark.parametrize("args,message,params", CASES)
def test_same_queue_file_as_postfix(sides, args, message, params):
    postfix, postern, tables = sides
    params = {k: v.format(tables=tables) for k, v in params.items()}
    said = {}
    for side in (postfix, postern):
        side.configure(params)
        side.clear()
        res = side.sendmail(args, message)
        said[side.name] = (res.returncode, res.stdout, res.stderr)
    assert said["Postern"] == said["Postfix"]
    for side in (postfix, postern):
        wait_arrival(side)
    expected, got = postfix.result(), postern.result()
    assert got == expected, difference(expected, got)
