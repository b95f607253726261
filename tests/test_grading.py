"""``grade``: learners' notebooks run on a copy, in their own kernel, and each exercise is reported.

The notebooks here are tiny synthetic copies of notebook 01 (cheap exercises, no
TensorFlow), so a kernel start-up dominates each run; the notebooks that need no
special limit are graded once, in one call, and the tests read that report.
"""

import hashlib
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib import cli, grading
from course_lib.checks import list_exercises

TOPIC = "01_images_degradations_metrics"
FILE_NAME = f"{TOPIC}.ipynb"
EXERCISES = list_exercises(TOPIC)

IMPORTS = "import numpy as np\nfrom course_lib.checks import check_mse, check_psnr, check_to_float"
TO_FLOAT = "def to_float(image):\n    return image / 255.0"
PSNR = ("def psnr(reference, estimate, data_range=1.0):\n"
        "    error = np.mean((np.asarray(reference, dtype=np.float64) - estimate) ** 2)\n"
        "    return float('inf') if error == 0 else 10 * np.log10(data_range**2 / error)")
WRONG_PSNR = ("def psnr(reference, estimate, data_range=1.0):\n"
              "    error = np.mean((reference - estimate) ** 2)\n"
              "    return 10 * np.log10(255**2 / error)")
MSE_STUB = "def mse(reference, estimate):\n    raise NotImplementedError('Write your code here')"
MSE = ("def mse(reference, estimate):\n"
       "    return float(np.mean((np.asarray(reference, dtype=np.float64) - estimate) ** 2))")
# What notebook 01 itself does after the learner's check: show a typical mistake.
DEMONSTRATION = ("def psnr_written_for_8_bit_images(reference, estimate, data_range=1.0):\n"
                 "    return 10 * np.log10(255**2 / np.mean((reference - estimate) ** 2))\n\n"
                 "check_psnr(psnr_written_for_8_bit_images)")


def _notebook(*sources, markdown=("# Images, degradations and metrics",)):
    cells = [new_markdown_cell(text) for text in markdown]
    cells += [new_code_cell(source) for source in sources]
    return new_notebook(cells=cells)


NOTEBOOKS = {
    "correct": _notebook(IMPORTS, TO_FLOAT, "check_to_float(to_float)", PSNR, "check_psnr(psnr)", DEMONSTRATION,
                         MSE, "check_mse(mse)"),
    "wrong": _notebook(IMPORTS, TO_FLOAT, "check_to_float(to_float)", WRONG_PSNR, "check_psnr(psnr)", MSE_STUB,
                       "check_mse(mse)"),
    # to_float crashes when it is defined; psnr is checked after a cell that raised and still counts
    "crashing": _notebook(IMPORTS, "undefined_name + 1\n" + TO_FLOAT.replace("def to_float", "def unused"),
                          "check_to_float(to_float)", "raise RuntimeError('the learner broke this cell')",
                          PSNR, "check_psnr(psnr)"),
    "empty": _notebook(markdown=("# Nothing here yet", "Only text.")),
    # the learner deleted the cell that checks psnr (and the demonstration cell)
    "deleted": _notebook(IMPORTS, TO_FLOAT, "check_to_float(to_float)", PSNR),
}


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for learner, notebook in NOTEBOOKS.items():
        (folder / learner).mkdir()
        nbformat.write(notebook, str(folder / learner / FILE_NAME))
    return folder


@pytest.fixture(scope="module")
def hashes_before(class_folder):
    return {path: _sha256(path) for path in class_folder.rglob("*.ipynb")}


@pytest.fixture(scope="module")
def class_report(class_folder, hashes_before):
    return grading.grade([class_folder], timeout=60)


def _by_learner(report):
    return {notebook.learner: notebook for notebook in report.notebooks}


def _statuses(notebook_report):
    return {result.key: result.status for result in notebook_report.exercises}


