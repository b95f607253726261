"""The course as an nbgrader course folder: one assignment per notebook, graded by the course's checks.

`nbgrader <https://nbgrader.readthedocs.io>`_ grades Jupyter assignments on a JupyterHub
(formgrader, exchange, gradebook). It reads a *source* notebook whose cells carry
nbgrader metadata, gives students a version without the solutions, and autogrades
their submissions. The solution notebooks already mark their solutions the way
nbgrader does, so each one becomes a source notebook::

    from course_lib.nbgrader_course import build_nbgrader_course

    build_nbgrader_course("course")   # course/source/<notebook>/<notebook>.ipynb, course/nbgrader_config.py

In each source notebook:

- a code cell with a ``### BEGIN SOLUTION`` region (an exercise's function) is an
  *autograded answer* cell;
- the cell that checks that function (``check_psnr(psnr)``) is an *autograder test*
  cell worth :data:`EXERCISE_POINTS` of the exercise. The checks only return their
  feedback, they never raise, so the cell gets hidden lines (present when nbgrader
  grades, removed from the students' version) that fail it when the check did not
  say "correct": see :func:`begin_graded_check` and :func:`end_graded_check`;
- a Markdown cell with a ``<!-- BEGIN SOLUTION -->`` region (a discussion question)
  is a *manually graded answer* cell worth :data:`QUESTION_POINTS`;
- every other cell is read-only.

The folder's ``nbgrader_config.py`` gives nbgrader the course's stubs, so the
students' notebooks nbgrader generates are the exercise notebooks of ``notebooks/``.
Point values live here and nowhere else.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from .student_notebooks import BEGIN_SOLUTION, END_SOLUTION, MARKDOWN_BEGIN, MARKDOWN_END

__all__ = [
    "EXERCISE_POINTS",
    "QUESTION_POINTS",
    "DEFAULT_COURSE_ID",
    "course_notebook_names",
    "resolve_notebook_names",
    "make_nbgrader_notebook",
    "nbgrader_config_text",
    "build_nbgrader_course",
    "begin_graded_check",
    "end_graded_check",
]

#: Points of each exercise (its check key), by how much the learner writes and how easy it is to
#: get wrong: 1 for a line or two, 2 for a short function, 3 for an algorithm. The only table of
#: points in the course: the nbgrader test cells read it (a test keeps it in step with the checks).
EXERCISE_POINTS = {
    # 00 welcome
    "invert": 1,
    # 01 images, degradations, metrics
    "to_float": 1, "rgb_to_gray": 1, "add_gaussian_noise": 1, "mse": 1, "psnr": 2,
    # 02 classical filters
    "convolve2d": 3, "gaussian_kernel": 2, "median_filter_3x3": 2, "wiener_filter": 3,
    # 03 histograms and enhancement
    "histogram": 2, "cdf": 1, "equalize_histogram": 3, "gamma_correct": 1, "unsharp_mask": 2,
    # 04 from filters to CNNs
    "gradient_step": 3, "conv2d_output_shape": 2, "receptive_field": 2, "max_pool_2x2": 2,
    # 05 residual learning (DnCNN)
    "make_residual_pair": 2, "batch_norm": 2, "dncnn_parameter_count": 2, "self_ensemble": 3,
    # 06 super-resolution
    "cubic_kernel": 2, "bicubic_upscale_1d": 3, "sr_psnr": 2, "depth_to_space": 2,
    # 07 GANs
    "discriminator_loss": 2, "generator_loss": 1, "gan_train_step": 3,
    # 08 GAN inpainting
    "hole_psnr": 1, "update_mask": 2, "partial_convolution": 3,
    # 09 applications
    "anscombe": 1, "precision_recall": 2, "align_and_average": 2, "flicker": 1,
    # 10 outlook
    "blind_spot_replace": 2, "masked_mse": 1, "quantize_int8": 2,
}

#: Points of each discussion question (a Markdown answer), graded by hand in nbgrader's formgrader.
QUESTION_POINTS = 2

#: The nbgrader course id written into ``nbgrader_config.py`` unless another is given.
DEFAULT_COURSE_ID = "deep-image-restoration"

_REPOSITORY = Path(__file__).resolve().parents[1]
_GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
#: Lines nbgrader acts on wherever they appear; a cell that has one where the course did not put it
#: would be changed or rejected by nbgrader, so the build refuses it.
_NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                        "BEGIN MARK SCHEME", "END MARK SCHEME", "### AUTOTEST", "### HASHED AUTOTEST")


# --------------------------------------------------------------------------------------
# Which notebooks
# --------------------------------------------------------------------------------------


def course_notebook_names(solutions_folder=None) -> list:
    """The stems of the solution notebooks (``"01_images_degradations_metrics"``, ...), in order."""
    folder = Path(solutions_folder) if solutions_folder is not None else _REPOSITORY / "solutions"
    if not folder.is_dir():
        raise FileNotFoundError(f"solutions folder {str(folder)!r} does not exist")
    names = sorted(path.stem for path in folder.glob("*.ipynb"))
    if not names:
        raise FileNotFoundError(f"solutions folder {str(folder)!r} holds no notebooks")
    return names


def resolve_notebook_names(requested, solutions_folder=None) -> list:
    """The notebook stems that `requested` names: a stem, a file name, or its number (``"05"``, ``"5"``).

    None or an empty list means every notebook. Raises ValueError naming the notebooks
    there are for anything that names none of them.
    """
    known = course_notebook_names(solutions_folder)
    if not requested:
        return known
    chosen = []
    for item in requested:
        text = Path(str(item)).name
        text = text[:-len(".ipynb")] if text.endswith(".ipynb") else text
        matches = [name for name in known if name == text]
        if not matches and text.isdigit():
            matches = [name for name in known if name.split("_")[0].isdigit()
                       and int(name.split("_")[0]) == int(text)]
        if not matches:
            raise ValueError(f"NOTEBOOK must be a course notebook, by name or number (e.g. 01 or "
                             f"01_images_degradations_metrics), one of {known}; got {str(item)!r}")
        chosen += [name for name in matches if name not in chosen]
    return chosen


# --------------------------------------------------------------------------------------
# One source notebook
# --------------------------------------------------------------------------------------


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _metadata(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    if not _GRADE_ID.match(grade_id):  # pragma: no cover - the ids are made here
        raise AssertionError(f"not a valid nbgrader grade_id: {grade_id!r}")
    metadata = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
    if grade:
        metadata["points"] = points
    return metadata


def _has_code_solution(source: str) -> bool:
    return any(line.strip() == BEGIN_SOLUTION for line in source.split("\n"))


def _checked_function(source: str, key: str, function_name: str) -> bool:
    """Whether the cell's code calls ``check_<key>(<function_name>)``: the check of the learner's answer
    (a notebook also checks other functions, to show a typical mistake; those cells stay read-only)."""
    return re.search(rf"(?<![\w.])check_{re.escape(key)}\(\s*{re.escape(function_name)}\s*\)", source) is not None


def _test_cell_source(source: str, key: str) -> str:
    """The check cell with hidden lines around it that fail the cell unless the check said "correct"."""
    return "\n".join([
        "### BEGIN HIDDEN TESTS",
        "from course_lib import nbgrader_course as _nbgrader_course",
        f"_nbgrader_course.begin_graded_check({key!r})",
        "### END HIDDEN TESTS",
        source.rstrip("\n"),
        "### BEGIN HIDDEN TESTS",
        f"_nbgrader_course.end_graded_check({key!r})",
        "### END HIDDEN TESTS",
    ])


def make_nbgrader_notebook(solution: dict, notebook_name: str, *, source_name: str | None = None) -> dict:
    """The nbgrader source version of a solution notebook (a new dict; the input is unchanged).

    Parameters
    ----------
    solution : dict
        A solution notebook as loaded by :func:`json.load` (nbformat 4).
    notebook_name : str
        Its stem, e.g. ``"01_images_degradations_metrics"``: which exercises it has.
    source_name : str, optional
        Shown in error messages and recorded in the metadata (default ``solutions/<name>.ipynb``).

    Returns
    -------
    dict
        The notebook with nbgrader metadata on every cell (see the module docstring),
        without outputs, execution counts or widget state.

    Raises
    ------
    ValueError
        If an exercise of the notebook has no answer cell or no check cell, has no
        points in :data:`EXERCISE_POINTS`, or a cell holds nbgrader markers where
        the course does not put them.
    """
    from . import checks

    if not isinstance(solution, dict) or not isinstance(solution.get("cells"), list):
        raise ValueError(f"solution must be a notebook dictionary with a list of 'cells'; got {type(solution).__name__}")
    source_name = source_name or f"solutions/{notebook_name}.ipynb"
    keys = checks.list_exercises(notebook_name)
    missing_points = [key for key in keys if key not in EXERCISE_POINTS]
    if missing_points:
        raise ValueError(f"{source_name}: exercise(s) {missing_points} have no points in "
                         "course_lib.nbgrader_course.EXERCISE_POINTS")
    functions = {checks.exercise(key).function_name: key for key in keys}
    notebook = copy.deepcopy(solution)
    notebook.setdefault("metadata", {}).pop("widgets", None)
    notebook["metadata"]["course_lib"] = {
        "generated_from": source_name,
        "note": "nbgrader source notebook generated by `python -m course_lib build-nbgrader`; edit the solution "
                "instead.",
    }
    answers, tests, questions = {}, {}, 0
    for index, cell in enumerate(notebook["cells"]):
        where = f"{source_name}, cell {index}"
        source = _source_text(cell)
        cell["source"] = source
        cell.setdefault("metadata", {})
        for key_name in ("execution", "widgets", "nbgrader"):
            cell["metadata"].pop(key_name, None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        checked = [key for key in keys if key not in tests and cell["cell_type"] == "code"
                   and _checked_function(source, key, checks.exercise(key).function_name)]
        if cell["cell_type"] == "code" and _has_code_solution(source):
            defined = re.findall(r"^def (\w+)\(", source, re.MULTILINE)
            key = next((functions[name] for name in defined if name in functions), None)
            grade_id = key if key is not None and key not in answers else f"answer-{index:03d}"
            if key is not None:
                answers.setdefault(key, index)
            cell["metadata"]["nbgrader"] = _metadata(grade_id, grade=False, solution=True, locked=False)
            if END_SOLUTION not in source:
                raise ValueError(f"{where}: {BEGIN_SOLUTION} is never closed by {END_SOLUTION}")
        elif cell["cell_type"] == "markdown" and MARKDOWN_BEGIN in source:
            if MARKDOWN_END not in source:
                raise ValueError(f"{where}: {MARKDOWN_BEGIN} is never closed by {MARKDOWN_END}")
            questions += 1
            cell["metadata"]["nbgrader"] = _metadata(f"question-{questions}", grade=True, solution=True,
                                                     locked=False, points=QUESTION_POINTS)
        elif checked:
            key = checked[0]
            tests[key] = index
            cell["source"] = _test_cell_source(source, key)
            cell["metadata"]["nbgrader"] = _metadata(f"check_{key}", grade=True, solution=False, locked=True,
                                                     points=EXERCISE_POINTS[key])
        else:
            stray = [marker for marker in _NBGRADER_DELIMITERS if marker in source]
            if stray:
                raise ValueError(f"{where}: contains {stray[0]!r} outside a solution region; nbgrader would treat "
                                 "the line as a marker")
            cell["metadata"]["nbgrader"] = _metadata(f"cell-{index:03d}", grade=False, solution=False, locked=True)
    for key in keys:
        if key not in answers:
            raise ValueError(f"{source_name}: no cell defines {checks.exercise(key).function_name}() inside a "
                             f"{BEGIN_SOLUTION} region (the answer cell of exercise {key!r})")
        if key not in tests:
            raise ValueError(f"{source_name}: no cell calls check_{key}({checks.exercise(key).function_name}) "
                             f"(the test cell of exercise {key!r})")
        if tests[key] < answers[key]:
            raise ValueError(f"{source_name}: check_{key} runs in cell {tests[key]}, before the answer cell "
                             f"{answers[key]}")
    return notebook


def nbgrader_config_text(course_id: str = DEFAULT_COURSE_ID) -> str:
    """The ``nbgrader_config.py`` of the course folder: the course id, the course's stubs, a time limit."""
    from .student_notebooks import _CODE_STUB, _MARKDOWN_STUB

    if not isinstance(course_id, str) or not _GRADE_ID.match(course_id):
        raise ValueError(f"course_id must be letters, digits, '-' or '_'; got {course_id!r}")
    return "\n".join([
        '"""nbgrader settings of this course folder, written by `python -m course_lib build-nbgrader`.',
        "",
        "Settings for your hub (the exchange directory, the formgrader) belong in the nbgrader_config.py",
        "of your Jupyter configuration (e.g. /etc/jupyter/nbgrader_config.py): `build-nbgrader --force`",
        "rewrites this file.",
        '"""',
        "",
        "c = get_config()  # noqa: F821 (nbgrader defines it)",
        "",
        f"c.CourseDirectory.course_id = {course_id!r}",
        "",
        "# The stubs of the course's exercise notebooks (notebooks/), so that students get the same notebook.",
        f"c.ClearSolutions.code_stub = {{'python': {_CODE_STUB!r}}}",
        f"c.ClearSolutions.text_stub = {_MARKDOWN_STUB!r}",
        "",
        "# Seconds each cell may run when nbgrader executes a notebook: notebooks 04-07 train networks live,",
        "# for a few minutes on 2 CPU cores.",
        "c.Execute.timeout = 900",
        "",
    ])


