"""System tests for postcat: Postern's build/bin/postcat and Postfix's
/usr/sbin/postcat run on the same queue files (the Postfix fixtures, and
files made here with every record type, partial lines, odd headers,
pointer and padding records) must print the same bytes and exit with the
same status, for every option combination that matters (-v -o -d -e -h -b
-r -s -q). Damage: a record cut short or an impossible length is fatal in
both; a missing end record is where Postern differs on purpose (a warning
and status 1; Postfix says nothing and exits 0). docs/postcat.md."""
import os
import re
import subprocess

import pytest

from conftest import BIN, FIXTURES
from queuefile import encode_records, record

POSTFIX_POSTCAT = "/usr/sbin/postcat"
HAVE_POSTFIX = os.access(POSTFIX_POSTCAT, os.X_OK)
needs_postfix = pytest.mark.skipif(not HAVE_POSTFIX,
                                   reason="Postfix's postcat missing")

FIXTURE_FILES = ["4jhlxz3VH0z1bcTg", "BD588A740D4", "BEA11A74072"]
OPTIONS = [[], ["-v"], ["-o"], ["-v", "-o"], ["-e"], ["-h"], ["-b"],
           ["-b", "-h"], ["-e", "-h"], ["-e", "-b"], ["-v", "-h"],
           ["-v", "-b"], ["-o", "-h"], ["-o", "-b"], ["-d"], ["-d", "-h"],
           ["-d", "-b"], ["-d", "-o", "-v"], ["-r"], ["-r", "-v"],
           ["-r", "-o"], ["-v", "-o", "-r"], ["-e", "-o", "-v"]]

ENV = [("T", "1796515863 492908"), ("A", "create_time=1796515863"),
       ("A", "rewrite_context=local"), ("S", "alice@example.test"),
       ("W", "%15d" % 1796530263), ("O", "bob@x"), ("R", "bob@x")]
TEXT = [("N", "Subject: hi"), ("N", "X-Foo : a"), ("N", "\tcont"),
        ("L", "X-Long: aaa"), ("L", "bbb"), ("N", "ccc"), ("N", " cont"),
        ("N", "Sub ject: no"), ("N", "X-Bar: after"), ("N", ""),
        ("N", "body1"), ("L", "part"), ("N", "rest"),
        ("N", "ctl \x01\x7f \xe9 \t"), ("L", "last")]
EVERY_TYPE = [("c", "1796515863"), ("F", "Full Name"), ("I", "insp"),
              ("L", "filt:x"), ("V", "+="), ("K", "killed"), (">", "rdr"),
              ("f", "12"), ("P", "5"), ("<", "2"), ("i", "envid"),
              ("o", "rfc822;x"), ("n", "4"), ("D", "done"), ("/", "canc"),
              ("A", " spaced = value "), ("A", "expand_time=1796515863"),
              ("r", "rr"), ("e", "et"), ("w", "pad"), ("T", "bad"),
              ("Z", "unknown"), ("\x01", "ctl"), ("p", "0")]


def made_files():
    """name -> bytes of queue files with a valid (or no) size record."""
    tail = [("X", ""), ("O", "o"), ("R", "r"), ("A", "x=y"), ("L", "f"),
            ("E", "")]
    files = {
        "text": ENV + [("M", "")] + TEXT + [("X", ""), ("E", "")],
        "types": ENV + EVERY_TYPE + [("M", "")] + TEXT + tail,
        "padded": ENV[:4] + [("w", "xx")] + ENV[4:] + [("M", ""), ("w", "")]
        + TEXT + [("X", ""), ("w", "yy"), ("E", "")],
        "nohead": ENV + [("M", ""), ("N", "plain"), ("N", "X: y"),
                         ("X", ""), ("E", "")],
        "empty_content": ENV + [("M", ""), ("X", ""), ("E", "")],
        "in_content": ENV + [("M", ""), ("N", "A: b"), ("R", "odd"),
                             ("N", ""), ("N", "b"), ("X", ""), ("E", "")],
        "out_of_order": ENV + [("X", ""), ("M", ""), ("N", "a"), ("X", ""),
                               ("E", "")],
        "after_end": ENV + [("M", ""), ("N", "a"), ("X", ""), ("E", ""),
                            ("N", "after")],
    }
    out = {name: encode_records(recs) for name, recs in files.items()}
    out["pointer"] = pointer_file()
    return out


