"""Exercises of notebook 01 (images, degradations, metrics).

The learner writes the first building blocks of the course by hand:

- ``to_float``: a uint8 image (0-255) as floating point in [0, 1];
- ``rgb_to_gray``: the ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B``;
- ``add_gaussian_noise``: ``image + N(0, (sigma/255)^2)``, drawn from a given generator;
- ``mse``: the mean squared error of two images;
- ``psnr``: ``10 log10(data_range^2 / MSE)`` in dB, ``inf`` for identical images.

Each reference is the course's tested implementation (:mod:`course_lib.data`,
:mod:`course_lib.color`, :mod:`course_lib.degradations`, :mod:`course_lib.metrics`),
so a learner whose check passes has written the function the later notebooks use.
"""

from __future__ import annotations

import numpy as np

from .. import color, data, degradations, metrics
from ._framework import Case, Exercise, check, register

__all__ = [
    "check_to_float",
    "check_rgb_to_gray",
    "check_add_gaussian_noise",
    "check_mse",
    "check_psnr",
]

NOTEBOOK = "01_images_degradations_metrics"


# --------------------------------------------------------------------------------------
# to_float
# --------------------------------------------------------------------------------------


def _to_float_cases():
    rng = np.random.default_rng(1)
    return [
        Case((np.array([[0, 1], [128, 255]], dtype=np.uint8),), label="a 2x2 uint8 image [[0, 1], [128, 255]]"),
        Case((rng.integers(0, 256, size=(5, 7), dtype=np.uint8),), label="a random 5x7 uint8 gray image"),
        Case((rng.integers(0, 256, size=(4, 3, 3), dtype=np.uint8),), label="a random 4x3 uint8 RGB image"),
        Case((np.full((3, 3), 255, dtype=np.uint8),), label="an all-white 3x3 uint8 image (edge case)"),
    ]


register(Exercise(
    key="to_float",
    notebook=NOTEBOOK,
    function_name="to_float",
    reference=data.to_float,
    cases=_to_float_cases,
    hints=[
        "A uint8 pixel holds an integer from 0 (black) to 255 (white); a float image holds 0.0 (black) "
        "to 1.0 (white). Which number turns 255 into 1.0?",
        "Divide by 255 (not 256: white must become exactly 1.0). In NumPy `/` already gives a float "
        "array; `//` would give integers again.",
        "`return image.astype(np.float32) / 255.0`",
    ],
    expected_range=(0.0, 1.0),
))


def check_to_float(learner_function):
    """Check a function that turns a uint8 image (0-255) into a float image in [0, 1]."""
    return check("to_float", learner_function)


# --------------------------------------------------------------------------------------
# rgb_to_gray
# --------------------------------------------------------------------------------------


def _rgb_to_gray_cases():
    rng = np.random.default_rng(2)
    primaries = np.zeros((1, 3, 3))
    primaries[0, 0, 0] = primaries[0, 1, 1] = primaries[0, 2, 2] = 1.0
    return [
        Case((primaries,), label="three pixels: pure red, pure green, pure blue"),
        Case((rng.random((4, 5, 3)),), label="a random 4x5 RGB image"),
        Case((rng.random((3, 3, 3)).astype(np.float32),), label="a random 3x3 RGB image (float32)"),
        Case((np.array([[0.0, 1.0], [0.5, 0.2]])[..., None].repeat(3, axis=-1),),
             label="gray pixels with R = G = B (edge case: a gray value stays the same)"),
    ]


register(Exercise(
    key="rgb_to_gray",
    notebook=NOTEBOOK,
    function_name="rgb_to_gray",
    reference=color.rgb_to_gray,
    cases=_rgb_to_gray_cases,
    hints=[
        "Not the plain mean of R, G and B: the eye is most sensitive to green and least to blue, "
        "so each channel gets its own weight (0.299, 0.587, 0.114).",
        "`image[..., 0]` is the red channel of every pixel, `image[..., 1]` green, `image[..., 2]` blue. "
        "The result has shape (H, W): one number per pixel, no channel axis.",
        "`return 0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2]` "
        "(or `image @ np.array([0.299, 0.587, 0.114])`).",
    ],
    rtol=1e-5,
    atol=1e-6,
    expected_range=(0.0, 1.0),
))


def check_rgb_to_gray(learner_function):
    """Check a function that converts an RGB image to gray with the BT.601 weights."""
    return check("rgb_to_gray", learner_function)


# --------------------------------------------------------------------------------------
# add_gaussian_noise
# --------------------------------------------------------------------------------------


def _add_gaussian_noise_reference(image, sigma, rng):
    return degradations.add_gaussian_noise(image, sigma, seed=rng)


