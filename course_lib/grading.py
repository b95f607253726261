"""Grade learners' exercise notebooks: run each one, read its checks, report per exercise.

A notebook is graded by running it top to bottom, the way a teacher would, and
reading what its checks answered::

    from course_lib.grading import grade

    report = grade(["submissions/"], timeout=600)
    print(report.format())          # a table, each notebook's score, a class summary
    report.write_json("grades.json")

How it works
------------
- **A copy, its own kernel, limits.** The learner's file is copied into a
  temporary folder and the copy runs there, in a fresh Jupyter kernel, so the
  learner's file is never modified and files the notebook writes land in the
  temporary folder. Cells run with errors allowed (a crash in one cell does not
  stop the ones after it) within a time limit for the whole notebook (and
  optionally per cell); the kernel runs under a memory limit and is killed at the
  end. A cell that exceeds the time stops the run there: the report names the
  cell, and exercises not reached are "not attempted".
- **Results from the checks themselves.** The kernel runs with
  ``COURSE_LIB_GRADE_LOG`` naming a file in the temporary folder; every
  ``check_*`` call appends its feedback there as one line of JSON (see
  :mod:`course_lib.checks`). Printed outputs are never parsed.
- **Per exercise.** An exercise is *passed* when its last check said correct,
  *failed* when it said anything else (its message is reported), and *not
  attempted* when the stub was left in place or the check never ran (a deleted
  cell, a run stopped earlier). Only checks of the function the exercise asks for
  count (``check_psnr(psnr)``): notebooks also check deliberately wrong functions
  to show a typical mistake, and those are not the learner's answer. A check cell
  that raises (``psnr`` is not defined) fails its exercise with the error.
- **Which notebook is it?** The exercises to expect come from the course notebook
  the file is a copy of: from its file name (``05_residual_learning_dncnn.ipynb``,
  also with a suffix such as ``05_residual_learning_dncnn-alice.ipynb``), else the
  ``generated_from`` entry that ``build-notebooks`` writes into its metadata, else
  the ``check_*`` calls in its code (the course notebook whose checks it calls
  most), unless ``topic`` says it.

This is not a sandbox: the learner's code runs with your permissions. Grade
notebooks you do not trust inside a container or a throwaway account.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ._files import write_text_atomically

__all__ = [
    "PASSED",
    "FAILED",
    "NOT_ATTEMPTED",
    "ExerciseResult",
    "NotebookReport",
    "GradingReport",
    "course_notebooks",
    "read_notebook",
    "identify_notebook",
    "find_notebooks",
    "grade_notebook",
    "grade",
]

PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"
_STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)

_CHECK_CALL = re.compile(r"\bcheck_(\w+)\s*\(")
_TABLE_MESSAGE_WIDTH = 72
_HOW_IDENTIFIED = {"file name": "from its file name", "metadata": "from its metadata",
                   "check calls": "from the checks it calls", "topic given": "as asked"}


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------


@dataclass
class ExerciseResult:
    """One exercise of a graded notebook.

    Attributes
    ----------
    key : str
        The exercise (``"psnr"``).
    status : {"passed", "failed", "not attempted"}
    message : str
        The check's message (empty when passed), or why the check did not run.
    details : list of str
        The check's details (on which test, where the values differ).
    check_status : str, optional
        The check's own status (``"wrong values"``, ``"error"``, ...); None if it never ran.
    checks_run : int
        How many times the exercise's function was checked (the last one counts).
    """

    key: str
    status: str
    message: str = ""
    details: list = field(default_factory=list)
    check_status: str | None = None
    checks_run: int = 0

    def to_dict(self) -> dict:
        return {"exercise": self.key, "status": self.status, "message": self.message, "details": list(self.details),
                "check_status": self.check_status, "checks_run": self.checks_run}


@dataclass
class NotebookReport:
    """The grade of one notebook.

    Attributes
    ----------
    path : str
        The learner's file.
    name : str
        How the report shows it: its path relative to the folder graded (or to the
        folder the files given have in common).
    learner : str
        The first folder of `name` when there is one (``alice/01_...ipynb`` is
        alice's), else the file name without ``.ipynb``.
    notebook : str, optional
        The course notebook it was graded as (``"01_images_degradations_metrics"``).
    identified_by : str
        How `notebook` was found: "file name", "metadata", "check calls" or "topic given".
    exercises : list of ExerciseResult
    problems : list of str
        What went wrong while running: cells that raised, a cell that ran out of
        time, a kernel that died.
    seconds : float
        Wall time of the run, kernel start-up included.
    error : str, optional
        Why the notebook could not be graded at all (unreadable); then `exercises` is empty.
    """

    path: str
    name: str
    learner: str
    notebook: str | None = None
    identified_by: str = ""
    exercises: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> int:
        return sum(result.status == PASSED for result in self.exercises)

    @property
    def total(self) -> int:
        return len(self.exercises)

    def score(self) -> str:
        """``"3/5 passed"`` (or ``"not graded"``)."""
        return "not graded" if self.error else f"{self.passed}/{self.total} passed"

    def result(self, key: str) -> ExerciseResult:
        """The result of exercise `key`."""
        for result in self.exercises:
            if result.key == key:
                return result
        raise ValueError(f"key must be one of {[result.key for result in self.exercises]}; got {key!r}")

    def to_dict(self) -> dict:
        return {"path": self.path, "name": self.name, "learner": self.learner, "notebook": self.notebook,
                "identified_by": self.identified_by, "passed": self.passed, "total": self.total,
                "score": self.score(), "seconds": round(self.seconds, 1), "error": self.error,
                "problems": list(self.problems), "exercises": [result.to_dict() for result in self.exercises]}


def _shorten(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _table(header: list, rows: list) -> list:
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(value).ljust(width) for value, width in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


@dataclass
class GradingReport:
    """The grades of several notebooks, with a class summary.

    Attributes
    ----------
    notebooks : list of NotebookReport
    settings : dict
        The limits the notebooks ran under (timeout, memory).
    """

    notebooks: list
    settings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Per exercise, how many notebooks passed, failed or did not attempt it; per learner, a score."""
        exercises: dict = {}
        learners: dict = {}
        for report in self.notebooks:
            scores = learners.setdefault(report.learner, {"learner": report.learner, "notebooks": 0,
                                                          "passed": 0, "total": 0, "not_graded": 0})
            scores["notebooks"] += 1
            if report.error:
                scores["not_graded"] += 1
                continue
            scores["passed"] += report.passed
            scores["total"] += report.total
            for result in report.exercises:
                counts = exercises.setdefault(result.key, {"exercise": result.key, "notebook": report.notebook,
                                                           **{status: 0 for status in _STATUSES}})
                counts[result.status] += 1
        return {"exercises": list(exercises.values()), "learners": list(learners.values())}

    def format(self) -> str:
        """A table (notebook, exercise, status, message), each notebook's score and problems,
        and, for more than one notebook, the class summary."""
        rows = []
        for report in self.notebooks:
            if report.error:
                rows.append([report.name, "-", "not graded", _shorten(report.error, _TABLE_MESSAGE_WIDTH)])
                continue
            for index, result in enumerate(report.exercises):
                rows.append([report.name if index == 0 else "", result.key, result.status,
                             _shorten(result.message if result.status != PASSED else "", _TABLE_MESSAGE_WIDTH)])
            if not report.exercises:
                rows.append([report.name, "-", "-", "this course notebook has no checked exercises"])
        lines = _table(["notebook", "exercise", "status", "message"], rows) if rows else []
        lines.append("")
        for report in self.notebooks:
            if report.error:
                lines.append(f"{report.name}: not graded ({report.error})")
                continue
            how = _HOW_IDENTIFIED.get(report.identified_by, report.identified_by)
            lines.append(f"{report.name}: {report.score()} (graded as {report.notebook}, {how}; "
                         f"{report.seconds:.1f} s)")
            lines += [f"  - {problem}" for problem in report.problems]
        if len(self.notebooks) > 1:
            summary = self.summary()
            lines += ["", f"Class summary ({len(self.notebooks)} notebooks)", ""]
            lines += _table(["exercise", "notebook", *_STATUSES],
                            [[row["exercise"], row["notebook"], *(row[status] for status in _STATUSES)]
                             for row in summary["exercises"]])
            lines.append("")
            lines += _table(["learner", "notebooks", "score"],
                            [[row["learner"], row["notebooks"],
                              f"{row['passed']}/{row['total']} passed"
                              + (f", {row['not_graded']} not graded" if row["not_graded"] else "")]
                             for row in summary["learners"]])
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"settings": dict(self.settings), "notebooks": [report.to_dict() for report in self.notebooks],
                "summary": self.summary()}

    def write_json(self, path) -> Path:
        """Write :meth:`to_dict` as indented JSON (through a temporary file and a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_text_atomically(path, json.dumps(self.to_dict(), indent=2) + "\n")


# --------------------------------------------------------------------------------------
# Reading and identifying notebooks
# --------------------------------------------------------------------------------------


def course_notebooks() -> dict:
    """``{notebook stem: [exercise keys]}`` for every course notebook with checked exercises."""
    from . import checks

    notebooks: dict = {}
    for key in checks.list_exercises():
        notebooks.setdefault(checks.exercise(key).notebook, []).append(key)
    return notebooks


def read_notebook(path):
    """The notebook at `path` as an ``nbformat`` node (version 4).

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If it is not an ``.ipynb`` file, not JSON, or not a Jupyter notebook.
    """
    import nbformat

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"NOTEBOOK {str(path)!r} does not exist")
    if path.is_dir() or path.suffix.lower() != ".ipynb":
        raise ValueError(f"NOTEBOOK {str(path)!r} is not a notebook (.ipynb file)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"NOTEBOOK {str(path)!r} is not a notebook: it is not UTF-8 text") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"NOTEBOOK {str(path)!r} is corrupt: not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno})") from None
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        raise ValueError(f"NOTEBOOK {str(path)!r} is not a Jupyter notebook: its JSON has no list of 'cells'")
    if content.get("nbformat") != 4:
        raise ValueError(f"NOTEBOOK {str(path)!r} has notebook format {content.get('nbformat')!r}; "
                         "only format 4 (Jupyter 4 and later) can be graded")
    try:
        notebook = nbformat.from_dict(content)
        for cell in notebook.cells:
            if cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError(f"a cell of unknown type {cell.get('cell_type')!r}")
            source = cell.get("source", "")
            cell["source"] = "".join(source) if isinstance(source, list) else str(source)
            if cell["cell_type"] == "code":
                cell.setdefault("outputs", [])
                cell.setdefault("metadata", {})
                cell.setdefault("execution_count", None)
    except (AttributeError, TypeError, ValueError) as error:
        raise ValueError(f"NOTEBOOK {str(path)!r} is corrupt: {error}") from None
    return notebook


def _code_sources(notebook) -> list:
    return [cell.source for cell in notebook.cells if cell.get("cell_type") == "code"]


def identify_notebook(notebook, path, *, topic: str | None = None) -> tuple:
    """``(course notebook stem, how it was found)`` for a learner's notebook.

    In order: `topic` if given; the file name (``05_residual_learning_dncnn.ipynb``, or
    with anything after the name); the ``generated_from`` entry that ``build-notebooks``
    stores in the metadata; the course notebook whose ``check_*`` functions the code calls
    most. Raises ValueError when none of them tells.
    """
    known = course_notebooks()
    if topic is not None:
        if topic not in known:
            raise ValueError(f"topic must be a course notebook with exercises, one of {sorted(known)}; "
                             f"got {topic!r}")
        return topic, "topic given"
    stem = Path(path).stem
    by_name = [name for name in known if stem == name or stem.startswith(name)]
    if by_name:
        return max(by_name, key=len), "file name"
    metadata = notebook.get("metadata", {}).get("course_lib", {})
    generated_from = metadata.get("generated_from") if isinstance(metadata, dict) else None
    if isinstance(generated_from, str) and Path(generated_from).stem in known:
        return Path(generated_from).stem, "metadata"
    called = {match.group(1) for source in _code_sources(notebook) for match in _CHECK_CALL.finditer(source)}
    counts = {name: len(called & set(keys)) for name, keys in known.items()}
    best = max(counts.values(), default=0)
    winners = [name for name, count in counts.items() if count == best]
    if best and len(winners) == 1:
        return winners[0], "check calls"
    raise ValueError(f"cannot tell which course notebook {str(path)!r} is: its name does not start with one "
                     "(e.g. 01_images_degradations_metrics), its metadata does not say, and it calls no course "
                     "check; pass --topic")


def find_notebooks(inputs) -> list:
    """``[(path, name)]``: the notebooks among `inputs` (files, and the ``.ipynb`` files inside folders).

    `name` is how reports show each one: its path relative to the folder it was found
    in, or, for files given directly, relative to the folder those files share.
    Folders are searched recursively; ``.ipynb_checkpoints`` and hidden folders are
    skipped. Raises FileNotFoundError for a missing input and ValueError for a file
    that is not ``.ipynb`` or a folder without notebooks.
    """
    found = []
    files = []
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"NOTEBOOK {str(path)!r} does not exist")
        if path.is_dir():
            notebooks = sorted(
                candidate for candidate in path.rglob("*.ipynb")
                if not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
            if not notebooks:
                raise ValueError(f"folder {str(path)!r} contains no notebooks (.ipynb files)")
            found += [(candidate, candidate.relative_to(path).as_posix()) for candidate in notebooks]
        elif path.suffix.lower() != ".ipynb":
            raise ValueError(f"NOTEBOOK {str(path)!r} is not a notebook (.ipynb file)")
        else:
            files.append(path)
    if files:
        common = Path(os.path.commonpath([str(path.resolve().parent) for path in files]))
        found += [(path, path.resolve().relative_to(common).as_posix()) for path in files]
    return found


def _learner(name: str) -> str:
    parts = Path(name).parts
    return parts[0] if len(parts) > 1 else Path(name).stem


# --------------------------------------------------------------------------------------
# Running a notebook
# --------------------------------------------------------------------------------------


def _memory_limiter(megabytes: int | None):
    """A ``preexec_fn`` that caps the kernel's data memory (RLIMIT_DATA), or None where it cannot."""
    if not megabytes:
        return None
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    limit = int(megabytes) * 1024 * 1024

    def limit_memory() -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        value = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (value, value))

    return limit_memory


