"""Exercises of notebook 06 (super-resolution).

* ``cubic_kernel``: Keys' cubic convolution kernel, vectorized, for any ``a``; checked
  against :func:`course_lib.degradations.cubic_kernel`. Catches the missing ``|x|``, a
  kernel that is not zero beyond ``|x| = 2``, and a fixed ``a``;
* ``bicubic_upscale_1d``: enlarge a 1-D signal by an integer factor the way MATLAB's
  ``imresize`` does (pixel centres aligned, symmetric mirroring at the ends, weights
  normalized); checked against :func:`course_lib.degradations.imresize` on a one-row
  image. Says where the first wrong sample is, and whether only the ends are wrong;
* ``sr_psnr``: the super-resolution papers' PSNR of two Y images on the 8-bit scale,
  with ``scale`` pixels removed at every border; checked against
  :func:`course_lib.metrics.psnr` of :func:`course_lib.metrics.crop_border`. Recognizes
  a missing crop, a peak of 1 and a crop of the top-left borders only;
* ``depth_to_space``: ESPCN's sub-pixel rearrangement of one ``(H, W, C r^2)`` feature
  map into ``(H r, W r, C)``, in TensorFlow's order; checked against
  :func:`course_lib.models.layers.depth_to_space` (which agrees with
  ``tf.nn.depth_to_space``, see the tests). Recognizes PyTorch's channel-major order,
  transposed sub-pixels and a reshape without a transpose.

Each check answers a wrong value with what is wrong and where (an ``x``, an output
sample, a pixel), and, when the answer matches a typical mistake, with that mistake.
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from ..degradations import cubic_kernel as _library_cubic_kernel
from ..degradations import imresize
from ._framework import Case, Exercise, _is_number, check, register, usual_problem, wrong_elements
from .cnn import _numpy_result

__all__ = ["check_cubic_kernel", "check_bicubic_upscale_1d", "check_sr_psnr", "check_depth_to_space"]

NOTEBOOK = "06_super_resolution"


# --------------------------------------------------------------------------------------
# cubic_kernel
# --------------------------------------------------------------------------------------


def _cubic_kernel_reference(x, a=-0.5):
    return _library_cubic_kernel(x, a)


def _cubic_kernel_cases():
    rng = np.random.default_rng(61)
    grid = np.linspace(-3.0, 3.0, 25)
    return [
        Case((grid,), label="x = np.linspace(-3, 3, 25), that is -3, -2.75, ..., 3 in steps of 0.25, a not given "
                            "(the default -0.5)"),
        Case((grid,), kwargs={"a": -0.75}, label="the same 25 points with a=-0.75 (the value OpenCV uses)"),
        Case((rng.uniform(-2.5, 2.5, (3, 4)),),
             label="a 3x4 array of points in [-2.5, 2.5] (the result must keep the shape (3, 4))"),
        Case((np.concatenate([rng.uniform(-3.0, 3.0, 6), [-2.0, -1.0, 0.0, 1.0, 2.0]]),), kwargs={"a": -1.0},
             label="6 random points in [-3, 3] and -2, -1, 0, 1, 2, with a=-1"),
    ]


def _cubic_kernel_compare(got, expected, case):
    problem = usual_problem("cubic_kernel", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    x = np.asarray(case.args[0], dtype=np.float64)
    a = case.args[1] if len(case.args) > 1 else case.kwargs.get("a", -0.5)
    got = np.asarray(got, dtype=np.float64)
    wrong, first = wrong_elements("cubic_kernel", got, expected)
    message = (f"{int(wrong.sum())} of {wrong.size} values are wrong; at x = {x[first]:g} you returned "
               f"{got[first]:.6g}, expected {float(expected[first]):.6g}.")
    wrong_x = x[wrong]
    if np.all(wrong_x < 0):
        return message + (" Only negative x are wrong: the kernel is symmetric, k(-x) = k(x), so use the "
                          "distance t = |x| (np.abs) in the formulas.")
    if np.all(np.abs(wrong_x) >= 2):
        return message + " Only points with |x| >= 2 are wrong: the kernel is 0 there."
    for other in (-0.5, -0.75, -1.0):
        if other != a and np.allclose(got, _library_cubic_kernel(x, other)):
            given = f"a = {a}" if "a" in case.kwargs or len(case.args) > 1 else f"a = {a} (the default)"
            return message + (f" These are the values for a = {other}, but this test uses {given}: use the "
                              "argument `a` in the formulas, not a fixed number.")
    return message + " Check each piece and where it applies: |x| <= 1, 1 < |x| < 2, and 0 from |x| = 2 on."


register(Exercise(
    key="cubic_kernel",
    notebook=NOTEBOOK,
    function_name="cubic_kernel",
    reference=_cubic_kernel_reference,
    cases=_cubic_kernel_cases,
    hints=[
        "The kernel depends only on the distance t = |x| (`np.abs(x)`): it is symmetric, k(-x) = k(x). "
        "It has three pieces: one for t <= 1, one for 1 < t < 2, and 0 for t >= 2.",
        "Compute both polynomials on the whole array, then pick one per element with `np.where` (a Python `if` "
        "cannot test a whole array at once): inner = (a + 2) * t**3 - (a + 3) * t**2 + 1 and "
        "outer = a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a. Use the argument `a`, not a fixed number.",
        "`t = np.abs(x)`, the two polynomials above, then "
        "`return np.where(t <= 1, inner, np.where(t < 2, outer, 0.0))`: the result has the shape of x.",
    ],
    compare=_cubic_kernel_compare,
))


def check_cubic_kernel(learner_function):
    """Check ``cubic_kernel(x, a=-0.5)``, Keys' cubic convolution kernel evaluated on an array."""
    return check("cubic_kernel", learner_function)


