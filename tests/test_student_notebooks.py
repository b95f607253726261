"""The exercise-notebook generator: stubs, cleaning, never losing a learner's work."""

import json
import subprocess
from pathlib import Path

import pytest

from course_lib import student_notebooks
from course_lib.student_notebooks import build_notebooks, make_exercise_notebook

REPOSITORY = Path(__file__).resolve().parents[1]


def _notebook(*cells, widgets=True):
    notebook = {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                "nbformat_minor": 5}
    if widgets:
        notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def _code(source, outputs=None):
    return {"cell_type": "code", "source": source, "metadata": {}, "execution_count": 3,
            "outputs": outputs or [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]}


def _markdown(source):
    return {"cell_type": "markdown", "source": source, "metadata": {}}


SOLUTION_CODE = (
    "def psnr(a, b):\n"
    "    \"\"\"Doc.\"\"\"\n"
    "    ### BEGIN SOLUTION\n"
    "    mse = ((a - b) ** 2).mean()\n"
    "    return 10 * np.log10(1 / mse)\n"
    "    ### END SOLUTION\n"
    "\n"
    "check_psnr(psnr)"
)


def test_solution_regions_become_indented_stubs():
    exercise = make_exercise_notebook(_notebook(_code(SOLUTION_CODE)))
    source = exercise["cells"][0]["source"]
    assert "mse" not in source and "BEGIN SOLUTION" not in source
    assert "    # YOUR CODE HERE\n    raise NotImplementedError(" in source
    assert source.startswith("def psnr(a, b):") and source.endswith("check_psnr(psnr)")
    compile(source, "<exercise>", "exec")


def test_outputs_counts_and_widget_state_are_removed():
    solution = _notebook(_code("print('hi')"), _markdown("Answer: <!-- BEGIN SOLUTION -->42<!-- END SOLUTION -->"))
    exercise = make_exercise_notebook(solution)
    assert exercise["cells"][0]["outputs"] == [] and exercise["cells"][0]["execution_count"] is None
    assert "widgets" not in exercise["metadata"]
    assert exercise["cells"][1]["source"] == "Answer: *Your answer here.*"
    assert "widgets" in solution["metadata"], "the solution itself must not be modified"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "nested"),
])
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(ValueError, match=message):
        make_exercise_notebook(_notebook(_code(source)), source_name="solutions/x.ipynb")


def test_bad_notebook_argument():
    with pytest.raises(ValueError, match="solution must be a notebook"):
        make_exercise_notebook(["not", "a", "notebook"])


def _write(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook))