def _describe_cell(notebook, index: int) -> str:
    lines = [line.strip() for line in notebook.cells[index].source.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    snippet = f" (`{_shorten(lines[0], 50)}`)" if lines else ""
    return f"cell {index + 1}{snippet}"


def _error_of(cell) -> tuple | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


def _last_lines(path: Path, count: int = 3) -> str:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                 if line.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-count:])


def _run(notebook, folder: Path, log: Path, *, timeout: float, cell_timeout: float | None,
         memory_limit: int | None, kernel_name: str) -> tuple:
    """Run the cells of `notebook` in a fresh kernel in `folder`.

    Returns ``(problems, stopped_at, unfinished)``: sentences for the report; the index
    of the first cell that did not run to its end, or None if every cell did; and
    whether that cell started (it ran out of time or its kernel died) rather than never ran.
    """
    import nbclient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .checks import GRADE_LOG_VARIABLE

    client = nbclient.NotebookClient(notebook, kernel_name=kernel_name, allow_errors=True,
                                     interrupt_on_timeout=False, resources={"metadata": {"path": str(folder)}})
    environment = {**os.environ, GRADE_LOG_VARIABLE: str(log),
                   "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    problems = []
    stopped_at, unfinished = None, False
    kernel_output = folder / ".kernel-output.txt"
    deadline = time.monotonic() + timeout
    client.reset_execution_trackers()
    with open(kernel_output, "w", encoding="utf-8") as output:
        launch = {"env": environment, "stdout": output, "stderr": output}
        limiter = _memory_limiter(memory_limit)
        if limiter is not None:
            launch["preexec_fn"] = limiter
        with client.setup_kernel(**launch):
            for index, cell in enumerate(notebook.cells):
                if cell.get("cell_type") != "code" or not cell.source.strip():
                    continue
                remaining = deadline - time.monotonic()
                if remaining < 1:
                    stopped_at = index
                    problems.append(f"the notebook's {timeout:g} s were used up before "
                                    f"{_describe_cell(notebook, index)}; it and the cells after it did not run")
                    break
                client.timeout = max(1, int(min(remaining, cell_timeout or remaining)))
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except CellTimeoutError:
                    stopped_at, unfinished = index, True
                    limit = (f"the {cell_timeout:g} s allowed per cell" if cell_timeout and cell_timeout < remaining
                             else f"what was left of the notebook's {timeout:g} s")
                    problems.append(f"{_describe_cell(notebook, index)} was still running after {client.timeout} s, "
                                    f"{limit} (an endless loop?), and was stopped; the cells after it did not run")
                    break
                except DeadKernelError:
                    stopped_at, unfinished = index, True
                    last_words = _last_lines(kernel_output)
                    problems.append(f"the kernel died while running {_describe_cell(notebook, index)} (out of "
                                    f"memory, or a crash in compiled code); the cells after it did not run"
                                    + (f"; it said: {_shorten(last_words, 200)}" if last_words else ""))
                    break
                error = _error_of(cell)
                if error is not None:
                    name, value = error
                    problems.append(f"{_describe_cell(notebook, index)} raised {name}: {_shorten(value, 150)}")
    return problems, stopped_at, unfinished


def _read_log(log: Path) -> list:
    records = []
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return records
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by a killed kernel
            continue
        if isinstance(record, dict) and "exercise" in record and "status" in record:
            records.append(record)
    return records


def _results(notebook, topic: str, records: list, stopped_at: int | None, unfinished: bool) -> list:
    from . import checks

    check_cells: dict = {}
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") == "code":
            for match in _CHECK_CALL.finditer(cell.source):
                check_cells.setdefault(match.group(1), []).append(index)
    results = []
    for key in checks.list_exercises(topic):
        function_name = checks.exercise(key).function_name
        of_key = [record for record in records if record["exercise"] == key]
        answers = [record for record in of_key if record.get("function") == function_name]
        if answers:
            last = answers[-1]
            if last["status"] == checks.CORRECT:
                status, message = PASSED, ""
            elif last["status"] == checks.NOT_ATTEMPTED:
                status, message = NOT_ATTEMPTED, last.get("message", "")
            else:
                status, message = FAILED, f"{last['status']}: {last.get('message', '')}"
            results.append(ExerciseResult(key, status, message, list(last.get("details", [])),
                                          last["status"], len(answers)))
            continue
        cells = check_cells.get(key, [])
        raised = [(index, _error_of(notebook.cells[index])) for index in cells if _error_of(notebook.cells[index])]
        if unfinished and stopped_at in cells:
            message = f"its check did not finish: {_describe_cell(notebook, stopped_at)} was stopped"
            results.append(ExerciseResult(key, FAILED, message))
        elif raised:
            index, (name, value) = raised[-1]
            results.append(ExerciseResult(key, FAILED, f"its check could not run: {_describe_cell(notebook, index)} "
                                                        f"raised {name}: {_shorten(value, 120)}"))
        elif not cells:
            results.append(ExerciseResult(key, NOT_ATTEMPTED, f"no cell calls check_{key}() (deleted?)"))
        elif stopped_at is not None and all(index >= stopped_at for index in cells):
            results.append(ExerciseResult(key, NOT_ATTEMPTED, "not reached: the run stopped before its check"))
        elif of_key:
            others = sorted({str(record.get("function")) for record in of_key})
            results.append(ExerciseResult(key, NOT_ATTEMPTED, f"check_{key}() ran only on other functions "
                                                              f"({', '.join(others)}), never on {function_name}()"))
        else:
            results.append(ExerciseResult(key, NOT_ATTEMPTED, f"check_{key}() never ran"))
    return results


def _check_limits(timeout, cell_timeout, memory_limit) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be positive; got {timeout:g}")
    if cell_timeout is not None and not cell_timeout > 0:
        raise ValueError(f"cell_timeout must be positive; got {cell_timeout:g}")
    if memory_limit is not None and memory_limit < 256:
        raise ValueError(f"memory_limit must be at least 256 MB (Python needs that much); got {memory_limit}")


def grade_notebook(path, *, name: str | None = None, timeout: float = 600, cell_timeout: float | None = None,
                   memory_limit: int | None = 8192, topic: str | None = None, kernel_name: str = "python3",
                   executed_copy=None) -> NotebookReport:
    """Run one learner's notebook on a temporary copy and grade each of its exercises.

    Parameters
    ----------
    path : str or os.PathLike
        The learner's ``.ipynb`` file (never modified).
    name : str, optional
        How the report shows it (default: the file name).
    timeout : float
        Seconds allowed for running all of its cells; the cell running when they are
        used up is stopped and the cells after it are not run.
    cell_timeout : float, optional
        Seconds allowed per cell (default: only `timeout` limits).
    memory_limit : int, optional
        Megabytes of data memory the kernel may use (Linux ``RLIMIT_DATA``: heap,
        arrays, tensors; not address space that is only reserved); beyond it an
        allocation raises ``MemoryError`` in the learner's cell. None: no limit.
    topic : str, optional
        The course notebook it is a copy of (default: see :func:`identify_notebook`).
    kernel_name : str
        The Jupyter kernel to run it in.
    executed_copy : str or os.PathLike, optional
        Save the executed copy here (with its outputs), to read what the learner saw.

    Returns
    -------
    NotebookReport

    Raises
    ------
    FileNotFoundError, ValueError
        If the file is missing, not a notebook, or cannot be identified
        (see :func:`read_notebook` and :func:`identify_notebook`).
    """
    import nbformat

    _check_limits(timeout, cell_timeout, memory_limit)
    path = Path(path)
    read_notebook(path)  # fails early, on the learner's file, with a clear message
    name = name or path.name
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-lib-grade-", ignore_cleanup_errors=True) as folder:
        folder = Path(folder)
        copy = folder / path.name
        shutil.copyfile(path, copy)
        notebook = read_notebook(copy)
        topic, identified_by = identify_notebook(notebook, path, topic=topic)
        log = folder / ".grade-log.jsonl"
        problems, stopped_at, unfinished = _run(notebook, folder, log, timeout=timeout, cell_timeout=cell_timeout,
                                                memory_limit=memory_limit, kernel_name=kernel_name)
        results = _results(notebook, topic, _read_log(log), stopped_at, unfinished)
        if executed_copy is not None:
            executed_copy = Path(executed_copy)
            executed_copy.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, str(executed_copy))
    return NotebookReport(path=str(path), name=name, learner=_learner(name), notebook=topic,
                          identified_by=identified_by, exercises=results, problems=problems,
                          seconds=time.perf_counter() - started)


