"""Exercises of notebook 00 (welcome): a first taste of how checks work."""

from __future__ import annotations

import numpy as np

from ._framework import Case, Exercise, Mistake, check, register

__all__ = ["check_invert"]

NOTEBOOK = "00_welcome"


def _invert_reference(image):
    return 1.0 - image


def _invert_cases():
    rng = np.random.default_rng(0)
    return [
        Case((np.array([[0.0, 0.25], [0.5, 1.0]]),), label="a 2x2 gray image"),
        Case((rng.random((5, 7)),), label="a random 5x7 gray image"),
        Case((rng.random((4, 3, 3)).astype(np.float32),), label="a random 4x3 RGB image (float32)"),
    ]


register(Exercise(
    key="invert",
    notebook=NOTEBOOK,
    function_name="invert",
    reference=_invert_reference,
    cases=_invert_cases,
    hints=[
        "A pixel value x in [0, 1] becomes 1 - x: black (0) turns white (1) and white turns black.",
        "NumPy works on whole arrays at once: `1 - image` subtracts every pixel from 1, no loop needed.",
    ],
    expected_range=(0.0, 1.0),
    mistakes=[
        Mistake("That is -image, the values negated: the negative of an image in [0, 1] is 1 - image, so that "
                "black (0) becomes white (1).", answer=lambda image: -image),
        Mistake("That is the image unchanged: every pixel x must become 1 - x.", answer=lambda image: image),
    ],
))


def check_invert(learner_function):
    """Check a function that returns the negative ``1 - image`` of a float image in [0, 1]."""
    return check("invert", learner_function)
