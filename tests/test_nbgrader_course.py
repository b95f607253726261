"""``build-nbgrader``: the course as an nbgrader course folder, graded by the real nbgrader.

The first tests read the source notebooks the build writes (no nbgrader needed). The
last ones run nbgrader itself, through its Python API, on a temporary course folder:
``generate_assignment`` must give students the notebooks of ``notebooks/``, and
``autograde`` must give the solutions full marks, the untouched students' version zero,
and a version with one wrong answer exactly that exercise's points less (notebook 01; notebook 05
as well with ``COURSE_AUTOGRADE_ALL=1``). They are
skipped, with the reason, when nbgrader is not installed (``pip install -e ".[nbgrader]"``),
unless ``CI`` or ``COURSE_REQUIRE_NBGRADER`` is set: then they fail. The kernels nbgrader
starts inherit this process's environment, which sets ``COURSE_LIB_FAST=1`` (the live
trainings shrink to a few tiny steps) for the time of the run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from course_lib import checks, cli
from course_lib.nbgrader_course import (EXERCISE_POINTS, QUESTION_POINTS, begin_graded_check, build_nbgrader_course,
                                        end_graded_check, make_nbgrader_notebook)

# nbgrader's own use of SQLAlchemy warns while it autogrades; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Object of type <Submitted")

REPOSITORY = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((REPOSITORY / "solutions").glob("*.ipynb"))
# Autograding runs a notebook three times; notebook 01 is quick. Notebook 05 (its DnCNN exercises) is
# graded too with COURSE_AUTOGRADE_ALL=1: about 9 CPU-minutes, too long for `make test`.
GRADED = ["01_images_degradations_metrics"] + (["05_residual_learning_dncnn"] if os.environ.get("COURSE_AUTOGRADE_ALL")
                                               else [])
SECOND = "05_residual_learning_dncnn"  # a second notebook for the build tests (not run)
# One wrong answer per graded notebook: (exercise, text of its solution, the wrong text), each worth 2 points.
WRONG_ANSWERS = {
    "01_images_degradations_metrics": ("psnr", "data_range**2 / error", "255**2 / error"),
    "05_residual_learning_dncnn": ("dncnn_parameter_count", "first + (depth - 2) * hidden + last",
                                   "first + depth * hidden + last"),
}


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _nbgrader(cell):
    return cell["metadata"]["nbgrader"]


# --------------------------------------------------------------------------------------
# The source notebooks (no nbgrader needed)
# --------------------------------------------------------------------------------------


def test_every_exercise_has_its_points_in_the_one_table():
    assert set(EXERCISE_POINTS) == set(checks.list_exercises())
    assert all(isinstance(points, int) and points > 0 for points in EXERCISE_POINTS.values())
    assert QUESTION_POINTS > 0


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_source_notebook_marks_answers_tests_questions_and_locks_the_rest(path):
    solution = _load(path)
    notebook = make_nbgrader_notebook(solution, path.stem)
    assert len(notebook["cells"]) == len(solution["cells"])
    keys = checks.list_exercises(path.stem)
    answers, tests, questions, grade_ids = [], {}, 0, []
    for cell, original in zip(notebook["cells"], solution["cells"]):
        metadata = _nbgrader(cell)
        grade_ids.append(metadata["grade_id"])
        assert metadata["schema_version"] == 3
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        text = _source(original)
        if "### BEGIN SOLUTION" in text:
            assert (metadata["solution"], metadata["grade"], metadata["locked"]) == (True, False, False)
            assert _source(cell) == text
            answers.append(metadata["grade_id"])
        elif "<!-- BEGIN SOLUTION -->" in text:
            assert (metadata["solution"], metadata["grade"], metadata["locked"]) == (True, True, False)
            assert metadata["points"] == QUESTION_POINTS
            questions += 1
        elif metadata["grade"]:
            assert (metadata["solution"], metadata["locked"]) == (False, True)
            key = metadata["grade_id"].removeprefix("check_")
            tests[key] = metadata["points"]
            # the original check call, between hidden lines that nbgrader removes from the students' version
            lines = _source(cell).split("\n")
            assert lines[0] == lines[-3] == "### BEGIN HIDDEN TESTS" and lines[3] == lines[-1] == "### END HIDDEN TESTS"
            assert "\n".join(lines[4:-3]) == text.rstrip("\n")
        else:
            assert (metadata["solution"], metadata["grade"], metadata["locked"]) == (False, False, True)
            assert _source(cell) == text
    assert sorted(answers) == sorted(keys)
    assert tests == {key: EXERCISE_POINTS[key] for key in keys}
    assert questions == sum("<!-- BEGIN SOLUTION -->" in _source(cell) for cell in solution["cells"])
    assert len(set(grade_ids)) == len(grade_ids)


def test_a_check_of_a_demonstration_function_stays_read_only():
    """Notebook 01 checks psnr_written_for_8_bit_images on purpose, to show a mistake: not a test cell."""
    notebook = make_nbgrader_notebook(_load(REPOSITORY / "solutions" / f"{GRADED[0]}.ipynb"), GRADED[0])
    cell = next(cell for cell in notebook["cells"] if "check_psnr(psnr_written_for_8_bit_images)" in _source(cell))
    assert _nbgrader(cell)["locked"] and not _nbgrader(cell)["grade"]


def _run_cli(argv, capsys):
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_help(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["build-nbgrader", "--help"])
    assert stopped.value.code == 0
    assert "usage: python -m course_lib build-nbgrader" in capsys.readouterr().out


def test_the_guide_gives_the_questions_their_points():
    guide = (REPOSITORY / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    assert f"| manually graded answer | {QUESTION_POINTS} each |" in guide


def test_build_writes_the_course_folder(tmp_path, capsys):
    out = tmp_path / "course"
    status, printed, _ = _run_cli(["build-nbgrader", "--out", str(out), "01", "05_residual_learning_dncnn"], capsys)
    assert status == 0
    assert sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()) == [
        "nbgrader_config.py", f"source/{GRADED[0]}/{GRADED[0]}.ipynb", f"source/{SECOND}/{SECOND}.ipynb"]
    assert f"wrote {out / 'nbgrader_config.py'}" in printed
    assert [path.name for path in tmp_path.iterdir()] == ["course"], "the temporary build folder is left behind"


@pytest.mark.parametrize("case", ["unknown notebook", "existing out", "out is a file"])
def test_bad_input_is_one_error_line_with_status_2(tmp_path, capsys, case):
    out = tmp_path / "course"
    if case == "existing out":
        out.mkdir()
        (out / "gradebook.db").write_text("the instructor's grades")
    if case == "out is a file":
        out.write_text("not a folder")
    argv = ["build-nbgrader", "--out", str(out), "99_no_such_notebook" if case == "unknown notebook" else "01"]
    status, printed, error = _run_cli(argv, capsys)
    assert status == 2 and printed == ""
    assert error.startswith("error: ") and error.count("\n") == 1 and "Traceback" not in error, error
    assert {"unknown notebook": "99_no_such_notebook", "existing out": "--force",
            "out is a file": "is a file"}[case] in error
    if case == "existing out":
        assert [path.name for path in out.iterdir()] == ["gradebook.db"]
    else:
        assert not out.is_dir()


def test_force_replaces_the_source_notebooks_and_keeps_the_instructors_work(tmp_path):
    out = tmp_path / "course"
    build_nbgrader_course(out, ["01"])
    kept = {out / "gradebook.db": "grades", out / "submitted" / "alice" / "x.ipynb": "{}",
            out / "source" / "my_own_assignment" / "a.ipynb": "{}"}
    for path, text in kept.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    notebook = out / "source" / GRADED[0] / f"{GRADED[0]}.ipynb"
    notebook.write_text("stale")
    (out / "source" / GRADED[0] / "leftover.txt").write_text("from an older build")
    build_nbgrader_course(out, ["01", "05"], force=True)
    assert all(path.read_text() == text for path, text in kept.items())
    assert _load(notebook)["metadata"]["course_lib"]["generated_from"] == f"solutions/{GRADED[0]}.ipynb"
    assert not (out / "source" / GRADED[0] / "leftover.txt").exists()
    assert (out / "source" / SECOND / f"{SECOND}.ipynb").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["course"]


def test_a_failed_build_leaves_the_folder_as_it_was(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    for path in SOLUTIONS[:2]:
        shutil.copyfile(path, solutions / path.name)
    out = tmp_path / "course"
    build_nbgrader_course(out, solutions_folder=solutions)
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    broken = _load(solutions / SOLUTIONS[1].name)
    cell = next(cell for cell in broken["cells"] if "### BEGIN SOLUTION" in _source(cell))
    cell["source"] = _source(cell).replace("### END SOLUTION", "")
    (solutions / SOLUTIONS[1].name).write_text(json.dumps(broken))
    with pytest.raises(ValueError, match="never closed"):
        build_nbgrader_course(out, solutions_folder=solutions, force=True)
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["course", "solutions"]


# --------------------------------------------------------------------------------------
# What the hidden lines of a test cell do (in this process, as a kernel would)
# --------------------------------------------------------------------------------------


def _right_mse(reference, estimate):
    import numpy as np

    return float(np.mean((np.asarray(reference, dtype=np.float64) - estimate) ** 2))


def _warning_mse(reference, estimate):
    # what a warning does in a kernel (here pytest records warnings instead of printing them)
    print("RuntimeWarning: a harmless warning from the learner's code", file=sys.stderr)
    return _right_mse(reference, estimate)


def _wrong_mse(reference, estimate):
    return 2 * _right_mse(reference, estimate)


@pytest.mark.parametrize("answer", [_right_mse, _warning_mse, _wrong_mse, None], ids=["right", "warning", "wrong",
                                                                                     "no check"])
def test_the_test_cell_fails_exactly_when_its_check_does_not_say_correct(answer, monkeypatch, capsys):
    from course_lib.checks._framework import GRADE_LOG_VARIABLE

    monkeypatch.delenv(GRADE_LOG_VARIABLE, raising=False)
    stderr = sys.stderr
    begin_graded_check("mse")
    if answer is not None:
        checks.check_mse(answer)
        checks.check_psnr(answer)  # another exercise's check in the same cell does not count for mse
    if answer in (_right_mse, _warning_mse):
        end_graded_check("mse")
    else:
        with pytest.raises(AssertionError, match="did not run" if answer is None else "wrong values"):
            end_graded_check("mse")
    assert sys.stderr is stderr and GRADE_LOG_VARIABLE not in os.environ
    captured = capsys.readouterr()
    assert captured.err == "", "nbgrader gives no points to a test cell that wrote to stderr"
    if answer is _warning_mse:
        assert "a harmless warning" in captured.out


# --------------------------------------------------------------------------------------
# The real nbgrader
# --------------------------------------------------------------------------------------


def _require_nbgrader():
    if importlib.util.find_spec("nbgrader") is not None:
        return
    message = 'nbgrader is not installed (pip install -e ".[nbgrader]")'
    if os.environ.get("CI") or os.environ.get("COURSE_REQUIRE_NBGRADER"):
        pytest.fail(message, pytrace=False)
    pytest.skip(f"{message}; set COURSE_REQUIRE_NBGRADER=1 to make this a failure")


def _api(course: Path):
    """nbgrader's Python API on `course`, with the course folder's own nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(config=config)