def grade(inputs, *, timeout: float = 600, cell_timeout: float | None = None, memory_limit: int | None = 8192,
          topic: str | None = None, kernel_name: str = "python3", executed_folder=None,
          progress=None) -> GradingReport:
    """Grade every notebook among `inputs` (files, and folders searched for ``.ipynb`` files).

    Files given directly must all be readable notebooks of the course (else
    FileNotFoundError or ValueError before anything runs); a notebook found in a
    folder that cannot be read or identified is reported as not graded instead, so
    one broken submission does not stop the class's grading.

    Parameters
    ----------
    inputs : sequence of str or os.PathLike
    timeout, cell_timeout, memory_limit, topic, kernel_name
        As in :func:`grade_notebook`, for each notebook.
    executed_folder : str or os.PathLike, optional
        Save each executed copy here, under its report name.
    progress : callable, optional
        Called with a short message before each notebook runs.
    """
    _check_limits(timeout, cell_timeout, memory_limit)
    inputs = [Path(item) for item in inputs]
    if not inputs:
        raise ValueError("inputs must name at least one notebook or folder")
    found = find_notebooks(inputs)
    given = {path.resolve() for path in inputs if path.is_file()}
    for path, _ in found:
        if path.resolve() in given:
            identify_notebook(read_notebook(path), path, topic=topic)
    reports = []
    for path, name in found:
        if progress is not None:
            progress(f"grading {name}")
        executed = Path(executed_folder) / name if executed_folder is not None else None
        try:
            report = grade_notebook(path, name=name, timeout=timeout, cell_timeout=cell_timeout,
                                    memory_limit=memory_limit, topic=topic, kernel_name=kernel_name,
                                    executed_copy=executed)
        except (ValueError, FileNotFoundError) as error:
            if path.resolve() in given:
                raise
            report = NotebookReport(path=str(path), name=name, learner=_learner(name), error=str(error))
        reports.append(report)
    settings = {"timeout": timeout, "cell_timeout": cell_timeout, "memory_limit_mb": memory_limit,
                "kernel": kernel_name}
    return GradingReport(reports, settings)
