"""Exercises of notebook 03 (histograms and enhancement).

The learner builds histogram equalization in three steps (the histogram, its
normalised cumulative sum, the mapping of every pixel through it), then writes
two more point and neighbourhood operations: gamma correction and unsharp
masking. Each reference is the course's tested :mod:`course_lib.enhancement`.

Each check names the mistakes it recognizes: a histogram over the image's own range
instead of [0, 1], a CDF without its normalisation or its cumulative sum, an
equalization over [0, 1] instead of the image's range, ``1 / gamma`` for ``gamma``, and
an unsharp mask that is not clipped, adds the blur, or blurs with zero padding.
"""

from __future__ import annotations

import numpy as np

from .. import enhancement
from ._framework import Case, Exercise, Mistake, check, register

__all__ = [
    "check_histogram",
    "check_cdf",
    "check_equalize_histogram",
    "check_gamma_correct",
    "check_unsharp_mask",
]

NOTEBOOK = "03_histograms_and_enhancement"


def _as_float(image):
    return np.asarray(image, dtype=np.float64)


def _equalize_variant(image, bins=256, *, own_range=True):
    """Equalization through the CDF, over the image's own range or over [0, 1]."""
    image = _as_float(image)
    low, high = (image.min(), image.max()) if own_range else (0.0, 1.0)
    counts, edges = np.histogram(image, bins=bins, range=(low, high))
    return np.interp(image, (edges[:-1] + edges[1:]) / 2, np.cumsum(counts) / counts.sum())


def _blur(image, radius, mode="reflect"):
    from scipy import ndimage

    return ndimage.gaussian_filter(_as_float(image), sigma=radius, mode=mode)


def _unsharp_variant(image, radius=1.0, amount=1.0, *, clip=True, mode="reflect", add_blur=False):
    image = _as_float(image)
    blurred = _blur(image, radius, mode)
    sharpened = image + amount * (blurred if add_blur else image - blurred)
    return np.clip(sharpened, 0.0, 1.0) if clip else sharpened


_HISTOGRAM_MISTAKES = [
    Mistake("Your bins span the image's own range (np.histogram's default): pass range=(0, 1) so that every "
            "image gets the same bins of [0, 1].",
            answer=lambda image, bins=256: np.histogram(_as_float(image), bins=bins)[0]),
    Mistake("Those are fractions: return the counts, the number of pixels in each bin.",
            answer=lambda image, bins=256: np.histogram(_as_float(image), bins=bins, range=(0, 1))[0]
            / np.size(image)),
]
_CDF_MISTAKES = [
    Mistake("That is the cumulative sum of the counts, not normalised: divide by the total number of counts "
            "so that the last value is 1.", answer=lambda counts: np.cumsum(_as_float(counts))),
    Mistake("That is the normalised histogram: take the cumulative sum too (np.cumsum).",
            answer=lambda counts: _as_float(counts) / _as_float(counts).sum()),
    Mistake("You divided by the number of bins: divide by the total count, counts.sum(), so that the last value "
            "is 1.", answer=lambda counts: np.cumsum(_as_float(counts)) / len(counts)),
]
_EQUALIZE_MISTAKES = [
    Mistake("Your bins span [0, 1]: equalization uses the image's own range, from image.min() to image.max(), "
            "as skimage.exposure.equalize_hist does.",
            answer=lambda image, bins=256: _equalize_variant(image, bins, own_range=False)),
]
_GAMMA_MISTAKES = [
    Mistake("You raised to 1 / gamma: the curve is image ** gamma (gamma < 1 brightens).",
            answer=lambda image, gamma: _as_float(image) ** (1.0 / gamma)),
]
_UNSHARP_MISTAKES = [
    Mistake("The sharpened image overshoots [0, 1] at edges: clip it with np.clip(..., 0, 1).",
            answer=lambda image, radius=1.0, amount=1.0: _unsharp_variant(image, radius, amount, clip=False)),
    Mistake("You added the blurred image: add the detail, image - blurred, times amount.",
            answer=lambda image, radius=1.0, amount=1.0: _unsharp_variant(image, radius, amount, add_blur=True)),
    Mistake("Only the border is wrong: your blur pads with zeros. Use scipy.ndimage.gaussian_filter(image, "
            "sigma=radius) with its default mode='reflect'.",
            answer=lambda image, radius=1.0, amount=1.0: _unsharp_variant(image, radius, amount, mode="constant")),
    Mistake("You subtracted the detail (that blurs): add it, image + amount * (image - blurred).",
            answer=lambda image, radius=1.0, amount=1.0: _unsharp_variant(image, radius, -amount)),
]


