"""System tests for postconf: printing and editing main.cf, printing
master.cf (-M, -F, -P), error messages with FILE:LINE, and the generated
docs/parameters.md."""
import re
import shutil
import stat
import subprocess

from conftest import BIN, FIXTURES, SRC

DEF_FILE = SRC / "src" / "global" / "mail_params.def"


def table_names():
    """Parameter names from mail_params.def, sorted."""
    names = re.findall(r"^PARAM\(\w+, (\w+),", DEF_FILE.read_text(), re.M)
    assert names
    return sorted(names)


def parse_output(text):
    """'name = value' / 'name =' lines -> list of (name, value)."""
    pairs = []
    for line in text.splitlines():
        m = re.fullmatch(r"(\S+) =(?: (.*))?", line)
        assert m, f"bad output line: {line!r}"
        pairs.append((m.group(1), m.group(2) or ""))
    return pairs


def fixture_entries():
    """The active entries of the stock master.cf: (service, type) pairs."""
    entries = []
    for line in (FIXTURES / "master.cf").read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            fields = line.split()
            entries.append((fields[0], fields[1], fields))
    return entries


def use_fixture(instance):
    shutil.copy(FIXTURES / "master.cf", instance.config_dir / "master.cf")


# --- main.cf printing --------------------------------------------------

def test_defaults_list_every_parameter(instance):
    instance.write_config()
    out = instance.cmd("postconf", "-d").stdout
    pairs = parse_output(out)
    assert [n for n, _ in pairs] == table_names()
    values = dict(pairs)
    # -d ignores main.cf.
    assert values["mail_owner"] == "postfix"
    assert values["queue_directory"] == "/var/spool/postfix"
    assert values["config_directory"] == str(instance.config_dir)
    assert values["mynetworks"].startswith(
        "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128")
    assert values["syslog_name"] == \
        "${multi_instance_name?{$multi_instance_name}:{postfix}}"


def test_default_output_uses_main_cf(instance):
    instance.write_config(myorigin="$myhostname")
    pairs = parse_output(instance.cmd("postconf").stdout)
    names = [n for n, _ in pairs]
    assert names == table_names()
    values = dict(pairs)
    assert values["queue_directory"] == str(instance.queue_dir)
    assert values["myorigin"] == "$myhostname"     # not expanded
    assert values["mail_name"] == "Postern"        # default
    assert values["mydomain"] == "example.test"    # from $myhostname
    assert "maillog_file_prefixes = " + str(instance.root) in \
        instance.cmd("postconf").stdout
    # An empty value prints as "name =".
    assert "proxy_interfaces =\n" in instance.cmd("postconf").stdout


def test_nondefault(instance):
    instance.write_config(myorigin="$mydomain")
    pairs = parse_output(instance.cmd("postconf", "-n").stdout)
    assert [n for n, _ in pairs] == sorted(instance.main_written)
    assert dict(pairs) == instance.main_written
    # A named parameter that main.cf does not set prints nothing.
    res = instance.cmd("postconf", "-n", "mail_name")
    assert res.stdout == "" and res.stderr == ""


def test_named_and_hide_name(instance):
    instance.write_config()
    res = instance.cmd("postconf", "myhostname", "mail_name")
    assert res.stdout == "myhostname = mx.example.test\nmail_name = Postern\n"
    res = instance.cmd("postconf", "-h", "myhostname", "mail_name",
                       "maillog_file_prefixes", "proxy_interfaces")
    assert res.stdout == (f"mx.example.test\nPostern\n{instance.root}\n\n")


def test_unknown_parameter_argument(instance):
    instance.write_config()
    res = instance.cmd("postconf", "nosuch_param", "mail_name")
    assert res.stdout == "mail_name = Postern\n"
    assert "postconf: warning: nosuch_param: unknown parameter" in res.stderr


def test_expand(instance):
    instance.write_config(myorigin="$mydomain", mydomain="example.org",
                          relayhost="[relay.$mydomain]:587",
                          syslog_name="${multi_instance_name:{mail}}")
    out = instance.cmd("postconf", "-x", "myorigin", "relayhost",
                       "mydestination", "syslog_name").stdout
    assert out == ("myorigin = example.org\n"
                   "relayhost = [relay.example.org]:587\n"
                   "mydestination = mx.example.test, localhost.example.org, "
                   "localhost\n"
                   "syslog_name = mail\n")
    raw = instance.cmd("postconf", "myorigin").stdout
    assert raw == "myorigin = $mydomain\n"
    out = instance.cmd("postconf", "-nx").stdout
    assert "myorigin = example.org\n" in out
    # -o overrides what main.cf says.
    out = instance.cmd("postconf", "-x", "-o", "mydomain=o.test",
                       "myorigin").stdout
    assert out == "myorigin = o.test\n"