def _add_gaussian_noise_cases():
    rng = np.random.default_rng(3)
    return [
        Case((rng.random((4, 5)), 25, np.random.default_rng(0)),
             label="a random 4x5 gray image, sigma=25, rng=np.random.default_rng(0)"),
        Case((rng.random((3, 4, 3)), 10, np.random.default_rng(1)),
             label="a random 3x4 RGB image, sigma=10, rng=np.random.default_rng(1)"),
        Case((np.full((6, 6), 0.95), 50, np.random.default_rng(2)),
             label="a bright 6x6 image (0.95), sigma=50: noisy values above 1 must stay (no clipping)"),
        Case((rng.random((2, 3)), 0, np.random.default_rng(4)),
             label="sigma=0 (edge case: the image comes back unchanged)"),
    ]


register(Exercise(
    key="add_gaussian_noise",
    notebook=NOTEBOOK,
    function_name="add_gaussian_noise",
    reference=_add_gaussian_noise_reference,
    cases=_add_gaussian_noise_cases,
    hints=[
        "`sigma` is on the 8-bit scale (0-255), the image on [0, 1]: the noise's standard deviation "
        "on the image is sigma / 255.",
        "Draw the noise from the generator you are given (not from `np.random`), in one call with one "
        "value per pixel and channel: `rng.normal(loc, scale, size=...)`. The check gives your function "
        "a generator in the same state as the reference's, so both draw the same numbers.",
        "Return a new array and do not clip: "
        "`return image + rng.normal(0.0, sigma / 255.0, size=image.shape)`.",
    ],
))


def check_add_gaussian_noise(learner_function):
    """Check a function ``(image, sigma, rng) -> image + N(0, (sigma/255)^2)`` noise, unclipped."""
    return check("add_gaussian_noise", learner_function)


# --------------------------------------------------------------------------------------
# mse
# --------------------------------------------------------------------------------------


def _mse_cases():
    rng = np.random.default_rng(5)
    gray = rng.random((8, 8))
    rgb = rng.random((4, 4, 3))
    return [
        Case((np.array([[0.0, 0.5], [1.0, 0.25]]), np.array([[0.0, 0.0], [0.5, 0.25]])),
             label="two 2x2 images that differ by 0.5 in two pixels (MSE 0.125)"),
        Case((gray, np.clip(gray + 0.1 * rng.standard_normal(gray.shape), 0, 1)),
             label="a random 8x8 image and a noisy copy"),
        Case((rgb, rgb[::-1].copy()), label="a 4x4 RGB image and the image upside down"),
        Case((gray, gray.copy()), label="two identical images (edge case: MSE 0)"),
    ]


register(Exercise(
    key="mse",
    notebook=NOTEBOOK,
    function_name="mse",
    reference=metrics.mse,
    cases=_mse_cases,
    hints=[
        "Three steps: the difference of the two images, squared, then averaged over every pixel "
        "(and every channel). The result is one number.",
        "Average, do not sum: the MSE must not grow with the image size. And square before you "
        "average: `np.mean(d) ** 2` lets positive and negative errors cancel.",
        "`return float(np.mean((reference - estimate) ** 2))`",
    ],
    rtol=1e-7,
    atol=1e-12,
))


def check_mse(learner_function):
    """Check a function that returns the mean squared error of two images."""
    return check("mse", learner_function)


# --------------------------------------------------------------------------------------
# psnr
# --------------------------------------------------------------------------------------


def _psnr_cases():
    rng = np.random.default_rng(6)
    gray = rng.random((16, 16))
    noisy = gray + 0.05 * rng.standard_normal(gray.shape)
    rgb = rng.random((6, 5, 3))
    eight_bit = np.round(255 * rng.random((8, 8)))
    return [
        Case((np.zeros((2, 2)), np.full((2, 2), 0.1)),
             label="a black 2x2 image and one of 0.1 everywhere (MSE 0.01, PSNR 20 dB)"),
        Case((gray, noisy), label="a random 16x16 image in [0, 1] and a noisy copy"),
        Case((rgb, np.clip(rgb + 0.02, 0, 1)), label="a 6x5 RGB image and a brighter copy"),
        Case((eight_bit, np.clip(eight_bit + 3, 0, 255)), {"data_range": 255},
             label="images on the 8-bit scale (0-255) with data_range=255"),
        Case((gray, gray.copy()), label="two identical images (edge case: PSNR is inf)"),
    ]


register(Exercise(
    key="psnr",
    notebook=NOTEBOOK,
    function_name="psnr",
    reference=metrics.psnr,
    cases=_psnr_cases,
    hints=[
        "PSNR compares the largest possible signal power, data_range ** 2, with the error power, "
        "the MSE, on a logarithmic scale: 10 log10(data_range ** 2 / MSE) decibels.",
        "Use `data_range` rather than a fixed 255: our float images span [0, 1], so the default is 1.0. "
        "Use the base-10 logarithm `np.log10`, not `np.log`.",
        "Identical images have MSE 0 and no noise at all: return `float('inf')` before dividing by zero. "
        "Otherwise `return 10 * np.log10(data_range ** 2 / error)` with "
        "`error = np.mean((reference - estimate) ** 2)`.",
    ],
    rtol=1e-7,
    atol=1e-9,
))


def check_psnr(learner_function):
    """Check a function ``psnr(reference, estimate, data_range=1.0)`` that returns the PSNR in dB."""
    return check("psnr", learner_function)
