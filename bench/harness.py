"""harness - the shared parts of Postern's benchmarks (make bench).

Throwaway MTA instances with the same settings: Postern from a build
directory and Debian's Postfix (its binaries by full path, never from
PATH), each with its own config, queue and data directory under one
temporary directory; A B A B pairs of measurements and their medians;
CPU and memory of an MTA's processes from /proc; one result table; and
cleanup of every instance and helper process at the end, also on Ctrl-C
or SIGTERM.

CPU per message: an MTA's processes are its master and every process
below it. For each we read utime + stime + cutime + cstime from
/proc/PID/stat; the sum over the tree, taken before and after a run,
counts every process that ran during the run once: one that exited was
reaped by its parent (master for the daemons), whose cutime/cstime then
hold it. Programs outside the tree (sendmail and postdrop, started by
the benchmark itself) are counted with getrusage(RUSAGE_CHILDREN) of
the benchmark process where a scenario says so. Tick resolution is
1/CLK_TCK s (10 ms); runs are long enough that this does not matter.

Memory: the sum of Pss from /proc/PID/smaps_rollup over the same tree
(shared pages divided among the processes that share them).

Settings come from the environment (the Makefile passes its variables):
BENCH_PAIRS, BENCH_MSGS, BENCH_KEYS, BENCH_SESSIONS, BENCH_TIMEOUT; see
bench/README.md. Python standard library only.
"""
import atexit
import os
import pwd
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

POSTFIX_SBIN = "/usr/sbin"
POSTFIX_DAEMONS = "/usr/lib/postfix/sbin"
SMTP_SOURCE = "/usr/sbin/smtp-source"
SMTP_SINK = "/usr/sbin/smtp-sink"
CLK_TCK = os.sysconf("SC_CLK_TCK")
SENDER = "sender@example.org"

SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
postlog   unix-dgram n  -       n       -       1       postlogd
"""
SMTP_SERVICES = """\
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
scache    unix  -       -       n       -       1       scache
"""


def setting(name, default):
    """An integer setting from the environment (empty means default)."""
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def setting_list(name, default):
    """A comma-separated list of integers from the environment."""
    value = os.environ.get(name, "").strip()
    return [int(v) for v in value.split(",") if v] if value else default


PAIRS = setting("BENCH_PAIRS", 3)
TIMEOUT = setting("BENCH_TIMEOUT", 600)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(predicate, what, timeout=None, interval=0.02):
    """Poll predicate until true; raise after timeout seconds."""
    deadline = time.monotonic() + (timeout or TIMEOUT)
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(interval)


def progress(text):
    """One progress line on stderr (the table goes to stdout)."""
    print(f"  {text}", file=sys.stderr, flush=True)


# --- processes ----------------------------------------------------------

def proc_stat(pid):
    """(ppid, CPU ticks incl. reaped children, state) of pid, or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[1]), sum(int(f) for f in fields[11:15]), fields[0])


