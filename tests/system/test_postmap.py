"""System tests for postmap: building lmdb, hash and cdb tables and using
them (-q, -q -, -s, -d, -i), the option flags (-f, -n/-N, -r/-w, -o, -p),
Postfix's messages and exit statuses, files that Postfix's own postmap
(/usr/sbin/postmap) reads and writes, the atomic rebuild (a reader never
sees a missing key while the table is rebuilt again and again) and the
"older than source" warning."""
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import BIN, IS_ROOT

POSTFIX_POSTMAP = "/usr/sbin/postmap"
HAVE_POSTFIX = os.access(POSTFIX_POSTMAP, os.X_OK)
SUFFIX = {"lmdb": ".lmdb", "hash": ".db", "cdb": ".cdb"}
SOURCE = "Foo bar\nbaz qux quux\nfoo dup\n#c\nnovalue\n  cont\n"


def postmap(instance, *args, input=None):
    """Run Postern's postmap; return the CompletedProcess (never raises)."""
    return instance.cmd("postmap", *args, check=False, input=input)


def source(instance, name="table", text=SOURCE):
    """Write a source file in the instance directory; return its path."""
    path = instance.root / name
    path.write_text(text)
    return path


def tmp_files(directory):
    """Temporary index files left in directory."""
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


def postfix_config(tmp_path):
    """A config directory for Postfix's postmap (compatibility 3.6)."""
    conf = tmp_path / "postfix-etc"
    conf.mkdir(exist_ok=True)
    (conf / "main.cf").write_text("compatibility_level = 3.6\n")
    return conf


@pytest.fixture
def inst(instance):
    instance.write_config()
    return instance


# --- building and querying ----------------------------------------------

@pytest.mark.parametrize("kind", ["lmdb", "hash", "cdb"])
def test_build_and_query(inst, kind):
    table = source(inst)
    r = postmap(inst, f"{kind}:{table}")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == f'postmap: warning: {table}:3: duplicate entry: "foo"\n'
    assert (inst.root / f"table{SUFFIX[kind]}").exists()
    assert tmp_files(inst.root) == []
    r = postmap(inst, "-q", "FOO", f"{kind}:{table}")
    assert (r.returncode, r.stdout, r.stderr) == (0, "bar\n", "")
    assert postmap(inst, "-q", "novalue", f"{kind}:{table}").stdout == "cont\n"
    r = postmap(inst, "-q", "nope", f"{kind}:{table}")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "")


def test_default_type(inst):
    table = source(inst)
    assert postmap(inst, table).returncode == 0
    assert (inst.root / "table.lmdb").exists()
    inst.write_config(default_database_type="cdb")
    assert postmap(inst, table).returncode == 0
    assert (inst.root / "table.cdb").exists()
    assert postmap(inst, "-q", "baz", table).stdout == "qux quux\n"


def test_query_stdin(inst):
    table = source(inst)
    postmap(inst, f"lmdb:{table}")
    r = postmap(inst, "-q", "-", f"lmdb:{table}", input="foo\nnope\nBAZ\n")
    assert (r.returncode, r.stdout) == (0, "foo\tbar\nBAZ\tqux quux\n")
    r = postmap(inst, "-q", "-", f"lmdb:{table}", input="nope\n")
    assert (r.returncode, r.stdout) == (1, "")


def test_query_several_tables(inst):
    first = source(inst, "first", "a 1\n")
    second = source(inst, "second", "a 2\nb 2\n")
    postmap(inst, f"lmdb:{first}", f"cdb:{second}")
    assert postmap(inst, "-q", "a", f"lmdb:{first}",
                   f"cdb:{second}").stdout == "1\n"
    assert postmap(inst, "-q", "b", f"lmdb:{first}",
                   f"cdb:{second}").stdout == "2\n"
    # As in Postfix, a table after the one that answered is not opened.
    assert postmap(inst, "-q", "a", f"lmdb:{first}",
                   f"lmdb:{inst.root}/missing").returncode == 0
    r = postmap(inst, "-q", "b", f"lmdb:{first}", f"lmdb:{inst.root}/missing")
    assert r.returncode == 1
    assert r.stderr == ("postmap: fatal: open database "
                        f"{inst.root}/missing.lmdb: No such file or directory\n")