def test_every_exercise_of_the_notebook_is_reported(class_report):
    reports = _by_learner(class_report)
    assert sorted(reports) == sorted(NOTEBOOKS)
    for report in reports.values():
        assert report.notebook == TOPIC and report.identified_by == "file name"
        assert [result.key for result in report.exercises] == EXERCISES


def test_a_correct_notebook_passes_and_a_demonstrated_mistake_does_not_count(class_report):
    report = _by_learner(class_report)["correct"]
    assert _statuses(report) == {"to_float": "passed", "rgb_to_gray": "not attempted",
                                 "add_gaussian_noise": "not attempted", "mse": "passed", "psnr": "passed"}
    assert report.score() == "3/5 passed"
    assert report.problems == []


def test_a_wrong_answer_fails_with_the_checks_message_and_a_stub_is_not_attempted(class_report):
    report = _by_learner(class_report)["wrong"]
    psnr = report.result("psnr")
    assert psnr.status == "failed" and psnr.check_status == "wrong values"
    assert psnr.message.startswith("wrong values: expected") and psnr.details
    assert report.result("mse").status == "not attempted"
    assert "NotImplementedError" in report.result("mse").message
    assert report.result("to_float").status == "passed"


def test_a_crash_is_reported_and_later_cells_still_run(class_report):
    report = _by_learner(class_report)["crashing"]
    assert report.result("psnr").status == "passed"
    to_float = report.result("to_float")
    assert to_float.status == "failed" and "NameError" in to_float.message
    assert any("NameError" in problem for problem in report.problems)
    assert any("RuntimeError: the learner broke this cell" in problem for problem in report.problems)


def test_an_empty_notebook_and_a_deleted_check_are_not_attempted(class_report):
    reports = _by_learner(class_report)
    assert set(_statuses(reports["empty"]).values()) == {"not attempted"}
    assert reports["empty"].score() == "0/5 passed"
    deleted = reports["deleted"].result("psnr")
    assert deleted.status == "not attempted" and "no cell calls check_psnr()" in deleted.message


def test_the_learners_files_are_never_modified(class_report, hashes_before):
    assert {path: _sha256(path) for path in hashes_before} == hashes_before
    assert sorted(path.name for path in next(iter(hashes_before)).parent.iterdir()) == [FILE_NAME]


def test_class_summary_table_and_json(class_report, tmp_path):
    summary = class_report.summary()
    psnr = next(row for row in summary["exercises"] if row["exercise"] == "psnr")
    assert (psnr["passed"], psnr["failed"], psnr["not attempted"]) == (2, 1, 2)
    scores = {row["learner"]: (row["passed"], row["total"]) for row in summary["learners"]}
    assert scores["correct"] == (3, 5) and scores["empty"] == (0, 5)
    text = class_report.format()
    assert "Class summary (5 notebooks)" in text and "correct/01_images_degradations_metrics.ipynb: 3/5 passed" in text
    assert "notebook" in text.splitlines()[0] and "message" in text.splitlines()[0]
    written = json.loads(class_report.write_json(tmp_path / "grades.json").read_text())
    assert written["summary"] == json.loads(json.dumps(summary))
    wrong = next(item for item in written["notebooks"] if item["learner"] == "wrong")
    assert wrong["score"] == "1/5 passed" and wrong["passed"] == 1 and wrong["total"] == 5
    assert {item["exercise"]: item["status"] for item in wrong["exercises"]}["psnr"] == "failed"


def test_an_endless_loop_is_stopped_and_the_exercises_after_it_are_not_attempted(tmp_path):
    path = tmp_path / FILE_NAME
    loop = "def psnr(reference, estimate, data_range=1.0):\n    while True:\n        pass"
    nbformat.write(_notebook(IMPORTS, TO_FLOAT, "check_to_float(to_float)", loop, "check_psnr(psnr)", MSE,
                             "check_mse(mse)"), str(path))
    report = grading.grade_notebook(path, timeout=10)
    assert report.seconds < 40
    assert _statuses(report)["to_float"] == "passed"
    assert report.result("psnr").status == "failed" and "did not finish" in report.result("psnr").message
    assert report.result("mse").status == "not attempted" and "not reached" in report.result("mse").message
    assert any("was still running" in problem and "check_psnr(psnr)" in problem for problem in report.problems)