# --------------------------------------------------------------------------------------
# bicubic_upscale_1d
# --------------------------------------------------------------------------------------


def _bicubic_upscale_1d_reference(signal, scale):
    signal = np.asarray(signal, dtype=np.float64)
    return imresize(signal[None, :], output_shape=(1, signal.size * scale))[0]


def _bicubic_upscale_1d_cases():
    rng = np.random.default_rng(62)
    return [
        Case((rng.random(6), 2), label="6 random samples, scale=2 (12 samples out)"),
        Case((rng.random(5), 3), label="5 random samples, scale=3 (15 samples out)"),
        Case((rng.random(9), 4), label="9 random samples, scale=4 (36 samples out)"),
        Case((np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]), 2),
             label="a step 0, 0, 0, 0, 1, 1, 1, 1, scale=2 (bicubic overshoots next to the step: "
                   "values a little below 0 and above 1 are right)"),
        Case((rng.uniform(-1.0, 1.0, 7), 3), label="7 random samples in [-1, 1], scale=3"),
    ]


def _near_the_ends(length, scale):
    """Output samples whose 4 input neighbours include one outside 0..length-1."""
    u = (np.arange(length * scale) + 0.5) / scale - 0.5
    left = np.floor(u).astype(np.int64) - 1
    return (left < 0) | (left + 3 > length - 1)