@pytest.mark.parametrize("kind,order", [
    ("lmdb", "baz\tqux quux\nfoo\tbar\nnovalue\tcont\n"),
    ("cdb", "foo\tbar\nbaz\tqux quux\nnovalue\tcont\n"),
])
def test_list(inst, kind, order):
    table = source(inst)
    postmap(inst, f"{kind}:{table}")
    r = postmap(inst, "-s", f"{kind}:{table}")
    assert (r.returncode, r.stdout) == (0, order)


def test_delete(inst):
    table = source(inst)
    postmap(inst, f"lmdb:{table}")
    assert postmap(inst, "-d", "FOO", f"lmdb:{table}").returncode == 0
    assert postmap(inst, "-d", "foo", f"lmdb:{table}").returncode == 1
    r = postmap(inst, "-d", "-", f"lmdb:{table}", input="baz\nnope\n")
    assert r.returncode == 0
    r = postmap(inst, "-d", "-", f"lmdb:{table}", input="nope\n")
    assert r.returncode == 1
    assert postmap(inst, "-s", f"lmdb:{table}").stdout == "novalue\tcont\n"
    assert tmp_files(inst.root) == []


def test_incremental(inst):
    table = source(inst)
    postmap(inst, f"lmdb:{table}")
    r = postmap(inst, "-i", f"lmdb:{table}", input="new val\nbaz repl\n")
    assert r.returncode == 0
    assert r.stderr == 'postmap: warning: stdin:2: duplicate entry: "baz"\n'
    assert postmap(inst, "-q", "new", f"lmdb:{table}").stdout == "val\n"
    assert postmap(inst, "-q", "baz", f"lmdb:{table}").stdout == "qux quux\n"
    r = postmap(inst, "-r", "-i", f"lmdb:{table}", input="baz repl\n")
    assert (r.returncode, r.stderr) == (0, "")
    assert postmap(inst, "-q", "baz", f"lmdb:{table}").stdout == "repl\n"
    r = postmap(inst, "-w", "-i", f"lmdb:{table}", input="baz again\n")
    assert (r.returncode, r.stderr) == (0, "")
    assert postmap(inst, "-q", "baz", f"lmdb:{table}").stdout == "repl\n"
    r = postmap(inst, "-i", f"lmdb:{table}", input="novalue\n")
    assert r.stderr == ("postmap: warning: stdin:1: expected format: "
                        "key whitespace value\n")


def test_duplicate_flags(inst):
    table = source(inst, text="k first\nk second\n")
    r = postmap(inst, "-r", f"lmdb:{table}")
    assert (r.returncode, r.stderr) == (0, "")
    assert postmap(inst, "-q", "k", f"lmdb:{table}").stdout == "second\n"
    r = postmap(inst, "-w", f"lmdb:{table}")
    assert (r.returncode, r.stderr) == (0, "")
    assert postmap(inst, "-q", "k", f"lmdb:{table}").stdout == "first\n"


def test_no_fold(inst):
    table = source(inst, text="MiXed value\n")
    postmap(inst, "-f", f"lmdb:{table}")
    assert postmap(inst, "-q", "MiXed", f"lmdb:{table}").returncode == 1
    assert postmap(inst, "-f", "-q", "MiXed",
                   f"lmdb:{table}").stdout == "value\n"
    assert postmap(inst, "-s", f"lmdb:{table}").stdout == "MiXed\tvalue\n"


@pytest.mark.skipif(shutil.which("mdb_dump") is None or
                    shutil.which("cdb") is None,
                    reason="mdb_dump (lmdb-utils) or cdb (tinycdb) missing")
def test_null_flags(inst):
    table = source(inst, text="Key value\n")

    def dump(kind):
        cmd = (["mdb_dump", "-p", "-n", f"{table}.lmdb"] if kind == "lmdb"
               else ["cdb", "-d", f"{table}.cdb"])
        return subprocess.run(cmd, capture_output=True, check=True).stdout

    postmap(inst, f"lmdb:{table}")
    assert b" key\\00\n value\\00\n" in dump("lmdb")
    postmap(inst, "-n", f"lmdb:{table}")
    assert b" key\n value\n" in dump("lmdb")
    postmap(inst, f"cdb:{table}")
    assert dump("cdb") == b"+3,5:key->value\n\n"
    postmap(inst, "-N", f"cdb:{table}")
    assert dump("cdb") == b"+4,6:key\x00->value\x00\n\n"
    for kind in ("lmdb", "cdb"):
        assert postmap(inst, "-q", "key", f"{kind}:{table}").stdout == "value\n"