def test_build_check_and_protection_of_learner_work(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "notebooks"
    _write(solutions / "01_x.ipynb", _notebook(_code(SOLUTION_CODE)))
    first = build_notebooks(solutions, exercises)
    assert [path.name for path in first.written] == ["01_x.ipynb"]
    assert build_notebooks(solutions, exercises, check=True).ok
    assert build_notebooks(solutions, exercises).unchanged

    # The solution changes: --check reports it, a build rewrites the untouched exercise notebook.
    _write(solutions / "01_x.ipynb", _notebook(_code(SOLUTION_CODE + "\n# changed")))
    assert [path.name for path in build_notebooks(solutions, exercises, check=True).stale] == ["01_x.ipynb"]
    assert build_notebooks(solutions, exercises).written

    # A learner works in the exercise notebook: it is not overwritten ...
    target = exercises / "01_x.ipynb"
    worked = json.loads(target.read_text())
    worked["cells"][0]["source"] = "def psnr(a, b):\n    return 99.0"
    target.write_text(json.dumps(worked))
    _write(solutions / "01_x.ipynb", _notebook(_code(SOLUTION_CODE + "\n# changed again")))
    protected = build_notebooks(solutions, exercises)
    assert [path.name for path in protected.protected] == ["01_x.ipynb"] and not protected.ok
    assert "return 99.0" in target.read_text()

    # ... unless forced, and then a backup keeps the work.
    forced = build_notebooks(solutions, exercises, force=True)
    assert forced.written and len(forced.backups) == 1
    assert "return 99.0" in forced.backups[0].read_text()
    assert "return 99.0" not in target.read_text()


def test_orphans_are_reported_not_deleted(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "notebooks"
    _write(solutions / "a.ipynb", _notebook(_code("x = 1")))
    _write(exercises / "old.ipynb", _notebook(_code("x = 2")))
    result = build_notebooks(solutions, exercises)
    assert [path.name for path in result.orphans] == ["old.ipynb"]
    assert (exercises / "old.ipynb").exists()


def test_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="solutions_folder"):
        build_notebooks(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no notebooks"):
        build_notebooks(tmp_path / "empty", tmp_path / "out")


def _committed_or_working(path: Path) -> str:
    """The committed version of a notebook when the repository is a Git checkout, else the file."""
    relative = path.relative_to(REPOSITORY).as_posix()
    result = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=REPOSITORY, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else path.read_text(encoding="utf-8")


def test_repository_exercise_notebooks_are_in_sync_with_the_solutions(tmp_path):
    """notebooks/ must be exactly what build-notebooks makes from solutions/ (run it after editing a solution).

    Compared with the committed copies, so a learner's own work in notebooks/ does not fail the suite.
    """
    solutions = sorted((REPOSITORY / "solutions").glob("*.ipynb"))
    assert solutions, "no solution notebooks"
    build_notebooks(REPOSITORY / "solutions", tmp_path)
    for solution in solutions:
        committed = REPOSITORY / "notebooks" / solution.name
        assert committed.exists(), f"notebooks/{solution.name} is missing: run `python -m course_lib build-notebooks`"
        assert _committed_or_working(committed) == (tmp_path / solution.name).read_text(encoding="utf-8"), (
            f"notebooks/{solution.name} is out of date: run `python -m course_lib build-notebooks`")


def test_fingerprint_ignores_metadata_but_not_sources():
    notebook = _notebook(_code("x = 1"))
    fingerprint = student_notebooks.cell_fingerprint(notebook)
    notebook["metadata"]["anything"] = 1
    assert student_notebooks.cell_fingerprint(notebook) == fingerprint
    notebook["cells"][0]["source"] = "x = 2"
    assert student_notebooks.cell_fingerprint(notebook) != fingerprint


def _questions(notebook: dict) -> list[str]:
    """The first line of every ``**Question`` paragraph in a notebook's Markdown cells."""
    questions = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        questions += [line.strip() for line in source.splitlines() if line.lstrip().startswith("**Question")]
    return questions


@pytest.mark.parametrize("solution", sorted((REPOSITORY / "solutions").glob("*.ipynb")), ids=lambda path: path.stem)
def test_every_discussion_question_survives_into_the_exercise_notebook(solution):
    """A question written inside a ``<!-- BEGIN SOLUTION -->`` block would vanish with its answer."""
    solution_notebook = json.loads(solution.read_text(encoding="utf-8"))
    exercise = make_exercise_notebook(solution_notebook)
    assert _questions(exercise) == _questions(solution_notebook), (
        f"{solution.name}: a **Question sits inside a solution block; move it above <!-- BEGIN SOLUTION -->")


def test_a_question_inside_a_solution_block_is_caught():
    hidden = _notebook(_markdown("Text.\n\n<!-- BEGIN SOLUTION -->\n**Question.** Why?\n\n*Because.*\n"
                                 "<!-- END SOLUTION -->"), widgets=False)
    assert _questions(hidden) == ["**Question.** Why?"]
    assert _questions(make_exercise_notebook(hidden)) == []


def _built(tmp_path):
    """A solution and its freshly built exercise notebook (the solution then changes, so a build rewrites it)."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "notebooks"
    cell = _code(SOLUTION_CODE)
    cell["metadata"] = {"tags": ["exercise"]}
    _write(solutions / "01_x.ipynb", _notebook(cell, _markdown("Text.")))
    build_notebooks(solutions, exercises)
    cell["source"] = SOLUTION_CODE + "\n# changed"
    _write(solutions / "01_x.ipynb", _notebook(cell, _markdown("Text, changed.")))
    return solutions, exercises, exercises / "01_x.ipynb"


@pytest.mark.parametrize("edit", ["cell tags", "cell metadata", "execution count", "notebook metadata"])
def test_a_change_of_metadata_is_a_learner_edit(tmp_path, edit):
    """Not only sources and outputs: any change to an exercise notebook is protected, and backed up on --force."""
    solutions, exercises, target = _built(tmp_path)
    worked = json.loads(target.read_text())
    if edit == "cell tags":
        worked["cells"][0]["metadata"]["tags"] = ["exercise", "my-note"]
    elif edit == "cell metadata":
        worked["cells"][1]["metadata"]["collapsed"] = True
    elif edit == "execution count":
        worked["cells"][0]["execution_count"] = 7
    else:
        worked["metadata"]["kernelspec"] = {"name": "my-kernel"}
    target.write_text(json.dumps(worked))
    edited = target.read_text()
    protected = build_notebooks(solutions, exercises)
    assert [path.name for path in protected.protected] == ["01_x.ipynb"] and target.read_text() == edited
    forced = build_notebooks(solutions, exercises, force=True)
    assert len(forced.backups) == 1 and forced.backups[0].read_text() == edited


def test_an_untouched_notebook_is_rewritten_without_a_backup(tmp_path):
    solutions, exercises, target = _built(tmp_path)
    result = build_notebooks(solutions, exercises)
    assert result.written and not result.backups and not result.protected
    assert "# changed" in target.read_text()


def test_backups_are_never_overwritten_even_within_one_second(tmp_path, monkeypatch):
    monkeypatch.setattr(student_notebooks.time, "strftime", lambda pattern: "20990101-000000")
    solutions, exercises, target = _built(tmp_path)
    contents = []
    for round_number in range(3):
        worked = json.loads(target.read_text())
        worked["cells"][0]["source"] = f"def psnr(a, b):\n    return {round_number}"
        target.write_text(json.dumps(worked))
        contents.append(target.read_text())
        _write(solutions / "01_x.ipynb", _notebook(_code(SOLUTION_CODE + f"\n# round {round_number}")))
        assert len(build_notebooks(solutions, exercises, force=True).backups) == 1
    backups = sorted((exercises / ".backups").iterdir())
    assert [path.name for path in backups] == ["01_x.20990101-000000-2.ipynb", "01_x.20990101-000000-3.ipynb",
                                               "01_x.20990101-000000.ipynb"]
    assert sorted(path.read_text() for path in backups) == sorted(contents)


def test_the_backup_folder_is_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", "-q", "notebooks/.backups/01_x.20990101-000000.ipynb"],
                            cwd=REPOSITORY, capture_output=True)
    if result.returncode == 128:
        pytest.skip("not a Git checkout")
    assert result.returncode == 0, "notebooks/.backups/ must be listed in .gitignore"