def test_expand_loop_is_an_error(instance):
    instance.write_config(myorigin="$myorigin")
    res = instance.cmd("postconf", "-x", "myorigin", check=False)
    assert res.returncode == 1
    assert "main.cf:" in res.stderr
    assert "unreasonable macro call nesting" in res.stderr


def test_unused_parameter_warning(instance):
    instance.write_config()
    main = instance.config_dir / "main.cf"
    lines = main.read_text().splitlines()
    lines += ["typo_paramter = 1",
              "mua_restrictions = permit",
              "helper = x",
              "myorigin = ${helper}"]
    main.write_text("\n".join(lines) + "\n")
    typo_line = len(lines) - 3
    mua_line = len(lines) - 2
    instance.master_cf = ("submission inet n - n - - smtpd\n"
                          "  -o smtpd_client_restrictions=$mua_restrictions\n")
    (instance.config_dir / "master.cf").write_text(instance.master_cf)
    res = instance.cmd("postconf", "-n")
    assert (f"postconf: warning: {main}:{typo_line}: unused parameter: "
            f"typo_paramter=1") in res.stderr
    assert "mua_restrictions" not in res.stderr   # used by master.cf
    assert "helper" not in res.stderr             # used by main.cf
    assert res.stderr.count("unused parameter") == 1
    # Used names are printed; the unused one is not.
    values = dict(parse_output(res.stdout))
    assert values["helper"] == "x"
    assert values["mua_restrictions"] == "permit"
    assert "typo_paramter" not in values
    assert mua_line > 0
    # The same warning in the default output; none with -d.
    assert "unused parameter" in instance.cmd("postconf").stderr
    assert instance.cmd("postconf", "-d").stderr == ""


def test_main_cf_syntax_errors(instance):
    instance.write_config()
    main = instance.config_dir / "main.cf"
    good = main.read_text()
    count = len(good.splitlines())
    main.write_text(good + "this line has no equals sign\n")
    res = instance.cmd("postconf", check=False)
    assert res.returncode == 1
    assert (f"postconf: fatal: {main}:{count + 1}: missing '=' after "
            "parameter name") in res.stderr
    main.write_text("  indented = 1\n" + good)
    res = instance.cmd("postconf", "-n", check=False)
    assert res.returncode == 1
    assert f"{main}:1: logical line must not start with white space" \
        in res.stderr


def test_continuation_and_last_wins(instance):
    instance.write_config()
    main = instance.config_dir / "main.cf"
    main.write_text(main.read_text()
                    + "mydestination = a,\n"
                    "# a comment inside\n"
                    "    b\n"
                    "mydestination = c,\n\td\n")
    out = instance.cmd("postconf", "mydestination").stdout
    assert out == "mydestination = c, d\n"


def test_missing_main_cf(instance):
    res = instance.cmd("postconf", check=False)
    assert res.returncode == 1
    assert "main.cf" in res.stderr
    # -d does not need it.
    assert "mail_owner = postfix" in instance.cmd("postconf", "-d").stdout


# --- main.cf editing ---------------------------------------------------

EDIT_TEXT = """\
# Top comment
myhostname = old.example.test

# Networks we trust
mynetworks = 127.0.0.0/8
    10.0.0.0/8
# a comment inside the setting
    192.168.0.0/16
myorigin = $mydomain
relayhost = [old]:25
relayhost = [older]:25
# end
"""


def test_edit_preserves_comments(instance):
    main = instance.config_dir / "main.cf"
    main.write_text(EDIT_TEXT)
    main.chmod(0o640)
    instance.cmd("postconf", "-e", "myhostname=new.example.test",
                 "mynetworks = 10.1.0.0/16 [::1]/128",
                 "relayhost=[new]:587", "inet_interfaces=loopback-only")
    assert main.read_text() == """\
# Top comment
myhostname = new.example.test

# Networks we trust
mynetworks = 10.1.0.0/16 [::1]/128
# a comment inside the setting
myorigin = $mydomain
relayhost = [new]:587
# end
inet_interfaces = loopback-only
"""
    assert stat.S_IMODE(main.stat().st_mode) == 0o640
    assert instance.cmd("postconf", "-h", "relayhost").stdout == "[new]:587\n"
    # No temporary file is left behind.
    assert sorted(p.name for p in instance.config_dir.iterdir()) == ["main.cf"]


def test_edit_without_dash_e(instance):
    main = instance.config_dir / "main.cf"
    main.write_text("myhostname = a.example\n")
    instance.cmd("postconf", "myhostname=b.example", "mydomain=example")
    assert main.read_text() == "myhostname = b.example\nmydomain = example\n"


