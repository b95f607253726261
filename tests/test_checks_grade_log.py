"""The checks' grade log: with ``COURSE_LIB_GRADE_LOG`` set, every check appends its feedback as a JSON line."""

import json

import numpy as np
import pytest

from course_lib.checks import _framework as framework


@pytest.fixture
def cube_exercise():
    item = framework.Exercise(
        key="_test_cube",
        notebook="_test_notebook",
        function_name="cube",
        reference=lambda array: array**3,
        cases=lambda: [framework.Case((np.array([1.0, 2.0, 3.0]),))],
        hints=["Multiply the array by itself twice."],
    )
    framework.register(item)
    yield item
    framework._REGISTRY.pop("_test_cube")


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_without_the_variable_nothing_is_written(cube_exercise, tmp_path, monkeypatch):
    monkeypatch.delenv(framework.GRADE_LOG_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)

    def cube(array):
        return array**3

    assert framework.check("_test_cube", cube).passed
    assert list(tmp_path.iterdir()) == []


def test_each_check_appends_its_feedback_and_the_function_checked(cube_exercise, tmp_path, monkeypatch):
    log = tmp_path / "grade.jsonl"
    monkeypatch.setenv(framework.GRADE_LOG_VARIABLE, str(log))

    def cube(array):
        raise NotImplementedError

    first = framework.check("_test_cube", cube)

    def cube(array):  # noqa: F811  (the learner fixes the function and checks again)
        return array**2

    second = framework.run_check("_test_cube", cube)
    third = framework.run_check("_test_cube", lambda array: array**3)
    records = _lines(log)
    assert [record["status"] for record in records] == [framework.NOT_ATTEMPTED, framework.WRONG_VALUES,
                                                        framework.CORRECT]
    assert records[1] == {**second.to_dict(), "notebook": "_test_notebook", "function": "cube"}
    assert records[0]["message"] == first.message and records[2]["passed"] is third.passed is True
    assert records[2]["function"] == "<lambda>"


def test_a_log_that_cannot_be_written_never_breaks_the_check(cube_exercise, tmp_path, monkeypatch):
    monkeypatch.setenv(framework.GRADE_LOG_VARIABLE, str(tmp_path / "missing folder" / "grade.jsonl"))
    assert framework.run_check("_test_cube", lambda array: array**3).passed
    assert framework.run_check("_test_cube", "not a function").status == framework.WRONG_TYPE
