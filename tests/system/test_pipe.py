"""System tests for the pipe delivery agent (src/pipe/, docs/pipe.md).

Mail goes the whole way: sendmail -> postdrop -> pickup -> cleanup ->
qmgr -> pipe, with bounce/defer/trace recording the results (the
instance of test_qmgr.Mta, plus pipe services in master.cf and their
domains in transport_maps). The commands are small shell scripts that
write down their arguments, ids, working directory, environment and
standard input, or exit with the status their ${user} names. They run as
a login user made for the module (test_local's fixture; root only), as
mail_owner ("nobody" in the tests) is refused by pipe.

What is asserted is what Debian's Postfix 3.7 pipe did with the same
master.cf entries and mail (docs/pipe.md): the argument vectors
(one argument per recipient for the recipient macros, the h, q and u
flags, null_sender), the message on standard input (flags B D F O R X .
>, eol), the environment, the exit status words and statuses, size=,
the D flag's loop check and recipient limit, unknown macros and bad
attributes. A 75 exit defers, and the message is delivered when qmgr is
told to retry ("FADI"). The parity test at the end runs the same entry
under Debian's Postfix and compares.
"""
import grp
import os
import pwd
import re
import subprocess
import time

import pytest

from conftest import IS_ROOT, LIBEXEC, wait_for
from test_local import users  # noqa: F401  (a module fixture)
from test_master import wait_log
from test_qmgr import MASTER_CF as QMGR_MASTER_CF, TRANSPORTS, Mta
from test_relocated import PEER_MASTER_CF

pytestmark = [
    pytest.mark.skipif(not IS_ROOT, reason="pipe(8) runs commands as "
                       "another user: root only"),
    pytest.mark.skipif(not (LIBEXEC / "pipe").exists()
                       or not (LIBEXEC / "qmgr").exists(),
                       reason="pipe or qmgr is not built")]

SCRIPT = """#!/bin/sh
out={out}/pipe.$$
{{ for a in "$@"; do printf '[%s]\\n' "$a"; done
  echo "ID: $(id -u) $(id -g) $(id -G)"; echo "PWD: $(pwd)"
  env | sort | grep -v '^SHLVL=\\|^_=\\|^PWD='; echo STDIN:; cat; }} > $out.tmp
mv $out.tmp $out
"""

PEXIT = """#!/bin/sh
case "$1" in
  out0) echo "all fine here"; exit 0;;
  dsn4) echo "4.2.2 mailbox full"; exit 1;;
  sig) kill -9 $$;;
  sleep) sleep 30;;
  retry) [ -e {out}/ok ] && exit 0; echo "try later"; exit 75;;
esac
printf 'line one\\nline two\\n'
exit $1
"""

ARGS1 = ("${sender} ${recipient} ${nexthop} ${user} ${extension} ${mailbox} "
         "${original_recipient} ${queue_id} ${client_address} ${size} "
         "${domain}")
ARGS2 = ("-f ${sender} -x{${recipient}}y { a b } ${user}+${extension} "
         "$mailbox $(nexthop)")


def services(user, script, pexit, out):
    """The pipe entries of master.cf (the same words for Postfix)."""
    def entry(name, attrs):
        return f"{name} unix - n n - - pipe\n  {attrs}\n"
    return (entry("pipetest", f"flags=DRhuO user={user} argv={script} "
                  + ARGS1)
            + entry("pipe2", f"flags=FB.>Xq eol=\\r\\n null_sender= "
                    f"directory={out} user={user}:mail argv={script} "
                    + ARGS2)
            + entry("pe", f"user={user} argv={pexit} ${{user}}")
            + entry("psize", f"size=100 user={user} argv={script}")
            + entry("pd", f"flags=D user={user} argv={script}")
            + entry("pdl", f"flags=D user={user} argv={script}")
            + entry("pbad", f"user={user} argv={script} ${{nosuch}}")
            + entry("pnull", f"flags=FqR null_sender=bo\"unce user={user} "
                    f"argv={script} ${{sender}} ${{recipient}} ${{user}}"))


PIPE_TRANSPORTS = "".join(f"{d} {t}:\n" for d, t in (
    ("pipe.test", "pipetest"), ("p2.test", "pipe2"), ("pe.test", "pe"),
    ("psize.test", "psize"), ("pd.test", "pd"), ("pdl.test", "pdl"),
    ("pbad.test", "pbad"), ("pnull.test", "pnull")))
