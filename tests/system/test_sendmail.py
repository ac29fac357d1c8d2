"""sendmail and postdrop with no daemons running: what lands in maildrop.

Each test writes a main.cf, runs build/bin/sendmail (which runs the
postdrop next to it, through command_directory) and reads the maildrop
file back with a small reader of the queue file record format
(docs/queue-format.md).
"""
import os
import shutil
import stat
import subprocess

import pytest

from conftest import BIN, IS_ROOT
from queuefile import content_text, read_records, sections


class Drop:
    """A config and queue for sendmail/postdrop, no master."""

    def __init__(self, instance):
        self.inst = instance
        self.maildrop = instance.queue_dir / "maildrop"
        self.maildrop.mkdir(parents=True)
        (instance.queue_dir / "public").mkdir()
        instance.write_config()

    def config(self, **params):
        self.inst.write_config(**params)

    def sendmail(self, *args, input=b"", check=True, user=None):
        argv = [str(BIN / "sendmail"), "-C", str(self.inst.config_dir), *args]
        if user:
            argv = ["setpriv", f"--reuid={user}", "--regid=nogroup",
                    "--clear-groups", *argv]
        res = subprocess.run(argv, input=input, capture_output=True,
                             timeout=60)
        if check:
            assert res.returncode == 0, res.stderr
        return res

    def files(self):
        return sorted(p for p in self.maildrop.rglob("*") if p.is_file())

    def one(self):
        files = self.files()
        assert len(files) == 1, files
        return files[0]


@pytest.fixture
def drop(instance):
    return Drop(instance)


def test_basic_submission(drop):
    body = b"Subject: hi\r\n\r\nbody line\r\n\ttab \x01 line\r\nlast"
    drop.sendmail("-f", "a@x", "-F", "Full Name", "b@y", "c@z", input=body)
    path = drop.one()
    st = path.stat()
    assert stat.S_IMODE(st.st_mode) == 0o744      # complete: owner rwx
    records = read_records(path)
    assert records[0][0] == "T"
    env, content, extra = sections(records)
    assert ("A", b"rewrite_context=local") in env
    assert ("F", b"Full Name") in env
    assert ("S", b"a@x") in env
    assert [d for t, d in env if t == "R"] == [b"b@y", b"c@z"]
    assert content_text(content) == body.replace(b"\r\n", b"\n")
    assert content[-1] == ("L", b"last")            # no final newline
    assert extra == []


def test_postfix_record_order(drop):
    """The envelope in the order Postfix's sendmail sends it."""
    drop.sendmail("-N", "success,delay", "-R", "hdrs", "-V", "envid123",
                  "-B", "8BITMIME", "-XV", "-f", "Name <s@x>", "-F", "N",
                  "r@y", input=b"x\n")
    env, _, _ = sections(read_records(drop.one()))
    assert env[1:] == [
        ("A", b"envelope_id=envid123"), ("A", b"ret_flags=2"),
        ("A", b"rewrite_context=local"), ("F", b"N"), ("S", b"s@x"),
        ("A", b"encoding=8bit"), ("V", b"+="),
        ("A", b"notify_flags=10"), ("R", b"r@y")]


def test_default_sender_and_gateway(drop):
    import pwd
    login = pwd.getpwuid(os.getuid()).pw_name
    drop.sendmail("-G", "-f", "", "r@y", input=b"x\n")
    env, _, _ = sections(read_records(drop.one()))
    assert ("A", b"rewrite_context=remote") in env
    assert ("S", b"") in env                         # null sender
    drop.maildrop.joinpath(drop.one().name).unlink()
    drop.sendmail("r@y", input=b"x\n")
    env, _, _ = sections(read_records(drop.one()))
    assert ("S", login.encode()) in env


def test_lone_dot(drop):
    msg = b"a\n.\nafter\n"
    drop.sendmail("-f", "a@x", "b@y", input=msg)
    _, content, _ = sections(read_records(drop.one()))
    assert content_text(content) == b"a\n"
    drop.one().unlink()
    for opt in ("-i", "-oi"):
        drop.sendmail(opt, "-f", "a@x", "b@y", input=msg)
        _, content, _ = sections(read_records(drop.one()))
        assert content_text(content) == msg
        drop.one().unlink()