def process_tree(root):
    """{pid: CPU ticks} of root and all its live descendants."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat and stat[2] != "Z":
                stats[int(entry)] = stat
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in stats and pid not in tree:
            tree[pid] = stats[pid][1]
            todo.extend(p for p, s in stats.items() if s[0] == pid)
    return tree


def pss_kb(pid):
    """Pss of one process in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children_cpu_ticks():
    """CPU of this benchmark's reaped children, in ticks."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * CLK_TCK


# --- instances ------------------------------------------------------------

class Instance:
    """One throwaway MTA: config, queue and data directory, mail log."""

    name = "?"
    owner = group = None

    def __init__(self, tmp, params, master_cf):
        self.root = tempfile.mkdtemp(prefix=self.name + "-", dir=tmp)
        os.chmod(self.root, 0o755)
        self.etc = os.path.join(self.root, "etc")
        self.queue = os.path.join(self.root, "queue")
        self.data = os.path.join(self.root, "data")
        for path in (self.etc, self.queue, self.data):
            os.makedirs(path)
        os.chown(self.data, pwd.getpwnam(self.owner).pw_uid, -1)
        self.params = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": self.data,
            "mail_owner": self.owner,
            "setgid_group": self.group,
            "myhostname": "mx.example.test",
            "mydomain": "example.test",
            "mydestination": "$myhostname, localhost",
            "mynetworks": "127.0.0.0/8",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "maillog_file": os.path.join(self.root, "maillog"),
            "maillog_file_prefixes": self.root,
            "alias_maps": "",
            "alias_database": "",
            # No proxymap service: both look the user up themselves.
            "local_recipient_maps": "unix:passwd.byname $alias_maps",
            "biff": "no",
            "default_process_limit": "200",
            "default_destination_concurrency_limit": "20",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
        }
        self.params.update(params)
        self.master_cf = master_cf
        self.pid = None
        self.write_config()
        LIVE.append(self)

    def write_config(self):
        """Write main.cf and master.cf (main.cf dated back a minute)."""
        with open(os.path.join(self.etc, "main.cf"), "w") as out:
            out.writelines(f"{k} = {v}\n" for k, v in self.params.items())
        with open(os.path.join(self.etc, "master.cf"), "w") as out:
            out.write(self.master_cf)
        # Postfix waits until main.cf is two seconds old.
        stamp = time.time() - 60
        os.utime(os.path.join(self.etc, "main.cf"), (stamp, stamp))

    def start(self):
        """Start master; return when its pid file names a live process."""
        self.launch()
        pid_file = os.path.join(self.queue, "pid", "master.pid")

        def master_pid():
            try:
                with open(pid_file) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                return None
            return pid if proc_stat(pid) else None
        wait(master_pid, f"{self.name} master", timeout=30)
        self.pid = master_pid()
        wait(lambda: os.path.exists(os.path.join(self.queue, "public",
                                                 "pickup")),
             f"{self.name} pickup socket", timeout=30)

    def stop(self):
        """Stop master and every process below it (SIGKILL after 15 s),
        remove the instance's directory."""
        if self.pid is not None:
            self.stop_tree(process_tree(self.pid))
            self.pid = None
        self.report_warnings()
        shutil.rmtree(self.root, ignore_errors=True)

    def report_warnings(self):
        """Show the mail log's warnings (a setup gap skews the figures)."""
        try:
            with open(self.params["maillog_file"], errors="replace") as log:
                lines = [line.rstrip() for line in log
                         if any(word in line for word in
                                (" warning: ", " fatal: ", " panic: "))]
        except OSError:
            return
        for line in lines[:5]:
            progress(f"{self.name} maillog: {line}")
        if len(lines) > 5:
            progress(f"{self.name} maillog: {len(lines) - 5} more warnings")

    def stop_tree(self, tree):
        """Halt master; SIGKILL what of tree is left after 15 s."""
        self.halt()
        try:
            wait(lambda: not any(proc_stat(p) and proc_stat(p)[2] != "Z"
                                 for p in tree),
                 f"{self.name} to stop", timeout=15, interval=0.1)
        except RuntimeError:
            for pid in tree:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def cpu_ticks(self):
        """CPU ticks used so far by master and every process below it."""
        return sum(process_tree(self.pid).values())

    def pss_kb(self):
        """Sum of Pss (kB) of master and every process below it."""
        return sum(pss_kb(pid) for pid in process_tree(self.pid))

    def queued(self):
        """Queue files not yet delivered (maildrop to deferred, hold)."""
        return sum(len(files)
                   for queue in ("maildrop", "incoming", "active",
                                 "deferred", "hold")
                   for _, _, files in os.walk(os.path.join(self.queue,
                                                           queue)))

    def sendmail(self, recipient, message):
        """Submit one message with this MTA's sendmail."""
        proc = subprocess.run(self.sendmail_argv + ["-f", SENDER, recipient],
                              input=message, capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name} sendmail: {proc.stderr!r}")


class Postern(Instance):
    name = "postern"
    owner, group = "nobody", "nogroup"

    def __init__(self, tmp, build, params, master_cf):
        self.build = build
        params = dict(params,
                      daemon_directory=os.path.join(build, "libexec"),
                      command_directory=os.path.join(build, "bin"))
        super().__init__(tmp, params, master_cf)
        self.sendmail_argv = [os.path.join(build, "bin", "sendmail"),
                              "-C", self.etc]

    @staticmethod
    def smtpd_service(port, maxproc):
        """Postern's default layout (conf/master.cf): greeter on the port,
        holding idle sessions, and smtpd as the pass service it feeds;
        with BENCH_POSTERN_SMTPD=plain, Postfix's layout."""
        if os.environ.get("BENCH_POSTERN_SMTPD") == "plain":
            return Postfix.smtpd_service(port, maxproc)
        return (f"127.0.0.1:{port} inet n - n - 1 greeter\n"
                f"smtpd pass - - n - {maxproc} smtpd\n")

    def launch(self):
        """Start Postern's master in the background (-w: when ready)."""
        subprocess.run([os.path.join(self.build, "libexec", "master"), "-c",
                        self.etc, "-w"], check=True, capture_output=True)

    def halt(self):
        """Ask master to stop (SIGTERM, as "postern stop")."""
        os.kill(self.pid, signal.SIGTERM)