def test_edit_creates_missing_main_cf(instance):
    instance.cmd("postconf", "-e", "myhostname=c.example")
    assert (instance.config_dir / "main.cf").read_text() == \
        "myhostname = c.example\n"


def test_edit_bad_arguments(instance):
    main = instance.config_dir / "main.cf"
    main.write_text("myhostname = a.example\n")
    res = instance.cmd("postconf", "-e", "novalue", check=False)
    assert res.returncode == 1 and "missing '='" in res.stderr
    res = instance.cmd("postconf", "-e", "=x", check=False)
    assert res.returncode == 1 and "bad parameter name" in res.stderr
    assert main.read_text() == "myhostname = a.example\n"


def test_remove(instance):
    main = instance.config_dir / "main.cf"
    main.write_text(EDIT_TEXT)
    instance.cmd("postconf", "-X", "mynetworks", "relayhost", "not_there")
    assert main.read_text() == """\
# Top comment
myhostname = old.example.test

# Networks we trust
# a comment inside the setting
myorigin = $mydomain
# end
"""


def test_comment_out(instance):
    main = instance.config_dir / "main.cf"
    main.write_text(EDIT_TEXT)
    instance.cmd("postconf", "-#", "mynetworks", "myorigin")
    assert main.read_text() == """\
# Top comment
myhostname = old.example.test

# Networks we trust
#mynetworks = 127.0.0.0/8
#    10.0.0.0/8
# a comment inside the setting
#    192.168.0.0/16
#myorigin = $mydomain
relayhost = [old]:25
relayhost = [older]:25
# end
"""
    res = instance.cmd("postconf", "-n")
    # The last setting counts.
    assert res.stdout == ("myhostname = old.example.test\n"
                          "relayhost = [older]:25\n")
    assert "unused parameter" not in res.stderr


# --- master.cf ---------------------------------------------------------

def test_master_entries(instance):
    instance.write_config()
    use_fixture(instance)
    out = instance.cmd("postconf", "-M").stdout.splitlines()
    entries = fixture_entries()
    assert len(out) == len(entries) == 27
    for line, (name, typ, fields) in zip(out, entries):
        assert line.split()[:8] == fields[:8]
    assert out[0] == ("smtp       inet  n       -       n       -       -"
                      "       smtpd")
    assert out[1] == ("submission inet  n       -       n       -       -"
                      "       smtpd -o smtpd_relay_restrictions=permit")
    assert ("tlsmgr     unix  -       -       n       1000?   1"
            "       tlsmgr") in out
    assert ("relay      unix  -       -       n       -       -"
            "       smtp -o syslog_name=postfix/$service_name") in out
    assert ("postlog    unix-dgram n       -       n       -       1"
            "       postlogd") in out
    # No commented-out service appears.
    assert not any(line.split()[0] in ("postscreen", "628", "dnsblog")
                   for line in out)


def test_master_entry_selectors(instance):
    instance.write_config()
    use_fixture(instance)
    out = instance.cmd("postconf", "-M", "smtp", "relay/unix").stdout
    assert [line.split()[:2] for line in out.splitlines()] == \
        [["smtp", "inet"], ["smtp", "unix"], ["relay", "unix"]]
    out = instance.cmd("postconf", "-M", "smtp/unix").stdout
    assert out.split()[:2] == ["smtp", "unix"] and out.count("\n") == 1
    out = instance.cmd("postconf", "-M", "/inet").stdout
    assert [line.split()[0] for line in out.splitlines()] == \
        ["smtp", "submission", "smtps"]


def test_master_fold(instance):
    instance.write_config()
    use_fixture(instance)
    out = instance.cmd("postconf", "-Mf", "submission/inet").stdout
    assert out == ("submission inet  n       -       n       -       -"
                   "       smtpd\n  -o smtpd_relay_restrictions=permit\n")


def test_master_fields(instance):
    instance.write_config()
    use_fixture(instance)
    out = instance.cmd("postconf", "-F", "smtp/inet").stdout
    assert out == """\
smtp/inet/service = smtp
smtp/inet/type = inet
smtp/inet/private = n
smtp/inet/unprivileged = -
smtp/inet/chroot = n
smtp/inet/wakeup = -
smtp/inet/process_limit = -
smtp/inet/command = smtpd
"""
    all_fields = instance.cmd("postconf", "-F").stdout.splitlines()
    assert len(all_fields) == 27 * 8
    assert "submission/inet/command = smtpd -o " \
        "smtpd_relay_restrictions=permit" in all_fields
    assert "postlog/unix-dgram/type = unix-dgram" in all_fields
    out = instance.cmd("postconf", "-F", "tlsmgr/unix/wakeup",
                       "flush//process_limit").stdout
    assert out == ("tlsmgr/unix/wakeup = 1000?\n"
                   "flush/unix/process_limit = 0\n")
    out = instance.cmd("postconf", "-Fh", "pickup/unix/wakeup").stdout
    assert out == "60\n"


