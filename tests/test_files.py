"""course_lib._files: a file is written through a hidden temporary beside it and renamed, or not at all."""

import os

import pytest

from course_lib._files import atomic_write, temporary_path_for, write_text_atomically


def test_the_temporary_is_hidden_beside_the_target_and_names_the_process(tmp_path):
    assert temporary_path_for(tmp_path / "state.json") == tmp_path / f".state.json.{os.getpid()}.tmp"
    assert temporary_path_for(tmp_path / "model.keras", keep_suffix=True) == (
        tmp_path / f".model.{os.getpid()}.tmp.keras")


def test_the_target_appears_only_when_the_block_ends(tmp_path):
    target = tmp_path / "record.txt"
    with atomic_write(target) as temporary:
        temporary.write_text("new", encoding="utf-8")
        assert not target.exists()
        assert temporary.parent == tmp_path and temporary.name.startswith(".")
    assert target.read_text(encoding="utf-8") == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["record.txt"]


@pytest.mark.parametrize("failure", [ValueError("a check failed"), KeyboardInterrupt()])
def test_a_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path, failure):
    target = tmp_path / "record.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(type(failure)):
        with atomic_write(target) as temporary:
            temporary.write_text("half", encoding="utf-8")
            raise failure
    assert target.read_text(encoding="utf-8") == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["record.txt"]


def test_a_block_that_writes_nothing_leaves_nothing(tmp_path):
    target = tmp_path / "never.txt"
    with pytest.raises(FileNotFoundError):
        with atomic_write(target):
            pass
    assert list(tmp_path.iterdir()) == []


def test_write_text_atomically_replaces_the_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old", encoding="utf-8")
    assert write_text_atomically(str(target), "é new\n") == target
    assert target.read_bytes() == "é new\n".encode("utf-8")
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