def _succeeded(result: dict, what: str) -> None:
    assert result["success"], f"nbgrader {what} failed: {result.get('error')}\n{result.get('log', '')[-3000:]}"


@pytest.fixture(scope="module")
def nbgrader_environment():
    """The environment nbgrader's kernels inherit: fast mode, inline figures, and the venv's commands
    (nbgrader runs `alembic` to create its gradebook) on PATH."""
    _require_nbgrader()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_LIB_FAST", "1")  # course_lib.training.FAST_MODE_VARIABLE
        patch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        patch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
        yield


@pytest.fixture(scope="module", params=GRADED, ids=lambda name: name[:2])
def graded_course(request, nbgrader_environment, tmp_path_factory):
    """One course folder per notebook: the assignment generated, three students submitted and autograded."""
    from nbgrader.api import Gradebook

    name = request.param
    course = tmp_path_factory.mktemp(f"nbgrader-{name[:2]}") / "course"
    build_nbgrader_course(course, [name])
    api = _api(course)
    _succeeded(api.generate_assignment(name), "generate_assignment")
    source = course / "source" / name / f"{name}.ipynb"
    release = course / "release" / name / f"{name}.ipynb"
    key, right, wrong = WRONG_ANSWERS[name]
    one_wrong = _load(source)
    cell = next(cell for cell in one_wrong["cells"] if _nbgrader(cell)["grade_id"] == key)
    assert right in _source(cell)
    cell["source"] = _source(cell).replace(right, wrong)
    submissions = {"solution": source.read_text(encoding="utf-8"), "untouched": release.read_text(encoding="utf-8"),
                   "one_wrong": json.dumps(one_wrong)}
    scores = {}
    for student, text in submissions.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        (folder / f"{name}.ipynb").write_text(text, encoding="utf-8")
        _succeeded(api.autograde(name, student), f"autograde of {student}")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            submission = gradebook.find_submission_notebook(name, name, student)
            scores[student] = {"code": (submission.code_score, submission.max_code_score),
                               "total": (submission.score, submission.max_score),
                               "tests": {grade.name: grade.score for grade in submission.grades
                                         if grade.name.startswith("check_")}}
    return {"name": name, "course": course, "release": release, "scores": scores}


