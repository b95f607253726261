"""Exercises of notebook 08 (GAN inpainting).

* ``hole_psnr``: the PSNR of a fill inside the hole only, gray or RGB; checked against
  :func:`course_lib.metrics.psnr_in_mask`. Recognizes the PSNR of the whole image, of
  the known pixels instead of the hole, a peak of 255 for images in [0, 1], and an RGB
  error averaged over pixels but summed over the channels;
* ``update_mask``: the partial convolution's mask update (Liu et al., ECCV 2018): an
  output pixel is valid when its k x k window holds at least one valid input pixel,
  pixels beyond the border counting as missing. Checked against a maximum filter with
  zero padding; the result may be float, boolean or integer (any mask that compares
  equal passes). Recognizes the unchanged mask, "all valid" (an erosion) instead of
  "any valid", the hole returned instead of the valid mask, and a border counted as valid;
* ``partial_convolution``: one single-channel partial convolution with "same" padding,
  ``W^T (X * M) * sum(1) / sum(M) + b`` where the window holds a valid pixel and 0
  elsewhere, as a cross-correlation (what ``Conv2D`` computes). Checked against
  :mod:`scipy.ndimage`; recognizes a missing renormalization, an inverted one, values
  of the hole that leak in (``X`` not multiplied by ``M``), a bias added where the
  window saw nothing, and a flipped kernel (a convolution).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .. import metrics
from ._framework import Case, Exercise, check, register, usual_problem, wrong_elements

__all__ = ["check_hole_psnr", "check_update_mask", "check_partial_convolution"]

NOTEBOOK = "08_gan_inpainting"


def _valid_masks():
    rng = np.random.default_rng(81)
    big_hole = np.ones((9, 11))
    big_hole[2:8, 3:10] = 0  # a hole wider than a 3x3 window: its centre stays missing
    edge_hole = np.ones((6, 8))
    edge_hole[:, :3] = 0  # a hole along the left border
    return rng, big_hole, edge_hole, (rng.random((7, 9)) > 0.4).astype(np.float64)


# --------------------------------------------------------------------------------------
# hole_psnr
# --------------------------------------------------------------------------------------


def _hole_psnr_reference(reference, estimate, hole):
    return metrics.psnr_in_mask(reference, estimate, np.asarray(hole, dtype=bool))


def _hole_psnr_cases():
    rng = np.random.default_rng(80)
    gray = rng.random((12, 14))
    gray_hole = np.zeros((12, 14), bool)
    gray_hole[3:8, 2:11] = True
    rgb = rng.random((10, 9, 3))
    rgb_hole = np.zeros((10, 9), bool)
    rgb_hole[::3, :] = True
    return [
        Case((gray, np.clip(gray + np.where(gray_hole, 0.2, 0.01), 0, 1), gray_hole),
             label="a 12x14 gray image, a 5x9 hole; the estimate is off by 0.2 in the hole and 0.01 outside it"),
        Case((rgb, np.clip(rgb + rng.normal(0, 0.05, rgb.shape), 0, 1), rgb_hole),
             label="a 10x9 RGB image, a hole of every third row (a (10, 9) mask), noise everywhere"),
        Case((gray, np.where(gray_hole, 0.5, gray), gray_hole),
             label="the 12x14 gray image with its hole filled with 0.5 and every known pixel exact"),
    ]


def _hole_psnr_compare(got, expected, case):
    problem = usual_problem("hole_psnr", got, expected)
    if problem is None:
        return None
    message = problem[0]
    reference, estimate, hole = case.args
    got = float(np.asarray(got))
    if np.isclose(got, metrics.psnr(reference, estimate), rtol=1e-4):
        return message + (" That is the PSNR of the whole image: average the squared error over the pixels of the "
                          "hole only (where the mask is True).")
    outside = ~hole
    if np.isclose(got, metrics.psnr_in_mask(reference, estimate, outside), rtol=1e-4):
        return message + " You scored the known pixels: the hole is where the mask is True."
    if np.isclose(got, expected + 20 * np.log10(255.0), rtol=1e-4):
        return message + " The images are in [0, 1], so the peak is 1, not 255."
    if reference.ndim == 3 and np.isclose(got, expected - 10 * np.log10(reference.shape[-1]), rtol=1e-4):
        return message + (" Average the squared error over the channels too (np.mean over reference[hole], which "
                          "has shape (pixels, 3)), not a sum over them.")
    return message + " PSNR = 10 log10(1 / MSE), with the MSE over the hole's pixels (and all their channels)."


register(Exercise(
    key="hole_psnr",
    notebook=NOTEBOOK,
    function_name="hole_psnr",
    reference=_hole_psnr_reference,
    cases=_hole_psnr_cases,
    hints=[
        "Boolean indexing picks the hole's pixels: for a gray image `reference[hole]` is a 1-D array, for an RGB "
        "image (with a 2-D hole) it is (pixels, 3). Do the same to the estimate.",
        "MSE = mean of (reference[hole] - estimate[hole]) ** 2 over everything selected; the peak is 1 for images "
        "in [0, 1].",
        "`error = np.mean((reference[hole] - estimate[hole]) ** 2)` then `return 10 * np.log10(1.0 / error)`.",
    ],
    compare=_hole_psnr_compare,
))


def check_hole_psnr(learner_function):
    """Check ``hole_psnr(reference, estimate, hole)``, the PSNR inside the hole only."""
    return check("hole_psnr", learner_function)


# --------------------------------------------------------------------------------------
# update_mask
# --------------------------------------------------------------------------------------


def _update_mask_reference(valid, kernel_size):
    valid = np.asarray(valid, dtype=np.float64)
    return ndimage.maximum_filter(valid, size=kernel_size, mode="constant", cval=0.0)


def _update_mask_cases():
    _, big_hole, edge_hole, scattered = _valid_masks()
    return [
        Case((big_hole, 3), label="a 9x11 valid mask (1 = known) with a 6x7 hole, kernel_size=3"),
        Case((big_hole, 5), label="the same mask, kernel_size=5"),
        Case((edge_hole, 3), label="a 6x8 mask whose hole is the three left columns, kernel_size=3"),
        Case((scattered, 3), label="a 7x9 mask with scattered holes, kernel_size=3"),
        Case((np.zeros((4, 5)), 3), label="a 4x5 mask that is all hole, kernel_size=3 (nothing to see)"),
    ]


def _update_mask_compare(got, expected, case):
    if isinstance(got, np.ndarray) and (got.dtype == np.bool_ or np.issubdtype(got.dtype, np.integer)):
        got = got.astype(np.float64)  # a boolean or 0/1 integer mask is as right as a float one
    problem = usual_problem("update_mask", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    valid, size = np.asarray(case.args[0], dtype=np.float64), int(case.args[1])
    got = np.asarray(got, dtype=np.float64)
    wrong, first = wrong_elements("update_mask", got, expected)
    message = (f"{int(wrong.sum())} of {wrong.size} pixels are wrong; the first is [{first[0]}, {first[1]}]: you "
               f"returned {got[first]:g}, expected {float(expected[first]):g}.")
    if np.allclose(got, valid):
        return message + (" You returned the mask unchanged: after the layer, every pixel whose window held at least "
                          "one valid pixel has been computed from real data, so it becomes valid; the hole shrinks.")
    if np.allclose(got, ndimage.minimum_filter(valid, size=size, mode="constant", cval=0.0)) or np.allclose(
            got, ndimage.minimum_filter(valid, size=size, mode="nearest")):
        return message + (" You made a pixel valid only when its whole window is valid (so the hole grows): the rule "
                          "is 'at least one valid pixel in the window' (sum(M) > 0), which makes it shrink.")
    if np.allclose(got, 1.0 - expected) or np.allclose(
            got, ndimage.maximum_filter(1.0 - valid, size=size, mode="constant", cval=0.0)):
        return message + (" Your answer looks like the hole, not the valid mask: `valid` is 1 where the pixel is "
                          "known, and so is the result.")
    if np.allclose(got, ndimage.maximum_filter(valid, size=size, mode="constant", cval=1.0)) or np.allclose(
            got, ndimage.maximum_filter(valid, size=size, mode="nearest")):
        return message + (" Only pixels next to the border are wrong: pixels beyond the image are missing (pad the "
                          "mask with zeros), so a window that sees only the border and the hole has no valid pixel.")
    return message + " Count the valid pixels in each k x k window centred on the pixel; the result is 1 where the count is > 0."


register(Exercise(
    key="update_mask",
    notebook=NOTEBOOK,
    function_name="update_mask",
    reference=_update_mask_reference,
    cases=_update_mask_cases,
    hints=[
        "For each pixel, look at the kernel_size x kernel_size window centred on it. The new mask is 1 if that "
        "window holds at least one valid pixel (a 1 of `valid`), else 0. Pixels outside the image count as 0.",
        "Counting the valid pixels of every window is a convolution of `valid` with a window of ones: "
        "`scipy.ndimage.correlate(valid, np.ones((k, k)), mode='constant', cval=0.0)` gives sum(M) everywhere.",
        "`count = ndimage.correlate(np.asarray(valid, float), np.ones((kernel_size, kernel_size)), mode='constant', "
        "cval=0.0)` then `return (count > 0).astype(float)`.",
    ],
    compare=_update_mask_compare,
    expected_range=(0.0, 1.0),
))


def check_update_mask(learner_function):
    """Check ``update_mask(valid, kernel_size)``, the partial convolution's mask update.

    The new mask may be float (1.0 valid, 0.0 missing), boolean or 0/1 integers: any
    mask equal to the expected one passes.
    """
    return check("update_mask", learner_function)


# --------------------------------------------------------------------------------------
# partial_convolution
# --------------------------------------------------------------------------------------


def _window_count(valid, size):
    return ndimage.correlate(valid, np.ones((size, size)), mode="constant", cval=0.0)


def _partial_convolution_variant(image, valid, kernel, bias, *, renormalize="right", mask_input=True,
                                 bias_everywhere=False, flip=False):
    image = np.asarray(image, dtype=np.float64)
    valid = np.asarray(valid, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if flip:
        kernel = kernel[::-1, ::-1]
    size = kernel.shape[0]
    summed = ndimage.correlate(image * valid if mask_input else image, kernel, mode="constant", cval=0.0)
    count = _window_count(valid, size)
    seen = count > 0
    safe = np.maximum(count, 1.0)
    ratio = {"right": size * size / safe, "none": np.ones_like(count), "inverted": safe / (size * size),
             "window": np.full_like(count, 1.0 / (size * size)), "count_only": 1.0 / safe}[renormalize]
    output = summed * ratio + bias
    return output if bias_everywhere else np.where(seen, output, 0.0)


def _partial_convolution_reference(image, valid, kernel, bias):
    return _partial_convolution_variant(image, valid, kernel, bias)


def _partial_convolution_cases():
    rng, big_hole, edge_hole, scattered = _valid_masks()

    def garbage_in_hole(valid):
        image = rng.random(valid.shape)
        return np.where(valid > 0, image, 5.0)  # whatever is in the hole must not matter

    lopsided = np.array([[0.0, 0.1, 0.0], [0.2, 0.3, 0.0], [0.0, 0.6, 0.4]])  # not symmetric: a flip shows
    return [
        Case((garbage_in_hole(big_hole), big_hole, lopsided, 0.1),
             label="a 9x11 image with a 6x7 hole (filled with 5.0, which must be ignored), a 3x3 lopsided kernel, "
                   "bias 0.1"),
        Case((garbage_in_hole(scattered), scattered, lopsided, 0.0),
             label="a 7x9 image with scattered holes, the same kernel, bias 0"),
        Case((garbage_in_hole(edge_hole), edge_hole, rng.random((5, 5)) / 25, -0.2),
             label="a 6x8 image whose three left columns are missing, a random 5x5 kernel, bias -0.2"),
        Case((np.full((5, 6), 0.5), np.ones((5, 6)), np.full((3, 3), 1 / 9), 0.0),
             label="a constant 0.5 image with no hole and a 3x3 box filter (inside, the answer is 0.5 everywhere; "
                   "at the border the renormalization keeps it 0.5 too)"),
    ]


def _partial_convolution_compare(got, expected, case):
    problem = usual_problem("partial_convolution", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    image, valid, kernel, bias = case.args
    got = np.asarray(got, dtype=np.float64)
    wrong, first = wrong_elements("partial_convolution", got, expected)
    message = (f"{int(wrong.sum())} of {wrong.size} pixels are wrong; the first is [{first[0]}, {first[1]}]: you "
               f"returned {got[first]:.6g}, expected {float(expected[first]):.6g}.")
    mistakes = [
        ({"renormalize": "none"}, " You did not renormalize: multiply each window's sum by sum(1) / sum(M), the "
                                  "window size over its number of valid pixels, so that a half-seen window answers "
                                  "like a fully seen one."),
        ({"renormalize": "inverted"}, " Your scale factor is upside down: it is sum(1) / sum(M) (>= 1), the window "
                                      "size divided by the number of valid pixels in it."),
        ({"renormalize": "window"}, " You divided by the window size, k * k, the same for every pixel: that is a "
                                    "plain average and no renormalization. The factor depends on the window: "
                                    "sum(1) / sum(M), the window size over its number of valid pixels."),
        ({"renormalize": "count_only"}, " You divided by sum(M) but did not multiply by sum(1) = k * k: the factor "
                                        "is sum(1) / sum(M), so that a fully seen window keeps its plain sum."),
        ({"mask_input": False}, " Values of the hole leak into your answer: multiply the image by the valid mask "
                                "(X * M) before the convolution, so that what was in the hole is ignored."),
        ({"bias_everywhere": True}, " Where a window holds no valid pixel the output must be 0, without the bias: "
                                    "the layer has seen nothing there (and the updated mask is 0 there too)."),
        ({"flip": True}, " Your kernel is flipped: that is a convolution in the mathematical sense. Neural network "
                         "layers compute a cross-correlation, kernel[0, 0] multiplies the top-left neighbour "
                         "(scipy.ndimage.correlate, not convolve)."),
    ]
    for options, explanation in mistakes:
        if np.allclose(got, _partial_convolution_variant(image, valid, kernel, bias, **options), atol=1e-6):
            return message + explanation
    return message + " Write it in three steps: the correlation of X * M with the kernel, the count of valid pixels " \
                     "per window, then sum * k^2 / count + b where count > 0 and 0 elsewhere."


register(Exercise(
    key="partial_convolution",
    notebook=NOTEBOOK,
    function_name="partial_convolution",
    reference=_partial_convolution_reference,
    cases=_partial_convolution_cases,
    hints=[
        "Three steps: (1) the cross-correlation of image * valid with the kernel, zero padding ('same' size); "
        "(2) the number of valid pixels in each window, sum(M); (3) where sum(M) > 0, the sum times "
        "k*k / sum(M) plus the bias, and 0 elsewhere.",
        "`scipy.ndimage.correlate(x, kernel, mode='constant', cval=0.0)` is step (1) with x = image * valid; the "
        "same call with `np.ones_like(kernel)` on `valid` is step (2).",
        "`summed = ndimage.correlate(image * valid, kernel, mode='constant', cval=0.0)`, `count = "
        "ndimage.correlate(valid, np.ones_like(kernel), mode='constant', cval=0.0)`, then `return np.where(count "
        "> 0, summed * kernel.size / np.maximum(count, 1) + bias, 0.0)`.",
    ],
    compare=_partial_convolution_compare,
))


def check_partial_convolution(learner_function):
    """Check ``partial_convolution(image, valid, kernel, bias)``, one single-channel partial convolution."""
    return check("partial_convolution", learner_function)
