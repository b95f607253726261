"""The check machinery itself: each kind of wrong answer gets the right feedback, in order."""

import importlib
import json
import pkgutil
import re

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import _framework as framework


@pytest.fixture
def square_exercise():
    item = framework.Exercise(
        key="_test_square",
        notebook="_test_notebook",
        function_name="square",
        reference=lambda array: array**2,
        cases=lambda: [framework.Case((np.array([1.0, 2.0, 3.0]),), label="three numbers"),
                       framework.Case((np.array([[0.5, -1.0]]),))],
        hints=["Multiply the array by itself.", "Use `array ** 2`."],
    )
    framework.register(item)
    yield item
    framework._REGISTRY.pop("_test_square")
    framework._HINTS_GIVEN.pop("_test_square", None)


def _status(function):
    return framework.run_check("_test_square", function).status


def test_statuses_in_order(square_exercise):
    def not_attempted(array):
        raise NotImplementedError

    def crashes(array):
        return array.nonexistent

    def in_place(array):
        array *= array
        return array

    assert _status(not_attempted) == checks.NOT_ATTEMPTED
    assert _status(crashes) == checks.ERROR
    assert _status(in_place) == checks.MODIFIED_INPUT
    assert _status(lambda array: list(array**2)[:2]) == checks.WRONG_SHAPE
    assert _status(lambda array: "four") == checks.WRONG_TYPE
    assert _status(lambda array: (array**2, np.ones(7))) == checks.WRONG_TYPE  # e.g. (counts, bin_edges)
    assert _status(lambda array: (array**2).astype(int)) == checks.WRONG_TYPE
    assert _status(lambda array: array * 2) == checks.WRONG_VALUES
    assert _status(lambda array: array**2) == checks.CORRECT
    assert _status(42) == checks.WRONG_TYPE


def test_error_feedback_says_which_error_and_where(square_exercise):
    def crashes(array):
        return array.nonexistent

    feedback = framework.run_check("_test_square", crashes)
    assert "AttributeError" in feedback.message
    assert any("crashes()" in line and "array.nonexistent" in line for line in feedback.details)
    assert any("test 1 of 2" in line for line in feedback.details)


def test_wrong_values_feedback_locates_the_worst_value(square_exercise):
    feedback = framework.run_check("_test_square", lambda array: array**2 + (array == 3))
    assert feedback.status == checks.WRONG_VALUES
    assert any("index (2,)" in line for line in feedback.details)
    assert any('hint("_test_square")' in line for line in feedback.details)
    assert not feedback.passed


def test_feedback_renders_as_text_html_and_json(square_exercise):
    feedback = framework.run_check("_test_square", lambda array: array**2)
    assert feedback.passed
    assert str(feedback).startswith("✅ [_test_square] correct!")
    assert "<div" in feedback._repr_html_()
    assert json.loads(json.dumps(feedback.to_dict()))["passed"] is True


def test_scalar_and_tuple_answers():
    item = framework.Exercise(
        key="_test_pair", notebook="x", function_name="pair",
        reference=lambda value: (value, np.array([value, value])),
        cases=lambda: [framework.Case((2.0,))], hints=["h"],
    )
    framework.register(item)
    try:
        assert framework.run_check("_test_pair", lambda value: (value, np.array([value, value]))).passed
        wrong = framework.run_check("_test_pair", lambda value: (value + 1, np.array([value, value])))
        assert wrong.status == checks.WRONG_VALUES and wrong.message.startswith("item 0")
        assert framework.run_check("_test_pair", lambda value: value).status == checks.WRONG_TYPE
    finally:
        framework._REGISTRY.pop("_test_pair")


def test_hints_come_one_at_a_time(square_exercise):
    first, second, third = (repr(framework.hint("_test_square")) for _ in range(3))
    assert first.startswith("Hint 1 of 2")
    assert second.startswith("Hint 2 of 2")
    assert "No more hints" in third and 'solution("_test_square")' in third
    framework.reset_hints("_test_square")
    assert repr(framework.hint("_test_square")).startswith("Hint 1 of 2")
    assert "**Hint 2 of 2:**" in framework.hint("_test_square")._repr_markdown_()


