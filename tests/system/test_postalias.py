"""System tests for postalias and newaliases: aliases(5) files built into
lmdb, hash and cdb tables, the values stored exactly as Postfix's
postalias stores them (compared with /usr/sbin/postalias when present),
the "@" and YP_* records, "PATH:LINE: ..." warnings, -q/-s/-d/-i, and
newaliases rebuilding every table in $alias_database."""
import os
import subprocess

import pytest

POSTFIX_POSTALIAS = "/usr/sbin/postalias"
HAVE_POSTFIX = os.access(POSTFIX_POSTALIAS, os.X_OK)

ALIASES = """\
# comment
root: admin, Other@Example.COM
"foo bar": x
Postmaster:   root
inc: :include:/etc/inc.list
pipe: "|/usr/bin/prog arg"
file: /var/mail/file
cont: a,
   b,
\tc
bad line
dup: one
dup: two
empty:
user@example.com: x
"""

# Forms whose stored text depends on RFC 822 tokenizing; checked against
# Postfix's postalias when it is installed.
TRICKY = """\
a1: x    y
a2: x,y,,z
a3: x (comment) , y
a4: "quoted local"@example.com
a5: Name <addr@x>
a6: |/bin/prog "arg 1"
a7: :include:  /path/with space
a8: x@[1.2.3.4]
a9: "x
a10: \\x
a11: "|cmd, with comma", other
a12: x,
a13: group: a, b;
a14: a\\,b
a15: (a (b) c) x
a16: "a\\\\b\\c"
a17: x ] y
a18: a"b"c
a19: a\\ b
"k:5": x
k7\\:8: x
AbC"DeF": x
k< b >: x
"""


def postalias(instance, *args, input=None, name="postalias"):
    """Run Postern's postalias (or newaliases); never raises."""
    return instance.cmd(name, *args, check=False, input=input)


def aliases(instance, name="aliases", text=ALIASES):
    path = instance.root / name
    path.write_text(text)
    return path


def without_yp_time(listing):
    """-s output without the YP_LAST_MODIFIED line (it is the time)."""
    return [line for line in listing.splitlines()
            if not line.startswith("YP_LAST_MODIFIED:")]


@pytest.fixture
def inst(instance):
    instance.write_config(myhostname="mx.example.test")
    return instance


@pytest.mark.parametrize("kind", ["lmdb", "hash", "cdb"])
def test_build_query_list(inst, kind):
    path = aliases(inst)
    r = postalias(inst, f"{kind}:{path}")
    assert r.returncode == 0
    assert r.stderr.splitlines() == [
        f"postalias: warning: {path}:11: need name:value pair",
        f'postalias: warning: {path}:13: duplicate entry: "dup"',
        f"postalias: warning: {path}:14: need name:value pair",
        f"postalias: warning: {path}:15: name must be local",
    ]
    r = postalias(inst, "-q", "ROOT", f"{kind}:{path}")
    assert (r.returncode, r.stdout) == (0, "admin, Other@Example.COM\n")
    assert postalias(inst, "-q", "foo bar",
                     f"{kind}:{path}").stdout == "x\n"
    assert postalias(inst, "-q", "cont", f"{kind}:{path}").stdout == "a, b, c\n"
    assert postalias(inst, "-q", "nope", f"{kind}:{path}").returncode == 1
    r = postalias(inst, "-q", "-", f"{kind}:{path}", input="pipe\nnope\ndup\n")
    assert r.stdout == 'pipe:\t"|/usr/bin/prog arg"\ndup:\tone\n'
    listing = without_yp_time(postalias(inst, "-s", f"{kind}:{path}").stdout)
    assert sorted(listing) == sorted([
        "@:\t@", "YP_MASTER_NAME:\tmx.example.test",
        "cont:\ta, b, c", "dup:\tone", "file:\t/var/mail/file",
        "foo bar:\tx", "inc:\t:include:/etc/inc.list",
        'pipe:\t"|/usr/bin/prog arg"', "postmaster:\troot",
        "root:\tadmin, Other@Example.COM"])


