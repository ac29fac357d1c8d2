"""System tests for the postern control command (also run as "postfix").

Each test uses a throwaway instance (conftest.py) whose master.cf holds the
postlog service, and runs build/bin/postern with -c CONFIG_DIR.
"""
import grp
import os
import re
import shutil
import stat
import subprocess

from conftest import BIN, IS_ROOT, children_of, pid_alive, wait_for

POSTLOG = "postlog   unix-dgram n  -       n       -       1       postlogd\n"

RUNNING_RE = re.compile(
    r"^postern: the Postfix mail system is running: PID: (\d+)$", re.M)


SETGID_PROGRAMS = ("postdrop", "postqueue", "postlog")


def own_commands(inst):
    """Give the instance its own command_directory, so that
    set-permissions changes copies of the set-gid programs, never the
    build that other tests run (symbolic links for the rest)."""
    bindir = inst.root / "bin"
    if not bindir.exists():
        bindir.mkdir()
        for path in BIN.iterdir():
            if path.name in SETGID_PROGRAMS:
                shutil.copy2(path, bindir / path.name)
            else:
                (bindir / path.name).symlink_to(path)
        inst.main["command_directory"] = str(bindir)
        inst.write_config()
    return bindir


def postern(inst, *args, **kw):
    """Run postern -c CONFIG_DIR args without raising on failure."""
    if args and args[0] == "set-permissions":
        own_commands(inst)
    return inst.cmd("postern", *args, check=False, **kw)


def start(inst):
    """postern start; returns master's pid."""
    r = postern(inst, "start")
    assert r.returncode == 0, r.stderr
    assert "postern: starting the Postfix mail system" in r.stderr
    return wait_for(inst.master_pid, what="master.pid")


def test_start_status_stop(instance):
    instance.write_config(master_cf=POSTLOG)
    pid = start(instance)
    assert pid_alive(pid)

    r = postern(instance, "status")
    assert r.returncode == 0, r.stderr
    m = RUNNING_RE.search(r.stderr)
    assert m, r.stderr
    assert int(m.group(1)) == pid

    # A second start is refused and leaves the first master alone.
    r = postern(instance, "start")
    assert r.returncode == 1
    assert "the Postfix mail system is already running" in r.stderr
    assert pid_alive(pid)
    assert instance.master_pid() == pid

    # Make postlogd run, so that stop has a child to take down too.
    postern(instance, "status")
    wait_for(lambda: children_of(pid), what="postlogd child")
    kids = children_of(pid)

    r = postern(instance, "stop")
    assert r.returncode == 0, r.stderr
    assert "postern: stopping the Postfix mail system" in r.stderr
    assert not pid_alive(pid)
    wait_for(lambda: not any(pid_alive(k) for k in kids), 10,
             what="children gone")

    r = postern(instance, "status")
    assert r.returncode == 1
    assert "postern: the Postfix mail system is not running" in r.stderr

    r = postern(instance, "stop")
    assert r.returncode == 1
    assert "the Postfix mail system is not running" in r.stderr


def test_stale_pid_file_is_not_running(instance):
    """A pid file naming a live process means nothing without the lock."""
    instance.write_config(master_cf=POSTLOG)
    assert postern(instance, "set-permissions").returncode == 0
    instance.pid_file.write_text("%10d\n" % os.getpid())
    r = postern(instance, "status")
    assert r.returncode == 1
    assert "the Postfix mail system is not running" in r.stderr
    instance.pid_file.unlink()


def test_reload_keeps_master(instance):
    instance.write_config(master_cf=POSTLOG)
    pid = start(instance)
    r = postern(instance, "reload")
    assert r.returncode == 0, r.stderr
    assert "postern: refreshing the Postfix mail system" in r.stderr
    instance.wait_log("reload -- version")
    assert pid_alive(pid)
    assert postern(instance, "status").returncode == 0


def test_abort(instance):
    instance.write_config(master_cf=POSTLOG)
    pid = start(instance)
    r = postern(instance, "abort")
    assert r.returncode == 0, r.stderr
    assert "aborting the Postfix mail system" in r.stderr
    assert not pid_alive(pid)
    assert postern(instance, "status").returncode == 1


def test_not_running_commands(instance):
    instance.write_config(master_cf=POSTLOG)
    for command in ("stop", "abort", "reload"):
        r = postern(instance, command)
        assert r.returncode == 1, command
        assert "the Postfix mail system is not running" in r.stderr


def test_master_cf_typo(instance):
    instance.write_config(master_cf="# comment\n" + POSTLOG.replace(
        "unix-dgram", "unix-dgrma"))
    r = postern(instance, "check")
    assert r.returncode != 0
    assert re.search(r"master\.cf:2: ", r.stderr), r.stderr

    r = postern(instance, "start")
    assert r.returncode == 1
    assert re.search(r"master\.cf:2: ", r.stderr), r.stderr
    assert instance.master_pid() is None


def test_check(instance):
    instance.write_config(master_cf=POSTLOG, no_such_parameter="yes")
    r = postern(instance, "check")
    # Missing queue directories and unused names are warnings only.
    assert r.returncode == 0, r.stderr
    assert re.search(r"main\.cf:\d+: unused parameter: no_such_parameter=yes",
                     r.stderr), r.stderr
    assert "missing directory: %s" % instance.queue_dir in r.stderr

    assert postern(instance, "set-permissions").returncode == 0
    r = postern(instance, "check")
    assert r.returncode == 0
    assert "missing directory" not in r.stderr
    assert "writable" not in r.stderr