def pointer_file():
    """A file edited in place: a pointer in the envelope jumps to records
    appended at the end, which point back to the content."""
    head = encode_records(ENV[:4])
    placeholder = len(record("p", "%15d" % 0))
    content_at = len(head) + placeholder
    content = encode_records([("M", ""), ("N", "Subject: x"), ("N", ""),
                              ("N", "body"), ("X", ""), ("E", "")])
    added_at = content_at + len(content)
    added = encode_records([("R", "added@x"), ("A", "x=y")]) \
        + record("p", "%15d" % content_at)
    return head + record("p", "%15d" % added_at) + content + added


@pytest.fixture
def setup(tmp_path):
    """A config directory (its queue_directory under tmp_path) and the
    test files, copied into tmp_path (postcat prints the name given)."""
    conf = tmp_path / "etc"
    conf.mkdir()
    (conf / "main.cf").write_text(
        f"compatibility_level = 3.6\nqueue_directory = {tmp_path / 'q'}\n")
    (tmp_path / "q").mkdir()
    for name in FIXTURE_FILES:
        (tmp_path / name).write_bytes((FIXTURES / "queue" / name).read_bytes())
    for name, data in made_files().items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def run(prog, setup, args, stdin=None):
    """Run a postcat in setup's directory; the CompletedProcess."""
    return subprocess.run([str(prog), "-c", str(setup / "etc"), *args],
                          cwd=setup, capture_output=True, input=stdin,
                          env={**os.environ, "TZ": "UTC"}, timeout=30)


def same(setup, args):
    """Both postcats print the same and exit the same; Postern's result."""
    ours = run(BIN / "postcat", setup, args)
    theirs = run(POSTFIX_POSTCAT, setup, args)
    assert ours.stdout == theirs.stdout, (args, ours.stderr)
    assert ours.returncode == theirs.returncode, (args, ours.stderr)
    return ours


@needs_postfix
@pytest.mark.parametrize("name", FIXTURE_FILES + sorted(made_files()))
def test_same_output_every_option(setup, name):
    for opts in OPTIONS:
        same(setup, [*opts, name])


@needs_postfix
def test_several_files(setup):
    r = same(setup, ["-o", *FIXTURE_FILES])
    assert r.stdout.count(b"*** MESSAGE FILE END") == 3


@needs_postfix
def test_skip_to_offset(setup):
    """-s starts at a record boundary; no envelope banner after 0."""
    for offset in ["0", "66", "117", "149", "100000"]:
        same(setup, ["-s", offset, "text"])
        same(setup, ["-o", "-v", "-s", offset, "pointer"])
    r = same(setup, ["-s", "abc", "text"])
    assert r.returncode == 1 and b"bad offset: abc" in r.stderr
    assert same(setup, ["-s", "-5", "text"]).returncode == 1


def queue_file(setup, path, sender):
    """A small queue file at q/path with sender as its 'S' record."""
    full = setup / "q" / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_bytes(encode_records(ENV[:3] + [("S", sender), ("M", ""),
                                               ("N", "x"), ("X", ""),
                                               ("E", "")]))
    return full


@needs_postfix
def test_queue_search_order(setup):
    """-q looks in maildrop, incoming, active, deferred (hashed), hold;
    not in corrupt; the name shown is QUEUE/ID."""
    order = ["maildrop", "incoming", "active", "deferred/A", "hold"]
    files = [queue_file(setup, f"{q}/ABCDE12345", q) for q in order]
    queue_file(setup, "corrupt/ABCDE12345", "corrupt")
    for q, path in zip(order, files):
        r = same(setup, ["-q", "ABCDE12345"])
        assert f"sender: {q}\n".encode() in r.stdout
        assert f"*** ENVELOPE RECORDS {q}/ABCDE12345 ***".encode() in r.stdout
        path.unlink()
    r = same(setup, ["-q", "ABCDE12345"])
    assert r.returncode == 1
    assert b"open queue file ABCDE12345: No such file" in r.stderr
    assert same(setup, ["-q", "../etc"]).returncode == 1