def test_extract_recipients(drop):
    msg = (b'To: t1@y, "Foo Bar" <t2@y>\nCc: c@y (comment),\n  folded@y\n'
           b"Bcc: grp: g1@y, g2@y;\nSubject: s\n\nTo: not@body\n")
    drop.sendmail("-t", "-f", "a@x", "extra@y", input=msg)
    env, content, extra = sections(read_records(drop.one()))
    assert [d for t, d in env if t == "R"] == [b"extra@y"]
    assert [d for t, d in extra if t == "R"] == [
        b"t1@y", b"t2@y", b"c@y", b"folded@y", b"g1@y", b"g2@y"]
    assert content_text(content) == msg               # headers kept


def test_resent_headers_win(drop):
    msg = b"To: old@y\nResent-To: new@y\n\nbody\n"
    drop.sendmail("-t", "-f", "a@x", input=msg)
    _, _, extra = sections(read_records(drop.one()))
    assert [d for t, d in extra if t == "R"] == [b"new@y"]


def test_no_recipients(drop):
    res = drop.sendmail("-f", "a@x", check=False)
    assert res.returncode == 75
    assert b"a@x(" in res.stderr and b"Recipient addresses must be" \
        in res.stderr
    assert drop.files() == []


def test_big_message_byte_for_byte(drop):
    line = bytes(range(33, 127)) * 21                 # 1974 bytes
    msg = b"Subject: big\n\n" + b"".join(
        line[:2000 - 1 - (i % 7)] + b"\n" for i in range(2600))
    assert len(msg) > 5_000_000
    drop.sendmail("-f", "a@x", "b@y", input=msg)
    _, content, _ = sections(read_records(drop.one()))
    assert content_text(content) == msg
    assert all(t == "N" for t, _ in content)


def test_long_lines_split_and_rejoin(drop):
    drop.config(line_length_limit=100)
    msg = (b"A" * 250 + b"\r\n" + b"B" * 100 + b"\n" + b"C" * 99 + b"\r\n"
           + b"D" * 100 + b"\rE\n" + b"F" * 205)
    drop.sendmail("-f", "a@x", "b@y", input=msg)
    _, content, _ = sections(read_records(drop.one()))
    assert [(t, len(d)) for t, d in content[:3]] == [
        ("L", 100), ("L", 100), ("N", 50)]
    assert all(len(d) <= 100 for _, d in content)
    assert content[-1][0] == "L"
    assert content_text(content) == msg.replace(b"\r\n", b"\n")


def test_message_size_limit(drop):
    drop.config(message_size_limit=1000)
    res = drop.sendmail("-f", "a@x", "b@y", input=b"x" * 2000, check=False)
    assert res.returncode == 75
    assert b"a@x(" in res.stderr and b"message file too big" in res.stderr
    assert drop.files() == []


def run_postdrop(drop, data):
    env = {"MAIL_CONFIG": str(drop.inst.config_dir)}
    return subprocess.run([str(BIN / "postdrop"), "-r"], input=data,
                          capture_output=True, env=env, timeout=30)


@pytest.mark.parametrize("junk", [
    b"junk",                                          # truncated record
    b"S\x03a@xR\x03b@yM\x00R\x02hiX\x00E\x00",        # R in content
    b"R\x03b@yM\x00N\x02hiX\x00E\x00",                # no sender
    b"S\x03a@xT\x03123M\x00X\x00E\x00",               # T from the client
    b"S\x03a@xM\x00X\x00E\x00garbage",                # data after the end
    b"S\x03a@xA\x04=bad" + b"M\x00X\x00E\x00",         # bad attribute
    b"S\x03a@xM\x01zX\x00E\x00",                      # M not empty
    b"S\x03a@x\xff\x00M\x00X\x00E\x00",               # unknown type
])
def test_postdrop_refuses_junk(drop, junk):
    res = run_postdrop(drop, junk)
    assert res.returncode != 0
    assert b"postdrop: fatal: uid=" in res.stderr
    assert drop.files() == []
    assert list(drop.maildrop.iterdir()) == []        # no temporary file