def test_check_users_as_root(instance):
    if not IS_ROOT:
        import pytest
        pytest.skip("mail_owner is only looked up as root")
    instance.write_config(master_cf=POSTLOG, mail_owner="no-such-user-x")
    r = postern(instance, "check")
    assert r.returncode == 1
    assert "unknown mail_owner user: no-such-user-x" in r.stderr
    instance.write_config(mail_owner="root")
    r = postern(instance, "check")
    assert r.returncode == 1
    assert "must not be the super-user" in r.stderr


def test_check_main_cf_error(instance):
    instance.write_config(master_cf=POSTLOG)
    with open(instance.config_dir / "main.cf", "a") as f:
        f.write("this line has no equals sign\n")
    r = postern(instance, "check")
    assert r.returncode != 0
    assert "main.cf:" in r.stderr


def test_check_maillog_prefix(instance):
    instance.write_config(master_cf=POSTLOG,
                          maillog_file_prefixes="/nonexistent")
    r = postern(instance, "check")
    assert r.returncode != 0
    assert "maillog_file_prefixes" in r.stderr
    r = postern(instance, "start")
    assert r.returncode == 1
    assert "maillog_file_prefixes" in r.stderr


def test_tree_modes(instance):
    instance.write_config(master_cf=POSTLOG)
    start(instance)
    want = {"maildrop": 0o730, "public": 0o710, "pid": 0o755,
            "private": 0o700, "incoming": 0o700, "active": 0o700,
            "deferred": 0o700, "hold": 0o700, "corrupt": 0o700,
            "bounce": 0o700, "defer": 0o700, "trace": 0o700,
            "flush": 0o700, "saved": 0o700}
    owner = instance.data_dir.stat().st_uid
    for name, mode in want.items():
        st = (instance.queue_dir / name).lstat()
        assert stat.S_ISDIR(st.st_mode), name
        assert stat.S_IMODE(st.st_mode) == mode, name
        assert st.st_uid == (os.geteuid() if name == "pid" else owner), name
    st = instance.data_dir.stat()
    assert stat.S_IMODE(st.st_mode) == 0o700
    if IS_ROOT:
        import pwd
        assert owner == pwd.getpwnam("nobody").pw_uid


def test_set_permissions_repairs(instance):
    instance.write_config(master_cf=POSTLOG)
    assert postern(instance, "set-permissions").returncode == 0
    (instance.queue_dir / "private").chmod(0o777)
    r = postern(instance, "check")
    assert "group or other writable: %s/private" % instance.queue_dir \
        in r.stderr
    assert postern(instance, "set-permissions").returncode == 0
    assert stat.S_IMODE((instance.queue_dir / "private").stat().st_mode) \
        == 0o700


def test_symlinked_queue_dir_refused(instance):
    instance.write_config(master_cf=POSTLOG)
    instance.queue_dir.mkdir()
    elsewhere = instance.root / "elsewhere"
    elsewhere.mkdir()
    (instance.queue_dir / "incoming").symlink_to(elsewhere)
    r = postern(instance, "start")
    assert r.returncode == 1
    assert "symbolic link" in r.stderr
    assert instance.master_pid() is None


def test_invoked_as_postfix(instance, tmp_path):
    instance.write_config(master_cf=POSTLOG)
    link = tmp_path / "postfix"
    link.symlink_to(BIN / "postern")
    argv = [str(link), "-c", str(instance.config_dir)]
    r = subprocess.run(argv + ["status"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1
    assert "the Postfix mail system is not running" in r.stderr
    r = subprocess.run(argv + ["start"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    pid = wait_for(instance.master_pid, what="master.pid")
    r = subprocess.run(argv + ["status"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0
    assert "the Postfix mail system is running: PID: %d" % pid in r.stderr


def test_usage_errors(instance):
    instance.write_config(master_cf=POSTLOG)
    r = postern(instance, "frobnicate")
    assert r.returncode == 1
    assert "unknown command: 'frobnicate'" in r.stderr
    r = subprocess.run([str(BIN / "postern")], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert "usage:" in r.stderr


def test_start_fg(instance):
    """start-fg: master replaces postern and stays in the foreground."""
    instance.write_config(master_cf=POSTLOG)
    argv = [str(BIN / "postern"), "-c", str(instance.config_dir), "start-fg"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        pid = wait_for(instance.master_pid, what="master.pid")
        assert pid == proc.pid       # exec, not fork
        assert postern(instance, "status").returncode == 0
        r = postern(instance, "stop")
        assert r.returncode == 0, r.stderr
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_set_permissions_makes_programs_setgid(instance):
    """As root, set-permissions makes postdrop, postqueue and postlog
    set-gid setgid_group (2755), as Postfix's post-install does; never
    set-uid."""
    if not IS_ROOT:
        import pytest
        pytest.skip("only root can change the group")
    instance.write_config(master_cf=POSTLOG)
    assert postern(instance, "set-permissions").returncode == 0
    for name in SETGID_PROGRAMS:
        st = (own_commands(instance) / name).stat()
        assert stat.S_IMODE(st.st_mode) == 0o2755, name
        assert st.st_uid == 0
        assert grp.getgrgid(st.st_gid).gr_name == \
            instance.main["setgid_group"]