def test_the_memory_limit_gives_the_learner_a_memory_error(tmp_path):
    path = tmp_path / "renamed_by_the_learner.ipynb"
    # 4 GB asked for (np.empty: without the limit it would be reserved, never touched), 1.5 GB allowed
    big = "too_big = np.empty(4 * 1024**3, dtype=np.uint8)"
    nbformat.write(_notebook(IMPORTS, TO_FLOAT, big, "check_to_float(to_float)"), str(path))
    report = grading.grade_notebook(path, memory_limit=1536, timeout=60)
    assert report.notebook == TOPIC and report.identified_by == "check calls"
    assert any("MemoryError" in problem for problem in report.problems)
    assert report.result("to_float").status == "passed"


def test_the_notebook_is_identified_by_name_metadata_or_checks(tmp_path):
    notebook = _notebook(IMPORTS, "check_psnr(psnr)")
    assert grading.identify_notebook(notebook, f"{TOPIC}-alice.ipynb") == (TOPIC, "file name")
    assert grading.identify_notebook(notebook, "homework.ipynb") == (TOPIC, "check calls")
    notebook.metadata["course_lib"] = {"generated_from": "solutions/05_residual_learning_dncnn.ipynb"}
    assert grading.identify_notebook(notebook, "homework.ipynb") == ("05_residual_learning_dncnn", "metadata")
    assert grading.identify_notebook(notebook, "x.ipynb", topic="02_classical_filters")[0] == "02_classical_filters"
    with pytest.raises(ValueError, match="cannot tell which course notebook"):
        grading.identify_notebook(_notebook(), "homework.ipynb")
    with pytest.raises(ValueError, match="topic must be a course notebook"):
        grading.identify_notebook(notebook, "x.ipynb", topic="99_nothing")


@pytest.mark.parametrize("content, message", [
    ("{ not json", "corrupt: not valid JSON"),
    ('{"cells": "nope"}', "is not a Jupyter notebook"),
    ('{"cells": [], "nbformat": 3}', "notebook format 3"),
])
def test_bad_notebooks_are_refused_with_one_line(tmp_path, capsys, content, message):
    path = tmp_path / FILE_NAME
    path.write_text(content)
    assert cli.main(["grade", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1


def test_missing_and_non_notebook_inputs_are_refused(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("hello")
    assert cli.main(["grade", str(tmp_path / "notes.txt")]) == 2
    assert "is not a notebook (.ipynb file)" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "contains no notebooks" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path), "--timeout", "0"]) == 2
    assert "timeout must be positive" in capsys.readouterr().err


def test_command_line_end_to_end_with_a_corrupt_notebook_in_the_folder(tmp_path, capsys):
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    (folder / "bob").mkdir()
    nbformat.write(NOTEBOOKS["wrong"], str(folder / "alice" / FILE_NAME))
    (folder / "bob" / FILE_NAME).write_text("{ truncated")
    report_file = tmp_path / "grades.json"
    executed = tmp_path / "executed"
    arguments = ["grade", str(folder), "--json", str(report_file), "--executed", str(executed), "--timeout", "60"]
    assert cli.main(arguments) == 0
    output = capsys.readouterr().out
    assert "alice/01_images_degradations_metrics.ipynb: 1/5 passed" in output
    assert "bob/01_images_degradations_metrics.ipynb: not graded" in output and "Class summary" in output
    written = json.loads(report_file.read_text())
    assert [item["learner"] for item in written["notebooks"]] == ["alice", "bob"]
    assert written["notebooks"][1]["error"] and written["settings"]["timeout"] == 60
    copy = nbformat.read(str(executed / "alice" / FILE_NAME), as_version=4)
    assert any(cell.get("outputs") for cell in copy.cells if cell.cell_type == "code")
    assert cli.main(arguments) == 2  # outputs exist: refused before anything runs
    assert "add --force" in capsys.readouterr().err

