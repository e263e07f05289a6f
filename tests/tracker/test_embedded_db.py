"""The embedded server's bookkeeping survives a process killed mid-write, or killed at all."""

import json
import os
import subprocess
import sys

from tracker.embedded_db import repair_handle_list


def test_an_unreadable_handle_list_is_emptied(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    for broken in ["", "[12, 3", "{}", "null"]:
        handles.write_text(broken)
        repair_handle_list(tmp_path)
        assert handles.read_text() == "[]", broken


def test_a_missing_handle_list_is_left_alone_and_live_processes_stay(tmp_path):
    repair_handle_list(tmp_path)
    assert not (tmp_path / ".handle_pids.json").exists()
    (tmp_path / ".handle_pids.json").write_text(json.dumps([os.getpid(), 1]))
    repair_handle_list(tmp_path)
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [os.getpid(), 1]


def test_a_process_that_died_no_longer_keeps_the_server_running(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # an id no process has now (a killed `./dev serve`, say)
    (tmp_path / ".handle_pids.json").write_text(json.dumps([dead.pid, os.getpid()]))

    repair_handle_list(tmp_path)

    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [os.getpid()]
