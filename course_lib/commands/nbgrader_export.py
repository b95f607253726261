"""``build-nbgrader``: write the course as an nbgrader course folder (one assignment per notebook).

The work is done by :mod:`course_lib.nbgrader_course`; this module only builds the
parser, reads the options and prints what was written. nbgrader itself is not needed to build the folder.
"""

from __future__ import annotations

from pathlib import Path

from ..nbgrader_course import DEFAULT_COURSE_ID
from .common import HelpFormatter

__all__ = ["add_build_nbgrader", "run_build_nbgrader"]

_REPOSITORY = Path(__file__).resolve().parents[2]


def add_build_nbgrader(commands) -> None:
    parser = commands.add_parser(
        "build-nbgrader", help="write an nbgrader course folder (one assignment per notebook)",
        description="Write the course as an nbgrader course folder: source/<notebook>/<notebook>.ipynb for each "
                    "notebook, and a minimal nbgrader_config.py. Each source notebook is the solution notebook "
                    "with nbgrader cell metadata: the exercise functions are autograded answer cells, each "
                    "exercise's check cell is an autograder test cell worth the exercise's points (hidden lines "
                    "fail it unless the check says correct), discussion questions are manually graded answer "
                    "cells, and every other cell is read-only. `nbgrader generate_assignment` then gives "
                    "students the same notebooks as notebooks/. nbgrader is not needed to build the folder "
                    "(install it with pip install -e \".[nbgrader]\" to use it).",
        epilog="With --force, an existing course folder keeps its gradebook, release/, submitted/, autograded/ "
               "and other assignments; only source/<notebook>/ of the notebooks written and nbgrader_config.py "
               "are replaced. See docs/instructor_guide.md, 'Grading with nbgrader on a JupyterHub'.",
        formatter_class=HelpFormatter)
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="course notebooks to include, by number (05) or name "
                             "(05_residual_learning_dncnn); default: all of them")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the nbgrader course folder to write")
    parser.add_argument("--course-id", default=DEFAULT_COURSE_ID,
                        help="nbgrader's CourseDirectory.course_id (the course's name on the hub's exchange)")
    parser.add_argument("--solutions", type=Path, default=_REPOSITORY / "solutions", metavar="DIR",
                        help="solution notebooks folder")
    parser.add_argument("--force", action="store_true",
                        help="write into an existing course folder (replacing those notebooks' source/ folders and "
                             "nbgrader_config.py only)")
    parser.set_defaults(handler=run_build_nbgrader)


def run_build_nbgrader(arguments) -> int:
    from ..nbgrader_course import build_nbgrader_course

    written = build_nbgrader_course(arguments.out, arguments.notebooks, solutions_folder=arguments.solutions,
                                    course_id=arguments.course_id, force=arguments.force)
    for path in written:
        print(f"wrote {path}")
    print(f"next: cd {arguments.out} && nbgrader generate_assignment <notebook> (see docs/instructor_guide.md)")
    return 0
