"""Exercises of notebook 01 (images, degradations, metrics).

The learner writes the first building blocks of the course by hand:

- ``to_float``: a uint8 image (0-255) as floating point in [0, 1];
- ``rgb_to_gray``: the ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B``;
- ``add_gaussian_noise``: ``image + N(0, (sigma/255)^2)``, drawn from a given generator;
- ``mse``: the mean squared error of two images;
- ``psnr``: ``10 log10(data_range^2 / MSE)`` in dB, ``inf`` for identical images.

``mse`` and ``psnr`` are also given ``uint8`` images: subtracting those without a cast
to float wraps around modulo 256, and the check says so. Each check names the typical
mistakes it recognizes (a sum for a mean, ``np.log`` for ``np.log10``, noise clipped, ...).

Each reference is the course's tested implementation (:mod:`course_lib.data`,
:mod:`course_lib.color`, :mod:`course_lib.degradations`, :mod:`course_lib.metrics`),
so a learner whose check passes has written the function the later notebooks use.
"""

from __future__ import annotations

import numpy as np

from .. import color, data, degradations, metrics
from ._framework import Case, Exercise, Mistake, check, register

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
    mistakes=[
        Mistake("You divided by 256: white (255) must become exactly 1.0, so divide by 255.",
                answer=lambda image: image / 256.0),
        Mistake("You changed the type but not the scale: the values are still 0 to 255. Divide by 255.",
                answer=lambda image: image.astype(np.float64)),
    ],
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
    mistakes=[
        Mistake("That is the plain mean of R, G and B: each channel has its own weight, "
                "0.299 R + 0.587 G + 0.114 B (the eye is most sensitive to green).",
                answer=lambda image: np.mean(image, axis=-1)),
        Mistake("The weights are in BGR order: channel 0 is red and gets 0.299, channel 2 is blue and gets 0.114.",
                answer=lambda image: 0.114 * image[..., 0] + 0.587 * image[..., 1] + 0.299 * image[..., 2]),
    ],
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
    mistakes=[
        Mistake("You clipped the noisy image to [0, 1]: keep the values above 1 and below 0, the noise model is "
                "image + noise, unclipped.",
                answer=lambda image, sigma, rng: np.clip(image + rng.normal(0.0, sigma / 255.0, image.shape), 0, 1)),
        Mistake("The noise is 255 times too strong: sigma is on the 8-bit scale, the image on [0, 1], so the "
                "standard deviation is sigma / 255.",
                answer=lambda image, sigma, rng: image + rng.normal(0.0, sigma, image.shape)),
        Mistake("You used (sigma / 255) ** 2, the variance, as the standard deviation: rng.normal's scale is "
                "the standard deviation, sigma / 255.",
                answer=lambda image, sigma, rng: image + rng.normal(0.0, (sigma / 255.0) ** 2, image.shape)),
        Mistake("You returned the noise alone: add it to the image.",
                answer=lambda image, sigma, rng: rng.normal(0.0, sigma / 255.0, image.shape)),
    ],
))


def check_add_gaussian_noise(learner_function):
    """Check a function ``(image, sigma, rng) -> image + N(0, (sigma/255)^2)`` noise, unclipped."""
    return check("add_gaussian_noise", learner_function)


# --------------------------------------------------------------------------------------
# mse
# --------------------------------------------------------------------------------------


_WRAP_AROUND = (
    "These are uint8 images, and uint8 arithmetic wraps around modulo 256 without a warning: 3 - 5 gives 254 "
    "and 20 ** 2 gives 144. Convert to float before subtracting: "
    "reference.astype(np.float64) - estimate.astype(np.float64)."
)


def _difference(reference, estimate):
    return np.asarray(reference, dtype=np.float64) - np.asarray(estimate, dtype=np.float64)


def _as_float(*images):
    """The images in float64: the metrics of the library take float images only (uint8 ones would wrap)."""
    return [np.asarray(image, dtype=np.float64) for image in images]


def _wrapped_squared_errors(reference, estimate):
    """The squared errors as uint8 arithmetic gives them: both ways of wrapping around."""
    wrapped = np.asarray(reference) - np.asarray(estimate)  # wraps when both are uint8
    return [wrapped ** 2, wrapped.astype(np.float64) ** 2]