PARAMS = dict(pipetest_destination_recipient_limit="1",
              pe_destination_recipient_limit="1",
              pdl_destination_recipient_limit="1",
              pnull_destination_recipient_limit="1",
              pe_time_limit="2s", recipient_delimiter="+")
MESSAGE = b"Subject: p1\n\nhello\nFrom x\n.dot\n"


class PipeBox(Mta):
    """An instance with qmgr and the pipe services of this module."""

    def __init__(self, instance, user):
        super().__init__(instance)
        self.user = user
        self.out = instance.root / "out"
        self.out.mkdir()
        self.out.chmod(0o1777)
        self.script = instance.root / "pipe.sh"
        self.script.write_text(SCRIPT.format(out=self.out))
        self.pexit = instance.root / "pexit.sh"
        self.pexit.write_text(PEXIT.format(out=self.out))
        for path in (self.script, self.pexit):
            path.chmod(0o755)

    def start(self, extra_cf="", extra_transports="", **params):
        (self.inst.config_dir / "transport").write_text(
            TRANSPORTS + PIPE_TRANSPORTS + extra_transports)
        cf = QMGR_MASTER_CF + services(self.user, self.script, self.pexit,
                                       self.out) + extra_cf
        self.inst.write_config(cf, **dict(PARAMS, **params))
        self.inst.start()

    def send(self, *rcpts, sender="sender@disc.test", text=MESSAGE,
             args=()):
        self.sendmail("-f", sender, *args, *rcpts, input=text)

    def line(self, rcpt, count=1):
        """The count'th pipe log line for rcpt (waiting for it)."""
        needle = f": to=<{rcpt}>,"

        def found():
            got = [x for x in self.inst.log_text().splitlines()
                   if needle in x and "postfix/pipe[" in x]
            return len(got) >= count and got[count - 1]
        try:
            return wait_for(found, timeout=20, what=needle)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.inst.log_text()}") from None

    def outputs(self, count):
        """The records of the script's runs, once there are count."""
        def found():
            got = sorted(self.out.glob("pipe.*[0-9]"))
            return len(got) >= count and got
        try:
            paths = wait_for(found, timeout=20, what="script output")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.inst.log_text()}") from None
        return [parse_output(p.read_bytes()) for p in paths]


def parse_output(data):
    """(argv, ids, cwd, env, stdin) of one run of SCRIPT."""
    head, _, stdin = data.partition(b"STDIN:\n")
    lines = head.decode().splitlines()
    argv = [x[1:-1] for x in lines if x.startswith("[")]
    ids = next(x for x in lines if x.startswith("ID: "))[4:]
    cwd = next(x for x in lines if x.startswith("PWD: "))[5:]
    env = [x for x in lines if "=" in x and not x.startswith(("[", "ID: ",
                                                              "PWD: "))]
    return argv, ids, cwd, env, stdin


def line_re(rcpt, relay, dsn, status, reason):
    """A pipe log line, as Postfix 3.7 writes it."""
    return re.compile(rf"postfix/pipe\[\d+\]: \w+: to=<{re.escape(rcpt)}>, "
                      rf"relay={relay}, delay=[\d.]+, "
                      rf"delays=[\d.]+/[\d.]+/0/[\d.]+, dsn={re.escape(dsn)},"
                      rf" status={status} \({re.escape(reason)}\)$")


def assert_line(box, rcpt, relay, dsn, status, reason, count=1):
    got = box.line(rcpt, count)
    assert line_re(rcpt, relay, dsn, status, reason).search(got), got


@pytest.fixture
def box(instance, users):  # noqa: F811
    return PipeBox(instance, users[0])


