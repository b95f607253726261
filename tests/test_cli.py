"""The command line, run as a learner would: `python -m course_lib ...`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import cli

COMMANDS = ["check-env", "images", "build-notebooks", "execute-notebooks", "grade", "build-site", "download"]


def _run(*arguments, cwd=None):
    return subprocess.run([sys.executable, "-m", "course_lib", *arguments], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([command, "--help"])
    assert stopped.value.code == 0
    assert "usage: python -m course_lib " + command in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([])
    assert stopped.value.code == 2


def test_images_lists_the_split(capsys):
    assert cli.main(["images", "--split", "test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("camera")


def test_check_env_runs_in_a_subprocess():
    result = _run("check-env", "--skip-tensorflow")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Environment OK" in result.stdout


def test_build_notebooks_end_to_end(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                           "source": "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (solutions / "a.ipynb").write_text(json.dumps(notebook))
    out = tmp_path / "notebooks"
    arguments = ["build-notebooks", "--solutions", str(solutions), "--out", str(out)]
    result = _run(*arguments)
    assert result.returncode == 0, result.stderr
    assert "NotImplementedError" in (out / "a.ipynb").read_text()
    assert _run(*arguments, "--check").returncode == 0
    notebook["cells"][0]["source"] += "# changed\n"
    (solutions / "a.ipynb").write_text(json.dumps(notebook))
    stale = _run(*arguments, "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr


def test_errors_are_one_line_without_traceback(tmp_path):
    result = _run("build-notebooks", "--solutions", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: solutions_folder") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_repository_notebooks_are_built(tmp_path):
    repository = Path(cli.__file__).resolve().parents[1]
    result = _run("build-notebooks", "--solutions", str(repository / "solutions"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.glob("*.ipynb")) == sorted(
        path.name for path in (repository / "solutions").glob("*.ipynb"))


def test_execute_notebooks_saves_outputs_and_refuses_failures(tmp_path):
    import nbformat

    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    good.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(good, tmp_path / "good.ipynb")
    result = _run("execute-notebooks", str(tmp_path / "good.ipynb"))
    assert result.returncode == 0, result.stderr
    saved = json.loads((tmp_path / "good.ipynb").read_text())
    assert saved["cells"][0]["outputs"][0]["text"] == "42\n"
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(bad, tmp_path / "bad.ipynb")
    before = (tmp_path / "bad.ipynb").read_text()
    result = _run("execute-notebooks", str(tmp_path / "bad.ipynb"))
    assert result.returncode == 1 and "ZeroDivisionError" in result.stderr
    assert (tmp_path / "bad.ipynb").read_text() == before
    assert _run("execute-notebooks", str(tmp_path / "missing.ipynb")).returncode == 2


def test_load_test_images_gives_the_test_split_or_a_clipped_folder(tmp_path):
    """A small overshoot (resampling) is clipped; an array on the 8-bit scale is refused, not clipped to white."""
    import numpy as np

    from course_lib import data
    from course_lib.commands.common import load_test_images

    gray = load_test_images(gray=True)
    assert list(gray) == list(data.load_split("test"))
    assert all(image.ndim == 2 for image in gray.values())
    assert load_test_images()["astronaut"].shape[-1] == 3
    np.save(tmp_path / "overshoot.npy", np.array([[-0.04, 0.25], [0.75, 1.03]], dtype=np.float32))
    folder = load_test_images(tmp_path, gray=True)
    assert list(folder) == ["overshoot"]
    np.testing.assert_allclose(folder["overshoot"], [[0.0, 0.25], [0.75, 1.0]])
    np.save(tmp_path / "overshoot.npy", np.array([[-0.5, 0.25], [0.75, 1.5]], dtype=np.float32))
    with pytest.raises(ValueError, match=r"--testset .*overshoot.npy.* values in \[-0.5, 1.5\].*divide"):
        load_test_images(tmp_path, gray=True)
