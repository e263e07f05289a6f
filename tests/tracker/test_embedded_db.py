"""The embedded server's bookkeeping survives a process killed mid-write."""

from tracker.embedded_db import repair_handle_list


def test_an_unreadable_handle_list_is_emptied(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    for broken in ["", "[12, 3", "{}", "null"]:
        handles.write_text(broken)
        repair_handle_list(tmp_path)
        assert handles.read_text() == "[]", broken


def test_a_good_handle_list_and_a_missing_one_are_left_alone(tmp_path):
    repair_handle_list(tmp_path)
    assert not (tmp_path / ".handle_pids.json").exists()
    (tmp_path / ".handle_pids.json").write_text("[101, 202]")
    repair_handle_list(tmp_path)
    assert (tmp_path / ".handle_pids.json").read_text() == "[101, 202]"