def test_master_params(instance):
    instance.write_config()
    use_fixture(instance)
    out = instance.cmd("postconf", "-P").stdout
    assert out == ("submission/inet/smtpd_relay_restrictions = permit\n"
                   "relay/unix/syslog_name = postfix/$service_name\n")
    out = instance.cmd("postconf", "-Px", "relay/unix/syslog_name").stdout
    assert out == "relay/unix/syslog_name = postfix/relay\n"
    out = instance.cmd("postconf", "-P", "smtp").stdout
    assert out == ""


def test_master_option_forms(instance):
    instance.write_config(master_cf=(
        "a unix - - n - - cmd -o x=1 -oy=2\n"
        "  -o { z = a b }\n"
        "  -o\n"
        "  { w = split }\n"))
    out = instance.cmd("postconf", "-P").stdout
    assert out == ("a/unix/x = 1\na/unix/y = 2\na/unix/z = a b\n"
                   "a/unix/w = split\n")


def test_master_typos(instance):
    good = (FIXTURES / "master.cf").read_text().splitlines()
    cases = [
        (30, "pickup    unix  x       -       n       60      1       pickup",
         'field "private": bad value: "x"'),
        (34, "tlsmgr    unix  -       -       n       1000!   1       tlsmgr",
         'field "wakeup": bad value: "1000!"'),
        (31, "cleanup   unix  n       -       n       -       zero    cleanup",
         'field "process_limit": bad value: "zero"'),
        (35, "rewrite   unx   -       -       n       -       -       "
             "trivial-rewrite", 'field "type": unknown service type: "unx"'),
        (36, "bounce    unix  -       -       n       -       0",
         "too few fields"),
    ]
    instance.write_config()
    master = instance.config_dir / "master.cf"
    for line, text, what in cases:
        lines = list(good)
        lines[line - 1] = text
        master.write_text("\n".join(lines) + "\n")
        for flag in ("-M", "-F", "-P"):
            res = instance.cmd("postconf", flag, check=False)
            assert res.returncode == 1, (flag, text)
            assert f"master.cf:{line}: {what}" in res.stderr, res.stderr
    # An -o without a value in a continuation line names that line.
    lines = list(good)
    lines.insert(44, "        -o")
    master.write_text("\n".join(lines) + "\n")
    res = instance.cmd("postconf", "-M", check=False)
    assert res.returncode == 1
    assert "master.cf:45: -o without parameter setting" in res.stderr
    # A duplicate service.
    master.write_text("\n".join(good + [good[0]]) + "\n")
    res = instance.cmd("postconf", "-M", check=False)
    assert res.returncode == 1
    assert f"master.cf:{len(good) + 1}: duplicate service" in res.stderr


def test_usage_errors(instance):
    instance.write_config()
    res = instance.cmd("postconf", "-M", "-e", "a=b", check=False)
    assert res.returncode == 1 and "conflicting options" in res.stderr
    res = instance.cmd("postconf", "-Z", check=False)
    assert res.returncode == 1 and "usage" in res.stderr
    res = instance.cmd("postconf", "-T", "nosuch", check=False)
    assert res.returncode == 1 and "unsupported -T mode" in res.stderr


# --- generated documentation -------------------------------------------

def test_parameters_md_is_current():
    """docs/parameters.md must be the output of postconf -T params-md;
    regenerate it with: build/bin/postconf -T params-md > docs/parameters.md"""
    out = subprocess.run([str(BIN / "postconf"), "-T", "params-md"],
                         capture_output=True, text=True, check=True).stdout
    assert out == (SRC / "docs" / "parameters.md").read_text(), \
        "docs/parameters.md is stale: run postconf -T params-md > " \
        "docs/parameters.md"
    for name in table_names():
        assert f"| `{name}` |" in out


# --- other modes ---------------------------------------------------------

def test_map_types(instance):
    """-m lists the table types, each of which postmap -q can open."""
    instance.write_config()
    types = instance.cmd("postconf", "-m").stdout.split()
    assert types == sorted(types)
    for name in ("cdb", "cidr", "environ", "fail", "hash", "inline", "lmdb",
                 "pcre", "pipemap", "regexp", "static", "texthash",
                 "unionmap"):
        assert name in types
    result = instance.cmd("postconf", "-m", "-e", check=False)
    assert result.returncode != 0
    assert "conflicting options" in result.stderr