# --- messages and exit statuses -----------------------------------------

def test_errors(inst):
    r = postmap(inst)
    assert r.returncode == 1
    assert r.stderr.startswith("postmap: fatal: usage: postmap [-bfFhimnNoprsuUvw]")
    r = postmap(inst, "-q", "a", "-s", "x")
    assert (r.returncode, r.stderr) == (
        1, "postmap: fatal: specify only one of -s -q or -d\n")
    r = postmap(inst, f"lmdb:{inst.root}/nosrc")
    assert (r.returncode, r.stderr) == (
        1, f"postmap: fatal: open {inst.root}/nosrc: No such file or directory\n")
    r = postmap(inst, "-q", "a", f"lmdb:{inst.root}/nosrc")
    assert r.stderr == ("postmap: fatal: open database "
                        f"{inst.root}/nosrc.lmdb: No such file or directory\n")
    table = source(inst)
    r = postmap(inst, f"texthash:{table}")
    assert (r.returncode, r.stderr) == (
        1, "postmap: fatal: unsupported dictionary type: texthash does not "
        "support bulk-mode creation.\n")
    r = postmap(inst, "-q", "a", f"nosuchtype:{table}")
    assert (r.returncode, r.stderr) == (
        1, "postmap: fatal: unsupported dictionary type: nosuchtype\n")


def test_non_indexed_types(inst):
    """-q and -s go through the generic table API for every type."""
    table = source(inst)
    assert postmap(inst, "-q", "a", "inline:{a=b}").stdout == "b\n"
    assert postmap(inst, "-s", "inline:{a=b, c=d}").stdout == "a\tb\nc\td\n"
    assert postmap(inst, "-q", "FOO", f"texthash:{table}").stdout == "bar\n"
    regexp = source(inst, "re", "/^(.*)@example\\.com$/ local $1\n")
    assert postmap(inst, "-q", "Joe@example.com",
                   f"regexp:{regexp}").stdout == "local Joe\n"
    r = postmap(inst, "-s", f"regexp:{regexp}")
    assert (r.returncode, r.stderr) == (
        1, f"postmap: fatal: table regexp:{regexp}: sequence operation "
        "is not supported\n")
    r = postmap(inst, "-q", "x", "fail:broken")
    assert (r.returncode, r.stderr) == (
        1, "postmap: fatal: table fail:broken: query error\n")


def test_older_than_source(inst):
    table = source(inst)
    postmap(inst, f"lmdb:{table}")
    now = time.time()
    os.utime(f"{table}.lmdb", (now - 600, now - 600))
    os.utime(table, (now - 300, now - 300))
    r = postmap(inst, "-q", "foo", f"lmdb:{table}")
    assert (r.returncode, r.stdout) == (0, "bar\n")
    assert r.stderr == (f"postmap: warning: database {table}.lmdb is older "
                        f"than source file {table}\n")
    # An edit within the last 100 seconds is not flagged (Postfix's rule).
    os.utime(table, (now - 30, now - 30))
    assert postmap(inst, "-q", "foo", f"lmdb:{table}").stderr == ""


@pytest.mark.skipif(not HAVE_POSTFIX, reason="Postfix's postmap missing")
def test_berkeley_db_file(inst, tmp_path):
    """A hash: file left by Postfix is Berkeley DB: a clear error."""
    table = source(inst)
    subprocess.run([POSTFIX_POSTMAP, "-c", str(postfix_config(tmp_path)),
                    f"hash:{table}"], check=True, capture_output=True)
    r = postmap(inst, "-q", "foo", f"hash:{table}")
    assert r.returncode == 1
    assert r.stderr == (f"postmap: fatal: open database {table}.db: not an "
                        "LMDB file; rebuild it with postmap (or postalias "
                        "for an alias table)\n")
    assert postmap(inst, f"hash:{table}").returncode == 0
    assert postmap(inst, "-q", "foo", f"hash:{table}").stdout == "bar\n"


# --- Postfix interoperation ---------------------------------------------