@pytest.mark.parametrize("cancel", [
    b"",                                              # nothing
    b"S\x03a@xR\x03b@yM\x00N\x02hiX\x00",             # no end record
])
def test_postdrop_cancelled(drop, cancel):
    """Input that ends between records, before the end record: the client
    gave up (sendmail -bs after RSET). As Debian's Postfix 3.7 postdrop
    (observed): exit 0, nothing on stderr, no file."""
    res = run_postdrop(drop, cancel)
    assert res.returncode == 0 and res.stderr == b""
    assert res.stdout.startswith(b"protocol\0postdrop_protocol\0queue_id\0")
    assert b"status" not in res.stdout
    assert list(drop.maildrop.iterdir()) == []


def test_postdrop_protocol(drop):
    """postdrop alone: queue id first, status at the end, T added."""
    res = run_postdrop(drop, b"S\x03a@xR\x03b@yM\x00N\x02hiX\x00E\x00")
    assert res.returncode == 0, res.stderr
    out = res.stdout.split(b"\0")
    assert out[:3] == [b"protocol", b"postdrop_protocol", b"queue_id"]
    qid = out[3].decode()
    assert res.stdout.endswith(b"status\x000\x00reason\x00\x00\x00")
    assert drop.one().name == qid
    records = read_records(drop.one())
    assert [t for t, _ in records] == list("TSRMNXE")


def test_pickup_is_woken(drop):
    fifo = drop.inst.queue_dir / "public" / "pickup"
    os.mkfifo(fifo, 0o622)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        drop.sendmail("-f", "a@x", "b@y", input=b"x\n")
        assert os.read(fd, 10) == b"W"
    finally:
        os.close(fd)


def test_unavailable_modes(drop):
    for args in (["-bd"],):
        res = drop.sendmail(*args, check=False)
        assert res.returncode == 69, args
        assert b"not yet supported" in res.stderr
    res = drop.sendmail("-n", "x@y", check=False)
    assert res.returncode == 75 and b"-n option not supported" in res.stderr


def test_options_end_at_first_recipient(drop):
    drop.sendmail("-ox", "val", "-f", "a@x", input=b"x\n")
    env, _, _ = sections(read_records(drop.one()))
    assert [d for t, d in env if t == "R"] == [b"val", b"-f", b"a@x"]


def test_bi_runs_newaliases(drop, tmp_path):
    aliases = tmp_path / "aliases"
    aliases.write_text("postmaster: root\n")
    drop.config(alias_database=f"cdb:{aliases}")
    drop.sendmail("-bi")
    assert (tmp_path / "aliases.cdb").exists()


def test_unauthorized_user(drop):
    import pwd
    login = pwd.getpwuid(os.getuid()).pw_name
    drop.config(authorized_submit_users="!" + login + ", static:anyone")
    res = drop.sendmail("-f", "a@x", "b@y", input=b"x\n", check=False)
    assert res.returncode == 75
    assert f"User {login}({os.getuid()}) is not allowed to submit mail" \
        in res.stderr.decode()
    res = run_postdrop(drop, b"S\x03a@xM\x00X\x00E\x00")
    assert res.returncode == 1 and b"is not allowed to submit" in res.stderr
    assert drop.files() == []


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch users")
def test_unauthorized_nobody(drop):
    drop.config(authorized_submit_users="root")
    drop.inst.config_dir.chmod(0o755)
    res = drop.sendmail("-f", "a@x", "b@y", input=b"x\n", check=False,
                        user="nobody")
    assert res.returncode == 75
    assert b"User nobody(" in res.stderr
    assert drop.files() == []


@pytest.mark.skipif(not IS_ROOT, reason="needs root to make a setgid copy")
def test_setgid_postdrop_ignores_alternate_config(drop, tmp_path):
    """A set-gid postdrop run by a user does not take MAIL_CONFIG unless
    the default main.cf lists it in alternate_config_directories."""
    copy = tmp_path / "postdrop"
    shutil.copy(BIN / "postdrop", copy)
    os.chown(copy, 0, 0)
    copy.chmod(0o2755)
    env = {"MAIL_CONFIG": str(drop.inst.config_dir)}
    res = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                          "--clear-groups", str(copy), "-r"],
                         input=b"", capture_output=True, env=env, timeout=30)
    assert res.returncode == 1
    assert b"alternate_config_directories" in res.stderr \
        or b"main.cf" in res.stderr
    assert drop.files() == []
