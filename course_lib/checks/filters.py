"""Exercises of notebook 02 (classical filters): convolution, kernels, the median, Wiener.

Each check compares the learner's function with a reference on a few tiny,
seeded inputs, small enough that a version written with Python loops answers
in well under a second:

* ``convolve2d``: 2-D convolution with zero padding, checked against
  :func:`scipy.ndimage.convolve` with ``mode="constant"`` (an asymmetric kernel
  on an impulse tells convolution from correlation at once);
* ``gaussian_kernel``: a normalised, odd-sized Gaussian kernel, checked against
  :func:`course_lib.degradations.gaussian_kernel`;
* ``median_filter_3x3``: the 3x3 median with the edge pixels repeated at the
  border, checked against :func:`course_lib.filters.median_filter`;
* ``wiener_filter``: Wiener deconvolution in the frequency domain, checked
  against :func:`course_lib.frequency.wiener_deconvolve` (unclipped).

Each check names the mistakes it recognizes: a correlation where a convolution is
asked (the kernel not flipped), another padding (errors only at the border), a
Gaussian normalised by its continuous constant or not centred, a median with zero
padding, a Wiener filter without the complex conjugate or with a shifted PSF.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ._framework import Case, Exercise, Mistake, check, register, wrong_only_at_the_border

__all__ = ["check_convolve2d", "check_gaussian_kernel", "check_median_filter_3x3", "check_wiener_filter"]

NOTEBOOK = "02_classical_filters"


# --------------------------------------------------------------------------------------
# convolve2d
# --------------------------------------------------------------------------------------


def _convolve2d_reference(image, kernel):
    return ndimage.convolve(np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64),
                            mode="constant", cval=0.0)


def _convolve2d_with(mode, flip=True):
    def answer(image, kernel):
        kernel = np.asarray(kernel, dtype=np.float64)
        return ndimage.correlate(np.asarray(image, dtype=np.float64), kernel[::-1, ::-1] if flip else kernel,
                                 mode=mode, cval=0.0)

    return answer


def _kernel_reach(case):
    return max(np.asarray(case.args[1]).shape) // 2


def _convolve2d_cases():
    rng = np.random.default_rng(2)
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    asymmetric = np.arange(1.0, 10.0).reshape(3, 3)
    return [
        Case((impulse, asymmetric), label="a 5x5 impulse and the kernel [[1, 2, 3], [4, 5, 6], [7, 8, 9]] "
                                          "(the answer is the kernel itself)"),
        Case((rng.random((6, 7)), rng.random((3, 3))), label="a random 6x7 image and a random 3x3 kernel"),
        Case((rng.random((5, 8)), rng.standard_normal((3, 5))),
             label="a random 5x8 image and a random 3x5 kernel (not square, with negative weights)"),
        Case((rng.random((4, 4)), rng.random((5, 5))), label="a 4x4 image and a larger 5x5 kernel"),
        Case((rng.random((3, 4)), np.array([[2.0]])), label="a 1x1 kernel [[2.0]] (the answer is 2 * image)"),
    ]


register(Exercise(
    key="convolve2d",
    notebook=NOTEBOOK,
    function_name="convolve2d",
    reference=_convolve2d_reference,
    cases=_convolve2d_cases,
    hints=[
        "Convolution is correlation with the kernel flipped in both directions: "
        "`kernel[::-1, ::-1]`. On the impulse test the output must be the kernel itself, not the kernel upside down.",
        "Zero padding: `np.pad(image, ((kernel_height // 2,) * 2, (kernel_width // 2,) * 2))` adds zeros "
        "all round, so every window of the kernel's size fits and the output keeps the image's shape.",
        "Loop over the output pixels: `output[i, j] = np.sum(padded[i:i + kernel_height, j:j + kernel_width] "
        "* flipped)`, with `flipped = kernel[::-1, ::-1]` and `output = np.zeros(image.shape)`.",
    ],
    mistakes=[
        Mistake("That is a correlation: the kernel is not flipped. A convolution flips the kernel in both "
                "directions, kernel[::-1, ::-1] (on the impulse, the answer is the kernel itself, not upside down).",
                answer=_convolve2d_with("constant", flip=False)),
        Mistake("The values are right inside and wrong only near the border: pad with zeros "
                "(np.pad's default mode='constant'), not by repeating or mirroring the edge.",
                matches=wrong_only_at_the_border(_kernel_reach)),
        Mistake("That is a correlation (the kernel is not flipped), and the border is not zero-padded either: "
                "flip with kernel[::-1, ::-1] and pad with zeros.",
                matches=lambda got, expected, case: any(
                    np.allclose(got, _convolve2d_with(mode, flip=False)(*case.args), atol=1e-6)
                    for mode in ("nearest", "reflect", "mirror", "wrap"))),
    ],
))


def check_convolve2d(learner_function):
    """Check a 2-D convolution with zero padding and output the size of the image."""
    return check("convolve2d", learner_function)


# --------------------------------------------------------------------------------------
# gaussian_kernel
# --------------------------------------------------------------------------------------


def _gaussian_kernel_reference(size, sigma):
    from ..degradations import gaussian_kernel

    return gaussian_kernel(size, sigma)


def _gaussian_kernel_cases():
    return [
        Case((3, 1.0), label="size=3, sigma=1.0"),
        Case((5, 0.8), label="size=5, sigma=0.8"),
        Case((7, 2.0), label="size=7, sigma=2.0"),
        Case((9, 1.5), label="size=9, sigma=1.5"),
        Case((1, 0.5), label="size=1, sigma=0.5 (a single tap: [[1.0]])"),
    ]


register(Exercise(
    key="gaussian_kernel",
    notebook=NOTEBOOK,
    function_name="gaussian_kernel",
    reference=_gaussian_kernel_reference,
    cases=_gaussian_kernel_cases,
    hints=[
        "Measure offsets from the centre pixel: `offsets = np.arange(size) - size // 2` runs from "
        "-(size // 2) to size // 2, so the peak sits in the middle.",
        "The weight of the tap at offsets (u, v) is exp(-(u**2 + v**2) / (2 * sigma**2)); "
        "`np.meshgrid(offsets, offsets)` or `np.add.outer(offsets**2, offsets**2)` gives u**2 + v**2 for every tap.",
        "Normalise by the sum of the taps (`kernel / kernel.sum()`), not by the continuous constant "
        "1 / (2 pi sigma**2): a truncated kernel must still sum to exactly 1, or it darkens the image.",
    ],
    expected_range=(0.0, 1.0),
    mistakes=[
        Mistake("You normalised by the continuous constant 1 / (2 pi sigma**2): a truncated kernel must sum to "
                "exactly 1, so divide by the sum of its taps, kernel / kernel.sum().",
                answer=lambda size, sigma: _gaussian_taps(size, sigma) / (2 * np.pi * sigma ** 2)),
        Mistake("The kernel is not normalised: divide by the sum of its taps, so that it sums to 1.",
                answer=lambda size, sigma: _gaussian_taps(size, sigma)),
        Mistake("The peak is not in the middle: measure offsets from the centre, np.arange(size) - size // 2.",
                answer=lambda size, sigma: _normalised(_gaussian_taps(size, sigma, centred=False))),
        Mistake("The 2 in exp(-(u**2 + v**2) / (2 * sigma**2)) is missing.",
                answer=lambda size, sigma: _normalised(_gaussian_taps(size, sigma / np.sqrt(2)))),
    ],
))


def _gaussian_taps(size, sigma, centred=True):
    offsets = np.arange(size) - (size // 2 if centred else 0)
    return np.exp(-np.add.outer(offsets ** 2, offsets ** 2) / (2 * sigma ** 2))


def _normalised(kernel):
    return kernel / kernel.sum()


def check_gaussian_kernel(learner_function):
    """Check a normalised, odd-sized 2-D Gaussian kernel ``gaussian_kernel(size, sigma)``."""
    return check("gaussian_kernel", learner_function)


# --------------------------------------------------------------------------------------
# median_filter_3x3
# --------------------------------------------------------------------------------------


def _median_filter_3x3_reference(image):
    from ..filters import median_filter

    return median_filter(np.asarray(image, dtype=np.float64), 3)


def _median_filter_3x3_cases():
    rng = np.random.default_rng(3)
    salt_and_pepper = np.full((6, 6), 0.5)
    salt_and_pepper[1, 1] = 1.0
    salt_and_pepper[3, 4] = 0.0
    salt_and_pepper[0, 5] = 1.0
    return [
        Case((salt_and_pepper,), label="a flat 6x6 image with three salt-and-pepper pixels (one in a corner)"),
        Case((rng.random((5, 7)),), label="a random 5x7 image"),
        Case((np.round(rng.random((4, 4)), 1),), label="a random 4x4 image with repeated values"),
        Case((rng.random((1, 6)),), label="a single-row 1x6 image"),
    ]


register(Exercise(
    key="median_filter_3x3",
    notebook=NOTEBOOK,
    function_name="median_filter_3x3",
    reference=_median_filter_3x3_reference,
    cases=_median_filter_3x3_cases,
    hints=[
        "At the border, repeat the edge pixels: `np.pad(image, 1, mode=\"edge\")`. Zero padding would "
        "pull the border medians down, and NumPy's mode=\"reflect\" skips the edge pixel.",
        "Each output pixel is the median of the 9 values of the padded image in the 3x3 window around it: "
        "`np.median(padded[i:i + 3, j:j + 3])`.",
        "Without loops: stack the nine shifted views `padded[dr:dr + height, dc:dc + width]` for dr, dc "
        "in 0, 1, 2 into a (9, height, width) array and take `np.median(..., axis=0)`.",
    ],
    expected_range=(0.0, 1.0),
    mistakes=[
        Mistake("You padded with zeros: they pull the medians at the border down. Repeat the edge pixels, "
                "np.pad(image, 1, mode='edge').",
                answer=lambda image: ndimage.median_filter(np.asarray(image, dtype=np.float64), 3,
                                                           mode="constant", cval=0.0)),
        Mistake("NumPy's mode='reflect' skips the edge pixel (it mirrors around it): repeat the edge pixels with "
                "mode='edge'.",
                answer=lambda image: ndimage.median_filter(np.asarray(image, dtype=np.float64), 3, mode="mirror")),
        Mistake("The values are right inside and wrong only at the border: repeat the edge pixels, "
                "np.pad(image, 1, mode='edge').", matches=wrong_only_at_the_border(lambda case: 1)),
    ],
))


def check_median_filter_3x3(learner_function):
    """Check a 3x3 median filter that repeats the edge pixels at the border."""
    return check("median_filter_3x3", learner_function)


# --------------------------------------------------------------------------------------
# wiener_filter
# --------------------------------------------------------------------------------------


def _wiener_filter_reference(blurred, psf, balance):
    from ..frequency import wiener_deconvolve

    return wiener_deconvolve(np.asarray(blurred, dtype=np.float64), psf, balance=balance, clip=False)


def _wiener_filter_cases():
    from ..degradations import motion_kernel

    rng = np.random.default_rng(4)
    smooth = np.outer([1.0, 4.0, 1.0], [1.0, 4.0, 1.0]) / 36.0  # its transfer function has no zeros
    asymmetric = rng.random((3, 3))
    asymmetric /= asymmetric.sum()
    motion = motion_kernel(5, 45)

    def blurred(shape, psf, noise=0.0):
        image = ndimage.convolve(rng.random(shape), psf, mode="wrap")
        return image + noise * rng.standard_normal(shape)

    return [
        Case((blurred((16, 16), smooth), smooth, 0.01), label="a 16x16 image, a 3x3 smooth blur, balance=0.01"),
        Case((blurred((12, 10), asymmetric, 0.01), asymmetric, 0.05),
             label="a noisy 12x10 image, an asymmetric 3x3 blur, balance=0.05"),
        Case((blurred((16, 16), motion, 0.01), motion, 0.001),
             label="a noisy 16x16 image, a 5-pixel diagonal motion blur, balance=0.001"),
        Case((blurred((8, 8), smooth), smooth, 0.0),
             label="balance=0: the inverse filter (this blur's transfer function has no zeros)"),
    ]


register(Exercise(
    key="wiener_filter",
    notebook=NOTEBOOK,
    function_name="wiener_filter",
    reference=_wiener_filter_reference,
    cases=_wiener_filter_cases,
    hints=[
        "Work in the frequency domain: `Y = np.fft.fft2(blurred)` and the blur's transfer function "
        "`H = frequency.psf_to_otf(psf, blurred.shape)` (it centres the kernel; `np.fft.fft2(psf, s=shape)` "
        "alone would shift the result).",
        "The Wiener estimate is X = conj(H) * Y / (|H|**2 + balance). Use `np.conj(H)`, not `H`: they differ "
        "for a kernel that is not symmetric.",
        "Go back with `np.fft.ifft2(X)` and keep the real part, `np.real(...)`: the imaginary part is only "
        "round-off. Do not clip the result.",
    ],
    mistakes=[
        Mistake("The complex conjugate is missing: the Wiener filter is conj(H) * Y / (|H|**2 + balance), with "
                "np.conj(H). H and conj(H) differ for a kernel that is not symmetric.",
                answer=lambda blurred, psf, balance: _wiener_with(blurred, psf, balance, conjugate=False)),
        Mistake("The result is shifted: np.fft.fft2(psf, s=shape) puts the kernel's corner, not its centre, at the "
                "origin. Use frequency.psf_to_otf(psf, blurred.shape).",
                answer=lambda blurred, psf, balance: _wiener_with(blurred, psf, balance, centred=False)),
        Mistake("You clipped the result to [0, 1]: the check expects the unclipped estimate.",
                answer=lambda blurred, psf, balance: np.clip(_wiener_filter_reference(blurred, psf, balance), 0, 1)),
    ],
))


def _wiener_with(blurred, psf, balance, *, conjugate=True, centred=True):
    from ..frequency import psf_to_otf

    blurred = np.asarray(blurred, dtype=np.float64)
    transfer = psf_to_otf(psf, blurred.shape) if centred else np.fft.fft2(psf, s=blurred.shape)
    numerator = np.conj(transfer) if conjugate else transfer
    return np.real(np.fft.ifft2(numerator * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)))


def check_wiener_filter(learner_function):
    """Check Wiener deconvolution ``wiener_filter(blurred, psf, balance)`` in the frequency domain."""
    return check("wiener_filter", learner_function)
