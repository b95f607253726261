"""The machinery behind every exercise check: run, compare, give feedback, hint, solve.

An :class:`Exercise` pairs a function the learner writes with a reference
implementation and a few small, seeded test cases. :func:`run_check` calls the
learner's function on each case and answers with the first problem it finds,
in the order a teacher would look:

1. not attempted yet (the stub still raises ``NotImplementedError``);
2. raised an error (which one, and on which line of the learner's code);
3. changed its input in place;
4. wrong type, shape, dtype or range;
5. wrong values (how far off, and where);
6. correct.

A wrong answer that matches one of the exercise's typical :class:`Mistake` s gets
that mistake's explanation added to its message, so the learner reads what went
wrong ("the kernel is not flipped") and not only the numbers.

Hints come one at a time from :func:`hint`; the full solution, taken from the
solution notebook itself so it is never out of date, only from :func:`solution`.

When the environment variable ``COURSE_LIB_GRADE_LOG`` names a file, every check
also appends its feedback there as one line of JSON (``feedback.to_dict()`` plus
the exercise's notebook and the name of the function checked); this is how
``python -m course_lib grade`` (:mod:`course_lib.grading`) reads a learner's results.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = [
    "Exercise",
    "Mistake",
    "Feedback",
    "Case",
    "register",
    "exercise",
    "list_exercises",
    "run_check",
    "check",
    "hint",
    "solution",
    "reset_hints",
    "NOT_ATTEMPTED",
    "ERROR",
    "MODIFIED_INPUT",
    "WRONG_TYPE",
    "WRONG_SHAPE",
    "WRONG_VALUES",
    "CORRECT",
    "GRADE_LOG_VARIABLE",
]

NOT_ATTEMPTED = "not attempted"
ERROR = "error"
MODIFIED_INPUT = "modified input"
WRONG_TYPE = "wrong type"
WRONG_SHAPE = "wrong shape"
WRONG_VALUES = "wrong values"
CORRECT = "correct"

#: The environment variable that names the file every check's feedback is appended to (see the module docstring).
GRADE_LOG_VARIABLE = "COURSE_LIB_GRADE_LOG"

_STYLE = {
    NOT_ATTEMPTED: ("#555", "#f4f4f4", "✏️"),
    CORRECT: ("#17632d", "#e6f4ea", "✅"),
}
_WRONG_STYLE = ("#8a1c1c", "#fdecea", "❌")


@dataclass(frozen=True)
class Case:
    """One call of the learner's function: positional and keyword arguments, and a label."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        shown = [_describe_value(value) for value in self.args]
        shown += [f"{key}={_describe_value(value)}" for key, value in self.kwargs.items()]
        return "(" + ", ".join(shown) + ")"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer that a check recognizes and names.

    Attributes
    ----------
    explanation : str
        What went wrong and how to put it right, added to the check's message.
    answer : callable, optional
        Takes the reference's arguments and returns the wrong answer. The mistake is
        recognized when the learner's result equals it within the exercise's tolerances
        (the allowed output range is not applied: a mistake may well leave it).
    matches : callable, optional
        ``matches(got, expected, case) -> bool``, for a mistake that is a pattern rather
        than one answer (for example, wrong values only next to the image's border).
    """

    explanation: str
    answer: Callable | None = None
    matches: Callable | None = None


@dataclass
class Exercise:
    """An exercise: what the learner writes, how it is checked, and how they are helped.

    Attributes
    ----------
    key : str
        Short name used by :func:`check`, :func:`hint` and :func:`solution`, e.g. ``"psnr"``.
    notebook : str
        The solution notebook's file name stem, e.g. ``"01_images_degradations_metrics"``.
    function_name : str
        The name of the function the learner defines in that notebook.
    reference : callable
        A correct implementation; its output on each case is the expected answer.
    cases : callable
        Returns a list of :class:`Case`, built from small seeded arrays.
    hints : list of str
        Given one at a time, from gentle to nearly the answer.
    rtol, atol : float
        Tolerances for comparing values.
    expected_range : tuple, optional
        ``(low, high)`` the output must lie in, checked before the values.
    compare : callable, optional
        ``compare(got, expected, case) -> str or None`` for answers that are not
        compared element-wise; returns a message when wrong.
    explain_error : callable, optional
        ``explain_error(error, case) -> str or None`` for answers that raise: a
        sentence that names the typical mistake behind the error (added to the
        feedback's details), or None.
    mistakes : list of Mistake
        Typical wrong answers, tried in order on a wrong result; the first that
        matches adds its explanation to the message.
    """

    key: str
    notebook: str
    function_name: str
    reference: Callable
    cases: Callable[[], list]
    hints: list
    rtol: float = 1e-5
    atol: float = 1e-6
    expected_range: tuple | None = None
    compare: Callable | None = None
    explain_error: Callable | None = None
    mistakes: list = field(default_factory=list)


_REGISTRY: dict[str, Exercise] = {}
_HINTS_GIVEN: dict[str, int] = {}


def register(exercise_: Exercise) -> Exercise:
    """Add an exercise to the registry (keys are unique)."""
    if exercise_.key in _REGISTRY and _REGISTRY[exercise_.key] is not exercise_:
        raise ValueError(f"an exercise with key {exercise_.key!r} is already registered")
    _REGISTRY[exercise_.key] = exercise_
    return exercise_


def exercise(key: str) -> Exercise:
    """The registered exercise called `key`."""
    if key not in _REGISTRY:
        raise ValueError(f"key must name an exercise, one of {sorted(_REGISTRY)}; got {key!r}")
    return _REGISTRY[key]


def list_exercises(notebook: str | None = None) -> list[str]:
    """Keys of all exercises, or of one notebook's, in registration order."""
    return [key for key, item in _REGISTRY.items() if notebook is None or item.notebook == notebook]


# --------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------


@dataclass
class Feedback:
    """The answer of a check: a status, a message for the learner, and details.

    ``feedback.passed`` is True only for a correct answer. In a notebook the
    feedback shows as a coloured box; ``str(feedback)`` is the same text.
    """

    key: str
    status: str
    message: str
    details: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def text(self) -> str:
        icon = _STYLE.get(self.status, _WRONG_STYLE)[2]
        lines = [f"{icon} [{self.key}] {self.message}"]
        lines += [f"   {line}" for line in self.details]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"exercise": self.key, "status": self.status, "passed": self.passed,
                "message": self.message, "details": list(self.details)}

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def _repr_html_(self) -> str:
        color, background, icon = _STYLE.get(self.status, _WRONG_STYLE)
        details = "".join(f"<li>{html.escape(line)}</li>" for line in self.details)
        details = f"<ul style='margin:4px 0 0 0'>{details}</ul>" if details else ""
        return (
            f"<div style='border-left:4px solid {color};background:{background};color:{color};"
            f"padding:6px 10px;font-family:sans-serif'><b>{icon} {html.escape(self.key)}:</b> "
            f"{html.escape(self.message)}{details}</div>"
        )


# --------------------------------------------------------------------------------------
# Comparing answers
# --------------------------------------------------------------------------------------


def _describe_value(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"{type(value).__name__} of {len(value)}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _learner_location(error: BaseException) -> str:
    """The innermost frame of the traceback that is not inside course_lib or NumPy."""
    frames = traceback.extract_tb(error.__traceback__)
    library = str(Path(__file__).resolve().parents[1])
    learner_frames = [
        frame for frame in frames
        if not str(Path(frame.filename).resolve()).startswith(library) and "site-packages" not in frame.filename
    ]
    frame = learner_frames[-1] if learner_frames else (frames[-1] if frames else None)
    if frame is None:
        return ""
    where = "your cell" if frame.filename.startswith("<") or "ipykernel" in frame.filename else frame.filename
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f"in {frame.name}() at line {frame.lineno} of {where}{code}"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and np.issubdtype(value.dtype, np.number)


def _compare_values(got: Any, expected: Any, item: Exercise) -> tuple[str, str, list] | None:
    """Return (status, message, details) when `got` differs from `expected`, else None."""
    if _is_number(expected):
        if not _is_number(got):
            return WRONG_TYPE, f"expected a single number, but got {_describe_value(got)}.", []
        got_value, expected_value = float(got), float(expected)
        if np.isinf(expected_value) or np.isinf(got_value):
            if got_value == expected_value:
                return None
        elif np.isclose(got_value, expected_value, rtol=item.rtol, atol=item.atol):
            return None
        return WRONG_VALUES, f"expected {expected_value:.6g}, got {got_value:.6g}.", []
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return WRONG_TYPE, f"expected a tuple of {len(expected)} values, got {_describe_value(got)}.", []
        for index, (got_part, expected_part) in enumerate(zip(got, expected)):
            problem = _compare_values(got_part, expected_part, item)
            if problem:
                status, message, details = problem
                return status, f"item {index} of the result: {message}", details
        return None
    expected_array = np.asarray(expected)
    if not isinstance(got, (np.ndarray, list, tuple)) or isinstance(got, str):
        return WRONG_TYPE, f"expected a NumPy array of shape {expected_array.shape}, got {_describe_value(got)}.", []
    try:
        got_array = np.asarray(got)
    except ValueError:  # e.g. a tuple of arrays of different lengths
        return WRONG_TYPE, (
            f"expected one NumPy array of shape {expected_array.shape}, got {_describe_value(got)} "
            "whose pieces have different sizes (did you return more than was asked?)."
        ), []
    if got_array.dtype == object:
        return WRONG_TYPE, "the result could not be read as a numeric array.", []
    if got_array.shape != expected_array.shape:
        return WRONG_SHAPE, f"expected shape {expected_array.shape}, got {got_array.shape}.", []
    if np.iscomplexobj(got_array) and not np.iscomplexobj(expected_array):
        return WRONG_TYPE, (
            f"expected real numbers, got a complex array (dtype {got_array.dtype}); "
            "an inverse FFT returns complex values: keep the real part with np.real(...)."
        ), []
    if np.issubdtype(expected_array.dtype, np.floating) and not np.issubdtype(got_array.dtype, np.floating):
        return WRONG_TYPE, (
            f"expected a floating-point array, got dtype {got_array.dtype} "
            "(integer arithmetic rounds or wraps around; convert with .astype(np.float64))."
        ), []
    if np.issubdtype(expected_array.dtype, np.bool_) and got_array.dtype != np.bool_:
        return WRONG_TYPE, f"expected a boolean array, got dtype {got_array.dtype}.", []
    if np.issubdtype(got_array.dtype, np.number) and not np.all(np.isfinite(got_array)) and np.all(
        np.isfinite(expected_array)
    ):
        return WRONG_VALUES, "the result contains NaN or infinite values (a division by zero?).", []
    if item.expected_range is not None and got_array.size:
        low, high = item.expected_range
        if got_array.min() < low - item.atol or got_array.max() > high + item.atol:
            return WRONG_VALUES, (
                f"values should lie in [{low}, {high}], but yours span "
                f"[{float(got_array.min()):.4g}, {float(got_array.max()):.4g}]."
            ), []
    if expected_array.dtype == np.bool_:
        wrong = got_array != expected_array
    else:
        wrong = ~np.isclose(got_array.astype(np.float64), expected_array.astype(np.float64),
                            rtol=item.rtol, atol=item.atol)
    if not np.any(wrong):
        return None
    difference = np.abs(got_array.astype(np.float64) - expected_array.astype(np.float64))
    worst = np.unravel_index(int(np.argmax(np.where(wrong, difference, -1))), expected_array.shape)
    details = [
        f"{int(wrong.sum())} of {wrong.size} values differ; the largest difference is "
        f"{float(difference[worst]):.4g} at index {tuple(int(i) for i in worst)}",
        f"there you returned {_format_number(got_array[worst])}, expected {_format_number(expected_array[worst])}",
    ]
    return WRONG_VALUES, "the shape is right but some values are wrong.", details


def _format_number(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    return f"{float(value):.6g}"


def _snapshot(values) -> list:
    return [value.copy() if isinstance(value, np.ndarray) else None for value in values]


def run_check(key: str, learner_function: Callable) -> Feedback:
    """Check `learner_function` against exercise `key`; see the module docstring for the order."""
    feedback = _evaluate(key, learner_function)
    _append_to_grade_log(feedback, learner_function)
    return feedback


def _append_to_grade_log(feedback: Feedback, learner_function) -> None:
    """Append the feedback to the file named by ``COURSE_LIB_GRADE_LOG``, if it is set.

    One line of JSON per check, written with a single call so that a kernel killed
    mid-way leaves whole lines; a log that cannot be written never breaks the check.
    """
    path = os.environ.get(GRADE_LOG_VARIABLE)
    if not path:
        return
    record = {**feedback.to_dict(), "notebook": exercise(feedback.key).notebook,
              "function": getattr(learner_function, "__name__", None)}
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, default=str) + "\n")
    except OSError:
        pass


def _evaluate(key: str, learner_function: Callable) -> Feedback:
    item = exercise(key)
    if not callable(learner_function):
        return Feedback(key, WRONG_TYPE, f"expected a function, got {_describe_value(learner_function)}. "
                        f"Pass the function itself: check_{key}({item.function_name}).")
    cases = item.cases()
    for number, case in enumerate(cases, start=1):
        expected = item.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        arguments = copy.deepcopy(case.args)
        keyword_arguments = copy.deepcopy(case.kwargs)
        before = _snapshot(arguments) + _snapshot(keyword_arguments.values())
        try:
            got = learner_function(*arguments, **keyword_arguments)
        except NotImplementedError:
            return Feedback(key, NOT_ATTEMPTED,
                            f"not attempted yet: replace `raise NotImplementedError` in "
                            f"{item.function_name}() with your code, run the cell, then run this check again.")
        except Exception as error:  # the learner's bug, reported, never re-raised
            location = _learner_location(error)
            explanation = item.explain_error(error, case) if item.explain_error is not None else None
            return Feedback(key, ERROR, f"your function raised {type(error).__name__}: {error}",
                            [f"on test {number} of {len(cases)}, input {case.describe()}",
                             location, *([explanation] if explanation else []), f'Need a hint? Run hint("{key}").'])
        after = _snapshot(arguments) + _snapshot(keyword_arguments.values())
        for old, new in zip(before, after):
            if old is not None and not np.array_equal(old, new, equal_nan=True):
                return Feedback(key, MODIFIED_INPUT,
                                "your function changed its input array in place; work on a copy "
                                "(for example `image = image.copy()` or `image + 0.0`).",
                                [f"on test {number} of {len(cases)}, input {case.describe()}"])
        if item.compare is not None:
            message = item.compare(got, expected, case)
            problem = (WRONG_VALUES, message, []) if message else None
        else:
            problem = _compare_values(got, expected, item)
        if problem:
            status, message, details = problem
            explanation = recognize_mistake(item, got, expected, case)
            if explanation:
                message = f"{message} {explanation}"
            details = [f"on test {number} of {len(cases)}, input {case.describe()}", *details,
                       f'Need a hint? Run hint("{key}").']
            return Feedback(key, status, message, details)
    return Feedback(key, CORRECT, f"correct! {item.function_name}() passed all {len(cases)} tests.")


def recognize_mistake(item: Exercise, got, expected, case: Case) -> str | None:
    """The explanation of the first of `item`'s mistakes that the wrong answer `got` matches, or None."""
    lenient = dataclasses.replace(item, expected_range=None)
    for mistake in item.mistakes:
        try:
            if mistake.answer is not None:
                with np.errstate(all="ignore"):
                    wrong = mistake.answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                if _compare_values(got, wrong, lenient) is None:
                    return mistake.explanation
            elif mistake.matches is not None and mistake.matches(got, expected, case):
                return mistake.explanation
        except Exception:  # a mistake that does not apply to this case (another shape, say)
            continue
    return None


def wrong_only_at_the_border(width: Callable) -> Callable:
    """A ``Mistake.matches``: the answer is wrong only within ``width(case)`` pixels of the border.

    The interior (if any) is right and at least one border value is wrong: the sign of a
    border rule (padding) that differs from the exercise's.
    """

    def matches(got, expected, case) -> bool:
        got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
        if got.shape != expected.shape or got.ndim < 2:
            return False
        rim = int(width(case))
        wrong = ~np.isclose(got, expected, rtol=1e-5, atol=1e-6)
        interior = np.zeros(wrong.shape[:2], dtype=bool)
        interior[rim:wrong.shape[0] - rim, rim:wrong.shape[1] - rim] = True
        wrong_2d = wrong if wrong.ndim == 2 else wrong.reshape(*wrong.shape[:2], -1).any(axis=-1)
        return bool(wrong_2d.any() and interior.any() and not wrong_2d[interior].any())

    return matches


def check(key: str, learner_function: Callable) -> Feedback:
    """Check the learner's function for exercise `key` and return the feedback to display."""
    return run_check(key, learner_function)


# --------------------------------------------------------------------------------------
# Hints and solutions
# --------------------------------------------------------------------------------------


@dataclass
class _Text:
    """Text that shows as Markdown in a notebook and as itself elsewhere."""

    text: str
    markdown: str

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.markdown


def hint(key: str) -> _Text:
    """The next hint for exercise `key`; call again for a stronger one."""
    item = exercise(key)
    given = _HINTS_GIVEN.get(key, 0)
    if given >= len(item.hints):
        text = (f"No more hints for {key!r}: you have seen all {len(item.hints)}. "
                f'Run solution("{key}") to see one way to write it.')
        return _Text(text, text)
    _HINTS_GIVEN[key] = given + 1
    number = f"Hint {given + 1} of {len(item.hints)}"
    return _Text(f"{number}: {item.hints[given]}", f"**{number}:** {item.hints[given]}")


def reset_hints(key: str | None = None) -> None:
    """Start the hints of one exercise (or all) from the first again."""
    if key is None:
        _HINTS_GIVEN.clear()
    else:
        _HINTS_GIVEN.pop(exercise(key).key, None)


def _solutions_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "solutions"


def _solution_source(item: Exercise, folder: Path | None = None) -> str:
    folder = folder or _solutions_folder()
    path = folder / f"{item.notebook}.ipynb"
    if not path.exists():
        raise FileNotFoundError(
            f"the solution notebook {path} is not here; solutions ship with the course's Git repository"
        )
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if f"def {item.function_name}(" in source and "### BEGIN SOLUTION" in source:
            lines = [line for line in source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            return "\n".join(lines)
    raise ValueError(f"no solution cell defining {item.function_name}() in {path.name}")


def solution(key: str) -> _Text:
    """One correct way to write exercise `key`, read from its solution notebook.

    Try the hints first: you learn more from a near miss than from reading an answer.
    """
    item = exercise(key)
    source = _solution_source(item)
    text = f"One solution for {key!r} (from solutions/{item.notebook}.ipynb):\n\n{source}"
    return _Text(text, f"One solution for `{key}` (from `solutions/{item.notebook}.ipynb`):\n\n```python\n{source}\n```")


# --------------------------------------------------------------------------------------
# Helpers for an exercise's own ``compare``
# --------------------------------------------------------------------------------------


def usual_problem(key: str, got, expected):
    """The framework's own verdict on `got`: None when right, else ``(message, element_wise)``.

    ``element_wise`` is True when the answer has the right type and shape but some values
    are wrong; the exercise's ``compare`` then says more than the generic message. (Whatever
    a ``compare`` returns is reported with the status "wrong values": a wrong shape or type
    keeps the framework's message, but not its own status.)
    """
    problem = _compare_values(got, expected, exercise(key))
    if problem is None:
        return None
    status, message, details = problem
    return message, status == WRONG_VALUES and bool(details)


def wrong_elements(key: str, got, expected):
    """``(wrong, first)``: where `got` differs from `expected` within the exercise's tolerances,
    and the index of the first such element."""
    item = exercise(key)
    wrong = ~np.isclose(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                        rtol=item.rtol, atol=item.atol)
    return wrong, np.unravel_index(int(np.argmax(wrong)), wrong.shape)