def test_solution_is_read_from_the_solution_notebook(tmp_path, square_exercise):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "def square( is mentioned here", "metadata": {}},
        {"cell_type": "code", "source": ["def square(array):\n", "    ### BEGIN SOLUTION\n",
                                         "    return array ** 2\n", "    ### END SOLUTION\n"],
         "metadata": {}, "outputs": [], "execution_count": None},
    ]}
    (tmp_path / "_test_notebook.ipynb").write_text(json.dumps(notebook))
    source = framework._solution_source(square_exercise, tmp_path)
    assert source == "def square(array):\n    return array ** 2"
    with pytest.raises(FileNotFoundError, match="solution notebook"):
        framework._solution_source(square_exercise, tmp_path / "elsewhere")


def test_registry_errors(square_exercise):
    with pytest.raises(ValueError, match="key must name an exercise"):
        framework.exercise("no_such_exercise")
    duplicate = framework.Exercise(key="_test_square", notebook="y", function_name="f",
                                   reference=abs, cases=list, hints=[])
    with pytest.raises(ValueError, match="already registered"):
        framework.register(duplicate)
    assert "_test_square" in framework.list_exercises("_test_notebook")


def test_every_registered_exercise_accepts_its_own_reference_and_rejects_a_stub():
    """The reference passes its own check, and a stub is reported as not attempted."""

    def stub(*args, **kwargs):
        raise NotImplementedError

    keys = checks.list_exercises()
    assert len(keys) >= 1
    for key in keys:
        item = checks.exercise(key)
        assert item.hints, key
        assert checks.run_check(key, item.reference).passed, key
        assert checks.run_check(key, stub).status == checks.NOT_ATTEMPTED, key
        assert callable(getattr(checks, f"check_{key}")), key


def test_every_exercise_has_its_solution_in_the_solution_notebook():
    for key in checks.list_exercises():
        text = repr(checks.solution(key))
        assert f"def {checks.exercise(key).function_name}(" in text, key
        assert "BEGIN SOLUTION" not in text


def test_an_error_can_be_explained_by_the_exercise():
    item = framework.Exercise(
        key="_test_explained", notebook="x", function_name="half",
        reference=lambda value: value / 2, cases=lambda: [framework.Case((2.0,), label="two")], hints=["h"],
        explain_error=lambda error, case: f"{case.label}: divide, do not index" if "subscript" in str(error) else None,
    )
    framework.register(item)
    try:
        feedback = framework.run_check("_test_explained", lambda value: value[0])
        assert feedback.status == checks.ERROR and "TypeError" in feedback.message
        assert "two: divide, do not index" in feedback.details
        assert feedback.details[-1] == 'Need a hint? Run hint("_test_explained").'
        plain = framework.run_check("_test_explained", lambda value: value.missing)
        assert plain.status == checks.ERROR and len(plain.details) == 3  # no explanation for other errors
    finally:
        framework._REGISTRY.pop("_test_explained")


def test_wrong_value_details_print_plain_numbers(square_exercise):
    feedback = framework.run_check("_test_square", lambda array: array**2 + 1)
    assert "there you returned 2, expected 1" in feedback.details[2]


def _docstring_table() -> dict:
    """``{module: (notebook, [exercise, ...])}`` as the table of course_lib.checks' docstring says."""
    rows, current = {}, None
    for line in checks.__doc__.splitlines():
        row = re.match(r":mod:`\.(\w+)`\s+``(\w+)``(.*)", line)
        if row:
            current = rows[row[1]] = (row[2], [])
            line = row[3]
        elif current is None or not line.startswith(" "):
            current = None
            continue
        current[1].extend(re.findall(r"``(\w+)``", line))
    return rows


def test_the_package_docstring_maps_every_checks_module_to_its_notebook_and_exercises():
    table = _docstring_table()
    modules = {info.name for info in pkgutil.iter_modules(checks.__path__) if not info.name.startswith("_")}
    assert set(table) == modules
    assert sorted(notebook for notebook, _ in table.values()) == sorted(
        {framework._REGISTRY[key].notebook for key in checks.list_exercises()})
    for module_name, (notebook, exercises) in table.items():
        assert exercises == checks.list_exercises(notebook), module_name
        module = importlib.import_module(f"course_lib.checks.{module_name}")
        assert {f"check_{key}" for key in exercises} <= set(module.__all__), module_name


def test_what_grading_needs_is_public():
    assert checks.GRADE_LOG_VARIABLE == framework.GRADE_LOG_VARIABLE == "COURSE_LIB_GRADE_LOG"
    assert "GRADE_LOG_VARIABLE" in checks.__all__