def test_argv_body_environment(box):
    """notes 7.6: flags=DRhuO with ${...} macros: the argv (h folds the
    domain and nexthop, u the local parts), the user's ids, the queue
    directory, only PATH, LANG and MAIL_CONFIG, and the three headers
    before the message, which is otherwise unchanged."""
    box.start()
    box.send("X+Ext@Pipe.Test")
    assert_line(box, "X+Ext@Pipe.Test", "pipetest", "2.0.0", "sent",
                "delivered via pipetest service")
    [(argv, ids, cwd, env, stdin)] = box.outputs(1)
    qid = re.search(r"(\w+): to=<X\+Ext", box.inst.log_text()).group(1)
    size = re.search(rf"{qid}: from=<sender@disc.test>, size=(\d+)",
                     box.inst.log_text()).group(1)
    assert argv == ["sender@disc.test", "x+ext@pipe.test", "pipe.test", "x",
                    "ext", "x+ext", "x+ext@pipe.test", qid, "", size,
                    "pipe.test"]
    pw = pwd.getpwnam(box.user)
    assert ids == f"{pw.pw_uid} {pw.pw_gid} {pw.pw_gid}"
    assert cwd == str(box.inst.queue_dir)
    assert env == ["LANG=C", f"MAIL_CONFIG={box.inst.config_dir}",
                   "PATH=/usr/bin:/bin"]
    assert stdin.startswith(b"Return-Path: <sender@disc.test>\n"
                            b"X-Original-To: X+Ext@Pipe.Test\n"
                            b"Delivered-To: X+Ext@Pipe.Test\nReceived: ")
    assert stdin.endswith(b"\n\nhello\nFrom x\n.dot\n")
    box.wait_empty()


def test_recipient_macros_and_message_flags(box):
    """${recipient} and friends give one argument per recipient, in
    request order; "{ a b }" is one argument; flags F B . > with
    eol=\\r\\n; null_sender= makes ${sender} empty (the From line still
    says MAILER-DAEMON); directory= and user=NAME:GROUP."""
    box.start()
    box.send("C+e2@p2.test", "b+e1@p2.test", sender="",
             text=MESSAGE.replace(b"p1", b"p2"))
    for rcpt in ("C+e2@p2.test", "b+e1@p2.test"):
        assert_line(box, rcpt, "pipe2", "2.0.0", "sent",
                    "delivered via pipe2 service")
    [(argv, ids, cwd, env, stdin)] = box.outputs(1)
    assert argv == ["-f", "", "-x{C+e2@p2.test}y", "-x{b+e1@p2.test}y",
                    "a b", "C+e2", "b+e1", "C+e2", "b+e1", "p2.test"]
    mail = grp.getgrnam("mail").gr_gid
    assert ids == f"{pwd.getpwnam(box.user).pw_uid} {mail} {mail}"
    assert cwd == str(box.out)
    assert re.match(rb"From MAILER-DAEMON  [A-Z][a-z]{2} [A-Z][a-z]{2} "
                    rb"[ \d]\d \d\d:\d\d:\d\d \d{4}\r\nReceived: ", stdin)
    assert stdin.endswith(b"\r\n\r\nhello\r\n>From x\r\n..dot\r\n\r\n")
    assert b"\n" not in stdin.replace(b"\r\n", b"")
    box.wait_empty()


def test_null_sender_replacement_quoted(box):
    """null_sender=TEXT with flag q: ${sender} and ${recipient} quoted,
    ${user} not; the From line and Return-Path: use the replacement."""
    box.start()
    box.send('"a b"@pnull.test', sender="")
    assert_line(box, '"a b"@pnull.test', "pnull", "2.0.0", "sent",
                "delivered via pnull service")
    [(argv, _, _, _, stdin)] = box.outputs(1)
    assert argv == ['"bo\\"unce"', '"a b"@pnull.test', "a b"]
    assert re.match(rb'From "bo\\"unce"  [^\n]*\nReturn-Path: <"bo\\"unce">\n',
                    stdin), stdin


EXITS = (
    ("1@pe.test", "5.3.0", "bounced",
     'Command died with status 1: "PEXIT". Command output: line one line '
     'two '),
    ("67@pe.test", "5.1.1", "bounced",
     "user unknown. Command output: line one line two "),
    ("75@pe.test", "4.3.0", "deferred",
     "temporary failure. Command output: line one line two "),
    ("out0@pe.test", "2.0.0", "sent", "delivered via pe service (all fine "
     "here)"),
    ("dsn4@pe.test", "4.2.2", "deferred", "mailbox full "),
    ("sig@pe.test", "4.3.0", "deferred",
     'Command died with signal 9: "PEXIT"'),
    ("sleep@pe.test", "5.3.0", "bounced",
     'Command time limit exceeded: "PEXIT"'),
)