# --------------------------------------------------------------------------------------
# histogram: counts over equal bins of [0, 1]
# --------------------------------------------------------------------------------------


def _histogram_reference(image, bins=256):
    counts, _ = enhancement.histogram(image, bins, value_range=(0.0, 1.0))
    return counts


def _histogram_cases():
    rng = np.random.default_rng(3)
    return [
        Case((np.array([[0.0, 0.25, 0.5], [0.5, 0.75, 1.0]]), 4),
             label="a 2x3 image with values 0, 0.25, 0.5, 0.5, 0.75, 1 and bins=4 (1.0 goes in the last bin)"),
        Case((0.2 + 0.5 * rng.random((6, 5)), 8), label="a 6x5 image with values in [0.2, 0.7], bins=8"),
        Case((rng.random((16, 16)).astype(np.float32),), label="a 16x16 float32 image, default bins (256)"),
    ]


register(Exercise(
    key="histogram",
    mistakes=_HISTOGRAM_MISTAKES,
    notebook=NOTEBOOK,
    function_name="histogram",
    reference=_histogram_reference,
    cases=_histogram_cases,
    hints=[
        "Bin k covers the values from k / bins to (k + 1) / bins. Count how many pixels fall in each, "
        "and remember that the bins cover all of [0, 1], whatever the image's own range.",
        "`numpy.floor(image * bins)` gives each pixel's bin number. A value of exactly 1.0 gives `bins`, "
        "one past the last bin: put it in bin `bins - 1` (numpy.minimum).",
        "`numpy.bincount(indices.ravel(), minlength=bins)` counts how often each bin number occurs. "
        "Or use `numpy.histogram(image, bins=bins, range=(0, 1))`, which returns (counts, bin_edges): "
        "return only the counts.",
    ],
))


def check_histogram(learner_function):
    """Check a function that counts the pixels of a [0, 1] image in `bins` equal bins of [0, 1]."""
    return check("histogram", learner_function)


# --------------------------------------------------------------------------------------
# cdf: the normalised cumulative histogram
# --------------------------------------------------------------------------------------


def _cdf_reference(counts):
    counts = np.asarray(counts, dtype=np.float64)
    return np.cumsum(counts) / counts.sum()


def _cdf_cases():
    rng = np.random.default_rng(4)
    return [
        Case((np.array([2.0, 0.0, 1.0, 1.0]),), label="counts [2, 0, 1, 1]"),
        Case((rng.integers(0, 50, size=16),), label="16 integer counts"),
        Case((np.array([0, 0, 3, 0, 1, 0, 0]),), label="counts [0, 0, 3, 0, 1, 0, 0] (empty bins at both ends)"),
    ]


register(Exercise(
    key="cdf",
    mistakes=_CDF_MISTAKES,
    notebook=NOTEBOOK,
    function_name="normalized_cdf",
    reference=_cdf_reference,
    cases=_cdf_cases,
    hints=[
        "Entry k is the fraction of all pixels that lie in bin k or in a bin before it, so the result "
        "rises from the first bin's share to exactly 1 in the last bin.",
        "`numpy.cumsum(counts)` adds the counts up; the last entry is then the number of pixels.",
        "Divide the running sum by the total, `counts.sum()`, so that the values lie in [0, 1] "
        "(dividing integers with `/` gives floats).",
    ],
    expected_range=(0.0, 1.0),
))


def check_cdf(learner_function):
    """Check a function that turns histogram counts into the normalised cumulative histogram."""
    return check("cdf", learner_function)


# --------------------------------------------------------------------------------------
# equalize_histogram: map every pixel through the image's own CDF
# --------------------------------------------------------------------------------------


def _equalize_reference(image, bins=256):
    return enhancement.equalize_histogram(image, bins)


def _equalize_cases():
    rng = np.random.default_rng(5)
    spike = rng.random((6, 6))
    spike[:, :3] = 0.2  # half the pixels share one value
    return [
        Case((np.array([[0.0, 0.0], [0.5, 1.0]]), 2), label="the 2x2 image [[0, 0], [0.5, 1]] with bins=2"),
        Case((0.3 + 0.3 * rng.random((8, 8)), 16), label="an 8x8 image with values in [0.3, 0.6], bins=16"),
        Case((spike, 8), label="a 6x6 image whose left half is exactly 0.2, bins=8"),
        Case((rng.random((16, 16)).astype(np.float32),), label="a 16x16 float32 image, default bins (256)"),
    ]