def _eight_bit_pair(seed, shape):
    """A uint8 image and a copy off by up to 40 levels either way: a difference wraps, and so does its square."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=shape)
    return image.astype(np.uint8), np.clip(image + rng.integers(-40, 41, size=shape), 0, 255).astype(np.uint8)


def _mse_cases():
    rng = np.random.default_rng(5)
    gray = rng.random((8, 8))
    rgb = rng.random((4, 4, 3))
    return [
        Case((np.array([[0.0, 0.5], [1.0, 0.25]]), np.array([[0.0, 0.0], [0.5, 0.25]])),
             label="two 2x2 images that differ by 0.5 in two pixels (MSE 0.125)"),
        Case((gray, np.clip(gray + 0.1 * rng.standard_normal(gray.shape), 0, 1)),
             label="a random 8x8 image and a noisy copy"),
        Case(_eight_bit_pair(50, (4, 4, 3)),
             label="two 4x4 uint8 RGB images (0-255) that differ by up to 40 levels: compute in float"),
        Case((gray, gray.copy()), label="two identical images (edge case: MSE 0)"),
    ]


register(Exercise(
    key="mse",
    notebook=NOTEBOOK,
    function_name="mse",
    reference=lambda reference, estimate: metrics.mse(*_as_float(reference, estimate)),
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
    mistakes=[
        Mistake(_WRAP_AROUND, answer=lambda reference, estimate: np.mean(_wrapped_squared_errors(reference, estimate)[0])),
        Mistake(_WRAP_AROUND, answer=lambda reference, estimate: np.mean(_wrapped_squared_errors(reference, estimate)[1])),
        Mistake("That is the sum of the squared errors: average them (np.mean), so that the MSE does not grow with "
                "the image size.", answer=lambda reference, estimate: np.sum(_difference(reference, estimate) ** 2)),
        Mistake("You squared the mean difference: square each difference first, then average, or errors of "
                "opposite signs cancel.",
                answer=lambda reference, estimate: np.mean(_difference(reference, estimate)) ** 2),
        Mistake("That is the mean absolute error: square the differences instead of taking their absolute value.",
                answer=lambda reference, estimate: np.mean(np.abs(_difference(reference, estimate)))),
        Mistake("That is the root of the MSE (the RMSE): return the mean of the squared differences itself.",
                answer=lambda reference, estimate: np.sqrt(np.mean(_difference(reference, estimate) ** 2))),
    ],
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
    eight_bit, eight_bit_estimate = _eight_bit_pair(60, (8, 8))
    return [
        Case((np.zeros((2, 2)), np.full((2, 2), 0.1)),
             label="a black 2x2 image and one of 0.1 everywhere (MSE 0.01, PSNR 20 dB)"),
        Case((gray, noisy), label="a random 16x16 image in [0, 1] and a noisy copy"),
        Case((rgb, np.clip(rgb + 0.02, 0, 1)), label="a 6x5 RGB image and a brighter copy"),
        Case((eight_bit, eight_bit_estimate), {"data_range": 255},
             label="two uint8 images (0-255) with data_range=255: compute in float"),
        Case((gray, gray.copy()), label="two identical images (edge case: PSNR is inf)"),
    ]


register(Exercise(
    key="psnr",
    notebook=NOTEBOOK,
    function_name="psnr",
    reference=lambda reference, estimate, data_range=1.0: metrics.psnr(*_as_float(reference, estimate),
                                                                       data_range=data_range),
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
    mistakes=[
        Mistake(_WRAP_AROUND, answer=lambda reference, estimate, data_range=1.0: _psnr_of(
            np.mean(_wrapped_squared_errors(reference, estimate)[0]), data_range)),
        Mistake(_WRAP_AROUND, answer=lambda reference, estimate, data_range=1.0: _psnr_of(
            np.mean(_wrapped_squared_errors(reference, estimate)[1]), data_range)),
        Mistake("You used the natural logarithm: decibels use the base-10 logarithm, np.log10.",
                answer=lambda reference, estimate, data_range=1.0: 10 * np.log(
                    data_range ** 2 / np.mean(_difference(reference, estimate) ** 2))),
        Mistake("That is 20 log10 of data_range ** 2 / MSE, twice the PSNR: it is 10 log10(data_range ** 2 / MSE) "
                "(or 20 log10(data_range / RMSE)).",
                answer=lambda reference, estimate, data_range=1.0: 20 * np.log10(
                    data_range ** 2 / np.mean(_difference(reference, estimate) ** 2))),
        Mistake("The peak is not squared: PSNR compares powers, 10 log10(data_range ** 2 / MSE).",
                answer=lambda reference, estimate, data_range=1.0: 10 * np.log10(
                    data_range / np.mean(_difference(reference, estimate) ** 2))),
    ],
))


def _psnr_of(error, data_range):
    return float("inf") if error == 0 else 10 * np.log10(data_range ** 2 / error)


def check_psnr(learner_function):
    """Check a function ``psnr(reference, estimate, data_range=1.0)`` that returns the PSNR in dB."""
    return check("psnr", learner_function)