def test_exit_status_words(box):
    """The command's exit status, output and time limit (pe_time_limit)
    decide, in Postfix's words; the deferred recipients stay, the
    bounced ones get a notice."""
    box.start()
    box.send(*(rcpt for rcpt, *_ in EXITS))
    for rcpt, dsn, status, reason in EXITS:
        assert_line(box, rcpt, "pe", dsn, status,
                    reason.replace("PEXIT", str(box.pexit)))
    wait_log(box.inst, "sender non-delivery notification")
    wait_for(lambda: box.files("deferred"), what="deferred file")


def test_tempfail_is_retried(box):
    """Exit 75 (EX_TEMPFAIL) defers; told to retry (FADI on public/qmgr)
    qmgr hands the message to pipe again, which delivers it now."""
    box.start()
    box.send("retry@pe.test")
    assert_line(box, "retry@pe.test", "pe", "4.3.0", "deferred",
                "temporary failure. Command output: try later ")
    wait_for(lambda: box.files("deferred"), what="deferred file")
    (box.out / "ok").write_text("")
    box.trigger(b"FADI")
    assert_line(box, "retry@pe.test", "pe", "2.0.0", "sent",
                "delivered via pe service", count=2)
    box.wait_empty()


def test_size_limit_and_d_flag(box):
    """size= bounces 5.2.3 "message too large"; flag D with more than one
    recipient defers 4.3.5 with Postfix's warning; flag D finds a loop in
    a Delivered-To: header (any case), 5.4.6."""
    box.start()
    box.send("x@psize.test")
    assert_line(box, "x@psize.test", "psize", "5.2.3", "bounced",
                "message too large")
    box.send("a@pd.test", "b@pd.test")
    for rcpt in ("a@pd.test", "b@pd.test"):
        assert_line(box, rcpt, "pd", "4.3.5", "deferred",
                    "mail system configuration error")
    wait_log(box.inst, "warning: pipe flag `D' requires "
             "pd_destination_recipient_limit = 1")
    box.send("x@pdl.test", text=b"Subject: l\nDelivered-To: X@PDL.test\n\n"
             b"body\n")
    assert_line(box, "x@pdl.test", "pdl", "5.4.6", "bounced",
                "mail forwarding loop for x@pdl.test")
    assert not list(box.out.glob("pipe.*"))


def test_unknown_macro(box):
    """An unknown $name: Postfix's warning naming master.cf and the
    service, and 4.3.5; the command does not run."""
    box.start()
    box.send("x@pbad.test")
    assert_line(box, "x@pbad.test", "pbad", "4.3.5", "deferred",
                "mail system configuration error")
    wait_log(box.inst, f"warning: file {box.inst.config_dir}/master.cf: "
             'service pbad: unknown macro name: "nosuch"')
    assert not list(box.out.glob("pipe.*"))


@pytest.mark.parametrize("attrs,fatal", [
    ("user=root argv=/bin/cat",
     "user= command-line attribute specifies root privileges"),
    ("user=nobody argv=/bin/cat",
     "user= command-line attribute specifies mail system owner nobody"),
    ("user=USER:root argv=/bin/cat",
     "user= command-line attribute specifies privileged group id 0"),
    ("argv=/bin/cat", "missing user= command-line attribute"),
    ("user=USER", "missing argv= command-line attribute"),
    ("flags=Z user=USER argv=/bin/cat", "unknown flag: Z (ignored)"),
    ("size=abc user=USER argv=/bin/cat",
     "get_service_attr: bad size= value: abc"),
    ("user=nosuchuser argv=/bin/cat",
     "get_service_attr: unknown username: nosuchuser"),
    ("bogus=1 user=USER argv=/bin/cat", "unknown attribute name: bogus"),
])
def test_bad_attributes_are_fatal(box, attrs, fatal):
    """Every attribute problem stops pipe at start-up, in Postfix's
    words; the mail waits."""
    attrs = attrs.replace("USER", box.user)
    box.start(extra_cf=f"pfatal unix - n n - - pipe {attrs}\n",
              extra_transports="x.test pfatal:\n")
    box.send("a@x.test")
    wait_log(box.inst, f"fatal: {fatal}")


