"""Checks for the course's exercises: instant feedback, hints one at a time, solutions on request.

In a notebook::

    from course_lib.checks import check_psnr, hint, solution

    def psnr(reference, estimate):
        ...                      # your code

    check_psnr(psnr)             # says what is wrong, in order, or that it is correct
    hint("psnr")                 # the next hint
    solution("psnr")             # one correct answer, from the solution notebook

Each notebook's exercises live in a module named for its topic; all of them
register themselves in one registry, which :func:`list_exercises` reads.
"""

from ._framework import (
    CORRECT,
    ERROR,
    MODIFIED_INPUT,
    NOT_ATTEMPTED,
    WRONG_SHAPE,
    WRONG_TYPE,
    WRONG_VALUES,
    Case,
    Exercise,
    Feedback,
    Mistake,
    check,
    exercise,
    hint,
    list_exercises,
    register,
    reset_hints,
    run_check,
    solution,
)
from .welcome import *  # noqa: F401,F403  (00)
from .images import *  # noqa: F401,F403  (01)
from .filters import *  # noqa: F401,F403  (02)
from .enhancement import *  # noqa: F401,F403  (03)
from .cnn import *  # noqa: F401,F403  (04)
from .residual import *  # noqa: F401,F403  (05)
from .super_resolution import *  # noqa: F401,F403  (06)
from .gans import *  # noqa: F401,F403  (07)
from .inpainting import *  # noqa: F401,F403  (08)
from .applications import *  # noqa: F401,F403  (09)
from .outlook import *  # noqa: F401,F403  (10)
from . import applications, cnn, enhancement, filters, gans, images, inpainting, outlook, residual, super_resolution, welcome

__all__ = [
    "Case", "Exercise", "Feedback", "Mistake", "check", "exercise", "hint", "list_exercises", "register",
    "reset_hints", "run_check", "solution",
    "CORRECT", "ERROR", "MODIFIED_INPUT", "NOT_ATTEMPTED", "WRONG_SHAPE", "WRONG_TYPE", "WRONG_VALUES",
]
for _module in (welcome, images, filters, enhancement, cnn, residual, super_resolution, gans, inpainting, applications, outlook):
    __all__ += list(_module.__all__)
del _module
