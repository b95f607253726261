"""``grade``: run learners' exercise notebooks and report each exercise as passed, failed or not attempted.

The work is done by :mod:`course_lib.grading`; this module only builds the parser,
reads the options, refuses to overwrite earlier outputs, and prints the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import HelpFormatter

__all__ = ["add_grade", "run_grade"]


def add_grade(commands) -> None:
    parser = commands.add_parser(
        "grade", help="run learners' notebooks and report each exercise: passed, failed, not attempted",
        description="Run each learner's exercise notebook on a temporary copy (the file itself is never modified), "
                    "in its own kernel, within a time and a memory limit, and report every exercise of its course "
                    "notebook as passed, failed (with the check's message) or not attempted, from what the "
                    "notebook's own checks answered. A crash in a cell does not stop the cells after it; a cell "
                    "still running when the time is up is stopped and the exercises after it are not attempted. "
                    "For a folder (searched recursively) or several notebooks, a class summary follows: per "
                    "exercise, how many passed, failed or did not attempt it; per learner (the first folder "
                    "under the one given, else the file name), a score. Learners' code runs with your "
                    "permissions: this is not a sandbox.",
        epilog="Which course notebook a file is comes from its name (01_images_degradations_metrics.ipynb, "
               "also with a suffix: 01_images_degradations_metrics-alice.ipynb), else from the metadata "
               "build-notebooks writes, else from the check_* functions it calls; --topic says it outright.",
        formatter_class=HelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
                        help=".ipynb files, or folders of them")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds each notebook's cells may run in all")
    parser.add_argument("--cell-timeout", type=float,
                        help="seconds any one cell may run (default: only --timeout limits)")
    parser.add_argument("--memory-limit", type=int, default=8192,
                        help="megabytes of memory each kernel may allocate (Linux RLIMIT_DATA; beyond it the "
                             "learner's cell gets a MemoryError); 0 for no limit")
    parser.add_argument("--topic", metavar="NOTEBOOK_NAME",
                        help="grade every notebook as this course notebook, e.g. 05_residual_learning_dncnn "
                             "(default: from each file's name, metadata or checks)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the full report (every message and "
                        "detail, the class summary) as JSON")
    parser.add_argument("--executed", type=Path, metavar="DIR",
                        help="save each executed copy, with its outputs, in this folder")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --json file or executed copies")
    parser.set_defaults(handler=run_grade)


def run_grade(arguments) -> int:
    from ..grading import find_notebooks, grade
    from .common import check_outputs_free

    if arguments.json is not None and arguments.json.suffix.lower() != ".json":
        raise ValueError(f"--json must end with .json; got {str(arguments.json)!r}")
    if arguments.json is not None and arguments.json.is_dir():
        raise ValueError(f"--json {str(arguments.json)!r} is a folder; name a file")
    outputs = [arguments.json] if arguments.json is not None else []
    if arguments.executed is not None:
        outputs += [arguments.executed / name for _, name in find_notebooks(arguments.notebooks)]
    check_outputs_free(outputs, arguments.force)
    report = grade(arguments.notebooks, timeout=arguments.timeout, cell_timeout=arguments.cell_timeout,
                   memory_limit=arguments.memory_limit or None, topic=arguments.topic,
                   executed_folder=arguments.executed,
                   progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True))
    print(report.format())
    written = []
    if arguments.json is not None:
        written.append(report.write_json(arguments.json))
    if arguments.executed is not None:
        written.append(arguments.executed)
    if written:
        print("wrote " + ", ".join(str(path) for path in written))
    return 0
