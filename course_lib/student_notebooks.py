"""Generate the exercise notebooks in ``notebooks/`` from the solutions in ``solutions/``.

``solutions/`` is the only place notebooks are edited. In a solution notebook the
code a learner should write is marked as in nbgrader::

    def psnr(reference, estimate):
        ### BEGIN SOLUTION
        mse = np.mean((reference - estimate) ** 2)
        return 10 * np.log10(1.0 / mse)
        ### END SOLUTION

and an answer in a Markdown cell between ``<!-- BEGIN SOLUTION -->`` and
``<!-- END SOLUTION -->``. The exercise version replaces each marked region with
a stub (``raise NotImplementedError``, or "*Your answer here.*"), clears every
output and execution count, and strips saved widget state.

Generated notebooks record a fingerprint of their cells. A notebook whose cells
no longer match its fingerprint has been worked on by a learner, and so has one
whose metadata (the notebook's, or a cell's: tags, execution counts, ...) differs
from what the build generates: any change counts as an edit. An edited notebook
is only replaced with ``force=True``, and then a backup copy is kept first, under
a name that is never reused (``NAME.YYYYmmdd-HHMMSS[-N].ipynb``).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ._files import write_text_atomically

__all__ = [
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "MARKDOWN_BEGIN",
    "MARKDOWN_END",
    "make_exercise_notebook",
    "build_notebooks",
    "BuildResult",
    "cell_fingerprint",
]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
MARKDOWN_BEGIN = "<!-- BEGIN SOLUTION -->"
MARKDOWN_END = "<!-- END SOLUTION -->"
_CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError(\"Write your code here, then run the check below.\")"
_MARKDOWN_STUB = "*Your answer here.*"
_METADATA_KEY = "course_lib"


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _replace_code_solutions(source: str, where: str) -> str:
    lines = source.split("\n")
    output: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            if inside:
                raise ValueError(f"{where}: nested {BEGIN_SOLUTION} at line {number}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            output += [indent + stub_line for stub_line in _CODE_STUB.split("\n")]
        elif stripped == END_SOLUTION:
            if not inside:
                raise ValueError(f"{where}: {END_SOLUTION} without {BEGIN_SOLUTION} at line {number}")
            inside = False
        elif not inside:
            output.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN_SOLUTION} is never closed by {END_SOLUTION}")
    return "\n".join(output)


def _replace_markdown_solutions(source: str, where: str) -> str:
    pattern = re.compile(re.escape(MARKDOWN_BEGIN) + r".*?" + re.escape(MARKDOWN_END), re.DOTALL)
    replaced = pattern.sub(_MARKDOWN_STUB, source)
    if MARKDOWN_BEGIN in replaced or MARKDOWN_END in replaced:
        raise ValueError(f"{where}: unbalanced {MARKDOWN_BEGIN} / {MARKDOWN_END}")
    return replaced


def cell_fingerprint(notebook: dict) -> str:
    """SHA-256 of the cells' types, sources and outputs (what a learner changes when working)."""
    cells = [
        {"type": cell["cell_type"], "source": _source_text(cell), "outputs": cell.get("outputs", [])}
        for cell in notebook["cells"]
    ]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode("utf-8")).hexdigest()


def make_exercise_notebook(solution: dict, *, source_name: str = "solution") -> dict:
    """Return the exercise version of a solution notebook (a new dict; the input is unchanged).

    Parameters
    ----------
    solution : dict
        A notebook as loaded by :func:`json.load` (nbformat 4).
    source_name : str
        Shown in error messages and recorded in the metadata.
    """
    if not isinstance(solution, dict) or "cells" not in solution:
        raise ValueError(f"solution must be a notebook dictionary with 'cells'; got {type(solution).__name__}")
    notebook = copy.deepcopy(solution)
    notebook.get("metadata", {}).pop("widgets", None)
    for index, cell in enumerate(notebook["cells"]):
        where = f"{source_name}, cell {index}"
        source = _source_text(cell)
        if cell["cell_type"] == "code":
            if BEGIN_SOLUTION in source or END_SOLUTION in source:
                source = _replace_code_solutions(source, where)
            cell["outputs"] = []
            cell["execution_count"] = None
        elif cell["cell_type"] == "markdown" and (MARKDOWN_BEGIN in source or MARKDOWN_END in source):
            source = _replace_markdown_solutions(source, where)
        cell["source"] = source
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("widgets", None)
    notebook.setdefault("metadata", {})[_METADATA_KEY] = {
        "generated_from": source_name,
        "note": "Generated by `python -m course_lib build-notebooks`; edit the solution instead.",
        "fingerprint": cell_fingerprint(notebook),
    }
    return notebook


