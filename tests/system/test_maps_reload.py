"""System test: a daemon notices that a lookup table changed on disk.

The echo test daemon answers "lookup KEY" from the tables named in its
master.cf arguments (opened with maps_create). When the table file changes,
the process exits after its client instead of going idle (logging "table
... has changed -- restarting", Postfix's wording) and master starts a fresh
one that reads the new table.
"""
import os

from conftest import free_port
from test_master import (POSTLOG, LineClient, echo_line, talk_once, wait_for,
                         wait_log)


def write_table(path, text):
    """Replace the table file the way an editor or postmap does."""
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


def test_changed_table_restarts_daemon(instance, tmp_path):
    table = tmp_path / "table"
    write_table(table, "key old-value\n")
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, extra=f" texthash:{table}"))
    instance.start()

    client = LineClient(port)
    assert client.talk("lookup KEY") == "old-value"
    first_pid = client.talk("pid")
    client.close()

    write_table(table, "key new-value\n")
    wait_log(instance, f"table texthash:{table} has changed -- restarting")

    def new_value():
        return talk_once(port, "lookup key") == "new-value"
    wait_for(new_value, what="the new table's value")
    assert talk_once(port, "pid") != first_pid


def test_missing_table_defers_then_recovers(instance, tmp_path):
    table = tmp_path / "later"
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, extra=f" texthash:{table}"))
    instance.start()

    assert talk_once(port, "lookup key") == "?"
    wait_log(instance, f"texthash:{table} is unavailable")
    write_table(table, "key arrived\n")

    def arrived():
        return talk_once(port, "lookup key") == "arrived"
    wait_for(arrived, what="the created table's value")