def _bicubic_upscale_1d_compare(got, expected, case):
    problem = usual_problem("bicubic_upscale_1d", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    signal, scale = np.asarray(case.args[0], dtype=np.float64), int(case.args[1])
    n = signal.size
    got = np.asarray(got, dtype=np.float64)
    wrong, _ = wrong_elements("bicubic_upscale_1d", got, expected)
    first = int(np.argmax(wrong))
    message = (f"{int(wrong.sum())} of {wrong.size} output samples are wrong; the first is output[{first}]: "
               f"you returned {got[first]:.6g}, expected {float(expected[first]):.6g}.")
    if not np.any(wrong & ~_near_the_ends(n, scale)):
        return message + (f" The middle is right and only samples near the ends are wrong, where some of the 4 "
                          f"neighbours j fall outside 0..{n - 1}: mirror them with the end sample repeated, "
                          f"-1 -> 0, -2 -> 1, {n} -> {n - 1}, {n + 1} -> {n - 2} (in Python, signal[-1] is the "
                          "last sample, not a mirror).")
    if np.isclose(got[0], signal[0]) and not np.isclose(float(expected[0]), signal[0]):
        return message + (f" Your output[0] equals signal[0], but output sample k sits at u = (k + 0.5) / scale "
                          f"- 0.5 (pixel centres line up, not pixel corners): output[0] is at u = "
                          f"{0.5 / scale - 0.5:g}, left of signal[0].")
    return message


register(Exercise(
    key="bicubic_upscale_1d",
    notebook=NOTEBOOK,
    function_name="bicubic_upscale_1d",
    reference=_bicubic_upscale_1d_reference,
    cases=_bicubic_upscale_1d_cases,
    hints=[
        "Output sample k (counting from 0) sits at input coordinate u = (k + 0.5) / scale - 0.5: the centres "
        "of the pixels line up, so for scale 2 output[0] is a quarter of an input sample left of signal[0]. "
        "Its value mixes the 4 input samples j = floor(u) - 1, ..., floor(u) + 2 with the weights "
        "cubic_kernel(u - j), divided by their sum.",
        "Near the ends some j fall outside 0..n-1. Mirror them with the end sample repeated, as MATLAB does: "
        "-1 -> 0, -2 -> 1, n -> n - 1, n + 1 -> n - 2, that is j -> -j - 1 below 0 and j -> 2 n - 1 - j "
        "above n - 1. Careful: in Python signal[-1] is the last sample, not a mirror.",
        "All outputs at once: `u = (np.arange(n * scale) + 0.5) / scale - 0.5`, "
        "`j = np.floor(u).astype(int)[:, None] - 1 + np.arange(4)` (shape (n * scale, 4)), "
        "`weights = cubic_kernel(u[:, None] - j)`, `weights /= weights.sum(axis=1, keepdims=True)`, "
        "`j = np.where(j < 0, -j - 1, j)`, `j = np.where(j > n - 1, 2 * n - 1 - j, j)`, then "
        "`return (weights * signal[j]).sum(axis=1)`.",
    ],
    rtol=1e-6,
    atol=1e-9,
    compare=_bicubic_upscale_1d_compare,
))


def check_bicubic_upscale_1d(learner_function):
    """Check ``bicubic_upscale_1d(signal, scale)``: MATLAB-style bicubic enlargement of a 1-D signal."""
    return check("bicubic_upscale_1d", learner_function)


# --------------------------------------------------------------------------------------
# sr_psnr
# --------------------------------------------------------------------------------------


def _sr_psnr_reference(reference, estimate, scale):
    cropped_reference = metrics.crop_border(reference, scale)
    cropped_estimate = metrics.crop_border(estimate, scale)
    return metrics.psnr(cropped_reference, cropped_estimate, data_range=255.0)


def _sr_pair(rng, shape, scale, rounded=False):
    """A Y image on the 8-bit scale and an estimate off by ~3 inside and by ~40 in the outer `scale` pixels."""
    reference = rng.uniform(0.0, 255.0, shape)
    error = rng.normal(0.0, 3.0, shape)
    band = np.ones(shape, dtype=bool)
    band[scale:-scale, scale:-scale] = False
    error[band] = rng.normal(0.0, 40.0, int(band.sum()))
    estimate = np.clip(reference + error, 0.0, 255.0)
    if rounded:
        reference, estimate = np.round(reference), np.round(estimate)
    return reference, estimate


def _sr_psnr_cases():
    rng = np.random.default_rng(63)
    return [
        Case((*_sr_pair(rng, (16, 20), 2), 2),
             label="random 16x20 Y images in [0, 255], scale=2; the estimate is off by about 3 inside "
                   "and by about 40 in the outer 2 pixels"),
        Case((*_sr_pair(rng, (21, 18), 3), 3),
             label="random 21x18 Y images, scale=3, off by about 40 in the outer 3 pixels"),
        Case((*_sr_pair(rng, (24, 24), 4, rounded=True), 4),
             label="random 24x24 Y images rounded to whole numbers (as in papers), scale=4"),
    ]


def _psnr_255(reference, estimate, peak=255.0):
    return float(10.0 * np.log10(peak**2 / np.mean((reference - estimate) ** 2)))


def _sr_psnr_compare(got, expected, case):
    problem = usual_problem("sr_psnr", got, expected)
    if problem is None:
        return None
    message = problem[0]
    if not _is_number(got):
        return message
    reference, estimate, scale = case.args
    inside = (slice(scale, -scale), slice(scale, -scale))
    mistakes = [
        (_psnr_255(reference, estimate),
         "That is the PSNR of the whole image: remove `scale` pixels from every border of both images first."),
        (_psnr_255(reference[inside], estimate[inside], peak=1.0),
         "That is the PSNR with a peak value of 1: these images are on the 8-bit scale, so the peak is 255."),
        (_psnr_255(reference[scale:, scale:], estimate[scale:, scale:]),
         "That is the PSNR with only the top and left borders removed: remove `scale` pixels at the bottom "
         "and the right too, `image[scale:-scale, scale:-scale]`."),
    ]
    for value, explanation in mistakes:
        if np.isclose(float(got), value, rtol=1e-9, atol=1e-6):
            return f"{message} {explanation}"
    return message


register(Exercise(
    key="sr_psnr",
    notebook=NOTEBOOK,
    function_name="sr_psnr",
    reference=_sr_psnr_reference,
    cases=_sr_psnr_cases,
    hints=[
        "Super-resolution papers score only the inside of the image: they remove `scale` pixels at each of the "
        "four borders (top, bottom, left and right) of both images, because near the border an upscaler has "
        "to guess what lies outside the image.",
        "`reference[scale:-scale, scale:-scale]` keeps the inside (the same for the estimate). The images are "
        "Y on the 8-bit scale, so the peak value in the PSNR is 255, not 1.",
        "`error = np.mean((reference[scale:-scale, scale:-scale] - estimate[scale:-scale, scale:-scale]) ** 2)`, "
        "then `return 10 * np.log10(255.0 ** 2 / error)`.",
    ],
    rtol=1e-9,
    atol=1e-6,
    compare=_sr_psnr_compare,
))


def check_sr_psnr(learner_function):
    """Check ``sr_psnr(reference, estimate, scale)``: PSNR (peak 255) after removing `scale` pixels per border."""
    return check("sr_psnr", learner_function)


# --------------------------------------------------------------------------------------
# depth_to_space
# --------------------------------------------------------------------------------------


def _depth_to_space_reference(features, factor):
    import keras

    from ..models.layers import depth_to_space

    batch = np.asarray(features)[None]
    return keras.ops.convert_to_numpy(depth_to_space(batch, factor))[0]


def _distinct_features(rng, shape):
    """Seeded features whose values are all different (0, 1, 2, ... shuffled), so each can be traced."""
    return rng.permutation(int(np.prod(shape))).astype(np.float64).reshape(shape)


def _depth_to_space_cases():
    rng = np.random.default_rng(64)
    return [
        Case((_distinct_features(rng, (2, 3, 4)), 2), label="features (2, 3, 4), factor=2: C = 1, output (4, 6, 1)"),
        Case((_distinct_features(rng, (3, 2, 8)), 2), label="features (3, 2, 8), factor=2: C = 2, output (6, 4, 2)"),
        Case((_distinct_features(rng, (2, 2, 9)), 3), label="features (2, 2, 9), factor=3: C = 1, output (6, 6, 1)"),
        Case((_distinct_features(rng, (2, 3, 18)), 3),
             label="features (2, 3, 18), factor=3: C = 2, output (6, 9, 2)"),
    ]


def _depth_to_space_mistakes(features, factor):
    height, width, depth = features.shape
    r, channels = factor, depth // (factor * factor)
    channel_major = features.reshape(height, width, channels, r, r).transpose(0, 3, 1, 4, 2)
    transposed = features.reshape(height, width, r, r, channels).transpose(0, 3, 1, 2, 4)
    return [
        (channel_major.reshape(height * r, width * r, channels),
         "Your result is in the channel-major order (\"CRD\", PyTorch's pixel_shuffle): features[h, w, "
         "c * r * r + i * r + j]. TensorFlow's order takes the sub-pixel first: features[h, w, (i * r + j) * C + c], "
         "so read the last axis as (r, r, C), not (C, r, r)."),
        (transposed.reshape(height * r, width * r, channels),
         "Your sub-pixels are transposed inside each r x r block: output[h * r + i, w * r + j] comes from channel "
         "group i * r + j, with i the row and j the column inside the block."),
        (features.reshape(height * r, width * r, channels),
         "A reshape alone keeps the values in memory order, so it does not build r x r blocks: reshape to "
         "(H, W, r, r, C), move the axes to (H, r, W, r, C) with a transpose, then reshape."),
    ]


def _depth_to_space_compare(got, expected, case):
    problem = usual_problem("depth_to_space", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    features, factor = np.asarray(case.args[0], dtype=np.float64), int(case.args[1])
    got = np.asarray(got, dtype=np.float64)
    wrong, _ = wrong_elements("depth_to_space", got, expected)
    y, x, c = (int(i) for i in np.unravel_index(int(np.argmax(wrong)), wrong.shape))
    channels = features.shape[2] // (factor * factor)
    source = (y // factor, x // factor, ((y % factor) * factor + x % factor) * channels + c)
    message = (f"{int(wrong.sum())} of {wrong.size} values are wrong; the first is output[{y}, {x}, {c}]: "
               f"you returned {got[y, x, c]:g}, expected features[{source[0]}, {source[1]}, {source[2]}] = "
               f"{features[source]:g}.")
    for mistake, explanation in _depth_to_space_mistakes(features, factor):
        if np.allclose(got, mistake):
            return f"{message} {explanation}"
    return message


register(Exercise(
    key="depth_to_space",
    notebook=NOTEBOOK,
    function_name="depth_to_space",
    reference=_depth_to_space_reference,
    cases=_depth_to_space_cases,
    hints=[
        "Each input pixel (h, w) holds r * r * C numbers and becomes an r x r block of output pixels with C "
        "channels each: output[h * r + i, w * r + j, c] = features[h, w, (i * r + j) * C + c], with r = factor "
        "and C = features.shape[2] // (r * r).",
        "Read the last axis as (i, j, c), in that order: `features.reshape(H, W, r, r, C)` has the axes "
        "(h, w, i, j, c). A reshape alone cannot finish the job: h and i must become neighbours (and w and j), "
        "so the axes have to be reordered first.",
        "`blocks = features.reshape(H, W, r, r, C).transpose(0, 2, 1, 3, 4)` has the axes (h, i, w, j, c); "
        "`return blocks.reshape(H * r, W * r, C)`.",
    ],
    compare=_depth_to_space_compare,
))


def check_depth_to_space(learner_function):
    """Check ``depth_to_space(features, factor)``: (H, W, C r^2) -> (H r, W r, C) in TensorFlow's order."""
    return check("depth_to_space", _numpy_result(learner_function))