# --------------------------------------------------------------------------------------
# The course folder
# --------------------------------------------------------------------------------------


def _write_folder(folder: Path, notebooks: dict, config_text: str) -> None:
    for name, notebook in notebooks.items():
        assignment = folder / "source" / name
        assignment.mkdir(parents=True)
        (assignment / f"{name}.ipynb").write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(config_text, encoding="utf-8")


def _replace(new: Path, target: Path, scratch: Path) -> None:
    """Put `new` at `target` by renames: the old `target`, if any, is moved into `scratch` first."""
    if target.exists():
        os.replace(target, scratch / f"old-{len(list(scratch.iterdir()))}")
    os.replace(new, target)


def build_nbgrader_course(out, notebooks=None, *, solutions_folder=None, course_id: str = DEFAULT_COURSE_ID,
                          force: bool = False) -> list:
    """Write an nbgrader course folder: ``source/<notebook>/<notebook>.ipynb`` and ``nbgrader_config.py``.

    Parameters
    ----------
    out : str or os.PathLike
        The course folder. It must not exist unless `force`.
    notebooks : sequence of str, optional
        Which notebooks (stems, file names or numbers, see :func:`resolve_notebook_names`);
        default every notebook of `solutions_folder`.
    solutions_folder : str or os.PathLike, optional
        Default: the course's ``solutions/``.
    course_id : str
        The nbgrader course id (``CourseDirectory.course_id``).
    force : bool
        Write into an existing course folder: each assignment written replaces
        ``source/<notebook>/`` and ``nbgrader_config.py`` is rewritten; everything
        else (the gradebook, ``release/``, ``submitted/``, ``autograded/``, other
        assignments) is left as it is.

    Returns
    -------
    list of pathlib.Path
        The source notebooks written, then the configuration file.

    Notes
    -----
    Everything is first written to a temporary folder beside `out`, then moved into
    place by renames, so a failed build leaves `out` as it was and an interrupted one
    leaves each assignment either old or new, never half written.
    """
    out = Path(out)
    names = resolve_notebook_names(notebooks, solutions_folder)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"--out {str(out)!r} is a file; name a folder for the nbgrader course")
    if out.exists() and not force:
        raise FileExistsError(f"--out {str(out)!r} exists already; add --force to replace its source notebooks "
                              "and nbgrader_config.py (the gradebook and submissions are kept)")
    folder = Path(solutions_folder) if solutions_folder is not None else _REPOSITORY / "solutions"
    built = {}
    for name in names:
        path = folder / f"{name}.ipynb"
        try:
            solution = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path} is not valid notebook JSON: {error}") from None
        built[name] = make_nbgrader_notebook(solution, name, source_name=f"solutions/{path.name}")
    config_text = nbgrader_config_text(course_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        staging = temporary / "course"
        staging.mkdir()
        _write_folder(staging, built, config_text)
        if not out.exists():
            os.replace(staging, out)
        else:
            scratch = temporary / "replaced"
            scratch.mkdir()
            (out / "source").mkdir(exist_ok=True)
            for name in names:
                _replace(staging / "source" / name, out / "source" / name, scratch)
            _replace(staging / "nbgrader_config.py", out / "nbgrader_config.py", scratch)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return [out / "source" / name / f"{name}.ipynb" for name in names] + [out / "nbgrader_config.py"]


# --------------------------------------------------------------------------------------
# In the kernel: what the hidden lines of a test cell call
# --------------------------------------------------------------------------------------

_ACTIVE: dict = {}


def _restore() -> None:
    """Undo :func:`begin_graded_check`: the grade log variable and ``sys.stderr`` as they were."""
    from .checks import GRADE_LOG_VARIABLE

    state = _ACTIVE.pop("state", None)
    if state is None:
        return
    if state["previous_log"] is None:
        os.environ.pop(GRADE_LOG_VARIABLE, None)
    else:
        os.environ[GRADE_LOG_VARIABLE] = state["previous_log"]
    if sys.stderr is state["stdout"]:
        sys.stderr = state["stderr"]


def _restore_after_cell(*_arguments) -> None:
    """IPython ``post_run_cell`` callback: restore even when the cell stopped before ``end_graded_check``."""
    _restore()
    try:
        from IPython import get_ipython

        get_ipython().events.unregister("post_run_cell", _restore_after_cell)
    except (ImportError, AttributeError, ValueError):
        pass


def begin_graded_check(key: str) -> None:
    """Start an nbgrader test cell: record what the cell's ``check_<key>`` call answers.

    The checks return their feedback and never raise, so on their own they cannot
    fail a cell. Until :func:`end_graded_check`, every check also writes its
    feedback to a temporary file (through ``COURSE_LIB_GRADE_LOG``, the channel the
    ``grade`` command reads), and Python's ``sys.stderr`` (warnings, for example a
    learner's ``RuntimeWarning``) is shown on stdout: nbgrader gives no points to a
    cell that wrote to stderr, and a warning is not a wrong answer.
    """
    from .checks import GRADE_LOG_VARIABLE

    _restore()
    handle, log = tempfile.mkstemp(prefix=f"course-lib-check-{key}-", suffix=".jsonl")
    os.close(handle)
    _ACTIVE["state"] = {"key": key, "log": log, "previous_log": os.environ.get(GRADE_LOG_VARIABLE),
                        "stderr": sys.stderr, "stdout": sys.stdout}
    os.environ[GRADE_LOG_VARIABLE] = log
    sys.stderr = sys.stdout
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and _restore_after_cell not in shell.events.callbacks["post_run_cell"]:
            shell.events.register("post_run_cell", _restore_after_cell)
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter kernel
        pass


def end_graded_check(key: str) -> None:
    """End an nbgrader test cell: show the check's feedback, and raise AssertionError unless it said "correct".

    The last ``check_<key>`` feedback since :func:`begin_graded_check` counts. Raises
    AssertionError too when no check of `key` ran in between.
    """
    from IPython.display import display

    from . import checks

    state = _ACTIVE.get("state") or {}
    records = []
    if state.get("key") == key:
        log = Path(state["log"])
        try:
            lines = log.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        finally:
            log.unlink(missing_ok=True)
        if state["previous_log"]:
            try:
                with open(state["previous_log"], "a", encoding="utf-8") as previous:
                    previous.writelines(line + "\n" for line in lines)
            except OSError:
                pass
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("exercise") == key:
                records.append(record)
    _restore()
    if not records:
        raise AssertionError(f"check_{key}() did not run in this cell, so exercise {key!r} gets no points")
    last = records[-1]
    feedback = checks.Feedback(key, last["status"], last.get("message", ""), list(last.get("details", [])))
    display(feedback)
    if not feedback.passed:
        raise AssertionError(f"exercise {key!r} is not correct ({feedback.status}): {feedback.message}")