def test_verify_and_success_notices(box):
    """A success notice (NOTIFY=SUCCESS) says "Action: relayed", or
    "delivered" with flag X, and "delivery via SERVICE: delivered via
    SERVICE service"; the notices are delivered by another pipe entry
    that keeps them."""
    keep = (f"keep unix - n n - - pipe\n  user={box.user} "
            f"argv={box.script}\n")
    box.start(extra_cf=keep, extra_transports="keep.test keep:\n")
    box.send("a@p2.test", sender="me@keep.test", args=("-N", "success"))
    box.send("out0@pe.test", sender="me@keep.test", args=("-N", "success"))
    runs = box.outputs(3)
    notices = [stdin for argv, _, _, _, stdin in runs
               if b"Successful Mail Delivery Report" in stdin]
    assert len(notices) == 2, runs
    text = b"".join(notices)
    assert b"<a@p2.test>: delivery via pipe2: delivered via pipe2 " \
        b"service" in text
    assert b"Final-Recipient: rfc822; a@p2.test\nOriginal-Recipient: " \
        b"rfc822;a@p2.test\nAction: delivered\n" in text
    assert b"<out0@pe.test>: delivery via pe: delivered via pe service " \
        b"(all fine here)" in text
    assert b"Final-Recipient: rfc822; out0@pe.test\nOriginal-Recipient: " \
        b"rfc822;out0@pe.test\nAction: relayed\n" in text


# --- Postern against Debian's Postfix ---
PARITY_RCPTS = ("X+Ext@Pipe.Test", "1@pe.test", "67@pe.test", "out0@pe.test",
                "dsn4@pe.test")


def normal_lines(text, qid):
    out = []
    for line in text.splitlines():
        if "postfix/pipe[" in line and f"{qid}: to=<" in line:
            line = line[line.index("postfix/pipe["):]
            line = re.sub(r"\[\d+\]", "[PID]", line.replace(qid, "QID"))
            out.append(re.sub(r"delay=[\d.]+, delays=[\d./]+", "DELAYS",
                              line))
    return sorted(out)


def normal_run(run, qid, root):
    argv, ids, cwd, env, stdin = run
    argv = [x.replace(qid, "QID") for x in argv]
    env = [x for x in env if not x.startswith("MAIL_CONFIG=")]
    head = stdin.partition(b"Received: ")[0]
    return argv[:9] + argv[10:], ids, cwd.replace(str(root), "ROOT"), \
        env, head


@pytest.fixture
def peer(tmp_path):
    from postfix_peer import HAVE_POSTFIX, PostfixPeer
    if not HAVE_POSTFIX:
        pytest.skip("Postfix is not installed")
    side = PostfixPeer(tmp_path / "postfix", PEER_MASTER_CF)
    yield side
    side.stop()


def test_parity_with_postfix(box, peer):
    """The same entries and message through Debian's Postfix and Postern:
    the same log lines, argument vectors, ids, environment and headers
    on standard input."""
    results = []
    box.start()
    box.send(*PARITY_RCPTS)
    for rcpt in PARITY_RCPTS:
        box.line(rcpt)
    qid = re.search(r"(\w+): to=<X\+Ext", box.inst.log_text()).group(1)
    [run] = box.outputs(1)
    results.append((normal_lines(box.inst.log_text(), qid),
                    normal_run(run, qid, box.inst.queue_dir)))
    for path in box.out.glob("pipe.*"):
        path.unlink()
    etc = peer.config_dir
    with open(etc / "master.cf", "a") as fp:
        fp.write(services(box.user, box.script, box.pexit, box.out))
    (etc / "transport").write_text("disc.test discard:gone\n"
                                   + PIPE_TRANSPORTS)
    peer.write_config(myhostname="mx.example.test", mydomain="example.test",
                      transport_maps=f"texthash:{etc}/transport", **PARAMS)
    peer.start()
    res = subprocess.run(["/usr/sbin/sendmail", "-C", str(etc), "-f",
                          "sender@disc.test", *PARITY_RCPTS], input=MESSAGE,
                         capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    wait_for(lambda: all(f"to=<{rcpt}>" in peer.log_text()
                         for rcpt in PARITY_RCPTS), timeout=30,
             what="Postfix's pipe")
    time.sleep(0.3)
    pqid = re.search(r"(\w+): to=<X\+Ext", peer.log_text()).group(1)
    [run] = box.outputs(1)
    results.append((normal_lines(peer.log_text(), pqid),
                    normal_run(run, pqid, peer.queue_dir)))
    assert results[0] == results[1]
    os.sync()