@needs_postfix
def test_queue_wrong_hash_directory(setup):
    queue_file(setup, "deferred/B/ABCDE12345", "misplaced")
    assert same(setup, ["-q", "ABCDE12345"]).returncode == 1


@needs_postfix
def test_truncated_inside_record(setup):
    """Shown up to the damage, then Postfix's words and status 1."""
    data = (setup / "text").read_bytes()
    inside = data.index(b"Subject: hi") + 3
    for cut, words in [(inside, b"unexpected EOF in data, record type 78"),
                       (len(data) - 1, b"unexpected EOF reading length"),
                       (1, b"unexpected EOF reading length")]:
        (setup / "cut").write_bytes(data[:cut])
        for opts in [[], ["-o"], ["-v", "-o"]]:
            r = same(setup, [*opts, "cut"])
            assert r.returncode == 1
            assert words in r.stderr and b"record read error" in r.stderr


@needs_postfix
def test_bad_length(setup):
    (setup / "bad").write_bytes(encode_records(ENV)
                                + b"N\xff\xff\xff\xff\xff\x01x")
    r = same(setup, ["-o", "bad"])
    assert r.returncode == 1 and b"too many length bits" in r.stderr
    assert b"recipient: bob@x\n" in r.stdout


@needs_postfix
def test_not_a_queue_file(setup):
    (setup / "junk").write_bytes(b"hello world\n")
    r = same(setup, ["junk"])
    assert r.stdout == b""
    assert b"junk: input is not a valid queue file" in r.stderr


@needs_postfix
def test_missing_file(setup):
    r = same(setup, ["text", "nonexistent", "text"])
    assert r.returncode == 1 and b"open nonexistent:" in r.stderr


@needs_postfix
def test_malformed_attribute(setup):
    """The record is dropped with a warning, after its offset column."""
    (setup / "attr").write_bytes(encode_records(
        ENV[:3] + [("A", "noequals"), ("A", "=v")] + ENV[3:]
        + [("M", ""), ("X", ""), ("E", "")]))
    r = same(setup, ["-o", "attr"])
    assert re.search(rb"\n {7}66 {8}76 {8}\d\d sender: alice", r.stdout)
    assert b"missing '=' after attribute name: noequals" in r.stderr
    assert b"malformed attribute: missing attribute name: =v" in r.stderr


@needs_postfix
def test_missing_end_record(setup):
    """Documented difference: same output, but Postern warns and exits 1
    (Postfix exits 0 without a word)."""
    data = (setup / "text").read_bytes()
    (setup / "noend").write_bytes(data[:-2])
    (setup / "zero").write_bytes(b"")
    for name in ["noend", "zero"]:
        ours = run(BIN / "postcat", setup, [name])
        theirs = run(POSTFIX_POSTCAT, setup, [name])
        assert ours.stdout == theirs.stdout
        assert theirs.returncode == 0
        assert ours.returncode == 1
        assert f"{name}: missing end record".encode() in ours.stderr


def test_stdin(setup):
    """Standard input is shown as "stdin", with real offsets (Postfix
    prints -1 as an unsigned number and fails after the content)."""
    data = (setup / "text").read_bytes()
    by_file = run(BIN / "postcat", setup, ["-o", "text"])
    by_stdin = run(BIN / "postcat", setup, ["-o"], stdin=data)
    assert by_stdin.returncode == 0, by_stdin.stderr
    assert by_stdin.stdout == by_file.stdout.replace(b" text ***",
                                                     b" stdin ***")


def test_pointer_loop_ends(setup):
    """A pointer to itself is damage, not an endless loop."""
    head = encode_records(ENV)
    loop = head + record("p", "%15d" % len(head))
    (setup / "loop").write_bytes(loop)
    for opts in [[], ["-v"]]:
        r = run(BIN / "postcat", setup, [*opts, "loop"])
        assert r.returncode == 1
        assert b"pointer loop" in r.stderr


def test_usage(setup):
    r = run(BIN / "postcat", setup, ["-x"])
    assert r.returncode == 1 and b"usage: postcat" in r.stderr