register(Exercise(
    key="equalize_histogram",
    mistakes=_EQUALIZE_MISTAKES,
    notebook=NOTEBOOK,
    function_name="equalize_histogram",
    reference=_equalize_reference,
    cases=_equalize_cases,
    hints=[
        "Three steps: count the pixels in `bins` equal bins spanning the image's own minimum to maximum; "
        "turn the counts into the normalised cumulative histogram; look every pixel up in it.",
        "`counts, edges = numpy.histogram(image, bins=bins)` (no range: it uses image.min() to image.max()), "
        "then `cdf = numpy.cumsum(counts) / counts.sum()` and `centers = (edges[:-1] + edges[1:]) / 2`.",
        "The look-up is a linear interpolation of the points (centers, cdf) at every pixel value: "
        "`numpy.interp(image, centers, cdf)`.",
    ],
    expected_range=(0.0, 1.0),
))


def check_equalize_histogram(learner_function):
    """Check a histogram equalization that matches ``skimage.exposure.equalize_hist``."""
    return check("equalize_histogram", learner_function)


# --------------------------------------------------------------------------------------
# gamma_correct: x ** gamma
# --------------------------------------------------------------------------------------


def _gamma_reference(image, gamma):
    return enhancement.gamma_correct(image, gamma)


def _gamma_cases():
    rng = np.random.default_rng(6)
    return [
        Case((np.array([[0.0, 0.25, 1.0]]), 0.5), label="[[0, 0.25, 1]] with gamma=0.5"),
        Case((rng.random((5, 6)), 2.2), label="a 5x6 gray image with gamma=2.2"),
        Case((rng.random((4, 5, 3)).astype(np.float32), 0.4), label="a 4x5 RGB float32 image with gamma=0.4"),
        Case((rng.random((3, 3)), 1.0), label="a 3x3 image with gamma=1 (nothing changes)"),
    ]


register(Exercise(
    key="gamma_correct",
    mistakes=_GAMMA_MISTAKES,
    notebook=NOTEBOOK,
    function_name="gamma_correct",
    reference=_gamma_reference,
    cases=_gamma_cases,
    hints=[
        "Every pixel value x in [0, 1] becomes x raised to the power gamma; 0 and 1 stay where they are.",
        "With gamma < 1 the result is brighter: 0.25 ** 0.5 is 0.5. If your 0.25 became 0.0625, "
        "you raised to 1 / gamma.",
        "`image ** gamma` (or `numpy.power(image, gamma)`) works on the whole array at once.",
    ],
    expected_range=(0.0, 1.0),
))


def check_gamma_correct(learner_function):
    """Check a function that returns ``image ** gamma``."""
    return check("gamma_correct", learner_function)


# --------------------------------------------------------------------------------------
# unsharp_mask: x + amount * (x - blur(x)), clipped
# --------------------------------------------------------------------------------------


def _unsharp_reference(image, radius=1.0, amount=1.0):
    return enhancement.unsharp_mask(image, radius=radius, amount=amount)


def _unsharp_cases():
    rng = np.random.default_rng(7)
    step = np.repeat([[0.2] * 4 + [0.8] * 4], 3, axis=0)
    black_to_white = np.repeat([[0.0] * 5 + [1.0] * 5], 4, axis=0)
    return [
        Case((step,), label="a 3x8 step from 0.2 to 0.8, radius=1, amount=1"),
        Case((rng.random((12, 12)),), {"radius": 2.0, "amount": 0.5},
             label="a 12x12 image with radius=2, amount=0.5"),
        Case((black_to_white,), {"radius": 1.0, "amount": 2.0},
             label="a 4x10 step from black to white with amount=2 (the overshoot must be clipped)"),
        Case((rng.random((10, 10)).astype(np.float32),), {"radius": 1.5, "amount": 0.0},
             label="a 10x10 float32 image with amount=0 (nothing changes)"),
    ]


register(Exercise(
    key="unsharp_mask",
    mistakes=_UNSHARP_MISTAKES,
    notebook=NOTEBOOK,
    function_name="unsharp_mask",
    reference=_unsharp_reference,
    cases=_unsharp_cases,
    hints=[
        "Blur the image, subtract the blur from the image to get the fine detail (the 'mask'), "
        "and add `amount` times that detail back to the image.",
        "`scipy.ndimage.gaussian_filter(image, sigma=radius)` is the blur; its defaults "
        "(mode='reflect', truncate=4.0) are the ones the check expects.",
        "Sharpening overshoots at edges, so finish with `numpy.clip(result, 0, 1)`: "
        "`numpy.clip(image + amount * (image - blurred), 0.0, 1.0)`.",
    ],
    expected_range=(0.0, 1.0),
))


def check_unsharp_mask(learner_function):
    """Check unsharp masking of a gray image: ``clip(x + amount * (x - G_radius * x), 0, 1)``."""
    return check("unsharp_mask", learner_function)