@pytest.fixture(scope="module")
def generated_course(nbgrader_environment, tmp_path_factory):
    """Every notebook built and generated by nbgrader (no kernel runs: this is quick)."""
    course = tmp_path_factory.mktemp("nbgrader-all") / "course"
    build_nbgrader_course(course)
    api = _api(course)
    for path in SOLUTIONS:
        _succeeded(api.generate_assignment(path.stem), f"generate_assignment of {path.stem}")
    return course


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_generated_student_notebooks_are_the_exercise_notebooks(generated_course, path):
    name = path.stem
    student = _load(generated_course / "release" / name / f"{name}.ipynb")
    exercise = _load(REPOSITORY / "notebooks" / f"{name}.ipynb")
    assert [cell["cell_type"] for cell in student["cells"]] == [cell["cell_type"] for cell in exercise["cells"]]
    for index, (got, expected) in enumerate(zip(student["cells"], exercise["cells"])):
        assert _source(got) == _source(expected), f"cell {index} of the students' {name} differs from notebooks/"
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    if checks.list_exercises(name):
        assert "raise NotImplementedError(" in text


@pytest.mark.notebook
def test_autograde_gives_the_solutions_full_marks(graded_course):
    scores = graded_course["scores"]["solution"]
    keys = checks.list_exercises(graded_course["name"])
    assert scores["code"] == (sum(EXERCISE_POINTS[key] for key in keys),) * 2
    assert scores["tests"] == {f"check_{key}": EXERCISE_POINTS[key] for key in keys}


@pytest.mark.notebook
def test_autograde_gives_the_untouched_students_version_zero(graded_course):
    scores = graded_course["scores"]["untouched"]
    assert scores["total"][0] == 0 and scores["total"][1] > 0
    assert set(scores["tests"].values()) == {0}


@pytest.mark.notebook
def test_autograde_takes_exactly_the_wrong_exercises_points_off(graded_course):
    scores = graded_course["scores"]["one_wrong"]
    key = WRONG_ANSWERS[graded_course["name"]][0]
    maximum = graded_course["scores"]["solution"]["code"][1]
    assert scores["code"] == (maximum - EXERCISE_POINTS[key], maximum)
    assert scores["tests"] == {**graded_course["scores"]["solution"]["tests"], f"check_{key}": 0}