class Postfix(Instance):
    name = "postfix"
    owner, group = "postfix", "postdrop"

    def __init__(self, tmp, build, params, master_cf):
        super().__init__(tmp, params, master_cf)
        self.sendmail_argv = [os.path.join(POSTFIX_SBIN, "sendmail"),
                              "-C", self.etc]

    @staticmethod
    def smtpd_service(port, maxproc):
        """Postfix's layout: one smtpd per connection on the port."""
        return f"127.0.0.1:{port} inet n - n - {maxproc} smtpd\n"

    def launch(self):
        """postfix start."""
        subprocess.run([os.path.join(POSTFIX_SBIN, "postfix"), "-c",
                        self.etc, "start"], check=True, capture_output=True)

    def halt(self):
        """postfix stop."""
        subprocess.run([os.path.join(POSTFIX_SBIN, "postfix"), "-c",
                        self.etc, "stop"], capture_output=True)


def instances(ctx, params=None, services="", smtpd_maxproc="-"):
    """Both MTAs, Postfix first, configured alike (SERVICES, services and
    each one's default SMTP server layout, with the same smtpd process
    limit, on a port of its own, side.port) and started."""
    sides = []
    for cls in (Postfix, Postern):
        port = free_port()
        side = cls(ctx.tmp, ctx.build, params or {},
                   SERVICES + services
                   + cls.smtpd_service(port, smtpd_maxproc))
        side.port = port
        side.start()
        sides.append(side)
    return sides


# --- helper programs ----------------------------------------------------