def _serialize(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class BuildResult:
    """What :func:`build_notebooks` did (or, with ``check=True``, would do) to each notebook.

    Attributes
    ----------
    written, unchanged, stale, protected : list of pathlib.Path
        Exercise notebooks that were (re)written, already up to date, out of
        date (only with ``check=True``), or left alone because a learner edited them.
    backups : list of pathlib.Path
        Copies kept before overwriting edited notebooks with ``force=True``.
    orphans : list of pathlib.Path
        Exercise notebooks with no solution any more (never deleted).
    """

    written: list
    unchanged: list
    stale: list
    protected: list
    backups: list
    orphans: list

    @property
    def ok(self) -> bool:
        return not self.stale and not self.protected

    def report(self) -> str:
        lines = []
        for label, paths in (("written", self.written), ("up to date", self.unchanged),
                             ("OUT OF DATE", self.stale), ("NOT OVERWRITTEN (edited by you; --force keeps a backup)",
                                                           self.protected),
                             ("backup kept", self.backups), ("no solution for", self.orphans)):
            lines += [f"{label}: {path}" for path in paths]
        return "\n".join(lines)


def _cell_layout(cell: dict) -> dict:
    """Everything of a cell but what the fingerprint covers (source, outputs) and its id: metadata
    (tags), execution count, attachments."""
    return {key: value for key, value in cell.items() if key not in ("source", "outputs", "id")}


def _notebook_metadata(notebook: dict) -> dict:
    return {key: value for key, value in notebook.get("metadata", {}).items() if key != _METADATA_KEY}


def _layout_was_edited(notebook: dict, generated: dict) -> bool:
    """Whether the notebook's metadata differs from what the build generates now.

    Cells are paired by their type and source (the learner's cells match their
    fingerprint, so a source differs only where the solution changed); a pair, or
    a changed cell that kept its place, whose metadata differs counts as edited.
    The build cannot tell a learner's change from a solution's change of the same
    cell's metadata, so it treats both as edits: a backup too many, never one too few.
    """
    if _notebook_metadata(notebook) != _notebook_metadata(generated):
        return True
    cells, new_cells = notebook.get("cells", []), generated.get("cells", [])

    def keys(items):
        return [(cell.get("cell_type"), _source_text(cell)) for cell in items]

    matcher = difflib.SequenceMatcher(a=keys(cells), b=keys(new_cells), autojunk=False)
    for tag, start, end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and end - start == new_end - new_start):
            for old, new in zip(cells[start:end], new_cells[new_start:new_end]):
                if _cell_layout(old) != _cell_layout(new):
                    return True
    return False


def _was_edited(path: Path, generated: dict) -> bool:
    """Whether a learner changed the exercise notebook at `path` in any way (cells or metadata)."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return True
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return True
    recorded = notebook.get("metadata", {}).get(_METADATA_KEY, {}).get("fingerprint")
    try:
        if recorded is None or recorded != cell_fingerprint(notebook):
            return True
    except (KeyError, TypeError, AttributeError):  # a cell without a type: not what the build wrote
        return True
    return _layout_was_edited(notebook, generated)


def _keep_backup(target: Path, backup_folder: Path) -> Path:
    """Copy `target` into `backup_folder` under a name no earlier backup has (never overwriting one)."""
    backup_folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for number in itertools.count(1):
        backup = backup_folder / (f"{target.stem}.{stamp}.ipynb" if number == 1
                                  else f"{target.stem}.{stamp}-{number}.ipynb")
        try:
            with open(backup, "xb") as destination, open(target, "rb") as source:  # "x": fails if it exists
                shutil.copyfileobj(source, destination)
        except FileExistsError:
            continue
        shutil.copystat(target, backup)
        return backup
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends


def build_notebooks(
    solutions_folder="solutions",
    exercises_folder="notebooks",
    *,
    check: bool = False,
    force: bool = False,
    backup_folder=None,
) -> BuildResult:
    """Write (or with `check`, compare) every exercise notebook from its solution.

    Parameters
    ----------
    solutions_folder, exercises_folder : str or os.PathLike
    check : bool
        Write nothing; report notebooks whose content differs from what would be generated.
    force : bool
        Overwrite exercise notebooks a learner has edited (cells or metadata), after
        copying each to `backup_folder` (default ``<exercises_folder>/.backups``)
        under a time-stamped name that is never reused.
    """
    solutions_folder = Path(solutions_folder)
    exercises_folder = Path(exercises_folder)
    if not solutions_folder.is_dir():
        raise FileNotFoundError(f"solutions_folder {str(solutions_folder)!r} is not a folder")
    backup_folder = Path(backup_folder) if backup_folder else exercises_folder / ".backups"
    result = BuildResult([], [], [], [], [], [])
    solution_paths = sorted(solutions_folder.glob("*.ipynb"))
    if not solution_paths:
        raise FileNotFoundError(f"solutions_folder {str(solutions_folder)!r} holds no notebooks")
    if not check:
        exercises_folder.mkdir(parents=True, exist_ok=True)
    for solution_path in solution_paths:
        try:
            solution = json.loads(solution_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{solution_path} is not valid notebook JSON: {error}") from None
        generated = _serialize(make_exercise_notebook(solution, source_name=f"solutions/{solution_path.name}"))
        target = exercises_folder / solution_path.name
        if target.exists() and target.read_text(encoding="utf-8") == generated:
            result.unchanged.append(target)
            continue
        if check:
            result.stale.append(target)
            continue
        if target.exists() and _was_edited(target, json.loads(generated)):
            if not force:
                result.protected.append(target)
                continue
            result.backups.append(_keep_backup(target, backup_folder))
        write_text_atomically(target, generated)
        result.written.append(target)
    solution_names = {path.name for path in solution_paths}
    result.orphans = [path for path in sorted(exercises_folder.glob("*.ipynb")) if path.name not in solution_names]
    return result