def test_incremental_and_delete(inst):
    path = aliases(inst, text="a: b\n")
    postalias(inst, f"lmdb:{path}")
    r = postalias(inst, "-i", f"lmdb:{path}", input="c: d, e\nbad\na: x\n")
    assert r.returncode == 0
    assert r.stderr.splitlines() == [
        "postalias: warning: stdin:2: need name:value pair",
        'postalias: warning: stdin:3: duplicate entry: "a"']
    assert postalias(inst, "-q", "c", f"lmdb:{path}").stdout == "d, e\n"
    assert postalias(inst, "-q", "a", f"lmdb:{path}").stdout == "b\n"
    assert postalias(inst, "-d", "a", f"lmdb:{path}").returncode == 0
    assert postalias(inst, "-d", "a", f"lmdb:{path}").returncode == 1
    assert postalias(inst, "-q", "@", f"lmdb:{path}").stdout == "@\n"


def test_errors(inst):
    r = postalias(inst)
    assert r.returncode == 1
    assert r.stderr.startswith("postalias: fatal: usage: postalias [-Nfinoprsuvw]")
    r = postalias(inst, f"texthash:{aliases(inst)}")
    assert r.returncode == 1
    assert "does not support bulk-mode creation" in r.stderr


@pytest.mark.skipif(not HAVE_POSTFIX, reason="Postfix's postalias missing")
@pytest.mark.parametrize("kind", ["lmdb", "cdb"])
def test_same_records_as_postfix(inst, tmp_path, kind):
    """Both programs store the same keys and values for every form."""
    conf = tmp_path / "postfix-etc"
    conf.mkdir()
    (conf / "main.cf").write_text("compatibility_level = 3.6\n"
                                  "myhostname = mx.example.test\n")
    ours = aliases(inst, "ours", ALIASES + TRICKY)
    theirs = aliases(inst, "theirs", ALIASES + TRICKY)
    assert postalias(inst, f"{kind}:{ours}").returncode == 0
    subprocess.run([POSTFIX_POSTALIAS, "-c", str(conf), f"{kind}:{theirs}"],
                   check=True, capture_output=True)
    mine = postalias(inst, "-s", f"{kind}:{ours}").stdout
    # Postfix's postalias cannot list cdb tables: read its file with ours.
    other = postalias(inst, "-s", f"{kind}:{theirs}").stdout
    assert without_yp_time(mine) == without_yp_time(other)
    # And Postfix reads what we built.
    r = subprocess.run([POSTFIX_POSTALIAS, "-c", str(conf), "-q", "a11",
                        f"{kind}:{ours}"], capture_output=True, text=True)
    assert r.stdout == '"|cmd, with comma", other\n'


def test_newaliases(inst):
    first = aliases(inst, "aliases", "root: admin\n")
    second = aliases(inst, "more", "Postmaster: root\n")
    inst.write_config(alias_database=f"lmdb:{first}, cdb:{second}")
    r = postalias(inst, name="newaliases")
    assert (r.returncode, r.stderr) == (0, "")
    assert postalias(inst, "-q", "root", f"lmdb:{first}").stdout == "admin\n"
    assert postalias(inst, "-q", "postmaster",
                     f"cdb:{second}").stdout == "root\n"
    # The default type applies to a name without one.
    inst.write_config(alias_database=f"{second}")
    assert postalias(inst, name="newaliases").returncode == 0
    assert (inst.root / "more.lmdb").exists()


def test_newaliases_errors(inst):
    r = postalias(inst, "extra", name="newaliases")
    assert r.returncode == 1
    assert r.stderr.startswith("newaliases: fatal: usage: newaliases")
    inst.write_config(alias_database="")
    assert postalias(inst, name="newaliases").returncode == 0
    inst.write_config(alias_database=f"texthash:{aliases(inst)}")
    r = postalias(inst, name="newaliases")
    assert r.returncode == 1
    assert r.stderr == ("newaliases: fatal: unsupported dictionary type: "
                        "texthash does not support bulk-mode creation.\n")