class Sink:
    """Debian's smtp-sink on 127.0.0.1: counts the messages it received
    (its -c counters, read from its output by a thread)."""

    def __init__(self, port):
        self.port = port
        self.count = 0
        self.proc = subprocess.Popen(
            [SMTP_SINK, "-c", "-u", "postfix", "-m", "1000",
             f"127.0.0.1:{port}", "1000"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        LIVE.append(self)
        threading.Thread(target=self.read, daemon=True).start()
        wait(self.listening, "smtp-sink", timeout=10)

    def listening(self):
        """Whether smtp-sink accepts connections yet."""
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
            return True
        except OSError:
            return False

    def read(self):
        """Follow smtp-sink's counters ("... mesg=N\\r") until it exits."""
        tail = b""
        while True:
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                return
            tail = (tail + chunk)[-200:]
            marker = tail.rfind(b"mesg=")
            if marker >= 0:
                digits = tail[marker + 5:].split(b"\r")[0].split()[0:1]
                if digits and digits[0].isdigit():
                    self.count = int(digits[0])

    def stop(self):
        """Terminate smtp-sink."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def smtp_source(port, count, sessions, size, recipient):
    """Send count messages of size bytes in sessions parallel sessions
    (one connection per message, as smtp-source does by default)."""
    proc = subprocess.run(
        [SMTP_SOURCE, "-s", str(sessions), "-m", str(count), "-l", str(size),
         "-f", SENDER, "-t", recipient, f"127.0.0.1:{port}"],
        capture_output=True, timeout=TIMEOUT)
    if proc.returncode != 0 or proc.stderr.strip():
        raise RuntimeError(f"smtp-source: {proc.stderr.decode(errors='replace')}")


# --- measurements and the table -----------------------------------------

class Table:
    """Rows of scenario, Postfix median, Postern median, ratio and CPU
    milliseconds per message of each."""

    def __init__(self):
        self.rows = []

    def add(self, scenario, unit, postfix, postern, cpu=(None, None),
            ratio=None):
        """One row; values may be numbers or text ("-" when missing).
        The ratio is Postern / Postfix unless given."""
        if ratio is None and all(isinstance(v, (int, float)) and v
                                 for v in (postfix, postern)):
            ratio = postern / postfix
        row = (scenario, unit, postfix, postern, ratio) + tuple(cpu)
        self.rows.append(row)
        print(self.format(row), flush=True)

    def note(self, text):
        """A line of text in the table (a skipped scenario)."""
        self.rows.append(text)
        print(text, flush=True)

    @staticmethod
    def cell(value, width, digits=0):
        """One right-aligned cell: a number, text, or "-" for None."""
        if value is None:
            return f"{'-':>{width}}"
        if isinstance(value, str):
            return f"{value:>{width}}"
        return f"{value:>{width},.{digits}f}"

    def format(self, row):
        """One row (or note) as a line."""
        if isinstance(row, str):
            return row
        scenario, unit, postfix, postern, ratio, cpu_pf, cpu_pt = row
        digits = 2 if isinstance(postfix, float) and postfix < 10 else 0
        return (f"{scenario:<36} {unit:<9}"
                f"{self.cell(postfix, 11, digits)}"
                f"{self.cell(postern, 11, digits)}"
                f"{self.cell(ratio, 7, 2)}"
                f"{self.cell(cpu_pf, 9, 2)}{self.cell(cpu_pt, 9, 2)}")

    def header(self):
        """The column titles."""
        return (f"{'scenario':<36} {'unit':<9}{'postfix':>11}{'postern':>11}"
                f"{'ratio':>7}{'cpu pf':>9}{'cpu pt':>9}")

    def print(self):
        """The whole table, after all scenarios."""
        print()
        print(self.header())
        for row in self.rows:
            print(self.format(row))


def median(values):
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def pairs(sides, measure, label):
    """Run measure(side) -> (value, cpu ms) for Postfix then Postern,
    PAIRS times; return {name: (median value, median cpu ms)}."""
    results = {side.name: [] for side in sides}
    for _ in range(PAIRS):
        for side in sides:
            results[side.name].append(measure(side))
    for name, runs in results.items():
        progress(f"{label} {name}: " + " ".join(f"{v:,.1f}" for v, _ in runs))
    return {name: (median([v for v, _ in runs]),
                   median([c for _, c in runs if c is not None]))
            for name, runs in results.items()}


def add_pair_row(table, scenario, unit, result):
    """A table row from the result of pairs()."""
    table.add(scenario, unit, result["postfix"][0], result["postern"][0],
              (result["postfix"][1], result["postern"][1]))


def cpu_ms(side, ticks_before, count, client_ticks=0.0):
    """CPU milliseconds per message since ticks_before."""
    return ((side.cpu_ticks() - ticks_before + client_ticks) * 1000.0
            / CLK_TCK / count)


# --- context and cleanup ----------------------------------------------

LIVE = []


class Context:
    """What every scenario needs: the build, a temporary directory and
    the table."""

    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.tmp = tempfile.mkdtemp(prefix="postern-bench-")
        os.chmod(self.tmp, 0o755)
        self.table = Table()

    def has(self, program):
        """Whether the build has libexec/program."""
        return os.access(os.path.join(self.build, "libexec", program),
                         os.X_OK)


def cleanup():
    """Stop every instance and helper process started, remove the tree."""
    while LIVE:
        item = LIVE.pop()
        try:
            item.stop()
        except Exception as err:          # keep cleaning up the rest
            print(f"bench: cleanup: {err}", file=sys.stderr)


def interrupted(signum, frame):
    """SIGTERM and SIGHUP stop the run as Ctrl-C does."""
    raise KeyboardInterrupt


def main(scenarios, argv):
    """Run scenarios (functions of a Context) and print the table."""
    if os.geteuid() != 0:
        sys.exit("bench: run as root (make bench)")
    for program in (os.path.join(POSTFIX_SBIN, "postfix"), SMTP_SOURCE,
                    SMTP_SINK):
        if not os.access(program, os.X_OK):
            sys.exit(f"bench: {program} is missing (Debian's postfix)")
    if len(argv) < 2:
        sys.exit(f"usage: {argv[0]} BUILD_DIR")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)
    ctx = Context(argv[1])
    atexit.register(shutil.rmtree, ctx.tmp, True)
    atexit.register(cleanup)
    started = time.monotonic()
    load = os.getloadavg()
    print(f"bench: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}, {PAIRS} pairs; ratio = Postern / Postfix; "
          f"cpu = CPU ms per message (pf Postfix, pt Postern)", flush=True)
    try:
        for scenario in scenarios:
            scenario(ctx)
            cleanup()
    except KeyboardInterrupt:
        sys.exit("bench: interrupted; instances stopped")
    load = os.getloadavg()
    ctx.table.print()
    print(f"bench: done in {time.monotonic() - started:.0f} s, load "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