@pytest.mark.skipif(not HAVE_POSTFIX, reason="Postfix's postmap missing")
@pytest.mark.parametrize("kind", ["lmdb", "cdb"])
def test_reads_postfix_tables(inst, tmp_path, kind):
    table = source(inst)
    subprocess.run([POSTFIX_POSTMAP, "-c", str(postfix_config(tmp_path)),
                    f"{kind}:{table}"], check=True, capture_output=True)
    assert postmap(inst, "-q", "FOO", f"{kind}:{table}").stdout == "bar\n"
    assert postmap(inst, "-q", "novalue", f"{kind}:{table}").stdout == "cont\n"


@pytest.mark.skipif(not HAVE_POSTFIX, reason="Postfix's postmap missing")
@pytest.mark.parametrize("kind,flag", [("lmdb", None), ("lmdb", "-n"),
                                       ("cdb", None), ("cdb", "-N")])
def test_postfix_reads_our_tables(inst, tmp_path, kind, flag):
    table = source(inst)
    postmap(inst, *([flag] if flag else []), f"{kind}:{table}")
    conf = str(postfix_config(tmp_path))
    for key, value in (("foo", "bar"), ("BAZ", "qux quux")):
        r = subprocess.run([POSTFIX_POSTMAP, "-c", conf, "-q", key,
                            f"{kind}:{table}"], capture_output=True, text=True)
        assert (r.returncode, r.stdout) == (0, value + "\n"), r.stderr
    # Postfix's reader left an LMDB lock file; the next build removes it.
    postmap(inst, f"{kind}:{table}")
    assert not (inst.root / "table.lmdb-lock").exists()


# --- atomic rebuild -----------------------------------------------------

@pytest.mark.parametrize("kind", ["lmdb", "cdb"])
def test_rebuild_never_hides_a_key(inst, kind):
    """Readers querying while postmap rebuilds the table over and over
    always find the key, with the old or the new value."""
    lines = "".join(f"key{i} value{i}\n" for i in range(20000))
    table = source(inst, text=lines + "probe gen0\n")
    assert postmap(inst, f"{kind}:{table}").returncode == 0
    errors = []
    done = threading.Event()

    def rebuild():
        try:
            for gen in range(1, 16):
                source(inst, text=lines + f"probe gen{gen}\n")
                r = postmap(inst, f"{kind}:{table}")
                if r.returncode != 0:
                    errors.append(r.stderr)
        finally:
            done.set()

    writer = threading.Thread(target=rebuild)
    writer.start()
    queries = 0
    try:
        while not done.is_set() or queries < 20:
            r = postmap(inst, "-q", "probe", f"{kind}:{table}")
            assert r.returncode == 0, r.stderr
            assert r.stdout.startswith("gen") and r.stderr == ""
            r = postmap(inst, "-q", "-", f"{kind}:{table}",
                        input="key0\nkey19999\n")
            assert r.stdout == "key0\tvalue0\nkey19999\tvalue19999\n", r.stderr
            queries += 1
    finally:
        writer.join()
    assert errors == []
    assert postmap(inst, "-q", "probe", f"{kind}:{table}").stdout == "gen15\n"
    assert tmp_files(inst.root) == []


def test_signal_leaves_no_temporary_file(inst):
    table = source(inst, text="".join(f"k{i} v{i}\n" for i in range(300000)))
    argv = [str(BIN / "postmap"), "-c", str(inst.config_dir), f"lmdb:{table}"]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE)
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode in (0, -signal.SIGTERM)
    assert tmp_files(inst.root) == []


# --- ownership and permissions (root only) ------------------------------

@pytest.mark.skipif(not IS_ROOT, reason="needs root")
def test_owner_and_mode(inst):
    inst.root.chmod(0o1777)
    table = source(inst)
    os.chown(table, 65534, 65534)
    table.chmod(0o640)
    index = inst.root / "table.lmdb"
    assert postmap(inst, f"lmdb:{table}").returncode == 0
    st = index.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, 0o640)
    index.unlink()
    postmap(inst, "-p", f"lmdb:{table}")
    assert index.stat().st_mode & 0o777 == 0o644
    index.unlink()
    postmap(inst, "-o", f"lmdb:{table}")
    st = index.stat()
    assert (st.st_uid, st.st_mode & 0o777) == (0, 0o640)
    # A rebuild keeps the mode of the existing index, as Postfix does.
    index.chmod(0o600)
    postmap(inst, "-o", f"lmdb:{table}")
    assert index.stat().st_mode & 0o777 == 0o600
